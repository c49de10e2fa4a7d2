"""Status messages for staff: what was sent to whom about which dossier, and what waits (and why)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from backend import models
from backend.deps import SettingsDep
from backend.errors import InvalidError
from backend.services import notify
from backend.services.dossiers import canonical_code
from backend.web.common import DbDep, render, staff, staff_router
from contract.resources import DossierStatus

router = staff_router()
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOTIFY_READERS = ("admin", "editor", "counter")
Reader = Annotated[models.StaffUser, Depends(staff(*NOTIFY_READERS))]


def _fmt(at: datetime | None) -> str:
    return at.astimezone(TZ).strftime("%d/%m %H:%M") if at else ""


def _row(d: notify.Delivery) -> dict[str, Any]:
    state = notify.STATE_LABELS.get(d.state, d.state)
    if d.waiting_for_provider:
        state = "Đang chờ: chưa cấu hình kênh này"
    return {
        "code": d.dossier_code,
        "channel": notify.CHANNEL_LABELS.get(d.channel, d.channel),
        "status": DossierStatus(d.dossier_status).label,
        "state": state,
        "badge": {"sent": "ok", "failed": "bad", "cancelled": ""}.get(d.state, "warn"),
        "attempts": d.attempts,
        "created": _fmt(d.created_at),
        "last_attempt": _fmt(d.last_attempt_at),
        "sent": _fmt(d.sent_at),
        "error": d.last_error or "",
    }


@router.get("/notify", name="staff_notify")
def deliveries(
    request: Request,
    session: DbDep,
    user: Reader,
    settings: SettingsDep,
    code: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    error, canonical = "", None
    if code.strip():
        try:
            canonical = canonical_code(code)
        except InvalidError as err:
            error = err.detail
    rows = [] if error else notify.deliveries(session, settings.notify, canonical)
    consents = notify.consents(session, canonical) if canonical else []
    waiting = notify.waiting_without_provider(session, settings.notify)
    context = {
        "page_title": "Tin báo hồ sơ",
        "rows": [_row(d) for d in rows],
        "code": canonical or code,
        "error": error,
        "consents": [
            {
                "channel": notify.CHANNEL_LABELS.get(c.channel, c.channel),
                "agreed": _fmt(c.agreed_at),
                "revoked": _fmt(c.revoked_at),
            }
            for c in consents
        ],
        "waiting": [
            {"channel": notify.CHANNEL_LABELS.get(channel, channel), "count": count}
            for channel, count in waiting.items()
        ],
        "configured": sorted(notify.CHANNEL_LABELS[c] for c in notify.configured_channels(settings.notify)),
    }
    return render(request, "notify.html", context, user=user, active="notify")
