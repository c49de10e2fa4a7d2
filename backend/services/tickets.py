"""Issuing queue numbers: gap-free per site, service and local day, replayed for a repeated
Idempotency-Key. The queue they join is `backend.services.queue`."""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.clock import Clock
from backend.db import begin_write, dialect_insert
from backend.errors import InvalidError, NotFoundError
from backend.models import Ticket, TicketDayCounter, UTCDateTime
from backend.services.queue import (
    BOOKED_RANK,
    PRIORITY_RANK,
    WALK_IN_RANK,
    QueueCache,
    ServiceView,
    resolve_service,
)

logger = logging.getLogger(__name__)


@dataclass
class IssuedTicket:
    ticket: Ticket
    replayed: bool
    ahead: int | None = None  # known when the insert computed it


# PostgreSQL: the day counter, the ticket and its place in the queue in ONE statement (one round
# trip). The counter row stays locked until commit, so numbers are gap-free; the RETURNING subquery
# sees the queue as it was before this ticket, i.e. exactly the tickets ahead of a new one.
_PG_ISSUE = text(
    """
WITH counter AS (
    INSERT INTO ticket_day_counters (site_id, service_id, service_day, last_sequence)
    VALUES (:site_id, :service_id, :service_day, 1)
    ON CONFLICT (site_id, service_id, service_day)
    DO UPDATE SET last_sequence = ticket_day_counters.last_sequence + 1
    RETURNING last_sequence
)
INSERT INTO tickets (site_id, issued_service_id, service_day, sequence, number, service_id, procedure_id,
                     priority, priority_rank, channel, status, device_id, idempotency_key, request_hash,
                     issued_at, queued_at, recall_count)
SELECT :site_id, :service_id, :service_day, last_sequence,
       :letter || CASE WHEN last_sequence < 1000 THEN lpad(last_sequence::text, 3, '0')
                       ELSE last_sequence::text END,
       :service_id, :procedure_id, :priority, :priority_rank, :channel, 'waiting', :device_id,
       :idempotency_key, :request_hash, :issued_at, :queued_at, 0
FROM counter
RETURNING id, sequence, number,
    (SELECT count(*) FROM tickets AS t
     WHERE t.site_id = :site_id AND t.service_id = :service_id AND t.status = 'waiting'
       AND t.service_day = :service_day AND t.priority_rank <= :priority_rank) AS ahead
"""
).bindparams(bindparam("issued_at", type_=UTCDateTime()), bindparam("queued_at", type_=UTCDateTime()))


def _next_sequence(session: Session, site_id: str, service_id: str, day: date) -> int:
    """Increment the day counter atomically; the row lock lasts until the ticket is committed."""
    statement = dialect_insert(session, TicketDayCounter).values(
        site_id=site_id, service_id=service_id, service_day=day, last_sequence=1
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["site_id", "service_id", "service_day"],
        set_={"last_sequence": TicketDayCounter.last_sequence + 1},
    ).returning(TicketDayCounter.last_sequence)
    return int(session.execute(upsert).scalar_one())


