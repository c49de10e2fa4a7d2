"""What devices report for staff: hand-offs, feedback, unanswered questions (and staff reads of them)."""

from typing import Annotated

from fastapi import APIRouter, Query

from backend.deps import ClockDep, DeviceDep, SessionDep, StaffDep
from backend.models import Handoff
from backend.schemas import Created, FeedbackCreate, HandoffCreate, HandoffPublic, RowId, UnansweredCreate
from backend.services import needs

router = APIRouter(tags=["citizens"])


def _handoff_public(row: Handoff) -> HandoffPublic:
    return HandoffPublic(
        id=row.id,
        reason=row.reason,
        summary=row.summary,
        device=row.device_name,
        status=row.status,
        created_at=row.created_at,
    )


@router.post("/handoffs", status_code=201, response_model=Created)
def create_handoff(
    body: HandoffCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    row = needs.add_handoff(
        session,
        site_id=principal.acting_site,
        reason=body.reason,
        summary=body.summary,
        device=principal.name,
        now=clock.now(),
    )
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.get("/handoffs", response_model=list[HandoffPublic])
def list_handoffs(
    session: SessionDep,
    staff: StaffDep,
    status: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
) -> list[HandoffPublic]:
    """A site's staff see their own site's hand-offs; city-wide staff every site's."""
    return [_handoff_public(h) for h in needs.handoffs(session, status, site_id=staff.site_id)]


@router.post("/handoffs/{handoff_id}/close", response_model=HandoffPublic)
def close_handoff(handoff_id: RowId, session: SessionDep, clock: ClockDep, staff: StaffDep) -> HandoffPublic:
    row = needs.close_handoff(
        session, handoff_id, staff=staff.name, actor=staff.actor, now=clock.now(), site_id=staff.site_id
    )
    session.commit()
    return _handoff_public(row)


@router.post("/feedback", status_code=201, response_model=Created)
def create_feedback(
    body: FeedbackCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    row = needs.add_feedback(
        session,
        site_id=principal.acting_site,
        rating=body.rating,
        comment=body.comment,
        service_id=body.service_id,
        device=principal.name,
        now=clock.now(),
    )
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.post("/unanswered", status_code=201, response_model=Created)
def create_unanswered(
    body: UnansweredCreate, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> Created:
    row = needs.add_unanswered(
        session,
        site_id=principal.acting_site,
        text=body.text,
        intent=body.intent,
        confidence=body.confidence,
        device=principal.name,
        now=clock.now(),
    )
    session.commit()
    return Created(id=row.id, created_at=row.created_at)


@router.get("/unanswered")
def list_unanswered(session: SessionDep, staff: StaffDep) -> list[dict[str, object]]:
    return [
        {
            "id": r.id,
            "text": r.text,
            "intent": r.intent,
            "confidence": r.confidence,
            "device": r.device_name,
            "created_at": r.created_at,
        }
        for r in needs.unanswered(session, limit=500, site_id=staff.site_id)
    ]
