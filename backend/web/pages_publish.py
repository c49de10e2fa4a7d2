"""Publishing the content to the assistant: the request button and the progress the NLU side reports."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.deps import ClockDep
from backend.errors import ApiError
from backend.services.content_files import export_content
from backend.web.common import (
    DbDep,
    Editor,
    actor_for,
    redirect,
    render,
    staff_router,
)

logger = logging.getLogger(__name__)
router = staff_router()


# -- publish ---------------------------------------------------------------------------------------
def _publish_context(session: Session) -> dict[str, Any]:
    """The latest publish job, and whether the content has words the assistant has not learned."""
    from backend.services import publishing
    from content.model import learned_fingerprint
    from contract.settings import shared_settings

    done = publishing.last_done(session)
    try:
        current = learned_fingerprint(export_content(session))
    except ApiError:
        current = None
    changed = current is not None and (done is None or done.fingerprint != current)
    return {
        "job": publishing.view(publishing.latest(session)),
        "changed": changed,
        "rasa_url": shared_settings().rasa_url,
    }


@router.get("/content/publish", name="staff_publish")
def publish_page(request: Request, session: DbDep, user: Editor) -> Response:
    context = {"page_title": "Xuất bản cho trợ lý", **_publish_context(session)}
    return render(request, "publish.html", context, user=user, active="content")


@router.get("/content/publish/status", name="staff_publish_status")
def publish_status(request: Request, session: DbDep, user: Editor) -> Response:
    return render(request, "_publish_status.html", _publish_context(session), user=user)


@router.post("/content/publish")
async def publish_start(request: Request, session: DbDep, user: Editor, clock: ClockDep) -> Response:
    """Ask the assistant's side to learn the content now in the database (it reports its progress)."""
    from backend.services import publishing

    form = await request.form()
    _job, created = publishing.request(
        session, actor=actor_for(user.username), force=form.get("force") == "on", now=clock.now()
    )
    session.commit()
    flash = (
        "Đã gửi yêu cầu xuất bản; tiến độ hiện bên dưới khi bên trợ lý nhận việc."
        if created
        else "Đang có một lần xuất bản chưa xong; tiến độ hiện bên dưới."
    )
    return redirect(request, "/staff/content/publish", flash=flash)
