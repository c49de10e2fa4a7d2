"""Session cookie and CSRF protection of the staff pages.

The session lives in one signed cookie (itsdangerous, secret from the backend's settings):
`{"sid", "csrf", "uid"?, "ver"?}`. It is HttpOnly and SameSite=Lax, and Secure when the page was
served over HTTPS. Every visitor, logged in or not, gets a CSRF token in that cookie; every form
carries it in a hidden field `csrf_token` (or the `X-CSRF-Token` header for htmx requests) and a
POST whose token does not match is refused with 403. Logging in rotates both the session id and
the token. Logging out ends every session of that staff member: a cookie from before the last
logout (kept by someone else, say) no longer works.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "letan_staff"
SESSION_MAX_AGE_S = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SALT = "letan-staff-session-v1"


@dataclass
class WebSession:
    """What the staff session cookie holds; `changed` tells whether it must be sent again."""

    sid: str
    csrf: str
    user_id: int | None = None
    user_version: str | None = None
    login_at: float = 0.0
    changed: bool = False
    flash: list[str] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"sid": self.sid, "csrf": self.csrf}
        if self.user_id is not None:
            payload["uid"] = self.user_id
            payload["ver"] = self.user_version
            payload["at"] = self.login_at
        if self.flash:
            payload["flash"] = self.flash[-3:]
        return payload

    def log_in(self, user_id: int, user_version: str) -> None:
        """Rotate the session id and the CSRF token (no session fixation), then attach the user."""
        self.sid = secrets.token_urlsafe(16)
        self.csrf = secrets.token_urlsafe(32)
        self.user_id = user_id
        self.user_version = user_version
        self.login_at = time.time()
        self.changed = True

    def log_out(self) -> None:
        self.sid = secrets.token_urlsafe(16)
        self.csrf = secrets.token_urlsafe(32)
        self.user_id = None
        self.user_version = None
        self.changed = True

    def add_flash(self, message: str) -> None:
        self.flash.append(message)
        self.changed = True

    def pop_flash(self) -> list[str]:
        messages, self.flash = self.flash, []
        if messages:
            self.changed = True
        return messages


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def new_session() -> WebSession:
    return WebSession(sid=secrets.token_urlsafe(16), csrf=secrets.token_urlsafe(32), changed=True)


def load_session(request: Request, secret: str) -> WebSession:
    """The session of this request (cached on `request.state`); a new anonymous one if absent or forged."""
    cached = getattr(request.state, "web_session", None)
    if isinstance(cached, WebSession):
        return cached
    session = new_session()
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            data = _serializer(secret).loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("sid"), str) and isinstance(data.get("csrf"), str):
            uid = data.get("uid")
            session = WebSession(
                sid=data["sid"],
                csrf=data["csrf"],
                user_id=uid if isinstance(uid, int) else None,
                user_version=data.get("ver") if isinstance(data.get("ver"), str) else None,
                login_at=float(data["at"]) if isinstance(data.get("at"), (int, float)) else 0.0,
                flash=[m for m in data.get("flash", []) if isinstance(m, str)],
            )
    request.state.web_session = session
    return session


def save_session(request: Request, response: Response, session: WebSession, secret: str) -> None:
    """Send the cookie again when the session changed (new visitor, login, logout, flash)."""
    if not session.changed:
        return
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(secret).dumps(session.to_payload()),
        max_age=SESSION_MAX_AGE_S,
        path="/staff",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def csrf_matches(session: WebSession, submitted: str | None) -> bool:
    """Constant-time comparison of the submitted token with the session's."""
    if not submitted:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())


async def submitted_csrf(request: Request) -> str | None:
    """The token of a POST: the `X-CSRF-Token` header (htmx) or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None
