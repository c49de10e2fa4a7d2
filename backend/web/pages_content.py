"""Content editor: search, edit with validation, preview, history with diff and revert, audit, export."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from backend.deps import ClockDep
from backend.errors import ApiError
from backend.models import AuditEntry, FaqRecord, ProcedureRecord
from backend.schemas import RowId
from backend.services import content as content_service
from backend.services import counters, editing
from backend.services import needs as needs_service
from backend.web import forms, preview
from backend.web.announcements import AnnouncementError, synthesize
from backend.web.common import (
    DbDep,
    Editor,
    actor_for,
    app_clock,
    redirect,
    refresh_site_name,
    render,
    row_ids,
    staff_router,
)
from content.in_force import FACT_NAMES, changes_after, mark_verified, review_state, schedule_change
from content.model import FIELD_NAMES, FaqEntry, Procedure

logger = logging.getLogger(__name__)
router = staff_router()

KIND_LABELS = {"procedure": "Thủ tục", "faq": "Câu hỏi thường gặp"}
ACTION_LABELS = {
    "content.load": "Nạp từ tệp",
    "procedure.create": "Tạo thủ tục",
    "procedure.update": "Sửa thủ tục",
    "faq.create": "Tạo câu hỏi",
    "faq.update": "Sửa câu hỏi",
    "staff.login": "Đăng nhập",
    "staff.login_failed": "Đăng nhập sai",
    "staff.logout": "Đăng xuất",
    "staff.unlock": "Mở khoá tài khoản",
    "ticket.call": "Gọi số",
    "ticket.recall": "Gọi lại",
    "ticket.no_show": "Vắng mặt",
    "ticket.done": "Xong",
    "ticket.transfer": "Chuyển quầy",
    "device.add": "Thêm thiết bị",
    "device.revoke": "Thu hồi thiết bị",
    "handoff.close": "Tiếp nhận yêu cầu gặp cán bộ",
    "unanswered.handled": "Xử lý câu hỏi chưa trả lời",
}
ENTITY_LABELS = {
    **{"procedure": "Thủ tục", "faq": "Câu hỏi thường gặp"},
    "staff_user": "Tài khoản",
    "ticket": "Phiếu",
    "device": "Thiết bị",
    "handoff": "Yêu cầu",
    "unanswered": "Câu hỏi",
}


def _dump(data: Any) -> str:
    from content.files import dump_yaml

    return dump_yaml(data) if data is not None else ""


def diff_lines(before: Any, after: Any) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff of two records in YAML: kind is add, del or ctx."""
    lines = []
    for line in difflib.unified_diff(
        _dump(before).splitlines(), _dump(after).splitlines(), "trước", "sau", n=1, lineterm=""
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        lines.append((kind, line))
    return lines


def _fmt(at: datetime | None) -> str:
    if at is None:
        return ""
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")


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
                    "verified_on": _date_vn(
                        procedure.verified_on.isoformat() if procedure.verified_on else None
                    ),
                    "due_on": _date_vn(state.due_on.isoformat() if state.due_on else None),
                    "reminders": [(_date_vn(on.isoformat()), note) for on, note in state.reminders],
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
    return reviews, [{**c, "on": _date_vn(c["on"].isoformat())} for c in changes]


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
            "fmt": _fmt,
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
            "verified_on": _date_vn(view.get("verified_on")),
            "updated_at": _fmt(record.updated_at),
            "review": view["review"],
            "changes": [{**c, "on_vn": _date_vn(c["on"])} for c in view["changes"]],
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
        return _not_found(request, user, "Không tìm thấy thủ tục này.")
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
        return _not_found(request, user, "Không tìm thấy thủ tục này.")
    form = await request.form()
    day = clock.local_day()
    data = forms.procedure_data(form, procedure_id)
    expected = _int(form.get("version"))
    service_ids = {sid for sid, _ in counters.service_choices(session)}

    def show(errors: dict[str, str], status_code: int) -> Response:
        version = expected or record.version
        return _procedure_page(request, session, user, record, data, version, errors, day, status_code)

    return _save_edit(
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
        return _not_found(request, user, "Không tìm thấy thủ tục này.")
    form = await request.form()
    day = clock.local_day()
    expected = _int(form.get("version"))
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
    when = _date_vn(change.valid_from.isoformat() if change and change.valid_from else None)
    return _save_edit(
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
        return _not_found(request, user, "Không tìm thấy thủ tục này.")
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
    return _save_edit(
        request,
        session,
        user,
        (procedure, errors),
        _int(form.get("version")),
        show,
        lambda p, v: f"Đã ghi nhận đối chiếu “{p.name}” ngày {day:%d/%m/%Y} (phiên bản {v}).",
        note=f"Đối chiếu lại với nguồn {source_url}",
    )


def _date_vn(value: str | None) -> str:
    """An ISO date as staff read it (31/12/2026), or an empty string."""
    return "" if not value else date.fromisoformat(str(value)).strftime("%d/%m/%Y")


def _save_edit(
    request: Request,
    session: Session,
    user: Any,
    validated: tuple[Any, dict[str, str]],
    expected: int | None,
    show: Callable[[dict[str, str], int], Response],
    saved_message: Callable[[Any, int], str],
    note: str = "",
) -> Response:
    """Save an edited procedure or FAQ entry: checked like `letan content check`, then versioned.

    `show(errors, status)` renders the form again (422 when invalid, 409 when the backend refuses).
    """
    item, errors = validated
    if item is not None:
        errors = editing.check_edited(session, item)
    if item is None or errors:
        return show(errors, 422)
    try:
        saved = editing.save(
            session, item, actor=actor_for(user.username), now=app_clock(request).now(),
            expected_version=expected, note=note,
        )  # fmt: skip
        session.commit()
    except ApiError as err:
        session.rollback()
        return show({"_form": err.detail, **_their_change(session, item, expected)}, 409)
    url = _edit_url("procedure", item.id) if isinstance(item, Procedure) else _edit_url("faq", item.key)
    return redirect(request, url, flash=saved_message(item, saved.version))


def _their_change(session: Session, item: Any, expected: int | None) -> dict[str, Any]:
    """On a conflict, what the other editor changed since the version this editor started from."""
    kind, item_id = ("procedure", item.id) if isinstance(item, Procedure) else ("faq", item.key)
    record, current = _record_data(session, kind, item_id)
    if record is None or expected is None:
        return {}
    later = next(
        (
            e
            for e in editing.history(session, kind, item_id)
            if (e.details or {}).get("version") == expected + 1
        ),
        None,
    )
    base = (later.details or {}).get("before") if later is not None else None
    if base is None:
        return {}
    return {"_conflict_diff": diff_lines(base, current)}


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
        return _not_found(request, user, "Không tìm thấy câu hỏi này.")
    answer = preview.faq_answer(FaqEntry.model_validate(record.data), content_service.get_site(session))
    return _faq_page(request, user, key, record.data, record.version, {}, answer=answer)


@router.post("/content/faq/{key}")
async def faq_save(request: Request, session: DbDep, user: Editor, key: str) -> Response:
    record = session.get(FaqRecord, key)
    if record is None:
        return _not_found(request, user, "Không tìm thấy câu hỏi này.")
    form = await request.form()
    data = forms.faq_data(form, key)
    expected = _int(form.get("version"))

    def show(errors: dict[str, str], status_code: int) -> Response:
        return _faq_page(request, user, key, data, expected or record.version, errors, status_code)

    return _save_edit(
        request,
        session,
        user,
        forms.validate_faq(data),
        expected,
        show,
        lambda e, v: f"Đã lưu câu hỏi “{e.question}” (phiên bản {v}).",
    )


# -- preview audio, history, revert ----------------------------------------------------------------
@router.get("/content/{kind}/{item_id}/preview.wav", name="staff_preview_audio")
def preview_audio(
    request: Request, session: DbDep, user: Editor, clock: ClockDep, kind: str, item_id: str
) -> Response:
    if kind == "procedure" and (record := session.get(ProcedureRecord, item_id)) is not None:
        text = preview.procedure_spoken(content_service.procedure_view(record, clock.local_day()))
    elif kind == "faq" and (faq := session.get(FaqRecord, item_id)) is not None:
        text = preview.faq_spoken(FaqEntry.model_validate(faq.data), content_service.get_site(session))
    else:
        return _not_found(request, user, "Không tìm thấy nội dung này.")
    try:
        path = synthesize(text, request.app.state.settings.data_dir)
    except AnnouncementError as err:
        return Response(str(err), status_code=503, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type="audio/wav")


def _record_data(session: Session, kind: str, item_id: str) -> tuple[Any, dict[str, Any] | None]:
    record: Any = (
        session.get(ProcedureRecord, item_id) if kind == "procedure" else session.get(FaqRecord, item_id)
    )
    return record, (dict(record.data) if record is not None else None)


@router.get("/content/{kind}/{item_id}/history", name="staff_history")
def history_page(request: Request, session: DbDep, user: Editor, kind: str, item_id: str) -> Response:
    record, current = _record_data(session, kind, item_id) if kind in KIND_LABELS else (None, None)
    if record is None:
        return _not_found(request, user, "Không tìm thấy nội dung này.")
    entries = []
    for entry in editing.history(session, kind, item_id):
        details = entry.details or {}
        after = details.get("after")
        before = details.get("before")
        entries.append(
            {
                "id": entry.id,
                "at": _fmt(entry.at),
                "actor": entry.actor,
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "version": details.get("version"),
                "note": details.get("note", ""),
                "diff": diff_lines(before, after) if before is not None and after is not None else [],
                "can_revert": before is not None and before != current,
            }
        )
    return render(
        request,
        "history.html",
        {
            "page_title": f"Lịch sử: {record.data.get('name') or record.data.get('question') or item_id}",
            "kind": kind,
            "kind_label": KIND_LABELS[kind],
            "item_id": item_id,
            "version": record.version,
            "entries": entries,
            "edit_url": _edit_url(kind, item_id),
        },
        user=user,
        active="content",
    )


@router.post("/content/{kind}/{item_id}/revert/{entry_id}", name="staff_revert")
async def revert(
    request: Request, session: DbDep, user: Editor, kind: str, item_id: str, entry_id: RowId
) -> Response:
    """Bring back the record as it was before the change `entry_id` (saved as a new version)."""
    entry = session.get(AuditEntry, entry_id)
    record, _current = _record_data(session, kind, item_id) if kind in KIND_LABELS else (None, None)
    before = (entry.details or {}).get("before") if entry is not None else None
    if (
        record is None
        or entry is None
        or entry.entity_type != kind
        or entry.entity_id != item_id
        or before is None
    ):
        return _not_found(request, user, "Không tìm thấy phiên bản này.")
    note = f"Khôi phục bản trước thay đổi #{entry_id}"
    try:
        model = Procedure if kind == "procedure" else FaqEntry
        editing.save(
            session, model.model_validate(before), actor=actor_for(user.username),
            now=app_clock(request).now(), expected_version=record.version, note=note,
        )  # fmt: skip
        session.commit()
    except ApiError as err:
        session.rollback()
        return redirect(request, f"/staff/content/{kind}/{item_id}/history", flash=err.detail)
    return redirect(
        request,
        f"/staff/content/{kind}/{item_id}/history",
        flash=f"Đã khôi phục bản trước thay đổi #{entry_id}; đây là một phiên bản mới.",
    )


@router.get("/content/audit", name="staff_audit")
def audit_page(request: Request, session: DbDep, user: Editor) -> Response:
    rows = [
        {
            "at": _fmt(e.at),
            "actor": e.actor,
            "action": ACTION_LABELS.get(e.action, e.action),
            "what": f"{ENTITY_LABELS.get(e.entity_type, e.entity_type)} "
            + str((e.details or {}).get("number") or e.entity_id),
            "version": (e.details or {}).get("version", ""),
            "link": f"/staff/content/{e.entity_type}/{e.entity_id}/history"
            if e.entity_type in KIND_LABELS
            else "",
        }
        for e in editing.audit_trail(session)
    ]
    return render(
        request, "audit.html", {"page_title": "Nhật ký thay đổi", "rows": rows}, user=user, active="content"
    )


@router.get("/content/export.zip", name="staff_export")
def export_zip(request: Request, session: DbDep, user: Editor) -> Response:
    try:
        payload = editing.export_zip(session)
    except ApiError as err:
        return redirect(request, "/staff/content", flash=err.detail)
    stamp = app_clock(request).now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y%m%d-%H%M")
    return Response(
        payload,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="letan-noi-dung-{stamp}.zip"'},
    )


def _edit_url(kind: str, item_id: str) -> str:
    return f"/staff/content/{'procedures' if kind == 'procedure' else 'faq'}/{item_id}"


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _not_found(request: Request, user: Any, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"page_title": "Không tìm thấy", "heading": "Không tìm thấy", "message": message},
        user=user,
        status_code=404,
    )


# -- publish ---------------------------------------------------------------------------------------
def _publish_context(session: Session) -> dict[str, Any]:
    """The latest publish job, and whether the content has words the assistant has not learned."""
    from backend.services import publishing
    from content.model import learned_fingerprint
    from contract.settings import shared_settings

    done = publishing.last_done(session)
    try:
        current = learned_fingerprint(content_service.export_content(session))
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
