"""Publishing: the NLU side claims a staff request to retrain the assistant and reports its steps."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field

from backend.deps import ClockDep, DeviceDep, SessionDep
from backend.schemas import Body, RowId, Text
from backend.services import publishing
from backend.services.content_files import export_content

router = APIRouter(tags=["publish"])


class PublishWork(Body):
    id: int
    force: bool
    # The content set as `letan content export` writes it (content.model.ContentSet).
    content: dict[str, Any]


class PublishReport(Body):
    step: Annotated[Text, Field(max_length=200)]
    progress: Annotated[int, Field(ge=0, le=100)]
    message: Annotated[Text, Field(max_length=2000)] = ""
    output: Annotated[
        list[Annotated[Text, Field(max_length=300)]], Field(max_length=40, default_factory=list)
    ]
    status: Literal["running", "done", "failed"] = "running"
    fingerprint: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None


class PublishPublic(Body):
    id: int
    status: str
    step: str
    progress: int
    message: str


@router.post("/publish/claim", response_model=PublishWork, responses={204: {"description": "Không có việc."}})
def claim(session: SessionDep, clock: ClockDep, principal: DeviceDep) -> Any:
    """The oldest requested publish, now running for this device, with the content to learn from."""
    job = publishing.claim(session, worker=principal.actor, now=clock.now())
    if job is None:
        session.commit()
        return Response(status_code=204)
    content = export_content(session).model_dump(mode="json")
    work = PublishWork(id=job.id, force=job.force, content=content)
    session.commit()
    return work


@router.post("/publish/{job_id}/progress", response_model=PublishPublic)
def progress(
    job_id: RowId, body: PublishReport, session: SessionDep, clock: ClockDep, principal: DeviceDep
) -> PublishPublic:
    job = publishing.report(
        session,
        job_id,
        worker=principal.actor,
        now=clock.now(),
        step=body.step,
        progress=body.progress,
        message=body.message,
        output=body.output,
        status=body.status,
        fingerprint=body.fingerprint,
    )
    session.commit()
    return PublishPublic(
        id=job.id, status=job.status, step=job.step, progress=job.progress, message=job.message
    )
