"""The app factory: `create_app(settings)` builds the FastAPI app; the engine is made in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.clock import Clock
from backend.db import create_db_engine, create_session_factory
from backend.errors import ApiError, error_response
from backend.middleware import RequestGuardMiddleware, UnexpectedErrorMiddleware
from backend.openapi import install_openapi
from backend.services.auth import TokenSigner, load_secret_key
from backend.services.queue import QueueCache
from backend.services.staff_users import LoginRateLimiter
from backend.settings import Settings, get_settings

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

HTTP_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ (không đọc được nội dung gửi lên)."),
    401: ("unauthorized", "Cần đăng nhập."),
    403: ("forbidden", "Không có quyền."),
    404: ("not_found", "Không tìm thấy địa chỉ này."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức này."),
    413: ("body_too_large", "Nội dung gửi lên quá lớn."),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ; hãy gửi JSON."),
}

VALIDATION_MESSAGES = {
    "missing": "thiếu thông tin bắt buộc",
    "extra_forbidden": "trường này không được phép",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "string_type": "phải là chuỗi chữ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "float_parsing": "phải là số",
    "bool_parsing": "phải là đúng/sai",
    "literal_error": "giá trị không nằm trong danh sách cho phép",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "string_pattern_mismatch": "không đúng định dạng",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "json_invalid": "JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "list_type": "phải là một danh sách",
    "too_short": "quá ít phần tử",
    "too_long": "quá nhiều phần tử",
}


def _describe_validation(errors: list[Any]) -> str:
    parts = []
    for error in errors[:5]:
        location = ".".join(
            str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")
        )
        message = VALIDATION_MESSAGES.get(error.get("type", ""))
        if message is None:
            raw = str(error.get("msg", ""))
            # Our own validators raise Vietnamese messages ("Value error, ...").
            message = raw.removeprefix("Value error, ") if raw.startswith("Value error, ") else "không hợp lệ"
        parts.append(f"{location}: {message}" if location else message)
    return "Dữ liệu không hợp lệ — " + "; ".join(parts) + "."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        fields = [{"loc": [str(p) for p in e.get("loc", ())], "type": e.get("type", "")} for e in errors[:20]]
        return error_response(422, "validation_error", _describe_validation(errors), errors=fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, detail = HTTP_MESSAGES.get(exc.status_code, ("http_error", "Yêu cầu không thực hiện được."))
        response = error_response(exc.status_code, code, detail)
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        return response

    @app.exception_handler(OperationalError)
    async def _db_down(_request: Request, exc: OperationalError) -> JSONResponse:
        logger.error("database error: %s", type(exc.orig).__name__ if exc.orig else exc)
        return error_response(
            503, "database_unavailable", "Cơ sở dữ liệu tạm thời không truy cập được; xin thử lại sau."
        )

    @app.exception_handler(DBAPIError)
    async def _db_error(_request: Request, exc: DBAPIError) -> JSONResponse:
        logger.error("database error: %s", type(exc.orig).__name__ if exc.orig else exc)
        return error_response(503, "database_error", "Cơ sở dữ liệu báo lỗi; xin thử lại sau.")

    @app.exception_handler(SQLAlchemyError)
    async def _db_other(_request: Request, exc: SQLAlchemyError) -> JSONResponse:
        logger.error("database layer error: %s", type(exc).__name__)
        return error_response(503, "database_error", "Cơ sở dữ liệu báo lỗi; xin thử lại sau.")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the app. The database engine is created when the app starts (lifespan), not here."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.effective_database_url, pool_size=settings.db_pool_size)
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        app.state.token_signer = TokenSigner(load_secret_key(settings), settings.staff_token_minutes * 60)
        app.state.login_limiter = LoginRateLimiter(settings.login_attempts_per_minute)
        app.state.booking_limiter = LoginRateLimiter(
            settings.booking.lookups_per_minute,
            code="too_many_booking_requests",
            message="Máy này hỏi lịch hẹn quá nhiều lần; xin chờ một phút rồi thử lại.",
        )
        try:
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="letan backend",
        version="1",
        description="Máy chủ của điểm phục vụ hành chính công: nội dung, hàng đợi, hồ sơ, cán bộ.",
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.clock = clock or Clock(settings.timezone)
    app.state.queue_cache = QueueCache(settings.queue_cache_seconds, settings.service_time_cache_seconds)
    install_error_handlers(app)
    install_openapi(app)
    # Added last = outermost: the error answer wraps the guard, which wraps the app.
    app.add_middleware(RequestGuardMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(UnexpectedErrorMiddleware)

    from backend.api import (
        auth,
        booking,
        citizen,
        city,
        content,
        dossiers,
        health,
        notifications,
        publish,
        tickets,
    )
    from backend.deps import known_query_parameters

    for module in (health, content, auth, tickets, booking, dossiers, notifications, citizen, publish, city):
        app.include_router(module.router, prefix=API_PREFIX, dependencies=[Depends(known_query_parameters)])
    from backend.web.routes import router as staff_router

    app.include_router(staff_router, prefix="/staff")
    from backend.web.pages_optout import router as opt_out_router

    app.include_router(opt_out_router)
    from backend.web.pages_booking import router as booking_router

    app.include_router(booking_router)
    return app
