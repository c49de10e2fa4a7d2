"""The call feed of the queue display: every call and recall of a ticket, in order.

The queue service writes each call and recall into the audit log (`ticket.call`, `ticket.recall`,
with the ticket's number and counter); the display reads them back from there, so a call made by
any backend worker reaches every display.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import AuditEntry, CounterRecord, Ticket

CALL_ACTIONS = ("ticket.call", "ticket.recall")


class Call(TypedDict):
    id: int
    number: str
    counter: int
    counter_id: str
    recall: bool
    at: datetime


def recent_calls(session: Session, after_id: int = 0, limit: int = 10) -> list[Call]:
    """Calls after `after_id` (the oldest first), or the last `limit` calls when `after_id` is 0."""
    statement = select(AuditEntry).where(AuditEntry.action.in_(CALL_ACTIONS))
    if after_id:
        statement = statement.where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit)
    else:
        statement = statement.order_by(AuditEntry.id.desc()).limit(limit)
    entries = list(session.scalars(statement))
    if not after_id:
        entries.reverse()
    numbers = {c.id: c.number for c in session.scalars(select(CounterRecord))}
    calls: list[Call] = []
    for entry in entries:
        details = entry.details or {}
        counter_id = details.get("counter_id") or details.get("counter")
        if counter_id is None:
            ticket = session.get(Ticket, int(entry.entity_id)) if entry.entity_id.isdigit() else None
            counter_id = ticket.counter_id if ticket is not None else None
        if counter_id not in numbers:
            continue
        calls.append(
            Call(
                id=entry.id,
                number=str(details.get("number", "")),
                counter=numbers[counter_id],
                counter_id=counter_id,
                recall=entry.action == "ticket.recall",
                at=entry.at,
            )
        )
    return calls


def last_call_id(session: Session) -> int:
    value = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(CALL_ACTIONS)))
    return int(value or 0)


def call(session: Session, entry_id: int) -> Call | None:
    """One call by its id (the display asks for its announcement), or None."""
    calls = recent_calls(session, after_id=entry_id - 1, limit=1)
    return calls[0] if calls and calls[0]["id"] == entry_id else None
