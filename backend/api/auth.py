"""POST /auth/token: staff sign-in."""

from fastapi import APIRouter, Request

from backend.deps import SessionDep
from backend.errors import UnauthorizedError
from backend.schemas import TokenPublic, TokenRequest
from backend.services import auth

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic)
def issue_token(body: TokenRequest, request: Request, session: SessionDep) -> TokenPublic:
    user = auth.authenticate(session, body.username, body.password)
    if user is None:
        raise UnauthorizedError("invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    signer: auth.TokenSigner = request.app.state.token_signer
    return TokenPublic(
        access_token=signer.issue(user),
        expires_in=signer.max_age_seconds,
        role=user.role,
        username=user.username,
    )
