"""Login, logout, the home redirect and the static files of the staff pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from backend.api.auth import client_address
from backend.web import backend_adapter as bk
from backend.web.common import (
    STATIC_DIR,
    DbDep,
    current_user,
    redirect,
    render,
    safe_next,
    staff_router,
    user_fingerprint,
    web_session,
)

router = staff_router()

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
    bk.refresh_site_name(session)
    return render(
        request,
        "login.html",
        {"page_title": "Đăng nhập", "error": None, "username": "", "next_url": safe_next(next)},
    )


@router.post("/login", name="staff_login_submit")
async def login_submit(
    request: Request,
    session: DbDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    try:
        # In a worker thread: the password check takes ~100 ms on purpose and must not stop the event loop.
        user = await run_in_threadpool(
            bk.authenticate, request, session, username, password, client_address(request)
        )
    except bk.LoginRefusedError as err:
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
async def logout(request: Request, session: DbDep) -> Response:
    user = current_user(request, session)
    if user is not None:
        bk.record_logout(session, user)
    web_session(request).log_out()
    response: RedirectResponse = redirect(request, "/staff/login", flash="Bạn đã đăng xuất.")
    return response
