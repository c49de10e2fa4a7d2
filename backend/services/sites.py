"""Service points (sites): the records, their values, and which site a caller acts for."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import ConflictError, InvalidError, NotFoundError
from backend.models import DEFAULT_SITE_ID, SERVICE_TIMEZONE, SiteRecord
from content.model import Site

SITE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def get_record(session: Session, site_id: str) -> SiteRecord:
    record = session.get(SiteRecord, site_id) if SITE_ID_PATTERN.match(site_id) else None
    if record is None:
        raise NotFoundError("site_not_found", f"Không có điểm phục vụ '{site_id[:64]}'.")
    return record


def list_sites(session: Session) -> list[SiteRecord]:
    return list(session.scalars(select(SiteRecord).order_by(SiteRecord.id)))


def add_site(
    session: Session,
    site_id: str,
    name: str,
    now: datetime,
    *,
    address: str = "",
    time_zone: str = SERVICE_TIMEZONE,
) -> SiteRecord:
    """A new service point, without values yet (`letan content load` fills them from `sites/<id>.yml`)."""
    if not SITE_ID_PATTERN.match(site_id):
        raise InvalidError(
            "site_id_invalid",
            "Mã điểm phục vụ chỉ gồm chữ thường không dấu, số, '-' và '_' (tối đa 64 ký tự).",
        )
    name = name.strip()
    if not name or len(name) > 300:
        raise InvalidError("site_name_invalid", "Tên điểm phục vụ phải có từ 1 đến 300 ký tự.")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise InvalidError("time_zone_invalid", f"Không có múi giờ '{time_zone}'.") from err
    if session.get(SiteRecord, site_id) is not None:
        raise ConflictError("site_exists", f"Đã có điểm phục vụ '{site_id}'.")
    record = SiteRecord(
        id=site_id,
        name=name,
        address=address,
        time_zone=time_zone,
        data={},
        updated_at=now,
        updated_by="letan",
    )
    session.add(record)
    session.flush()
    return record


def get_site(session: Session, site_id: str = DEFAULT_SITE_ID) -> Site | None:
    """The values of a site (wifi, hours, amenities...), None before content names them."""
    record = session.get(SiteRecord, site_id)
    return None if record is None or not record.data else Site.model_validate(record.data)


def all_site_values(session: Session) -> list[Site]:
    return [Site.model_validate(r.data) for r in session.scalars(select(SiteRecord)) if r.data]
