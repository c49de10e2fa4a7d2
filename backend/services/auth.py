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
from backend.files import private_dir
from backend.models import DEFAULT_SITE_ID, Device, LoginFailures, StaffUser
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
SITE_ROLES = ("counter",)  # roles that never act city-wide
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
    # The site it belongs to: always for a device; None for city-wide staff.
    site_id: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def acting_site(self) -> str:
        """The site its queue actions and site reads address (city-wide staff: the default site)."""
        return self.site_id or DEFAULT_SITE_ID

    def may_act_for(self, site_id: str) -> bool:
        """True for a row of its own site; city-wide staff act for every site."""
        return self.site_id is None or self.site_id == site_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _password_hasher() -> "PasswordHasher":
    from argon2 import PasswordHasher

    return PasswordHasher()


# ---- devices -------------------------------------------------------------------------------------


def add_device(session: Session, name: str, now: datetime, site_id: str | None = None) -> str:
    """Create a device of `site_id` (default: the default site) and return its token (shown once;
    only its hash is stored)."""
    from backend.services.sites import get_record

    site_id = get_record(session, site_id or DEFAULT_SITE_ID).id
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidError("device_name_invalid", "Tên thiết bị phải có từ 1 đến 100 ký tự.")
    if session.scalar(select(Device).where(Device.name == name)) is not None:
        raise ConflictError("device_exists", f"Đã có thiết bị tên '{name}'.")
    token = secrets.token_urlsafe(32)
    session.add(Device(name=name, site_id=site_id, token_hash=hash_token(token), created_at=now))
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


def add_user(
    session: Session, username: str, role: str, password: str, now: datetime, site_id: str | None = None
) -> StaffUser:
    """A staff user of `site_id`, or city-wide (None). Counter staff always work at one site: the
    default site when none is given."""
    from backend.services.sites import get_record

    if site_id is None and role in SITE_ROLES:
        site_id = DEFAULT_SITE_ID
    if site_id is not None:
        get_record(session, site_id)
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
        username=username,
        role=role,
        site_id=site_id,
        password_hash=_password_hasher().hash(password),
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> StaffUser:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is None:
        raise NotFoundError("user_not_found", f"Không có tài khoản '{username.strip()}'.")
    return user


def _password_matches(user: StaffUser | None, password: str) -> bool:
    """argon2 check of `password`; as slow for an unknown or disabled user, so names cannot be probed."""
    from argon2.exceptions import VerificationError

    hasher = _password_hasher()
    if user is None or user.disabled:
        hasher.hash(password)
        return False
    try:
        return bool(hasher.verify(user.password_hash, password))
    except VerificationError:
        return False


LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
_LOCKED = (
    "Tài khoản tạm khoá trên máy này do nhập sai mật khẩu nhiều lần. Hãy thử lại sau {minutes} phút "
    "hoặc nhờ quản trị viên mở khoá."
)


