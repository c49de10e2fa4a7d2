"""POST /auth/token: staff sign-in."""

from fastapi import APIRouter, Request

from backend.deps import ClockDep, SessionDep
from backend.schemas import TokenPublic, TokenRequest
from backend.services import auth

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic)
def issue_token(body: TokenRequest, request: Request, session: SessionDep, clock: ClockDep) -> TokenPublic:
    user = auth.login(session, body.username, body.password, clock.now(), via="api")
    signer: auth.TokenSigner = request.app.state.token_signer
    return TokenPublic(
        access_token=signer.issue(user),
        expires_in=signer.max_age_seconds,
        role=user.role,
        username=user.username,
    )
