"""The queue: issuing numbers, the board, and the counters' actions (a small state machine)."""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.clock import Clock
from backend.db import begin_write, dialect_insert
from backend.errors import ConflictError, InvalidError, NotFoundError
from backend.models import (
    DEFAULT_SITE_ID,
    CounterRecord,
    ProcedureRecord,
    ServiceRecord,
    SiteRecord,
    Ticket,
    TicketDayCounter,
    UTCDateTime,
)
from backend.services import audit

logger = logging.getLogger(__name__)

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
HISTORY_SIZE = 20
HISTORY_DAYS = 7


@dataclass(frozen=True)
class CounterView:
    id: str
    number: int
    name: str


@dataclass(frozen=True)
class ServiceView:
    id: str
    letter: str
    name: str
    fields: tuple[str, ...]
    procedures: tuple[str, ...]
    counters: tuple[CounterView, ...]


class QueueCache:
    """Per site: services, counters, time zone and recent service times, kept for a few seconds per
    process.

    They change only with a content load (services) or slowly (service times), and every ticket
    needs them: reading them once per `ttl` instead of per request keeps issuing fast.
    """

    def __init__(self, ttl_seconds: float = 10.0, history_ttl_seconds: float = 30.0) -> None:
        self.ttl = ttl_seconds
        self.history_ttl = history_ttl_seconds
        self._services: dict[str, tuple[float, dict[str, ServiceView]]] = {}
        self._zones: dict[str, tuple[float, ZoneInfo]] = {}
        self._averages: dict[tuple[str, str], tuple[float, float]] = {}

    def zone(self, session: Session, site_id: str) -> ZoneInfo:
        """The site's time zone (its local day numbers its tickets)."""
        loaded_at, zone = self._zones.get(site_id, (-1e9, None))
        if zone is not None and time.monotonic() - loaded_at < self.ttl:
            return zone
        name = session.scalar(select(SiteRecord.time_zone).where(SiteRecord.id == site_id))
        zone = ZoneInfo(name or "Asia/Ho_Chi_Minh")
        self._zones[site_id] = (time.monotonic(), zone)
        return zone

    def services(self, session: Session, site_id: str) -> dict[str, ServiceView]:
        loaded_at, services = self._services.get(site_id, (-1e9, {}))
        if time.monotonic() - loaded_at < self.ttl:
            return services
        counters = {
            c.id: CounterView(c.id, c.number, c.name)
            for c in session.scalars(select(CounterRecord).where(CounterRecord.site_id == site_id))
        }
        services = {
            s.id: ServiceView(
                s.id,
                s.letter,
                s.name,
                tuple(s.fields),
                tuple(s.procedures),
                tuple(counters[c] for c in s.counters if c in counters),
            )
            for s in session.scalars(
                select(ServiceRecord).where(ServiceRecord.site_id == site_id).order_by(ServiceRecord.position)
            )
        }
        self._services[site_id] = (time.monotonic(), services)
        return services

    def average_minutes(
        self, session: Session, site_id: str, service_id: str, now: datetime, default: float
    ) -> float:
        cached = self._averages.get((site_id, service_id))
        if cached is not None and time.monotonic() - cached[0] < self.history_ttl:
            return cached[1]
        value = average_service_minutes(session, site_id, service_id, now, default)
        self._averages[(site_id, service_id)] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        self._services.clear()
        self._zones.clear()
        self._averages.clear()


# The order of the queue (see backend.services.booking): priority groups, booked, walk-ins.
PRIORITY_RANK, BOOKED_RANK, WALK_IN_RANK = 0, 1, 2


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


def resolve_service(
    session: Session,
    site_id: str,
    service_id: str | None,
    procedure_id: str | None,
    cache: QueueCache | None = None,
) -> ServiceView:
    """The site's queue service for a service id, or the one that takes the (city-wide) procedure."""
    services = (cache or QueueCache(0)).services(session, site_id)
    if service_id:
        found = services.get(service_id)
        if found is None:
            raise NotFoundError("service_not_found", f"Không có dịch vụ xếp hàng '{service_id}'.")
        return found
    if not procedure_id:
        raise InvalidError("service_required", "Cần chọn dịch vụ (service_id) hoặc thủ tục (procedure_id).")
    procedure = session.get(ProcedureRecord, procedure_id)
    if procedure is None:
        raise NotFoundError("procedure_not_found", f"Không tìm thấy thủ tục '{procedure_id}'.")
    wanted = (procedure.data.get("where") or {}).get("service_id")
    if wanted in services:
        return services[wanted]
    for service in services.values():
        if procedure_id in service.procedures:
            return service
    for service in services.values():
        if procedure.field in service.fields:
            return service
    raise NotFoundError("service_not_found", f"Chưa có quầy nào nhận thủ tục '{procedure.name}'.")


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


