"""A counter's actions on tickets, a small state machine: call the next, recall, start, done,
no-show, transfer."""

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.clock import Clock
from backend.db import begin_write
from backend.errors import ConflictError, NotFoundError
from backend.models import DEFAULT_SITE_ID, CounterRecord, ServiceRecord, Ticket
from backend.services import audit
from backend.services.queue import QueueCache
from backend.services.tickets import get_ticket

STATUS_NAMES = {
    "waiting": "đang chờ",
    "called": "đã được gọi",
    "serving": "đang được phục vụ",
    "done": "đã xong",
    "no_show": "vắng mặt",
}
# action -> statuses it may start from -> status it leads to
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "call": ({"waiting"}, "called"),
    "recall": ({"called", "no_show"}, "called"),
    "start": ({"called"}, "serving"),
    "done": ({"called", "serving"}, "done"),
    "no_show": ({"called"}, "no_show"),
    "transfer": ({"waiting", "called", "serving"}, "waiting"),
}
ACTION_NAMES = {
    "call": "gọi",
    "recall": "gọi lại",
    "start": "bắt đầu phục vụ",
    "done": "hoàn thành",
    "no_show": "đánh dấu vắng mặt",
    "transfer": "chuyển quầy",
}


def _invalid_transition(ticket: Ticket, action: str) -> ConflictError:
    return ConflictError(
        "ticket_invalid_transition",
        f"Không thể {ACTION_NAMES[action]} số {ticket.number}: số này {STATUS_NAMES[ticket.status]}.",
        ticket_status=ticket.status,
    )


def _transition(
    session: Session, ticket: Ticket, action: str, expected: set[str], values: dict[str, object]
) -> None:
    """Move the ticket only if its status is still one of `expected` (guards concurrent clicks)."""
    allowed, target = TRANSITIONS[action]
    if ticket.status not in allowed:
        raise _invalid_transition(ticket, action)
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status.in_(expected & allowed))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(ticket)
        raise _invalid_transition(ticket, action)
    session.refresh(ticket)


def _counter(session: Session, site_id: str, counter_id: str) -> CounterRecord:
    counter = session.get(CounterRecord, (site_id, counter_id))
    if counter is None:
        raise NotFoundError("counter_not_found", f"Không có quầy '{counter_id}'.")
    return counter


def _counter_service_ids(session: Session, site_id: str, counter_id: str) -> list[str]:
    services = session.scalars(select(ServiceRecord).where(ServiceRecord.site_id == site_id))
    return [s.id for s in services if counter_id in s.counters]


def waiting_for_counter(
    session: Session,
    counter_id: str,
    limit: int = 50,
    clock: Clock | None = None,
    site_id: str = DEFAULT_SITE_ID,
) -> list[Ticket]:
    """Today's tickets a counter of the site may call, in the order call-next takes them (priority first)."""
    day = (clock or Clock()).local_day(None, QueueCache(0).zone(session, site_id))
    _counter(session, site_id, counter_id)
    service_ids = _counter_service_ids(session, site_id, counter_id)
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.site_id == site_id,
                Ticket.service_id.in_(service_ids),
                Ticket.status == "waiting",
                Ticket.service_day == day,
            )
            .order_by(Ticket.priority_rank, Ticket.queued_at, Ticket.id)
            .limit(limit)
        )
    )


def call_next(
    session: Session, clock: Clock, counter_id: str, actor: str, site_id: str = DEFAULT_SITE_ID
) -> Ticket | None:
    """Call the next ticket at a counter of the site (priority first, then order of issue)."""
    begin_write(session)
    counter = _counter(session, site_id, counter_id)
    now = clock.now()
    day = clock.local_day(now, QueueCache(0).zone(session, site_id))
    # Tickets are valid on their day only: yesterday's leftovers are neither called nor block a counter.
    busy = session.scalar(
        select(Ticket).where(
            Ticket.site_id == site_id,
            Ticket.counter_id == counter_id,
            Ticket.status.in_(("called", "serving")),
            Ticket.service_day == day,
        )
    )
    if busy is not None:
        raise ConflictError(
            "counter_busy",
            f"Quầy {counter.number} đang phục vụ số {busy.number}; hãy bấm Xong, Vắng mặt hoặc Chuyển trước.",
            ticket_id=busy.id,
        )
    service_ids = _counter_service_ids(session, site_id, counter_id)
    if not service_ids:
        return None
    statement = (
        select(Ticket)
        .where(
            Ticket.site_id == site_id,
            Ticket.service_id.in_(service_ids),
            Ticket.status == "waiting",
            Ticket.service_day == day,
            Ticket.queued_at <= now,  # a booking checked in early waits for its window
        )
        .order_by(Ticket.priority_rank, Ticket.queued_at, Ticket.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    ticket = session.scalar(statement)
    if ticket is None:
        return None
    _transition(session, ticket, "call", {"waiting"}, {"counter_id": counter_id, "called_at": now})
    audit.record(
        session,
        at=now,
        actor=actor,
        action="ticket.call",
        entity_type="ticket",
        entity_id=str(ticket.id),
        details={
            "number": ticket.number,
            "counter_id": counter_id,
            "counter_number": counter.number,
            "service_id": ticket.service_id,
            "site_id": site_id,
        },
    )
    return ticket


def act(
    session: Session,
    clock: Clock,
    ticket_id: int,
    action: str,
    actor: str,
    transfer_to: str | None = None,
    *,
    allowed: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """A counter's action on a ticket; `allowed` raises when the caller may not act on it (its site)."""
    begin_write(session)
    ticket = get_ticket(session, ticket_id)
    if allowed is not None:
        allowed(ticket)
    now = clock.now()
    values: dict[str, object] = {}
    details: dict[str, object] = {"number": ticket.number, "from_status": ticket.status}
    if action == "recall":
        values = {"recall_count": ticket.recall_count + 1, "called_at": now}
        counter = (
            session.get(CounterRecord, (ticket.site_id, ticket.counter_id)) if ticket.counter_id else None
        )
        details.update(
            counter_id=ticket.counter_id,
            counter_number=counter.number if counter else None,
            service_id=ticket.service_id,
            site_id=ticket.site_id,
        )
    elif action == "start":
        values = {}
    elif action in ("done", "no_show"):
        values = {"finished_at": now}
    elif action == "transfer":
        target = session.get(ServiceRecord, (ticket.site_id, transfer_to)) if transfer_to else None
        if target is None:
            raise NotFoundError("service_not_found", f"Không có dịch vụ xếp hàng '{transfer_to}'.")
        if target.id == ticket.service_id and ticket.status == "waiting":
            raise ConflictError("ticket_same_service", f"Số {ticket.number} đã ở hàng {target.name}.")
        values = {"service_id": target.id, "counter_id": None, "queued_at": now, "called_at": None}
        details["to_service"] = target.id
    else:
        raise ValueError(action)
    _transition(session, ticket, action, TRANSITIONS[action][0], values)
    audit.record(
        session,
        at=now,
        actor=actor,
        action=f"ticket.{action}",
        entity_type="ticket",
        entity_id=str(ticket.id),
        details=details,
    )
    return ticket
