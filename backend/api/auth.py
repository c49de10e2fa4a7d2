"""POST /auth/token: staff sign-in; POST /auth/logout: end every token and session of that staff member."""

from fastapi import APIRouter, Request, Response

from backend.db import begin_write
from backend.deps import ClockDep, SessionDep, StaffDep
from backend.models import StaffUser
from backend.schemas import TokenPublic, TokenRequest
from backend.services import audit, auth, staff_users

router = APIRouter(tags=["auth"])


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy, the one it forwards: uvicorn's --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


@router.post("/auth/token", response_model=TokenPublic)
def issue_token(body: TokenRequest, request: Request, session: SessionDep, clock: ClockDep) -> TokenPublic:
    source = client_address(request)
    now = clock.now()
    request.app.state.login_limiter.check(source, now)
    user = staff_users.login(session, body.username, body.password, now, source=source, via="api")
    signer: auth.TokenSigner = request.app.state.token_signer
    return TokenPublic(
        access_token=signer.issue(user),
        expires_in=signer.max_age_seconds,
        role=user.role,
        username=user.username,
    )


@router.post("/auth/logout", status_code=204, response_class=Response)
def logout(session: SessionDep, clock: ClockDep, principal: StaffDep) -> Response:
    """Ends every staff token and staff-page session of the caller (on every machine)."""
    begin_write(session)
    user = session.get(StaffUser, principal.user_id)
    if user is not None:
        staff_users.end_sessions(user)
        audit.record(
            session,
            at=clock.now(),
            actor=principal.actor,
            action="staff.logout",
            entity_type="staff_user",
            entity_id=principal.name,
            details={"via": "api"},
        )
    session.commit()
    return Response(status_code=204)
