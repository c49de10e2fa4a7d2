"""Queue numbers: issuing (devices), the board (public), counter actions (counter staff)."""

import hashlib
import json
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backend.clock import Clock
from backend.db import begin_write
from backend.deps import (
    CacheDep,
    ClockDep,
    CounterDep,
    DeviceDep,
    PublicSiteDep,
    SessionDep,
    SettingsDep,
    get_principal,
)
from backend.models import CounterRecord, Ticket
from backend.schemas import (
    IDEMPOTENCY_KEY_PATTERN,
    CounterPublic,
    QueuePublic,
    RowId,
    TicketCreate,
    TicketPublic,
    TicketTransfer,
    WaitingTicket,
)
from backend.services import queue, ticket_actions, tickets
from backend.services.auth import Principal, require_site
from backend.services.queue import QueueCache
from backend.settings import Settings

router = APIRouter(tags=["queue"])


def ticket_public(
    session: Session,
    clock: Clock,
    settings: Settings,
    ticket: Ticket,
    cache: QueueCache,
    ahead: int | None = None,
) -> TicketPublic:
    service = cache.services(session, ticket.site_id).get(ticket.service_id)
    if service is None:  # a service removed from content since: read it directly
        cache = queue.QueueCache(0, settings.service_time_cache_seconds)
        service = cache.services(session, ticket.site_id)[ticket.service_id]
    counter = next((c for c in service.counters if c.id == ticket.counter_id), None)
    if counter is None and ticket.counter_id:
        record = session.get(CounterRecord, (ticket.site_id, ticket.counter_id))
        counter = None if record is None else queue.CounterView(record.id, record.number, record.name)
    if ahead is None:
        ahead = queue.ahead_of(session, ticket)
    return TicketPublic(
        id=ticket.id,
        number=ticket.number,
        service_id=ticket.service_id,
        service_name=service.name,
        procedure_id=ticket.procedure_id,
        counters=[CounterPublic(id=c.id, number=c.number, name=c.name) for c in service.counters],
        ahead=ahead,
        estimated_wait_minutes=queue.estimated_wait(
            session, ticket, ahead, clock.now(), settings.default_service_minutes, cache
        ),
        issued_at=ticket.issued_at,
        status=ticket.status,  # type: ignore[arg-type]
        priority=ticket.priority,  # type: ignore[arg-type]
        channel=ticket.channel,  # type: ignore[arg-type]
        counter=None
        if counter is None
        else CounterPublic(id=counter.id, number=counter.number, name=counter.name),
        called_at=ticket.called_at,
        booked=ticket.priority_rank == queue.BOOKED_RANK,
    )


@router.post(
    "/tickets",
    status_code=201,
    response_model=TicketPublic,
    openapi_extra={"x-letan-access": "device"},  # its principal is read inside, not by a dependency
)
async def create_ticket(
    body: TicketCreate,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY_KEY_PATTERN)] = None,
) -> TicketPublic:
    """Issue a number (device token). The busiest endpoint: its whole database work (auth, issue,
    answer, commit) runs in ONE worker-thread hop instead of one hop per dependency."""
    state = request.app.state

    def work() -> tuple[TicketPublic, bool]:
        with state.session_factory() as session:
            principal = get_principal(request, session, state.clock)
            return _issue(
                session, state.clock, state.settings, state.queue_cache, principal, body, idempotency_key
            )

    public, replayed = await run_in_threadpool(work)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return public


