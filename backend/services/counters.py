"""Counters and the services they serve at a site, as the counter console and the staff figures
read them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.clock import Clock
from backend.models import DEFAULT_SITE_ID, CounterRecord, ProcedureRecord, ServiceRecord, Ticket
from backend.services.queue import QueueCache


def counters(session: Session, site_id: str = DEFAULT_SITE_ID) -> list[CounterRecord]:
    statement = select(CounterRecord).where(CounterRecord.site_id == site_id).order_by(CounterRecord.number)
    return list(session.scalars(statement))


def services(session: Session, site_id: str = DEFAULT_SITE_ID) -> list[ServiceRecord]:
    statement = select(ServiceRecord).where(ServiceRecord.site_id == site_id).order_by(ServiceRecord.position)
    return list(session.scalars(statement))


def service_choices(session: Session, site_id: str = DEFAULT_SITE_ID) -> list[tuple[str, str]]:
    """(id, "letter – name") of every service of the site, for a form's choice list."""
    return [(s.id, f"{s.letter} – {s.name}") for s in services(session, site_id)]


def counter_services(
    session: Session, counter_id: str, site_id: str = DEFAULT_SITE_ID
) -> list[ServiceRecord]:
    return [s for s in services(session, site_id) if counter_id in (s.counters or [])]


def current_ticket(
    session: Session, clock: Clock, counter_id: str, site_id: str = DEFAULT_SITE_ID
) -> Ticket | None:
    """Today's ticket at the site's counter, as call-next sees it (yesterday's leftovers do not count)."""
    day = clock.local_day(None, QueueCache(0).zone(session, site_id))
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.site_id == site_id,
            Ticket.counter_id == counter_id,
            Ticket.status.in_(("called", "serving")),
            Ticket.service_day == day,
        )
        .order_by(Ticket.called_at.desc())
    ).first()


def tickets_since(session: Session, day: date, site_id: str | None = None) -> list[Ticket]:
    """Every ticket of `day` and the days after at a site (None: every site), in order of issue."""
    statement = select(Ticket).where(Ticket.service_day >= day).order_by(Ticket.issued_at)
    if site_id is not None:
        statement = statement.where(Ticket.site_id == site_id)
    return list(session.scalars(statement))


def procedure_name(session: Session, procedure_id: str | None) -> str:
    if not procedure_id:
        return ""
    record = session.get(ProcedureRecord, procedure_id)
    return record.name if record is not None else procedure_id