def _ahead_condition(ticket: Ticket) -> ColumnElement[bool]:
    return and_(
        Ticket.site_id == ticket.site_id,
        Ticket.service_id == ticket.service_id,
        Ticket.status == "waiting",
        Ticket.service_day == ticket.service_day,
        Ticket.id != ticket.id,
        or_(
            Ticket.priority_rank < ticket.priority_rank,
            and_(
                Ticket.priority_rank == ticket.priority_rank,
                or_(
                    Ticket.queued_at < ticket.queued_at,
                    and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id),
                ),
            ),
        ),
    )


def ahead_of(session: Session, ticket: Ticket) -> int:
    if ticket.status != "waiting":
        return 0
    return int(session.scalar(select(func.count()).select_from(Ticket).where(_ahead_condition(ticket))) or 0)


def average_service_minutes(
    session: Session, site_id: str, service_id: str, now: datetime, default: float
) -> float:
    rows = session.execute(
        select(Ticket.called_at, Ticket.finished_at)
        .where(
            Ticket.site_id == site_id,
            Ticket.service_id == service_id,
            Ticket.status == "done",
            Ticket.called_at.is_not(None),
            Ticket.finished_at >= now - timedelta(days=HISTORY_DAYS),
        )
        .order_by(Ticket.finished_at.desc())
        .limit(HISTORY_SIZE)
    ).all()
    durations = [
        (finished - called).total_seconds() / 60
        for called, finished in rows
        if called and finished and finished > called
    ]
    if not durations:
        return default
    return sum(durations) / len(durations)


def estimated_wait(
    session: Session,
    ticket: Ticket,
    ahead: int,
    now: datetime,
    default: float,
    cache: QueueCache | None = None,
) -> int:
    if ticket.status != "waiting" or ahead == 0:
        return 0
    cache = cache or QueueCache(0, 0)
    service = cache.services(session, ticket.site_id).get(ticket.service_id)
    counters = max(1, len(service.counters) if service else 1)
    minutes = cache.average_minutes(session, ticket.site_id, ticket.service_id, now, default)
    return math.ceil(ahead * minutes / counters)


def board(
    session: Session,
    clock: Clock,
    site_id: str = DEFAULT_SITE_ID,
    *,
    default_minutes: float = 5.0,
    cache: QueueCache | None = None,
) -> list[dict[str, object]]:
    """The site's board: per service, how many wait today, who is being served where, and how long
    a ticket taken now would wait (everyone waiting × the service's recent minutes per ticket ÷ its
    counters)."""
    cache = cache or QueueCache(0, 0)
    views = cache.services(session, site_id)
    day = clock.local_day(None, QueueCache(0).zone(session, site_id))
    mine = (Ticket.site_id == site_id, Ticket.service_day == day)
    waiting = dict(
        session.execute(
            select(Ticket.service_id, func.count())
            .where(*mine, Ticket.status == "waiting")
            .group_by(Ticket.service_id)
        ).all()
    )
    counters = {
        c.id: c for c in session.scalars(select(CounterRecord).where(CounterRecord.site_id == site_id))
    }
    serving = session.scalars(
        select(Ticket)
        .where(*mine, Ticket.status.in_(("called", "serving")))
        .order_by(Ticket.called_at.desc())
    ).all()
    result: list[dict[str, object]] = []
    services = select(ServiceRecord).where(ServiceRecord.site_id == site_id).order_by(ServiceRecord.position)
    for service in session.scalars(services):
        now_serving = [
            {
                "counter": counters[t.counter_id].number,
                "counter_id": t.counter_id,
                "number": t.number,
                "status": t.status,
            }
            for t in serving
            if t.service_id == service.id and t.counter_id in counters
        ]
        count = int(waiting.get(service.id, 0))
        minutes = 0
        if count:
            per_ticket = cache.average_minutes(session, site_id, service.id, clock.now(), default_minutes)
            view = views.get(service.id)
            minutes = math.ceil(count * per_ticket / max(1, len(view.counters) if view else 1))
        result.append(
            {
                "service_id": service.id,
                "letter": service.letter,
                "name": service.name,
                "waiting": count,
                "estimated_wait_minutes": minutes,
                "now_serving": now_serving,
            }
        )
    return result


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
