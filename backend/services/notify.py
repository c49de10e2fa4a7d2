"""Status messages: the citizen's consent per dossier and channel, the outbox, what staff see.

A message is queued in the transaction that changes the dossier's status (`queue_status_news`,
called by `dossiers.upsert`), so a committed change always has its messages and a rolled-back
one has none. The worker (`backend.notify.worker`) delivers them.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from backend.errors import NotFoundError
from backend.models import Booking, DeliveryAttempt, Dossier, NotifyConsent, OutboxMessage
from backend.notify.messages import StatusNews, compose
from backend.notify.providers import ChannelName, NotifySettings, configured_providers
from vntext.dossier_code import mask_dossier_code

logger = logging.getLogger(__name__)

CHANNELS: tuple[ChannelName, ...] = ("sms", "zalo", "email")
CHANNEL_LABELS = {"sms": "Tin nhắn SMS", "zalo": "Zalo", "email": "Thư điện tử"}
STATE_LABELS = {
    "queued": "Đang chờ gửi",
    "sending": "Đang gửi",
    "sent": "Đã gửi",
    "failed": "Không gửi được",
    "cancelled": "Đã huỷ (công dân không nhận tin nữa)",
}


def opt_in(
    session: Session,
    dossier: Dossier,
    channels: list[ChannelName],
    email: str | None,
    device: str,
    now: datetime,
) -> list[NotifyConsent]:
    """Record consent for `channels` (the caller has verified the phone's last digits). A channel
    already agreed to keeps its row; one revoked before is agreed again with a new opt-out token."""
    consents = []
    for channel in dict.fromkeys(channels):
        address = email if channel == "email" else None
        consent = session.scalar(
            select(NotifyConsent).where(
                NotifyConsent.dossier_code == dossier.code, NotifyConsent.channel == channel
            )
        )
        if consent is None:
            consent = NotifyConsent(
                dossier_code=dossier.code, channel=channel, agreed_by=device, agreed_at=now
            )
            session.add(consent)
        if consent.revoked_at is not None or consent.opt_out_token is None or consent.address != address:
            consent.opt_out_token = secrets.token_urlsafe(24)
        consent.address, consent.agreed_at, consent.agreed_by, consent.revoked_at = address, now, device, None
        consents.append(consent)
    session.flush()
    logger.info("notify: consent for dossier %s on %s", mask_dossier_code(dossier.code), ", ".join(channels))
    return consents


def opt_out(session: Session, token: str, now: datetime) -> NotifyConsent:
    """Revoke the consent this one-time token belongs to; messages still waiting for it are cancelled."""
    consent = session.scalar(select(NotifyConsent).where(NotifyConsent.opt_out_token == token))
    if consent is None or not token:
        raise NotFoundError(
            "opt_out_token_unknown",
            "Đường dẫn huỷ nhận tin không đúng hoặc đã được dùng. Nếu vẫn nhận tin, xin hỏi cán bộ tại quầy.",
        )
    consent.revoked_at, consent.opt_out_token = now, None
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.consent_id == consent.id, OutboxMessage.state == "queued")
        .values(state="cancelled", last_error="Công dân đã huỷ nhận tin.")
    )
    logger.info(
        "notify: opt-out for dossier %s on %s", mask_dossier_code(consent.dossier_code), consent.channel
    )
    return consent


@dataclass(frozen=True)
class ReplyOutcome:
    """What a citizen's reply did: the consents revoked and the waiting messages cancelled."""

    opted_out: bool
    consents_revoked: int
    messages_cancelled: int


def opt_out_by_reply(session: Session, channel: ChannelName, phone: str, now: datetime) -> ReplyOutcome:
    """The citizen replied "stop" from `phone` (digits, +84 written as 0) on `channel`: every consent
    that sends there (any dossier with that phone) is revoked, and the messages still waiting for
    that phone on that channel (status news and booking notices alike) are cancelled."""
    revoked = session.scalars(
        select(NotifyConsent)
        .join(Dossier, Dossier.code == NotifyConsent.dossier_code)
        .where(
            NotifyConsent.channel == channel,
            NotifyConsent.revoked_at.is_(None),
            or_(
                NotifyConsent.address == phone,
                and_(NotifyConsent.address.is_(None), Dossier.phone == phone),
            ),
        )
    ).all()
    for consent in revoked:
        consent.revoked_at, consent.opt_out_token = now, None
    cancelled = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == phone,
            OutboxMessage.state == "queued",
        )
        .values(state="cancelled", last_error="Công dân đã trả lời từ chối nhận tin.")
    )
    count = int(getattr(cancelled, "rowcount", 0) or 0)
    session.flush()
    logger.info(
        "notify: opt-out by reply on %s: %d consent(s) revoked, %d message(s) cancelled",
        channel,
        len(revoked),
        count,
    )
    return ReplyOutcome(True, len(revoked), count)


