"""The one place where the staff pages reach into the backend (settings, database, services).

Pages call these functions only, so when a backend service changes name the change is here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend import models
from backend.settings import get_settings

LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15

_site_name: tuple[float, str] = (0.0, "")
_factory: sessionmaker[Session] | None = None


# -- settings --------------------------------------------------------------------------------------
def data_dir() -> Path:
    return get_settings().data_dir


def secret_key() -> str:
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_file
    try:
        value = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        value = ""
    if not value:
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
    return value


# -- database --------------------------------------------------------------------------------------
def db_session(request: Request) -> Iterator[Session]:
    factory = getattr(request.app.state, "session_factory", None)
    if factory is None:
        factory = _fallback_factory()
    session = factory()
    try:
        yield session
    finally:
        session.close()


def _fallback_factory() -> sessionmaker[Session]:
    global _factory
    if _factory is None:
        from backend.db import create_db_engine, create_session_factory

        _factory = create_session_factory(create_db_engine(get_settings().effective_database_url))
    return _factory


def now() -> datetime:
    return datetime.now(timezone.utc)


# -- site ------------------------------------------------------------------------------------------
def site_name_cached() -> str:
    return _site_name[1] or "Điểm phục vụ hành chính công"


def refresh_site_name(session: Session) -> None:
    global _site_name
    if time.monotonic() - _site_name[0] < 60 and _site_name[1]:
        return
    record = session.scalars(select(models.SiteRecord)).first()
    name = str(record.data.get("name", "")) if record is not None else ""
    _site_name = (time.monotonic(), name)


# -- staff users -----------------------------------------------------------------------------------
class LoginRefusedError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def get_user(session: Session, user_id: int) -> models.StaffUser | None:
    return session.get(models.StaffUser, user_id)


def _verify_password(password_hash: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import Argon2Error

    try:
        return PasswordHasher().verify(password_hash, password)
    except Argon2Error:
        return False


def _audit(
    session: Session, actor: str, action: str, entity_type: str, entity_id: str, **details: Any
) -> None:
    session.add(
        models.AuditEntry(
            at=now(),
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details=details,
        )
    )


def recent_failures(session: Session, username: str) -> tuple[int, datetime | None]:
    """Wrong passwords for `username` since its last successful login within the lock-out window."""
    since = now() - timedelta(minutes=LOCKOUT_MINUTES)
    last_ok = session.scalar(
        select(func.max(models.AuditEntry.at)).where(
            models.AuditEntry.action == "staff.login",
            models.AuditEntry.entity_id == username,
        )
    )
    if last_ok is not None:
        last_ok = last_ok.replace(tzinfo=timezone.utc) if last_ok.tzinfo is None else last_ok
        since = max(since, last_ok)
    rows = session.scalars(
        select(models.AuditEntry.at).where(
            models.AuditEntry.action == "staff.login_failed",
            models.AuditEntry.entity_id == username,
            models.AuditEntry.at > since,
        )
    ).all()
    latest = max(rows) if rows else None
    return len(rows), latest


def authenticate(session: Session, username: str, password: str) -> models.StaffUser:
    """The staff member with this password; wrong passwords are stored (audit log) and lock the name out."""
    username = username.strip()
    failures, latest = recent_failures(session, username)
    if failures >= LOCKOUT_FAILURES and latest is not None:
        until = latest + timedelta(minutes=LOCKOUT_MINUTES)
        minutes = max(1, int((until - now()).total_seconds() // 60) + 1)
        raise LoginRefusedError(
            "account_locked",
            f"Tài khoản tạm khoá do nhập sai mật khẩu {LOCKOUT_FAILURES} lần. Hãy thử lại sau {minutes} phút "
            "hoặc liên hệ quản trị viên.",
        )
    user = session.scalars(select(models.StaffUser).where(models.StaffUser.username == username)).first()
    if user is None or user.disabled or not _verify_password(user.password_hash, password):
        _audit(session, username[:120] or "?", "staff.login_failed", "staff_user", username[:120], via="web")
        session.commit()
        left = LOCKOUT_FAILURES - failures - 1
        if left <= 0:
            raise LoginRefusedError(
                "account_locked",
                f"Tài khoản tạm khoá do nhập sai mật khẩu {LOCKOUT_FAILURES} lần. "
                f"Hãy thử lại sau {LOCKOUT_MINUTES} phút hoặc liên hệ quản trị viên.",
            )
        raise LoginRefusedError(
            "bad_credentials",
            f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi bị tạm khoá.",
        )
    _audit(session, user.username, "staff.login", "staff_user", user.username, via="web")
    session.commit()
    return user


def record_logout(session: Session, username: str) -> None:
    _audit(session, username, "staff.logout", "staff_user", username, via="web")
    session.commit()
