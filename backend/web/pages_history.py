"""Content editor: audio preview, the history of a record with diffs and revert, the audit log, the export."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import FileResponse, Response

from backend.deps import ClockDep
from backend.errors import ApiError
from backend.models import AuditEntry, FaqRecord, ProcedureRecord
from backend.schemas import RowId
from backend.services import content as content_service
from backend.services import editing
from backend.web import preview
from backend.web.announcements import AnnouncementError, synthesize
from backend.web.common import (
    DbDep,
    Editor,
    actor_for,
    app_clock,
    redirect,
    render,
    staff_router,
)
from backend.web.content_edits import KIND_LABELS, diff_lines, edit_url, local_time, not_found, record_data
from content.model import FaqEntry, Procedure

logger = logging.getLogger(__name__)
router = staff_router()

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
        return not_found(request, user, "Không tìm thấy nội dung này.")
    try:
        path = synthesize(text, request.app.state.settings.data_dir)
    except AnnouncementError as err:
        return Response(str(err), status_code=503, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type="audio/wav")


@router.get("/content/{kind}/{item_id}/history", name="staff_history")
def history_page(request: Request, session: DbDep, user: Editor, kind: str, item_id: str) -> Response:
    record, current = record_data(session, kind, item_id) if kind in KIND_LABELS else (None, None)
    if record is None:
        return not_found(request, user, "Không tìm thấy nội dung này.")
    entries = []
    for entry in editing.history(session, kind, item_id):
        details = entry.details or {}
        after = details.get("after")
        before = details.get("before")
        entries.append(
            {
                "id": entry.id,
                "at": local_time(entry.at),
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
            "edit_url": edit_url(kind, item_id),
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
    record, _current = record_data(session, kind, item_id) if kind in KIND_LABELS else (None, None)
    before = (entry.details or {}).get("before") if entry is not None else None
    if (
        record is None
        or entry is None
        or entry.entity_type != kind
        or entry.entity_id != item_id
        or before is None
    ):
        return not_found(request, user, "Không tìm thấy phiên bản này.")
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
            "at": local_time(e.at),
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
