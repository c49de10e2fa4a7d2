"""Counters and the services they serve, as the counter console and the staff figures read them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.clock import Clock
from backend.models import CounterRecord, ProcedureRecord, ServiceRecord, Ticket


def counters(session: Session) -> list[CounterRecord]:
    return list(session.scalars(select(CounterRecord).order_by(CounterRecord.number)))


def services(session: Session) -> list[ServiceRecord]:
    return list(session.scalars(select(ServiceRecord).order_by(ServiceRecord.position)))


def service_choices(session: Session) -> list[tuple[str, str]]:
    """(id, "letter – name") of every service, for a form's choice list."""
    return [(s.id, f"{s.letter} – {s.name}") for s in services(session)]


def counter_services(session: Session, counter_id: str) -> list[ServiceRecord]:
    return [s for s in services(session) if counter_id in (s.counters or [])]


def current_ticket(session: Session, clock: Clock, counter_id: str) -> Ticket | None:
    """Today's ticket at the counter, as call-next sees it (yesterday's leftovers do not count)."""
    return session.scalars(
        select(Ticket)
        .where(
            Ticket.counter_id == counter_id,
            Ticket.status.in_(("called", "serving")),
            Ticket.service_day == clock.local_day(),
        )
        .order_by(Ticket.called_at.desc())
    ).first()


def tickets_since(session: Session, day: date) -> list[Ticket]:
    """Every ticket of `day` and the days after, in order of issue (the staff figures)."""
    return list(session.scalars(select(Ticket).where(Ticket.service_day >= day).order_by(Ticket.issued_at)))


def procedure_name(session: Session, procedure_id: str | None) -> str:
    if not procedure_id:
        return ""
    record = session.get(ProcedureRecord, procedure_id)
    return record.name if record is not None else procedure_id
