"""GET /health."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.deps import FactoryDep

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "database unreachable"}})
def health(factory: FactoryDep) -> JSONResponse:
    try:
        with factory() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return JSONResponse(
            {
                "status": "degraded",
                "database": "unavailable",
                "code": "database_unavailable",
                "detail": "Cơ sở dữ liệu không truy cập được.",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok"})
