"""Login, logout, the home redirect and the static files of the staff pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backend.api.auth import client_address
from backend.clock import Clock
from backend.deps import ClockDep
from backend.errors import ApiError
from backend.models import StaffUser
from backend.services import audit, staff_users
from backend.web.common import (
    STATIC_DIR,
    DbDep,
    actor_for,
    current_user,
    redirect,
    refresh_site_name,
    render,
    safe_next,
    staff_router,
    user_fingerprint,
    web_session,
)

router = staff_router()


class LoginRefusedError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


HOME_BY_ROLE = {
    "admin": "/staff/needs",
    "editor": "/staff/content",
    "counter": "/staff/counter",
}


@router.get("/static/{name}", name="staff_static")
def static_file(name: str) -> FileResponse:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        raise HTTPException(status_code=404, detail="Không tìm thấy tệp.")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", name="staff_home")
def home(request: Request, session: DbDep) -> Response:
    user = current_user(request, session)
    if user is None:
        return redirect(request, "/staff/login")
    return redirect(request, HOME_BY_ROLE.get(user.role, "/staff/display"))


@router.get("/login", name="staff_login")
def login_page(request: Request, session: DbDep, next: str = "") -> Response:
    refresh_site_name(session)
    return render(
        request,
        "login.html",
        {"page_title": "Đăng nhập", "error": None, "username": "", "next_url": safe_next(next)},
    )


def _authenticate(
    request: Request, session: Session, clock: Clock, username: str, password: str
) -> StaffUser:
    """The backend's login, the same as `POST /auth/token`: the per-address rate limit, argon2, the
    lock-out of this name from this address, the audit log."""
    source = client_address(request)
    try:
        request.app.state.login_limiter.check(source, clock.now())
        return staff_users.login(session, username, password, clock.now(), source=source, via="web")
    except ApiError as err:
        if err.code == "invalid_credentials":
            left = err.extra.get("attempts_left", 0)
            raise LoginRefusedError(
                err.code, f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi bị tạm khoá."
            ) from err
        raise LoginRefusedError(err.code, err.detail) from err


@router.post("/login", name="staff_login_submit")
async def login_submit(
    request: Request,
    session: DbDep,
    clock: ClockDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        # In a worker thread: the password check takes ~100 ms on purpose and must not stop the event loop.
        user = await run_in_threadpool(_authenticate, request, session, clock, username, password)
    except LoginRefusedError as err:
        return render(
            request,
            "login.html",
            {
                "page_title": "Đăng nhập",
                "error": err.message,
                "username": username,
                "next_url": safe_next(next),
            },
            status_code=429 if err.code in ("account_locked", "too_many_logins") else 401,
        )
    web_session(request).log_in(user.id, user_fingerprint(user))
    target = safe_next(next)
    if target == "/staff/":
        target = HOME_BY_ROLE.get(user.role, "/staff/display")
    return redirect(request, target)


@router.post("/logout", name="staff_logout")
async def logout(request: Request, session: DbDep, clock: ClockDep) -> Response:
    user = current_user(request, session)
    if user is not None:
        staff_users.end_sessions(user)  # a copied cookie or staff token stops working too
        audit.record(
            session, at=clock.now(), actor=actor_for(user.username), action="staff.logout",
            entity_type="staff_user", entity_id=user.username, details={"via": "web"},
        )  # fmt: skip
        session.commit()
    web_session(request).log_out()
    response: RedirectResponse = redirect(request, "/staff/login", flash="Bạn đã đăng xuất.")
    return response