def queue_status_news(
    session: Session, dossier: Dossier, news: StatusNews, settings: NotifySettings, now: datetime
) -> int:
    """Queue one message per channel the citizen agreed to; returns how many were queued."""
    consents = session.scalars(
        select(NotifyConsent)
        .where(NotifyConsent.dossier_code == dossier.code, NotifyConsent.revoked_at.is_(None))
        .order_by(NotifyConsent.id)
    ).all()
    for consent in consents:
        link = f"{settings.opt_out_url.rstrip('/')}/{consent.opt_out_token}"
        subject, text = compose(news, link)
        session.add(
            OutboxMessage(
                key=uuid.uuid4().hex,
                dossier_code=dossier.code,
                consent_id=consent.id,
                channel=consent.channel,
                address=consent.address or dossier.phone,
                dossier_status=news.status,
                subject=subject,
                text=text,
                state="queued",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    if consents:
        logger.info(
            "notify: %d message(s) queued for dossier %s", len(consents), mask_dossier_code(dossier.code)
        )
    return len(consents)


def queue_booking_cancelled(
    session: Session, booking: Booking, *, site_name: str, reason: str, now: datetime
) -> None:
    """An SMS to the phone a booking was made with: its window was cancelled by staff, and why.
    (The citizen gave the number to book; no other message goes to it.)"""
    text = (
        f"{site_name}: lịch hẹn {booking.code} lúc {booking.window_start} ngày {booking.day:%d/%m/%Y} "
        f"đã bị huỷ ({reason}). Xin đặt lại giờ khác trên trang đặt lịch hoặc lấy số tại chỗ."
    )
    session.add(
        OutboxMessage(
            key=uuid.uuid4().hex,
            dossier_code=None,
            booking_id=booking.id,
            consent_id=None,
            channel="sms",
            address=booking.phone,
            dossier_status="booking_cancelled",
            subject="Lịch hẹn bị huỷ",
            text=text,
            state="queued",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        )
    )


@dataclass(frozen=True)
class Delivery:
    """One outbox message as staff see it."""

    id: int
    dossier_code: str
    channel: str
    dossier_status: str
    state: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    waiting_for_provider: bool


def deliveries(
    session: Session, settings: NotifySettings, code: str | None = None, limit: int = 100
) -> list[Delivery]:
    """The newest messages (of one dossier when `code` is given), newest first."""
    configured = configured_channels(settings)
    last_attempt = (
        select(DeliveryAttempt.message_id, func.max(DeliveryAttempt.started_at).label("at"))
        .group_by(DeliveryAttempt.message_id)
        .subquery()
    )
    statement = (
        select(OutboxMessage, last_attempt.c.at)
        .outerjoin(last_attempt, last_attempt.c.message_id == OutboxMessage.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    if code is not None:
        statement = statement.where(OutboxMessage.dossier_code == code)
    return [
        Delivery(
            id=m.id,
            dossier_code=m.dossier_code,
            channel=m.channel,
            dossier_status=m.dossier_status,
            state=m.state,
            attempts=m.attempts,
            created_at=m.created_at,
            last_attempt_at=at,
            sent_at=m.sent_at,
            last_error=m.last_error,
            waiting_for_provider=m.state == "queued" and m.channel not in configured,
        )
        for m, at in session.execute(statement)
    ]


def configured_channels(settings: NotifySettings) -> set[str]:
    return set(configured_providers(settings))


def waiting_without_provider(session: Session, settings: NotifySettings) -> dict[str, int]:
    """Queued messages per channel that no provider is configured for (they wait)."""
    missing = [c for c in CHANNELS if c not in configured_channels(settings)]
    if not missing:
        return {}
    rows = session.execute(
        select(OutboxMessage.channel, func.count())
        .where(OutboxMessage.state == "queued", OutboxMessage.channel.in_(missing))
        .group_by(OutboxMessage.channel)
    )
    return {channel: int(count) for channel, count in rows}


def consents(session: Session, code: str) -> list[NotifyConsent]:
    return list(
        session.scalars(
            select(NotifyConsent).where(NotifyConsent.dossier_code == code).order_by(NotifyConsent.id)
        )
    )
