"""What every staff page shares: templates, the session, the role guard and the CSRF check."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from backend import models
from backend.clock import Clock
from backend.deps import get_session
from backend.schemas import MAX_ROW_ID
from backend.services import content as content_service
from backend.services.auth import load_secret_key
from backend.web.security import WebSession, csrf_matches, load_session, save_session, submitted_csrf

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"

ROLE_LABELS = {
    "admin": "Quản trị",
    "editor": "Biên tập nội dung",
    "counter": "Cán bộ quầy",
    "integration": "Tích hợp",
}
EDITORS = ("admin", "editor")
COUNTER_STAFF = ("admin", "counter")
ADMINS = ("admin",)
NEEDS_READERS = ("admin", "editor")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    roles: tuple[str, ...]


NAV = (
    NavItem("content", "Nội dung", "/staff/content", EDITORS),
    NavItem("counter", "Quầy", "/staff/counter", COUNTER_STAFF),
    NavItem("display", "Màn hình gọi số", "/staff/display", ("admin", "editor", "counter")),
    NavItem("needs", "Nhu cầu công dân", "/staff/needs", NEEDS_READERS),
    NavItem("city", "Toàn thành phố", "/staff/city", NEEDS_READERS),
    NavItem("bookings", "Lịch hẹn", "/staff/bookings", NEEDS_READERS),
    NavItem("notify", "Tin báo hồ sơ", "/staff/notify", ("admin", "editor", "counter")),
    NavItem("devices", "Thiết bị", "/staff/devices", ADMINS),
    NavItem("users", "Tài khoản", "/staff/users", ADMINS),
)


@lru_cache
def templates() -> Jinja2Templates:
    # Autoescaping is on for .html: anything staff or citizens typed is shown as text, never as markup.
    return Jinja2Templates(directory=str(WEB_DIR / "templates"))


def secret(request: Request) -> str:
    """The backend's secret key (LETAN_SECRET_KEY or data_dir/secret-key); signs the session cookie."""
    return load_secret_key(request.app.state.settings)


def web_session(request: Request) -> WebSession:
    return load_session(request, secret(request))


def app_clock(request: Request) -> Clock:
    """The app's clock (what `backend.deps.ClockDep` gives a route), for helpers shared by routes."""
    clock: Clock = request.app.state.clock
    return clock


def actor_for(username: str) -> str:
    """How staff appear in the audit log (the same form as the API's `Principal.actor`)."""
    return f"staff:{username}"


_site_name: tuple[float, str] = (0.0, "")


def site_name_cached() -> str:
    return _site_name[1] or "Điểm phục vụ hành chính công"


def refresh_site_name(session: Session) -> None:
    """Read the service point's name for the page header at most once a minute."""
    global _site_name
    if time.monotonic() - _site_name[0] < 60 and _site_name[1]:
        return
    site = content_service.get_site(session)
    _site_name = (time.monotonic(), site.name if site is not None else "")


# The backend's request session (its own dependency): POST handlers write through the services and commit.
DbDep = Annotated[Session, Depends(get_session)]


def user_fingerprint(user: Any) -> str:
    """Changes when the password, role or state changes or the user logs out (`token_version`), so
    old cookies stop working."""
    raw = f"{user.id}:{user.password_hash}:{user.role}:{user.disabled}:{user.token_version}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def current_user(request: Request, session: Session) -> Any | None:
    ws = web_session(request)
    if ws.user_id is None:
        return None
    user = session.get(models.StaffUser, ws.user_id)
    if user is None or user.disabled or user_fingerprint(user) != ws.user_version:
        ws.log_out()
        return None
    return user


def guard(request: Request, session: Session, roles: tuple[str, ...], city_only: bool = False) -> Any:
    """The logged-in staff member allowed on this page, or the response to send instead.

    `city_only` pages (content, devices, accounts) are for city-wide staff: a site's staff work on
    their own site's pages (counter, display, citizens' needs, bookings), which filter by it."""
    user = current_user(request, session)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"/staff/login?next={_quote(target)}", status_code=303)
        save_session(request, response, web_session(request), secret(request))
        return response
    if city_only and user.site_id not in (None, models.DEFAULT_SITE_ID):
        return render(
            request,
            "error.html",
            {
                "page_title": "Không có quyền",
                "heading": "Trang này dành cho cán bộ cấp thành phố",
                "message": "Nội dung thủ tục, thiết bị và tài khoản do thành phố quản lý; tài khoản của điểm "
                f"'{user.site_id}' dùng các trang quầy, màn hình gọi số và nhu cầu công dân của điểm mình.",
            },
            user=user,
            status_code=403,
        )
    if user.role not in roles:
        return render(
            request,
            "error.html",
            {
                "page_title": "Không có quyền",
                "heading": "Không có quyền truy cập",
                "message": "Tài khoản của bạn không được mở trang này. Hãy liên hệ quản trị viên nếu cần.",
            },
            user=user,
            status_code=403,
        )
    return user