def _reserve_attempt(session: Session, username: str, source: str, now: datetime) -> int:
    """Count one more attempt for (`username`, `source`) and commit; the attempt's number (1..limit).

    One atomic statement (an upsert whose update only happens below the limit), so concurrent
    attempts can never pass the limit: on PostgreSQL the row lock makes each wait for the last.
    Raises 429 `account_locked` when the limit is reached within the window.
    """
    from sqlalchemy import case, delete, or_

    from backend.db import begin_write, dialect_insert

    window_start = now - timedelta(minutes=LOCKOUT_MINUTES)
    begin_write(session)
    statement = dialect_insert(session, LoginFailures).values(
        username=username, source=source, failures=1, last_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["username", "source"],
        set_={
            "failures": case((LoginFailures.last_at < window_start, 1), else_=LoginFailures.failures + 1),
            "last_at": now,
        },
        where=or_(LoginFailures.failures < LOCKOUT_FAILURES, LoginFailures.last_at < window_start),
    ).returning(LoginFailures.failures)
    attempt = session.execute(statement).scalar_one_or_none()
    if attempt is None:
        row = session.get(LoginFailures, (username, source))
        session.rollback()
        last_at = row.last_at if row is not None else now
        minutes = max(1, int((last_at + timedelta(minutes=LOCKOUT_MINUTES) - now).total_seconds() // 60) + 1)
        raise TooManyRequestsError("account_locked", _LOCKED.format(minutes=minutes))
    # Rows of other names and sources whose window has passed count for nothing: drop them.
    session.execute(delete(LoginFailures).where(LoginFailures.last_at < window_start))
    session.commit()
    return int(attempt)


def login(
    session: Session, username: str, password: str, now: datetime, *, source: str, via: str = "api"
) -> StaffUser:
    """Check a password, with a lock-out after LOCKOUT_FAILURES wrong ones for this name from this
    source (address); records the attempt in the audit log and commits.

    The attempt is counted first, in a short transaction of its own; the password check (argon2,
    deliberately slow) then runs with no transaction open and no connection held, so guesses never
    hold SQLite's write lock or a pooled connection. Raises 401 `invalid_credentials` (with
    `attempts_left`) or 429 `account_locked`.
    """
    from sqlalchemy import delete

    from backend.db import begin_write
    from backend.services import audit

    username, source = username.strip()[:100], source[:64]
    attempt = _reserve_attempt(session, username, source, now)
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    session.commit()  # ends the read: nothing is held during the check
    matches = _password_matches(user, password)
    begin_write(session)
    if user is None or not matches:
        audit.record(
            session,
            at=now,
            actor=f"{via}-login",
            action="staff.login_failed",
            entity_type="staff_user",
            entity_id=username,
            details={"via": via, "source": source},
        )
        session.commit()
        if attempt >= LOCKOUT_FAILURES:
            raise TooManyRequestsError("account_locked", _LOCKED.format(minutes=LOCKOUT_MINUTES))
        raise UnauthorizedError(
            "invalid_credentials",
            "Sai tên đăng nhập hoặc mật khẩu.",
            attempts_left=LOCKOUT_FAILURES - attempt,
        )
    session.execute(
        delete(LoginFailures).where(LoginFailures.username == username, LoginFailures.source == source)
    )
    audit.record(
        session,
        at=now,
        actor=f"staff:{user.username}",
        action="staff.login",
        entity_type="staff_user",
        entity_id=user.username,
        details={"via": via, "source": source},
    )
    session.commit()
    return user


def locked_sources(session: Session, username: str, now: datetime) -> int:
    """From how many sources `username` is locked out now."""
    from sqlalchemy import func

    since = now - timedelta(minutes=LOCKOUT_MINUTES)
    return int(
        session.scalar(
            select(func.count())
            .select_from(LoginFailures)
            .where(
                LoginFailures.username == username,
                LoginFailures.failures >= LOCKOUT_FAILURES,
                LoginFailures.last_at >= since,
            )
        )
        or 0
    )


def unlock(session: Session, username: str) -> int:
    """Forget every wrong password of `username` (all sources); how many sources were counted."""
    from sqlalchemy import delete

    find_user(session, username)
    result = session.execute(delete(LoginFailures).where(LoginFailures.username == username.strip()))
    return int(result.rowcount)  # type: ignore[attr-defined]


def end_sessions(user: StaffUser) -> None:
    """Every staff token and web session issued to `user` so far stops working."""
    user.token_version += 1


def set_disabled(session: Session, username: str, disabled: bool) -> StaffUser:
    user = find_user(session, username)
    if user.disabled != disabled:
        user.disabled = disabled
        end_sessions(user)
    return user


def reset_password(session: Session, username: str, password: str) -> StaffUser:
    """A new password; ends every session and lifts the lock-outs of that name."""
    if len(password) < 8:
        raise InvalidError("password_too_short", "Mật khẩu phải có ít nhất 8 ký tự.")
    user = find_user(session, username)
    user.password_hash = _password_hasher().hash(password)
    end_sessions(user)
    unlock(session, username)
    return user


class LoginRateLimiter:
    """At most `per_minute` login attempts per source address per minute, in this process, before
    any database work (the lock-out above is the exact, shared count; this keeps a flood cheap)."""

    def __init__(
        self,
        per_minute: int,
        max_sources: int = 10_000,
        code: str = "too_many_logins",
        message: str = "Máy này thử đăng nhập quá nhiều lần; xin chờ một phút rồi thử lại.",
    ) -> None:
        import threading

        self.code, self.message = code, message
        self.per_minute = per_minute
        self.max_sources = max_sources
        self._attempts: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def check(self, source: str, now: datetime) -> None:
        """Count an attempt from `source`; 429 `too_many_logins` past the limit."""
        since = now - timedelta(minutes=1)
        with self._lock:
            recent = [at for at in self._attempts.get(source, []) if at > since]
            if len(recent) >= self.per_minute:
                self._attempts[source] = recent
                raise TooManyRequestsError(self.code, self.message)
            recent.append(now)
            self._attempts[source] = recent
            if len(self._attempts) > self.max_sources:
                stale = [key for key, times in self._attempts.items() if times[-1] <= since]
                for key in stale or [next(iter(self._attempts))]:
                    del self._attempts[key]


# ---- signed staff tokens ---------------------------------------------------------------------------


def load_secret_key(settings: Settings) -> str:
    """LETAN_SECRET_KEY, or a random key generated once into data_dir/secret-key (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.secret_key_file
    if path.exists():
        return path.read_text().strip()
    private_dir(path.parent)
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
        return str(self._serializer.dumps({"uid": user.id, "u": user.username, "v": user.token_version}))

    def read(self, token: str) -> tuple[int, int] | None:
        """(user id, token version) of a valid, unexpired token."""
        from itsdangerous import BadSignature

        try:
            payload = self._serializer.loads(token, max_age=self.max_age_seconds)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(payload, dict):
            return None
        uid, version = payload.get("uid"), payload.get("v", 0)
        if not isinstance(uid, int) or not isinstance(version, int):
            return None
        return uid, version


def user_for_token(session: Session, signer: TokenSigner, token: str) -> StaffUser | None:
    """The active staff user a signed token belongs to, or None (bad, expired, ended by a logout,
    a password reset or disabling, user gone)."""
    read = signer.read(token)
    if read is None:
        return None
    user = session.get(StaffUser, read[0])
    if user is None or user.disabled or user.token_version != read[1]:
        return None
    return user


def principal_for_token(session: Session, signer: TokenSigner, token: str) -> Principal | None:
    # Every device request passes here: a plain column select, no ORM object.
    device = session.execute(
        select(Device.id, Device.name, Device.last_seen_at, Device.site_id).where(
            Device.token_hash == hash_token(token), Device.revoked_at.is_(None)
        )
    ).first()
    if device is not None:
        return Principal(
            "device",
            device.name,
            device_id=device.id,
            last_seen_at=device.last_seen_at,
            site_id=device.site_id,
        )
    user = user_for_token(session, signer, token)
    if user is not None:
        return Principal("staff", user.username, role=user.role, user_id=user.id, site_id=user.site_id)
    return None


def require_role(principal: Principal, roles: tuple[str, ...]) -> None:
    from backend.errors import ForbiddenError

    if principal.kind != "staff" or (principal.role not in roles and principal.role != "admin"):
        names = ", ".join(ROLE_NAMES[r] for r in roles)
        raise ForbiddenError("forbidden", f"Tài khoản này không có quyền làm việc này (cần: {names}).")


def require_city_scope(principal: Principal) -> None:
    """Procedures and FAQ are the same at every site: only city-wide staff edit them."""
    from backend.errors import ForbiddenError

    if principal.site_id is not None:
        raise ForbiddenError(
            "city_scope_required",
            "Thủ tục và câu hỏi thường gặp dùng chung cho mọi điểm phục vụ; "
            "chỉ biên tập viên cấp thành phố được sửa.",
        )


def require_site(principal: Principal, site_id: str, what: str) -> None:
    """403 unless `principal` acts for `site_id` (its own site, or city-wide staff)."""
    from backend.errors import ForbiddenError

    if not principal.may_act_for(site_id):
        raise ForbiddenError(
            "site_forbidden", f"{what} thuộc điểm phục vụ khác; tài khoản này không được thao tác."
        )


def invalid_token() -> ApiError:
    return UnauthorizedError("unauthorized", "Cần đăng nhập hoặc mã thiết bị hợp lệ (Bearer).")
