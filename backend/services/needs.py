"""What citizens needed that the assistant could not give: hand-offs to staff, feedback and
unanswered questions. Devices report them through the API; staff read and close them through the
API and the staff pages, both with this module (the caller commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import NotFoundError
from backend.models import Feedback, Handoff, ServiceRecord, UnansweredQuestion
from backend.services import audit

# -- hand-offs -------------------------------------------------------------------------------------


def add_handoff(session: Session, *, reason: str, summary: str, device: str, now: datetime) -> Handoff:
    begin_write(session)
    row = Handoff(reason=reason, summary=summary, device_name=device, created_at=now)
    session.add(row)
    session.flush()
    return row


def handoffs(session: Session, status: str = "all", limit: int = 200) -> list[Handoff]:
    """Hand-offs with `status` (open, closed or all); open ones first, newest first."""
    statement = (
        select(Handoff).order_by((Handoff.status == "open").desc(), Handoff.created_at.desc()).limit(limit)
    )
    if status != "all":
        statement = statement.where(Handoff.status == status)
    return list(session.scalars(statement))


def close_handoff(session: Session, handoff_id: int, *, staff: str, actor: str, now: datetime) -> Handoff:
    """Close a hand-off (closing a closed one changes nothing) and write it in the audit log."""
    begin_write(session)
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFoundError("handoff_not_found", "Không có yêu cầu gặp cán bộ này.")
    if row.status == "open":
        row.status, row.handled_by, row.handled_at = "closed", staff, now
        audit.record(
            session, at=now, actor=actor, action="handoff.close", entity_type="handoff", entity_id=str(row.id)
        )
    return row


# -- feedback --------------------------------------------------------------------------------------


def add_feedback(
    session: Session, *, rating: int, comment: str | None, service_id: str | None, device: str, now: datetime
) -> Feedback:
    begin_write(session)
    if service_id is not None and session.get(ServiceRecord, service_id) is None:
        raise NotFoundError("service_not_found", f"Không có dịch vụ xếp hàng '{service_id}'.")
    row = Feedback(rating=rating, comment=comment, service_id=service_id, device_name=device, created_at=now)
    session.add(row)
    session.flush()
    return row


def feedback_since(session: Session, since: datetime) -> list[Feedback]:
    statement = select(Feedback).where(Feedback.created_at >= since).order_by(Feedback.created_at.desc())
    return list(session.scalars(statement))


# -- unanswered questions --------------------------------------------------------------------------


def add_unanswered(
    session: Session, *, text: str, intent: str | None, confidence: float | None, device: str, now: datetime
) -> UnansweredQuestion:
    begin_write(session)
    row = UnansweredQuestion(
        text=text, intent=intent, confidence=confidence, device_name=device, created_at=now
    )
    session.add(row)
    session.flush()
    return row


def unanswered(
    session: Session, *, include_handled: bool = False, limit: int = 2000
) -> list[UnansweredQuestion]:
    """Questions the assistant could not answer, newest first (by default those not yet handled)."""
    statement = select(UnansweredQuestion).order_by(UnansweredQuestion.created_at.desc()).limit(limit)
    if not include_handled:
        statement = statement.where(UnansweredQuestion.reviewed.is_(False))
    return list(session.scalars(statement))


def mark_unanswered_handled(session: Session, ids: list[int], *, actor: str, now: datetime) -> int:
    """Mark questions handled (an FAQ now answers them, or staff dismissed them); how many were found."""
    begin_write(session)
    rows = list(session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids))))
    for row in rows:
        row.reviewed = True
    if rows:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="unanswered.handled",
            entity_type="unanswered",
            entity_id=",".join(str(r.id) for r in rows)[:120],
            details={"count": len(rows)},
        )
    return len(rows)
