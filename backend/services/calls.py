"""The call feed of the queue display: every call and recall of a ticket, in order.

The counters' actions (`backend.services.ticket_actions`) write each call and recall into the
audit log (`ticket.call`, `ticket.recall`, with the ticket's number and counter); the display reads
them back from there, so a call made by any backend worker reaches every display.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from backend.models import DEFAULT_SITE_ID, AuditEntry, CounterRecord, Ticket

CALL_ACTIONS = ("ticket.call", "ticket.recall")


def _of_site(site_id: str) -> ColumnElement[bool]:
    """Audit entries of a site's calls (the queue service writes the site into their details)."""
    recorded = AuditEntry.details["site_id"].as_string()
    return or_(recorded == site_id, recorded.is_(None)) if site_id == DEFAULT_SITE_ID else recorded == site_id


class Call(TypedDict):
    id: int
    number: str
    counter: int
    counter_id: str
    recall: bool
    at: datetime


def recent_calls(
    session: Session, after_id: int = 0, limit: int = 10, site_id: str = DEFAULT_SITE_ID
) -> list[Call]:
    """A site's calls after `after_id` (the oldest first), or its last `limit` calls when `after_id`
    is 0. (Calls recorded before sites existed have no site: they are the default site's.)"""
    statement = select(AuditEntry).where(AuditEntry.action.in_(CALL_ACTIONS), _of_site(site_id))
    if after_id:
        statement = statement.where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit)
    else:
        statement = statement.order_by(AuditEntry.id.desc()).limit(limit)
    entries = list(session.scalars(statement))
    if not after_id:
        entries.reverse()
    where = CounterRecord.site_id == site_id
    numbers = {c.id: c.number for c in session.scalars(select(CounterRecord).where(where))}
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
    """The newest call of any site (the display asks only for calls after it)."""
    value = session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action.in_(CALL_ACTIONS)))
    return int(value or 0)


def call(session: Session, entry_id: int, site_id: str = DEFAULT_SITE_ID) -> Call | None:
    """One call of the site by its id (the display asks for its announcement), or None."""
    calls = recent_calls(session, after_id=entry_id - 1, limit=1, site_id=site_id)
    return calls[0] if calls and calls[0]["id"] == entry_id else None