async def check_csrf(request: Request) -> Response | None:
    """None when the POST carries the session's token, else the 403 page to send."""
    ws = web_session(request)
    if csrf_matches(ws, await submitted_csrf(request)):
        return None
    logger.warning("staff form refused: missing or wrong CSRF token on %s", request.url.path)
    return render(
        request,
        "error.html",
        {
            "page_title": "Phiên làm việc không hợp lệ",
            "heading": "Biểu mẫu không hợp lệ",
            "message": "Biểu mẫu đã hết hạn hoặc không được gửi từ trang của hệ thống. "
            "Hãy tải lại trang và thử lại; dữ liệu chưa được lưu.",
        },
        status_code=403,
    )


class PageRefusedError(Exception):
    """Raised by a page's dependency: send `response` (login redirect, 403 page) instead of the page."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def staff(*roles: str, city_only: bool = False) -> Callable[..., Awaitable[models.StaffUser]]:
    """Dependency: the logged-in staff member with one of `roles`; on a POST also the CSRF check.

    The role check comes first (a stale session is sent to the login page), then the CSRF token.
    Use it as `user: Annotated[StaffUser, Depends(staff(EDITORS))]` on routes of a `staff_router()`.
    """

    async def dependency(request: Request, session: DbDep) -> models.StaffUser:
        user = guard(request, session, roles, city_only)
        if isinstance(user, Response):
            raise PageRefusedError(user)
        if request.method not in SAFE_METHODS:
            refused = await check_csrf(request)
            if refused is not None:
                raise PageRefusedError(refused)
        staff_user: models.StaffUser = user
        return staff_user

    dependency.checks_csrf = True  # type: ignore[attr-defined]
    return dependency


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StaffRoute(APIRoute):
    """A staff page route: sends `PageRefusedError` responses, and refuses every POST without the CSRF token.

    A route guarded by `staff(...)` is checked there (after the role check); any other route with an
    unsafe method (login, logout) is checked here before its handler runs, so no form goes unchecked.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        guarded = _checks_csrf(self.dependant)

        async def route_handler(request: Request) -> Response:
            try:
                if not guarded and request.method not in SAFE_METHODS:
                    refused = await check_csrf(request)
                    if refused is not None:
                        return refused
                return await handler(request)
            except PageRefusedError as refusal:
                return refusal.response

        return route_handler


def _checks_csrf(dependant: Dependant) -> bool:
    return any(getattr(dep.call, "checks_csrf", False) or _checks_csrf(dep) for dep in dependant.dependencies)


def staff_router() -> APIRouter:
    """The router of a staff pages module (every route a `StaffRoute`)."""
    return APIRouter(route_class=StaffRoute)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: Any | None = None,
    status_code: int = 200,
    active: str = "",
) -> HTMLResponse:
    ws = web_session(request)
    role = user.role if user is not None else None
    full = {
        "request": request,
        "csrf_token": ws.csrf,
        "staff": user,
        "role_label": ROLE_LABELS.get(role or "", ""),
        "nav": [item for item in NAV if role in item.roles],
        "active": active,
        "flashes": ws.pop_flash(),
        "site_name": site_name_cached(),
        **context,
    }
    response = templates().TemplateResponse(request, template, full, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    save_session(request, response, ws, secret(request))
    return response


def redirect(request: Request, url: str, flash: str | None = None) -> RedirectResponse:
    ws = web_session(request)
    if flash:
        ws.add_flash(flash)
    response = RedirectResponse(url, status_code=303)
    save_session(request, response, ws, secret(request))
    return response


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="/")


def row_ids(text: str) -> list[int]:
    """The row ids in a comma-separated form field (anything else, or too large for a row id, is left out)."""
    return [int(part) for part in text.split(",") if part.strip().isdigit() and int(part) <= MAX_ROW_ID]


def safe_next(value: str | None) -> str:
    """Only local staff paths are followed after login (no open redirect)."""
    if value and value.startswith("/staff/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff/"


Editor = Annotated[models.StaffUser, Depends(staff(*EDITORS, city_only=True))]
CounterStaff = Annotated[models.StaffUser, Depends(staff(*COUNTER_STAFF))]
Admin = Annotated[models.StaffUser, Depends(staff(*ADMINS, city_only=True))]
NeedsReader = Annotated[models.StaffUser, Depends(staff(*NEEDS_READERS))]
