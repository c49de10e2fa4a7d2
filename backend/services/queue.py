"""The queue as it stands: a site's services and counters (cached), the order of the queue, a
ticket's place and wait, and the board.

Issuing numbers is `backend.services.tickets`; a counter's actions on tickets are
`backend.services.ticket_actions`.
"""

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.clock import Clock
from backend.errors import InvalidError, NotFoundError
from backend.models import (
    DEFAULT_SITE_ID,
    CounterRecord,
    ProcedureRecord,
    ServiceRecord,
    SiteRecord,
    Ticket,
)

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
