"""Content editor: FAQ entries (new, edit), a new entry filled from unanswered questions."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from backend.models import FaqRecord
from backend.services import content as content_service
from backend.services import editing
from backend.services import needs as needs_service
from backend.web import forms, preview
from backend.web.common import (
    DbDep,
    Editor,
    actor_for,
    app_clock,
    redirect,
    render,
    row_ids,
    staff_router,
)
from backend.web.content_edits import not_found, optional_int, save_edit
from content.model import FaqEntry

logger = logging.getLogger(__name__)
router = staff_router()


# -- FAQ -------------------------------------------------------------------------------------------
def _faq_page(
    request: Request,
    user: Any,
    key: str,
    values: dict[str, Any],
    version: int | None,
    errors: dict[str, str],
    status_code: int = 200,
    answer: str = "",
    is_new: bool = False,
) -> Response:
    from content.model import site_placeholders

    return render(
        request,
        "faq_form.html",
        {
            "page_title": "Câu hỏi mới" if is_new else f"Sửa câu hỏi: {values.get('question') or key}",
            "key": key,
            "v": values,
            "version": version,
            "errors": errors,
            "labels": forms.FIELD_LABELS,
            "answer": answer,
            "is_new": is_new,
            "placeholders": site_placeholders(),
        },
        user=user,
        status_code=status_code,
        active="content",
    )


@router.get("/content/faq/new", name="staff_faq_new")
def faq_new(
    request: Request,
    session: DbDep,
    user: Editor,
    question: str = "",
    from_unanswered: str = "",
    variant: Annotated[list[str] | None, Query()] = None,
) -> Response:
    values: dict[str, Any] = {
        "key": "",
        "question": question,
        "variants": [v for v in (variant or [])[:10] if v.strip()],
        "answer": "",
    }
    if from_unanswered:
        values["from_unanswered"] = ",".join(i for i in from_unanswered.split(",") if i.strip().isdigit())
    return _faq_page(request, user, "", values, None, {}, is_new=True)


@router.post("/content/faq/new")
async def faq_create(request: Request, session: DbDep, user: Editor) -> Response:
    form = await request.form()
    key = str(form.get("key") or "").strip()
    data = forms.faq_data(form, key)
    entry, errors = forms.validate_faq(data)
    if entry is not None and session.get(FaqRecord, key) is not None:
        entry, errors = None, {"key": "Đã có câu hỏi với mã này; hãy chọn mã khác."}
    if entry is not None:
        errors = editing.check_edited(session, entry)
    if entry is None or errors:
        return _faq_page(request, user, key, data, None, errors, status_code=422, is_new=True)
    assert entry is not None
    sources = row_ids(str(form.get("from_unanswered") or ""))
    now = app_clock(request).now()
    editing.save(session, entry, actor=actor_for(user.username), now=now, expected_version=None)
    if sources:
        needs_service.mark_unanswered_handled(session, sources, actor=actor_for(user.username), now=now)
    session.commit()
    return redirect(request, f"/staff/content/faq/{key}", flash=f"Đã tạo câu hỏi “{entry.question}”.")


@router.get("/content/faq/{key}", name="staff_faq")
def faq_form(request: Request, session: DbDep, user: Editor, key: str) -> Response:
    record = session.get(FaqRecord, key)
    if record is None:
        return not_found(request, user, "Không tìm thấy câu hỏi này.")
    answer = preview.faq_answer(FaqEntry.model_validate(record.data), content_service.get_site(session))
    return _faq_page(request, user, key, record.data, record.version, {}, answer=answer)


@router.post("/content/faq/{key}")
async def faq_save(request: Request, session: DbDep, user: Editor, key: str) -> Response:
    record = session.get(FaqRecord, key)
    if record is None:
        return not_found(request, user, "Không tìm thấy câu hỏi này.")
    form = await request.form()
    data = forms.faq_data(form, key)
    expected = optional_int(form.get("version"))

    def show(errors: dict[str, str], status_code: int) -> Response:
        return _faq_page(request, user, key, data, expected or record.version, errors, status_code)

    return save_edit(
        request,
        session,
        user,
        forms.validate_faq(data),
        expected,
        show,
        lambda e, v: f"Đã lưu câu hỏi “{e.question}” (phiên bản {v}).",
    )
