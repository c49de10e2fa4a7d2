"""What citizens needed that the assistant could not give: hand-offs to staff, feedback and
unanswered questions. Devices report them through the API; staff read and close them through the
API and the staff pages, both with this module (the caller commits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import ForbiddenError, NotFoundError
from backend.models import Feedback, Handoff, ServiceRecord, UnansweredQuestion
from backend.services import audit

# -- hand-offs -------------------------------------------------------------------------------------


def add_handoff(
    session: Session, *, site_id: str, reason: str, summary: str, device: str, now: datetime
) -> Handoff:
    begin_write(session)
    row = Handoff(site_id=site_id, reason=reason, summary=summary, device_name=device, created_at=now)
    session.add(row)
    session.flush()
    return row


def handoffs(
    session: Session, status: str = "all", limit: int = 200, site_id: str | None = None
) -> list[Handoff]:
    """Hand-offs with `status` (open, closed or all) of a site (None: every site); open ones first,
    newest first."""
    statement = (
        select(Handoff).order_by((Handoff.status == "open").desc(), Handoff.created_at.desc()).limit(limit)
    )
    if site_id is not None:
        statement = statement.where(Handoff.site_id == site_id)
    if status != "all":
        statement = statement.where(Handoff.status == status)
    return list(session.scalars(statement))


def close_handoff(
    session: Session, handoff_id: int, *, staff: str, actor: str, now: datetime, site_id: str | None = None
) -> Handoff:
    """Close a hand-off (closing a closed one changes nothing) and write it in the audit log; staff
    of a site (`site_id`) close their own site's only."""
    begin_write(session)
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFoundError("handoff_not_found", "Không có yêu cầu gặp cán bộ này.")
    if site_id is not None and row.site_id != site_id:
        raise ForbiddenError(
            "site_forbidden",
            "Yêu cầu gặp cán bộ này thuộc điểm phục vụ khác; tài khoản này không được thao tác.",
        )
    if row.status == "open":
        row.status, row.handled_by, row.handled_at = "closed", staff, now
        audit.record(
            session, at=now, actor=actor, action="handoff.close", entity_type="handoff", entity_id=str(row.id)
        )
    return row


# -- feedback --------------------------------------------------------------------------------------


def add_feedback(
    session: Session,
    *,
    site_id: str,
    rating: int,
    comment: str | None,
    service_id: str | None,
    device: str,
    now: datetime,
) -> Feedback:
    begin_write(session)
    if service_id is not None and session.get(ServiceRecord, (site_id, service_id)) is None:
        raise NotFoundError("service_not_found", f"Không có dịch vụ xếp hàng '{service_id}'.")
    row = Feedback(
        site_id=site_id,
        rating=rating,
        comment=comment,
        service_id=service_id,
        device_name=device,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def feedback_since(session: Session, since: datetime, site_id: str | None = None) -> list[Feedback]:
    statement = select(Feedback).where(Feedback.created_at >= since).order_by(Feedback.created_at.desc())
    if site_id is not None:
        statement = statement.where(Feedback.site_id == site_id)
    return list(session.scalars(statement))


# -- unanswered questions --------------------------------------------------------------------------


def add_unanswered(
    session: Session,
    *,
    site_id: str,
    text: str,
    intent: str | None,
    confidence: float | None,
    device: str,
    now: datetime,
) -> UnansweredQuestion:
    begin_write(session)
    row = UnansweredQuestion(
        site_id=site_id, text=text, intent=intent, confidence=confidence, device_name=device, created_at=now
    )
    session.add(row)
    session.flush()
    return row


def unanswered(
    session: Session, *, include_handled: bool = False, limit: int = 2000, site_id: str | None = None
) -> list[UnansweredQuestion]:
    """Questions the assistant could not answer at a site (None: every site), newest first (by
    default those not yet handled)."""
    statement = select(UnansweredQuestion).order_by(UnansweredQuestion.created_at.desc()).limit(limit)
    if site_id is not None:
        statement = statement.where(UnansweredQuestion.site_id == site_id)
    if not include_handled:
        statement = statement.where(UnansweredQuestion.reviewed.is_(False))
    return list(session.scalars(statement))


def mark_unanswered_handled(
    session: Session, ids: list[int], *, actor: str, now: datetime, site_id: str | None = None
) -> int:
    """Mark questions handled (an FAQ now answers them, or staff dismissed them) of a site (None:
    every site); how many were found."""
    begin_write(session)
    statement = select(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids))
    if site_id is not None:
        statement = statement.where(UnansweredQuestion.site_id == site_id)
    rows = list(session.scalars(statement))
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
