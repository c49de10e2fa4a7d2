"""Staff accounts (argon2 passwords) and logging in: the lock-out after wrong passwords, counted per
name and address in the database, and the per-address limit of each process. The tokens a login
gives are `backend.services.auth`'s."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
)
from backend.models import DEFAULT_SITE_ID, LoginFailures, StaffUser
from backend.services.auth import ROLES, SITE_ROLES

if TYPE_CHECKING:
    from argon2 import PasswordHasher


def _password_hasher() -> "PasswordHasher":
    from argon2 import PasswordHasher

    return PasswordHasher()


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
