"""Status messages: a citizen opts in at the kiosk (phone digits verified) and opts out by a token
or by replying "từ chối" to a message (the gateway passes the reply on)."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from backend.db import begin_write
from backend.deps import ClockDep, DeviceDep, SessionDep, SettingsDep
from backend.errors import ForbiddenError, InvalidError, UnauthorizedError
from backend.models import Dossier
from backend.notify.messages import code_tail
from backend.notify.replies import is_stop_reply
from backend.schemas import (
    NotifyConsentPublic,
    NotifyConsentsPublic,
    NotifyOptedOut,
    NotifyOptIn,
    NotifyOptOut,
    NotifyReply,
    NotifyReplyHandled,
)
from backend.services import dossiers, notify
from backend.textcheck import vietnamese_phone

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


def provider_secret(request: Request, settings: SettingsDep) -> None:
    """The gateway's shared secret (`LETAN_NOTIFY__INBOUND_SECRET`) as a bearer token; unset, the
    route is closed (403), a missing or wrong one is 401. Compared in constant time."""
    expected = settings.notify.inbound_secret
    if expected is None:
        raise ForbiddenError(
            "notify_inbound_disabled", "Chưa cấu hình khoá bí mật cho tin trả lời của nhà cung cấp."
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode(), expected.get_secret_value().encode()
    ):
        raise UnauthorizedError("provider_secret_wrong", "Khoá bí mật của nhà cung cấp không đúng.")


ProviderDep = Annotated[None, Depends(provider_secret)]


@router.post(
    "/notifications/replies",
    response_model=NotifyReplyHandled,
    openapi_extra={"x-letan-access": "provider"},
)
def reply(
    body: NotifyReply, session: SessionDep, clock: ClockDep, _provider: ProviderDep
) -> NotifyReplyHandled:
    """A citizen's reply to a message, from the SMS/Zalo gateway. "Từ chối", "hủy", "dừng", "stop"
    (with or without marks) stop every message to that phone on that channel; any other reply, or a
    number that is not a Vietnamese phone, changes nothing. Always 200 with what was done."""
    try:
        phone = vietnamese_phone(body.phone)
    except ValueError:
        phone = None
    if phone is None or not is_stop_reply(body.text):
        return NotifyReplyHandled(
            action="nothing",
            channel=body.channel,
            consents_revoked=0,
            messages_cancelled=0,
            detail="Tin trả lời không phải lời từ chối nhận tin; không thay đổi gì.",
        )
    begin_write(session)
    outcome = notify.opt_out_by_reply(session, body.channel, phone, clock.now())
    session.commit()
    return NotifyReplyHandled(
        action="opted_out",
        channel=body.channel,
        consents_revoked=outcome.consents_revoked,
        messages_cancelled=outcome.messages_cancelled,
        detail=f"Số điện thoại này không nhận tin qua {notify.CHANNEL_LABELS[body.channel]} nữa.",
    )
