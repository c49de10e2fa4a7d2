"""What devices report for staff: hand-offs, feedback, unanswered questions (and staff reads of them)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from backend.db import begin_write
from backend.deps import ClockDep, DeviceDep, SessionDep, StaffDep
from backend.errors import NotFoundError
from backend.models import Feedback, Handoff, ServiceRecord, UnansweredQuestion
from backend.schemas import Created, FeedbackCreate, HandoffCreate, HandoffPublic, RowId, UnansweredCreate
from backend.services.auth import Principal, require_site

router = APIRouter(tags=["citizens"])


@router.post("/handoffs", status_code=201, response_model=Created)
def create_handoff(
    body: HandoffCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    begin_write(session)
    row = Handoff(
        site_id=principal.acting_site,
        reason=body.reason,
        summary=body.summary,
        device_name=principal.name,
        created_at=clock.now(),
    )
    session.add(row)
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.get("/handoffs", response_model=list[HandoffPublic])
def list_handoffs(
    session: SessionDep,
    staff: StaffDep,
    status: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
) -> list[HandoffPublic]:
    statement = select(Handoff).order_by(Handoff.created_at.desc()).limit(200)
    statement = statement.where(*_own_rows(staff, Handoff.site_id))
    if status != "all":
        statement = statement.where(Handoff.status == status)
    return [
        HandoffPublic(
            id=h.id,
            reason=h.reason,
            summary=h.summary,
            device=h.device_name,
            status=h.status,
            created_at=h.created_at,
        )
        for h in session.scalars(statement)
    ]


@router.post("/handoffs/{handoff_id}/close", response_model=HandoffPublic)
def close_handoff(handoff_id: RowId, session: SessionDep, clock: ClockDep, staff: StaffDep) -> HandoffPublic:
    begin_write(session)
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFoundError("handoff_not_found", "Không có yêu cầu gặp cán bộ này.")
    require_site(staff, row.site_id, "Yêu cầu gặp cán bộ này")
    row.status, row.handled_by, row.handled_at = "closed", staff.name, clock.now()
    session.commit()
    return HandoffPublic(
        id=row.id,
        reason=row.reason,
        summary=row.summary,
        device=row.device_name,
        status=row.status,
        created_at=row.created_at,
    )


@router.post("/feedback", status_code=201, response_model=Created)
def create_feedback(
    body: FeedbackCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    begin_write(session)
    site_id = principal.acting_site
    if body.service_id is not None and session.get(ServiceRecord, (site_id, body.service_id)) is None:
        raise NotFoundError("service_not_found", f"Không có dịch vụ xếp hàng '{body.service_id}'.")
    row = Feedback(
        site_id=site_id,
        rating=body.rating,
        comment=body.comment,
        service_id=body.service_id,
        device_name=principal.name,
        created_at=clock.now(),
    )
    session.add(row)
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.post("/unanswered", status_code=201, response_model=Created)
def create_unanswered(
    body: UnansweredCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    begin_write(session)
    row = UnansweredQuestion(
        site_id=principal.acting_site,
        text=body.text,
        intent=body.intent,
        confidence=body.confidence,
        device_name=principal.name,
        created_at=clock.now(),
    )
    session.add(row)
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.get("/unanswered")
def list_unanswered(session: SessionDep, staff: StaffDep) -> list[dict[str, object]]:
    rows = session.scalars(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.reviewed.is_(False), *_own_rows(staff, UnansweredQuestion.site_id))
        .order_by(UnansweredQuestion.created_at.desc())
        .limit(500)
    )
    return [
        {
            "id": r.id,
            "text": r.text,
            "intent": r.intent,
            "confidence": r.confidence,
            "device": r.device_name,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def _own_rows(staff: Principal, column: Any) -> list[Any]:
    """A site's staff see their own site's rows; city-wide staff every site's."""
    return [] if staff.site_id is None else [column == staff.site_id]
