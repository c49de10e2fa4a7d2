"""Devices (bearer tokens stored as sha256), staff users (argon2) and signed staff tokens."""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import (
    ApiError,
    ConflictError,
    InvalidError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
)
from backend.models import Device, StaffUser
from backend.settings import Settings

if TYPE_CHECKING:
    from argon2 import PasswordHasher

logger = logging.getLogger(__name__)

ROLES = ("admin", "editor", "counter", "integration")
ROLE_NAMES = {
    "admin": "quản trị",
    "editor": "biên tập nội dung",
    "counter": "cán bộ quầy",
    "integration": "đồng bộ hồ sơ",
}
_TOKEN_SALT = "letan-staff-token"  # noqa: S105
DEVICE_SEEN_EVERY_SECONDS = 60


@dataclass(frozen=True)
class Principal:
    """Who is calling: a device or a staff user."""

    kind: str  # "device" | "staff"
    name: str
    role: str | None = None
    device_id: int | None = None
    user_id: int | None = None
    last_seen_at: datetime | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_hasher() -> "PasswordHasher":
    from argon2 import PasswordHasher

    return PasswordHasher()


# ---- devices -------------------------------------------------------------------------------------


def add_device(session: Session, name: str, now: datetime) -> str:
    """Create a device and return its token (shown once; only its hash is stored)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidError("device_name_invalid", "Tên thiết bị phải có từ 1 đến 100 ký tự.")
    if session.scalar(select(Device).where(Device.name == name)) is not None:
        raise ConflictError("device_exists", f"Đã có thiết bị tên '{name}'.")
    token = secrets.token_urlsafe(32)
    session.add(Device(name=name, token_hash=hash_token(token), created_at=now))
    session.flush()
    return token


def revoke_device(session: Session, name: str, now: datetime) -> None:
    device = session.scalar(select(Device).where(Device.name == name))
    if device is None:
        raise NotFoundError("device_not_found", f"Không có thiết bị tên '{name}'.")
    if device.revoked_at is None:
        device.revoked_at = now


def device_for_token(session: Session, token: str) -> Device | None:
    device = session.scalar(select(Device).where(Device.token_hash == hash_token(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


# ---- staff users ---------------------------------------------------------------------------------


def add_user(session: Session, username: str, role: str, password: str, now: datetime) -> StaffUser:
    username = username.strip()
    if role not in ROLES:
        raise InvalidError("role_invalid", f"Vai trò '{role}' không có; chọn một trong: {', '.join(ROLES)}.")
    if not username or len(username) > 100 or any(ch.isspace() for ch in username):
        raise InvalidError("username_invalid", "Tên đăng nhập phải có 1–100 ký tự, không có dấu cách.")
    if len(password) < 8:
        raise InvalidError("password_too_short", "Mật khẩu phải có ít nhất 8 ký tự.")
    if session.scalar(select(StaffUser).where(StaffUser.username == username)) is not None:
        raise ConflictError("user_exists", f"Đã có tài khoản '{username}'.")
    user = StaffUser(
        username=username, role=role, password_hash=_password_hasher().hash(password), created_at=now
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """The user when `password` is right, else None (same work either way)."""
    from argon2.exceptions import VerificationError

    hasher = _password_hasher()
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is None or user.disabled:
        # Spend the same time as a real check so user names cannot be probed.
        hasher.hash(password)
        return None
    try:
        hasher.verify(user.password_hash, password)
    except VerificationError:
        return None
    return user


LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15


def recent_login_failures(session: Session, username: str, now: datetime) -> tuple[int, datetime | None]:
    """Wrong passwords for `username` within the lock-out window and since its last successful login.

    Counted from the audit log (actions `staff.login_failed` / `staff.login`), so the API and the
    staff pages share one count and it survives restarts and spans workers.
    """
    from sqlalchemy import func

    from backend.models import AuditEntry

    since = now - timedelta(minutes=LOCKOUT_MINUTES)
    last_ok = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.action == "staff.login", AuditEntry.entity_id == username
        )
    )
    if last_ok is not None:
        since = max(since, last_ok)
    rows = session.scalars(
        select(AuditEntry.at).where(
            AuditEntry.action == "staff.login_failed", AuditEntry.entity_id == username, AuditEntry.at > since
        )
    ).all()
    return len(rows), (max(rows) if rows else None)


def login(session: Session, username: str, password: str, now: datetime, *, via: str = "api") -> StaffUser:
    """Check a password with a lock-out after LOCKOUT_FAILURES wrong ones; records the attempt and commits.

    Raises 401 `invalid_credentials` or 429 `account_locked`.
    """
    from backend.db import begin_write
    from backend.services import audit

    username = username.strip()[:100]
    begin_write(session)
    failures, latest = recent_login_failures(session, username, now)
    locked = (
        "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần. Hãy thử lại sau {minutes} phút "
        "hoặc liên hệ quản trị viên."
    )
    if failures >= LOCKOUT_FAILURES and latest is not None:
        until = latest + timedelta(minutes=LOCKOUT_MINUTES)
        if until > now:
            minutes = max(1, int((until - now).total_seconds() // 60) + 1)
            raise TooManyRequestsError("account_locked", locked.format(minutes=minutes))
    user = authenticate(session, username, password)
    if user is None:
        audit.record(
            session,
            at=now,
            actor=f"{via}-login",
            action="staff.login_failed",
            entity_type="staff_user",
            entity_id=username,
            details={"via": via},
        )
        session.commit()
        if failures + 1 >= LOCKOUT_FAILURES:
            raise TooManyRequestsError("account_locked", locked.format(minutes=LOCKOUT_MINUTES))
        raise UnauthorizedError("invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
    audit.record(
        session,
        at=now,
        actor=f"staff:{user.username}",
        action="staff.login",
        entity_type="staff_user",
        entity_id=user.username,
        details={"via": via},
    )
    session.commit()
    return user


# ---- signed staff tokens ---------------------------------------------------------------------------


def load_secret_key(settings: Settings) -> str:
    """LETAN_SECRET_KEY, or a random key generated once into data_dir/secret-key (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.secret_key_file
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    logger.info("generated a new secret key in %s", path)
    return key


class TokenSigner:
    def __init__(self, secret: str, max_age_seconds: int) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self._serializer = URLSafeTimedSerializer(secret, salt=_TOKEN_SALT)
        self.max_age_seconds = max_age_seconds

    def issue(self, user: StaffUser) -> str:
        return str(self._serializer.dumps({"uid": user.id, "u": user.username}))

    def user_id(self, token: str) -> int | None:
        from itsdangerous import BadSignature

        try:
            payload = self._serializer.loads(token, max_age=self.max_age_seconds)
        except BadSignature:  # also SignatureExpired
            return None
        uid = payload.get("uid") if isinstance(payload, dict) else None
        return uid if isinstance(uid, int) else None


def user_for_token(session: Session, signer: TokenSigner, token: str) -> StaffUser | None:
    """The active staff user a signed token belongs to, or None (bad, expired, user gone/disabled)."""
    uid = signer.user_id(token)
    if uid is None:
        return None
    user = session.get(StaffUser, uid)
    if user is None or user.disabled:
        return None
    return user


def principal_for_token(session: Session, signer: TokenSigner, token: str) -> Principal | None:
    # Every device request passes here: a plain column select, no ORM object.
    device = session.execute(
        select(Device.id, Device.name, Device.last_seen_at).where(
            Device.token_hash == hash_token(token), Device.revoked_at.is_(None)
        )
    ).first()
    if device is not None:
        return Principal("device", device.name, device_id=device.id, last_seen_at=device.last_seen_at)
    user = user_for_token(session, signer, token)
    if user is not None:
        return Principal("staff", user.username, role=user.role, user_id=user.id)
    return None


def require_role(principal: Principal, roles: tuple[str, ...]) -> None:
    from backend.errors import ForbiddenError

    if principal.kind != "staff" or (principal.role not in roles and principal.role != "admin"):
        names = ", ".join(ROLE_NAMES[r] for r in roles)
        raise ForbiddenError("forbidden", f"Tài khoản này không có quyền làm việc này (cần: {names}).")


def invalid_token() -> ApiError:
    return UnauthorizedError("unauthorized", "Cần đăng nhập hoặc mã thiết bị hợp lệ (Bearer).")