def issue_ticket(
    session: Session,
    clock: Clock,
    *,
    site_id: str,
    service_id: str | None,
    procedure_id: str | None,
    priority: str,
    channel: str,
    device_id: int | None,
    idempotency_key: str | None,
    request_hash: str | None = None,
    cache: QueueCache | None = None,
    booked_from: datetime | None = None,
) -> IssuedTicket:
    """Issue the next number of the site's service for today (the site's local day). The caller commits.

    A ticket of a booking (`booked_from`: its window's start) ranks after the priority groups and
    before walk-ins, from the window's start (`backend.services.booking` states the order).

    A request with an `idempotency_key` already used by this device returns that ticket, provided
    it is the same request (`request_hash`); another request under the same key is refused.
    """
    begin_write(session)
    if idempotency_key is not None:
        existing = _by_idempotency(session, device_id, idempotency_key)
        if existing is not None:
            return IssuedTicket(_same_request(existing, request_hash), replayed=True)
    cache = cache or QueueCache(0)
    service = resolve_service(session, site_id, service_id, procedure_id, cache)
    now = clock.now()
    day = clock.local_day(now, cache.zone(session, site_id))
    rank = PRIORITY_RANK if priority != "none" else BOOKED_RANK if booked_from is not None else WALK_IN_RANK
    queued_at = booked_from or now
    idempotency = (idempotency_key, request_hash)
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            _PG_ISSUE,
            {
                "site_id": site_id,
                "service_id": service.id,
                "service_day": day,
                "letter": service.letter,
                "procedure_id": procedure_id,
                "priority": priority,
                "priority_rank": rank,
                "channel": channel,
                "device_id": device_id,
                "idempotency_key": idempotency_key,
                "request_hash": request_hash,
                "issued_at": now,
                "queued_at": queued_at,
            },
        ).one()
        values = _new_ticket_values(
            site_id,
            service,
            day,
            row.sequence,
            procedure_id,
            priority,
            rank,
            channel,
            device_id,
            idempotency,
            now,
            queued_at,
        )
        return IssuedTicket(Ticket(id=row.id, **values), replayed=False, ahead=int(row.ahead))
    sequence = _next_sequence(session, site_id, service.id, day)
    values = _new_ticket_values(
        site_id,
        service,
        day,
        sequence,
        procedure_id,
        priority,
        rank,
        channel,
        device_id,
        idempotency,
        now,
        queued_at,
    )
    # A Core insert (the ORM unit of work costs more than the rest of the request); the Ticket
    # returned is a plain object holding the row's values, not attached to the session.
    ticket_id = session.execute(insert(Ticket).values(**values).returning(Ticket.id)).scalar_one()
    # A new ticket is the last of its rank: every waiting ticket of that rank or better is ahead.
    ahead = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.site_id == site_id,
            Ticket.service_id == service.id,
            Ticket.status == "waiting",
            Ticket.service_day == day,
            Ticket.priority_rank <= rank,
        )
    )
    return IssuedTicket(Ticket(id=ticket_id, **values), replayed=False, ahead=int(ahead or 0) - 1)


def _new_ticket_values(
    site_id: str,
    service: ServiceView,
    day: date,
    sequence: int,
    procedure_id: str | None,
    priority: str,
    rank: int,
    channel: str,
    device_id: int | None,
    idempotency: tuple[str | None, str | None],
    now: datetime,
    queued_at: datetime,
) -> dict[str, Any]:
    """The column values of a ticket just issued: waiting, numbered by its service's letter."""
    return dict(
        site_id=site_id,
        issued_service_id=service.id,
        service_day=day,
        sequence=sequence,
        number=f"{service.letter}{sequence:03d}",
        service_id=service.id,
        procedure_id=procedure_id,
        priority=priority,
        priority_rank=rank,
        channel=channel,
        status="waiting",
        device_id=device_id,
        idempotency_key=idempotency[0],
        request_hash=idempotency[1],
        issued_at=now,
        queued_at=queued_at,
        counter_id=None,
        called_at=None,
        finished_at=None,
        recall_count=0,
    )


def _same_request(ticket: Ticket, request_hash: str | None) -> Ticket:
    # Tickets issued before request hashes were kept have none: replayed as before.
    if ticket.request_hash is not None and ticket.request_hash != request_hash:
        raise InvalidError(
            "idempotency_key_reused",
            "Idempotency-Key này đã dùng cho một yêu cầu lấy số khác; mỗi yêu cầu mới cần một khoá mới.",
        )
    return ticket


def _by_idempotency(session: Session, device_id: int | None, key: str) -> Ticket | None:
    condition = Ticket.device_id.is_(None) if device_id is None else Ticket.device_id == device_id
    return session.scalar(select(Ticket).where(condition, Ticket.idempotency_key == key))


def replay_after_race(
    session: Session, device_id: int | None, key: str | None, request_hash: str | None, error: IntegrityError
) -> Ticket:
    """After a unique violation on the idempotency key (two requests with one key at once)."""
    session.rollback()
    ticket = _by_idempotency(session, device_id, key) if key is not None else None
    if ticket is None:
        raise error
    return _same_request(ticket, request_hash)


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError("ticket_not_found", f"Không có số thứ tự mã {ticket_id}.")
    return ticket
