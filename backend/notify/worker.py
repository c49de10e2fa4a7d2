"""The delivery worker (`letan notify run`): sends the outbox's messages over the configured providers.

Each message goes through three short transactions, none held while the provider is called:
1. claim: the message becomes `sending` with a lease (`lease_s`), and an attempt row is written;
2. send: `Provider.send` with the message's own key (the same on every attempt);
3. record: the attempt's outcome; the message `sent`, `queued` again after a backoff
   (`first_retry_s · 2^(n-1)`, at most `max_retry_s`) or `failed` (permanent error, or
   `max_attempts` reached).
A worker that dies between 2 and 3 leaves the message `sending`; once the lease has run out it
is claimed again (that attempt is marked `interrupted`) and sent again with the same key.

The guarantee is at-least-once with a per-message key: an HTTP provider that deduplicates on
`Idempotency-Key` delivers it once; an email may arrive twice with the same Message-ID.
Messages for a channel without a configured provider are never claimed: they wait.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.clock import Clock
from backend.db import write_session
from backend.models import DeliveryAttempt, OutboxMessage
from backend.notify.providers import DeliveryError, NotifySettings, Outgoing, Provider
from vntext.dossier_code import mask_dossier_code

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    message_id: int
    number: int
    dossier_code: str | None  # None for a booking's message
    outgoing: Outgoing


@dataclass(frozen=True)
class Outcome:
    provider_id: str | None = None
    error: DeliveryError | None = None


def backoff(settings: NotifySettings, attempt: int) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based)."""
    seconds = settings.first_retry_s * 2 ** min(attempt - 1, 30)
    return timedelta(seconds=min(seconds, settings.max_retry_s))


class Worker:
    def __init__(
        self,
        factory: sessionmaker[Session],
        providers: dict[str, Provider],
        settings: NotifySettings,
        clock: Clock,
    ) -> None:
        self.factory = factory
        self.providers = providers
        self.settings = settings
        self.clock = clock

    def run_once(self) -> int:
        """Send every message due now; returns how many attempts were made."""
        count = 0
        while (claimed := self.claim()) is not None:
            self.record(claimed, self.send(claimed))
            count += 1
        return count

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: send what is due, then wait `poll_s` when nothing was."""
        if not self.providers:
            logger.warning("notify: no provider configured; messages wait in the outbox")
        else:
            logger.info("notify: delivering on %s", ", ".join(sorted(self.providers)))
        while not stop.is_set():
            try:
                done = self.run_once()
            except (OperationalError, DBAPIError) as err:
                logger.error("notify: database unavailable (%s); trying again", type(err.orig).__name__)
                done = 0
            if done == 0:
                stop.wait(self.settings.poll_s)

    def _due(self, now: datetime) -> object:
        return and_(
            OutboxMessage.channel.in_(list(self.providers)),
            or_(
                and_(OutboxMessage.state == "queued", OutboxMessage.next_attempt_at <= now),
                and_(OutboxMessage.state == "sending", OutboxMessage.lease_until < now),
            ),
        )

    def claim(self) -> Claimed | None:
        """Take the next due message (SQLite: under the write lock; PostgreSQL: SKIP LOCKED)."""
        if not self.providers:
            return None
        with write_session(self.factory) as session:
            now = self.clock.now()
            while True:
                message = session.scalar(
                    select(OutboxMessage)
                    .where(self._due(now))  # type: ignore[arg-type]
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if message is None:
                    return None
                if message.state == "sending":  # its worker died (or is far too slow)
                    self._finish_attempt(session, message.id, message.attempts, now, "interrupted")
                if message.attempts >= self.settings.max_attempts:
                    message.state, message.lease_until = "failed", None
                    message.last_error = "Đã thử gửi quá số lần cho phép."
                    continue
                message.attempts += 1
                message.state, message.lease_until = "sending", now + timedelta(seconds=self.settings.lease_s)
                session.add(
                    DeliveryAttempt(
                        message_id=message.id, number=message.attempts, started_at=now, outcome="sending"
                    )
                )
                outgoing = Outgoing(
                    key=message.key,
                    channel=message.channel,
                    to=message.address,
                    subject=message.subject,
                    text=message.text,
                )
                return Claimed(message.id, message.attempts, message.dossier_code, outgoing)

    def send(self, claimed: Claimed) -> Outcome:
        provider = self.providers[claimed.outgoing.channel]
        try:
            return Outcome(provider_id=provider.send(claimed.outgoing))
        except DeliveryError as err:
            return Outcome(error=err)
        except Exception as err:  # a provider's bug must not stop the other messages
            logger.exception("notify: provider %s failed unexpectedly", claimed.outgoing.channel)
            return Outcome(error=DeliveryError("provider-error", type(err).__name__, retryable=True))

    def record(self, claimed: Claimed, outcome: Outcome) -> None:
        with write_session(self.factory) as session:
            now = self.clock.now()
            error = outcome.error
            if error is None:
                result = "sent"
            elif error.retryable and claimed.number < self.settings.max_attempts:
                result = "retry"
            else:
                result = "failed"
            detail = str(error)[:300] if error else None
            self._finish_attempt(
                session,
                claimed.message_id,
                claimed.number,
                now,
                result,
                error.code if error else None,
                detail,
            )
            message = session.get(OutboxMessage, claimed.message_id, with_for_update=True)
            if message is None or message.state != "sending" or message.attempts != claimed.number:
                return  # cancelled, or claimed again after this worker's lease ran out: that attempt decides
            message.lease_until = None
            if result == "sent":
                message.state, message.sent_at, message.provider_id = "sent", now, outcome.provider_id
                message.last_error = None
            elif result == "retry":
                message.state, message.last_error = "queued", detail
                message.next_attempt_at = now + backoff(self.settings, claimed.number)
            else:
                message.state, message.last_error = "failed", detail
        logger.info(
            "notify: message %d (%s, %s) attempt %d: %s%s",
            claimed.message_id,
            claimed.outgoing.channel,
            f"dossier {mask_dossier_code(claimed.dossier_code)}" if claimed.dossier_code else "booking",
            claimed.number,
            result,
            f" ({error.code})" if error else "",
        )

    @staticmethod
    def _finish_attempt(
        session: Session,
        message_id: int,
        number: int,
        now: datetime,
        outcome: str,
        error_code: str | None = None,
        detail: str | None = None,
    ) -> None:
        attempt = session.scalar(
            select(DeliveryAttempt).where(
                DeliveryAttempt.message_id == message_id,
                DeliveryAttempt.number == number,
                DeliveryAttempt.outcome == "sending",
            )
        )
        if attempt is not None:
            attempt.finished_at, attempt.outcome = now, outcome
            attempt.error_code, attempt.detail = error_code, detail