def request_hash(body: TicketCreate) -> str:
    """What makes two ticket requests the same request (for `Idempotency-Key`)."""
    canonical = json.dumps(body.model_dump(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _issue(
    session: Session,
    clock: Clock,
    settings: Settings,
    cache: QueueCache,
    principal: Principal,
    body: TicketCreate,
    idempotency_key: str | None,
) -> tuple[TicketPublic, bool]:
    device_id = principal.device_id
    fingerprint = request_hash(body) if idempotency_key is not None else None
    try:
        issued = tickets.issue_ticket(
            session,
            clock,
            site_id=principal.acting_site,
            service_id=body.service_id,
            procedure_id=body.procedure_id,
            priority=body.priority,
            channel=body.channel,
            device_id=device_id,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
            cache=cache,
        )
        # The answer (with `ahead`) is read inside the issuing transaction: one commit, no second one.
        public = ticket_public(session, clock, settings, issued.ticket, cache, issued.ahead)
        session.commit()
        return public, issued.replayed
    except IntegrityError as error:
        ticket = tickets.replay_after_race(session, device_id, idempotency_key, fingerprint, error)
        return ticket_public(session, clock, settings, ticket, cache), True


@router.get("/tickets/{ticket_id}", response_model=TicketPublic)
def read_ticket(
    ticket_id: RowId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: CacheDep,
    principal: DeviceDep,
) -> TicketPublic:
    ticket = tickets.get_ticket(session, ticket_id)
    _own_ticket(principal)(ticket)
    return ticket_public(session, clock, settings, ticket, cache)


def _own_ticket(principal: Principal) -> Callable[[Ticket], None]:
    """Raises 403 for a ticket of another site than the caller's."""

    def check(ticket: Ticket) -> None:
        require_site(principal, ticket.site_id, f"Số {ticket.number}")

    return check


@router.get("/queue", response_model=QueuePublic)
def read_queue(
    session: SessionDep, clock: ClockDep, settings: SettingsDep, cache: CacheDep, site: PublicSiteDep
) -> QueuePublic:
    """The board of one site (the caller's own, or `?site=`), with each service's estimated wait."""
    rows = queue.board(session, clock, site, default_minutes=settings.default_service_minutes, cache=cache)
    return QueuePublic.model_validate({"services": rows, "updated_at": clock.now()})


@router.get("/counters/{counter_id}/waiting", response_model=list[WaitingTicket])
def counter_waiting(
    counter_id: str, session: SessionDep, clock: ClockDep, staff: CounterDep
) -> list[WaitingTicket]:
    """What this counter will call next, in order (priority first, then order of issue)."""
    return [
        WaitingTicket(
            id=t.id,
            number=t.number,
            service_id=t.service_id,
            procedure_id=t.procedure_id,
            priority=t.priority,  # type: ignore[arg-type]
            issued_at=t.issued_at,
        )
        for t in ticket_actions.waiting_for_counter(
            session, counter_id, clock=clock, site_id=staff.acting_site
        )
    ]


@router.post(
    "/counters/{counter_id}/call-next",
    response_model=TicketPublic,
    responses={204: {"description": "no ticket waiting"}},
)
def call_next(
    counter_id: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: CacheDep,
    principal: CounterDep,
) -> TicketPublic | Response:
    begin_write(session)
    ticket = ticket_actions.call_next(session, clock, counter_id, principal.actor, principal.acting_site)
    if ticket is None:
        session.rollback()
        return Response(status_code=204)
    session.commit()
    return ticket_public(session, clock, settings, ticket, cache)


def _action(action: str) -> Callable[..., TicketPublic]:
    def endpoint(
        ticket_id: RowId,
        session: SessionDep,
        clock: ClockDep,
        settings: SettingsDep,
        cache: CacheDep,
        principal: CounterDep,
    ) -> TicketPublic:
        begin_write(session)
        ticket = ticket_actions.act(
            session, clock, ticket_id, action, principal.actor, allowed=_own_ticket(principal)
        )
        session.commit()
        return ticket_public(session, clock, settings, ticket, cache)

    return endpoint


for _path, _name in (("recall", "recall"), ("no-show", "no_show"), ("done", "done"), ("start", "start")):
    router.add_api_route(
        f"/tickets/{{ticket_id}}/{_path}",
        _action(_name),
        methods=["POST"],
        response_model=TicketPublic,
        name=f"ticket_{_name}",
    )


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketPublic)
def transfer(
    ticket_id: RowId,
    body: TicketTransfer,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    cache: CacheDep,
    principal: CounterDep,
) -> TicketPublic:
    begin_write(session)
    ticket = ticket_actions.act(
        session,
        clock,
        ticket_id,
        "transfer",
        principal.actor,
        transfer_to=body.service_id,
        allowed=_own_ticket(principal),
    )
    session.commit()
    return ticket_public(session, clock, settings, ticket, cache)
