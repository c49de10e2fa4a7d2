"""Publishing staff edits to the assistant: the backend keeps the job, the NLU side does the work.

A staff click requests a job; the NLU side (`letan nlu publisher`) claims it through the API,
generates its training data from the content it receives into the data directory, retrains when
the words the model learns from changed, loads the model into the Rasa server and reports each
step back, so every backend worker and a reloaded page show the same progress. Answers themselves
are live as soon as a fact is saved; only names, aliases, life events and FAQ questions need this.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import ConflictError, NotFoundError
from backend.models import PublishJob
from backend.services import audit

logger = logging.getLogger(__name__)

ACTIVE = ("requested", "running")
# A running job the NLU side has not reported on for this long is taken to have died.
SILENT_AFTER = timedelta(minutes=30)
OUTPUT_LINES = 40


def latest(session: Session) -> PublishJob | None:
    return session.scalars(select(PublishJob).order_by(PublishJob.id.desc()).limit(1)).first()


def last_done(session: Session) -> PublishJob | None:
    statement = select(PublishJob).where(PublishJob.status == "done").order_by(PublishJob.id.desc()).limit(1)
    return session.scalars(statement).first()


def _fail_silent(session: Session, now: datetime) -> None:
    for job in session.scalars(select(PublishJob).where(PublishJob.status == "running")):
        if now - job.updated_at > SILENT_AFTER:
            job.status, job.finished_at, job.updated_at = "failed", now, now
            job.message = (
                "Bên trợ lý ngừng báo tiến độ (máy chủ trợ lý khởi động lại?). Trợ lý vẫn dùng mô hình cũ."
            )


def request(session: Session, *, actor: str, force: bool, now: datetime) -> tuple[PublishJob, bool]:
    """A new job, or the one already requested or running; (job, created). The caller commits."""
    begin_write(session)
    _fail_silent(session, now)
    active = session.scalars(select(PublishJob).where(PublishJob.status.in_(ACTIVE))).first()
    if active is not None:
        return active, False
    job = PublishJob(
        status="requested",
        force=force,
        requested_by=actor,
        requested_at=now,
        updated_at=now,
        step="Chờ bên trợ lý nhận việc",
        progress=0,
        message="",
        output=[],
    )
    session.add(job)
    session.flush()
    audit.record(
        session, at=now, actor=actor, action="content.publish", entity_type="publish", entity_id=str(job.id),
        details={"force": force},
    )  # fmt: skip
    return job, True


def claim(session: Session, *, worker: str, now: datetime) -> PublishJob | None:
    """The oldest requested job, now running for `worker` (None when there is none). The caller commits."""
    begin_write(session)
    _fail_silent(session, now)
    job = session.scalars(
        select(PublishJob).where(PublishJob.status == "requested").order_by(PublishJob.id).limit(1)
    ).first()
    if job is None:
        return None
    job.status, job.claimed_by, job.started_at, job.updated_at = "running", worker, now, now
    job.step, job.progress = "Bên trợ lý đã nhận việc", 2
    logger.info("publish job %s claimed by %s", job.id, worker)
    return job


def report(
    session: Session,
    job_id: int,
    *,
    worker: str,
    now: datetime,
    step: str,
    progress: int,
    message: str,
    output: list[str],
    status: str,
    fingerprint: str | None,
) -> PublishJob:
    """Record a step of a running job (or its end: `status` done or failed). The caller commits."""
    begin_write(session)
    job = session.get(PublishJob, job_id)
    if job is None:
        raise NotFoundError("publish_job_not_found", "Không có lần xuất bản này.")
    if job.status != "running" or job.claimed_by != worker:
        raise ConflictError("publish_job_not_running", "Lần xuất bản này không còn chạy trên máy này.")
    job.step, job.progress, job.message, job.updated_at = step, max(job.progress, progress), message, now
    job.output = [*job.output, *output][-OUTPUT_LINES:]
    if status in ("done", "failed"):
        job.status, job.finished_at = status, now
        if status == "done":
            job.progress, job.fingerprint = 100, fingerprint
        logger.info("publish job %s %s: %s", job.id, status, message)
    return job


def view(job: PublishJob | None) -> dict[str, Any]:
    """What the staff page shows of a job."""
    if job is None:
        return {"status": "idle", "running": False}
    return {
        "id": job.id,
        "status": job.status,
        "running": job.status in ACTIVE,
        "step": job.step,
        "progress": job.progress,
        "message": job.message,
        "output": list(job.output),
        "started_by": job.requested_by.removeprefix("staff:"),
    }
