"""Content editor: the list of procedures and FAQ (with the reviews due and the scheduled changes)
and the procedure editor."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from backend.deps import ClockDep
from backend.models import ProcedureRecord
from backend.services import content as content_service
from backend.services import counters, editing
from backend.web import forms, preview
from backend.web.common import (
    DbDep,
    Editor,
    refresh_site_name,
    render,
    staff_router,
)
from backend.web.content_edits import date_vn, local_time, not_found, optional_int, save_edit
from content.in_force import FACT_NAMES, changes_after, mark_verified, review_state, schedule_change
from content.model import FIELD_NAMES, Procedure

logger = logging.getLogger(__name__)
router = staff_router()


def _review_rows(procedures: list[Any], day: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Procedures due or overdue for review, and every change scheduled after `day`, for the list page."""
    reviews, changes = [], []
    for record in procedures:
        procedure = Procedure.model_validate(record.data)
        state = review_state(procedure, day)
        if state.status != "ok":
            reviews.append(
                {
                    "id": record.id,
                    "name": procedure.name,
                    "status": state.status,
                    "verified_on": date_vn(
                        procedure.verified_on.isoformat() if procedure.verified_on else None
                    ),
                    "due_on": date_vn(state.due_on.isoformat() if state.due_on else None),
                    "reminders": [(date_vn(on.isoformat()), note) for on, note in state.reminders],
                }
            )
        changes += [
            {
                "id": record.id,
                "name": procedure.name,
                "on": c.on,
                "fact": FACT_NAMES[c.fact],
                "ends": c.period is None,
            }
            for c in changes_after(procedure, day)
        ]
    reviews.sort(key=lambda r: (r["status"] != "overdue", r["name"]))
    changes.sort(key=lambda c: (c["on"], c["name"]))
    return reviews, [{**c, "on": date_vn(c["on"].isoformat())} for c in changes]


@router.get("/content", name="staff_content")
def content_list(request: Request, session: DbDep, user: Editor, clock: ClockDep, q: str = "") -> Response:
    refresh_site_name(session)
    procedures = editing.list_procedures(session, q)
    reviews, changes = _review_rows(procedures, clock.local_day())
    return render(
        request,
        "content_list.html",
        {
            "page_title": "Nội dung",
            "q": q,
            "reviews": reviews,
            "changes": changes,
            "procedures": procedures,
            "faq": editing.list_faq(session, q),
            "field_names": FIELD_NAMES,
            "fmt": local_time,
        },
        user=user,
        active="content",
    )


# -- procedures ------------------------------------------------------------------------------------
def _procedure_page(
    request: Request,
    session: Session,
    user: Any,
    record: Any,
    values: dict[str, Any],
    version: int,
    errors: dict[str, str],
    day: date,
    status_code: int = 200,
    answer: str = "",
) -> Response:
    """The editor of one procedure: `values` in the form, and the record's state on the service day."""
    view = content_service.procedure_view(record, day)
    return render(
        request,
        "procedure_form.html",
        {
            "page_title": f"Sửa thủ tục: {values.get('name') or record.id}",
            "procedure_id": record.id,
            "v": values,
            "version": version,
            "errors": errors,
            "labels": forms.FIELD_LABELS,
            "field_names": FIELD_NAMES,
            "fact_names": FACT_NAMES,
            "services": counters.service_choices(session),
            "answer": answer,
            "view": view,
            "verified_on": date_vn(view.get("verified_on")),
            "updated_at": local_time(record.updated_at),
            "review": view["review"],
            "changes": [{**c, "on_vn": date_vn(c["on"])} for c in view["changes"]],
            "dated": sorted(view["periods"]),
            "day": day.isoformat(),
        },
        user=user,
        status_code=status_code,
        active="content",
    )


@router.get("/content/procedures/{procedure_id}", name="staff_procedure")
def procedure_form(
    request: Request, session: DbDep, user: Editor, clock: ClockDep, procedure_id: str
) -> Response:
    record = session.get(ProcedureRecord, procedure_id)
    if record is None:
        return not_found(request, user, "Không tìm thấy thủ tục này.")
    day = clock.local_day()
    view = content_service.procedure_view(record, day)
    return _procedure_page(
        request, session, user, record, view, record.version, {}, day, answer=preview.procedure_answer(view)
    )


