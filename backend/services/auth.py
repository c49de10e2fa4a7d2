"""Who is calling: devices (bearer tokens stored as sha256), signed staff tokens, and the checks
of role and site. Staff accounts and logging in are `backend.services.staff_users`."""

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import ApiError, ConflictError, InvalidError, NotFoundError, UnauthorizedError
from backend.files import private_dir
from backend.models import DEFAULT_SITE_ID, Device, StaffUser
from backend.settings import Settings

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
