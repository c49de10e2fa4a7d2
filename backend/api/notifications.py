"""Status messages: a citizen opts in at the kiosk (phone digits verified) and opts out by a token."""

from fastapi import APIRouter

from backend.db import begin_write
from backend.deps import ClockDep, DeviceDep, SessionDep, SettingsDep
from backend.errors import ForbiddenError, InvalidError
from backend.models import Dossier
from backend.notify.messages import code_tail
from backend.schemas import (
    NotifyConsentPublic,
    NotifyConsentsPublic,
    NotifyOptedOut,
    NotifyOptIn,
    NotifyOptOut,
)
from backend.services import dossiers, notify

router = APIRouter(tags=["notifications"])


@router.post("/dossiers/{code}/notifications", response_model=NotifyConsentsPublic)
def opt_in(
    code: str,
    body: NotifyOptIn,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: DeviceDep,
) -> NotifyConsentsPublic:
    """Agree to messages about this dossier on `channels`; the phone's last four digits must match
    (a wrong guess counts towards the look-up limit, as in `GET /dossiers/{code}`)."""
    if "email" in body.channels and not body.email:
        raise InvalidError("email_missing", "Cần địa chỉ thư điện tử để nhận tin qua thư.")
    found = dossiers.lookup(
        session,
        code,
        body.verify,
        device_key=principal.actor,
        now=clock.now(),
        limit=settings.dossier_lookup_limit,
        window_seconds=settings.dossier_lookup_window_seconds,
    )
    if not found["verified"]:
        raise ForbiddenError(
            "verify_mismatch",
            "Bốn số cuối số điện thoại không khớp với hồ sơ, nên chưa đăng ký nhận tin. Xin thử lại.",
        )
    begin_write(session)
    dossier = session.get(Dossier, str(found["code"]))
    if dossier is None:  # deleted in between
        raise InvalidError("dossier_gone", "Hồ sơ vừa bị xoá khỏi hệ thống; xin hỏi cán bộ tại quầy.")
    rows = notify.opt_in(session, dossier, body.channels, body.email, principal.actor, clock.now())
    session.commit()
    return NotifyConsentsPublic(
        consents=[NotifyConsentPublic(channel=r.channel, agreed_at=r.agreed_at) for r in rows]  # type: ignore[arg-type]
    )


@router.post("/notifications/opt-out", response_model=NotifyOptedOut)
def opt_out(body: NotifyOptOut, session: SessionDep, clock: ClockDep) -> NotifyOptedOut:
    """Stop the messages of one dossier on one channel; the token (from the message's link) works once."""
    begin_write(session)
    consent = notify.opt_out(session, body.token, clock.now())
    session.commit()
    return NotifyOptedOut(channel=consent.channel, dossier=code_tail(consent.dossier_code))  # type: ignore[arg-type]