@router.post("/content/procedures/{procedure_id}")
async def procedure_save(
    request: Request, session: DbDep, user: Editor, clock: ClockDep, procedure_id: str
) -> Response:
    """Save the form: the values of dated facts edit the period in force today; others stay."""
    record = session.get(ProcedureRecord, procedure_id)
    if record is None:
        return not_found(request, user, "Không tìm thấy thủ tục này.")
    form = await request.form()
    day = clock.local_day()
    data = forms.procedure_data(form, procedure_id)
    expected = optional_int(form.get("version"))
    service_ids = {sid for sid, _ in counters.service_choices(session)}

    def show(errors: dict[str, str], status_code: int) -> Response:
        version = expected or record.version
        return _procedure_page(request, session, user, record, data, version, errors, day, status_code)

    return save_edit(
        request,
        session,
        user,
        forms.validate_procedure(forms.with_stored_facts(data, record.data, day), service_ids),
        expected,
        show,
        lambda p, v: f"Đã lưu thủ tục “{p.name}” (phiên bản {v}); áp dụng ngay.",
    )


@router.post("/content/procedures/{procedure_id}/schedule", name="staff_procedure_schedule")
async def procedure_schedule(
    request: Request, session: DbDep, user: Editor, clock: ClockDep, procedure_id: str
) -> Response:
    """Schedule a new value of one fact from a date (a fee reduction ending, a new law)."""
    record = session.get(ProcedureRecord, procedure_id)
    if record is None:
        return not_found(request, user, "Không tìm thấy thủ tục này.")
    form = await request.form()
    day = clock.local_day()
    expected = optional_int(form.get("version"))
    fact = str(form.get("fact") or "")
    change, errors = forms.scheduled_change(form, fact, day)
    procedure: Procedure | None = None
    if change is not None:
        try:
            procedure = schedule_change(Procedure.model_validate(record.data), fact, change)
        except ValidationError as err:
            errors = {f"change.{k}": v for k, v in forms.errors_by_field(err).items()}

    def show(errors: dict[str, str], status_code: int) -> Response:
        return _procedure_page(
            request, session, user, record, record.data, record.version, errors, day, status_code
        )

    if procedure is None:
        return show(errors, 422)
    when = date_vn(change.valid_from.isoformat() if change and change.valid_from else None)
    return save_edit(
        request,
        session,
        user,
        (procedure, {}),
        expected,
        show,
        lambda p, v: f"Đã lên lịch: {FACT_NAMES[fact]} của “{p.name}” thay đổi từ {when} (phiên bản {v}).",
        note=f"Lên lịch thay đổi {FACT_NAMES[fact]} từ {when}",
    )


@router.post("/content/procedures/{procedure_id}/verify", name="staff_procedure_verify")
async def procedure_verify(
    request: Request, session: DbDep, user: Editor, clock: ClockDep, procedure_id: str
) -> Response:
    """Mark the procedure checked again today against a source page."""
    record = session.get(ProcedureRecord, procedure_id)
    if record is None:
        return not_found(request, user, "Không tìm thấy thủ tục này.")
    form = await request.form()
    day = clock.local_day()
    source_url = str(form.get("verify.source_url") or "").strip()
    procedure, errors = forms.validate_procedure(
        mark_verified(Procedure.model_validate(record.data), day, source_url).model_dump(mode="json"),
        {sid for sid, _ in counters.service_choices(session)},
    )
    errors = {"verify.source_url": errors["source_url"]} if "source_url" in errors else errors

    def show(errors: dict[str, str], status_code: int) -> Response:
        return _procedure_page(
            request, session, user, record, record.data, record.version, errors, day, status_code
        )

    if not source_url:
        return show({"verify.source_url": "Hãy ghi trang nguồn đã đối chiếu."}, 422)
    return save_edit(
        request,
        session,
        user,
        (procedure, errors),
        optional_int(form.get("version")),
        show,
        lambda p, v: f"Đã ghi nhận đối chiếu “{p.name}” ngày {day:%d/%m/%Y} (phiên bản {v}).",
        note=f"Đối chiếu lại với nguồn {source_url}",
    )
