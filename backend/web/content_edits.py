"""What the content editor's pages share: saving an edit (checked, versioned, with the other
editor's change on a conflict), diffs, dates, the not-found page."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backend.errors import ApiError
from backend.models import FaqRecord, ProcedureRecord
from backend.services import editing
from backend.web.common import (
    actor_for,
    app_clock,
    redirect,
    render,
)
from content.model import Procedure

KIND_LABELS = {"procedure": "Thủ tục", "faq": "Câu hỏi thường gặp"}


def dump_record(data: Any) -> str:
    from content.files import dump_yaml

    return dump_yaml(data) if data is not None else ""


def diff_lines(before: Any, after: Any) -> list[tuple[str, str]]:
    """(kind, line) pairs of a unified diff of two records in YAML: kind is add, del or ctx."""
    lines = []
    for line in difflib.unified_diff(
        dump_record(before).splitlines(), dump_record(after).splitlines(), "trước", "sau", n=1, lineterm=""
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
        lines.append((kind, line))
    return lines


def local_time(at: datetime | None) -> str:
    if at is None:
        return ""

    return at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")


def date_vn(value: str | None) -> str:
    """An ISO date as staff read it (31/12/2026), or an empty string."""
    return "" if not value else date.fromisoformat(str(value)).strftime("%d/%m/%Y")


def save_edit(
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
        return show({"_form": err.detail, **their_change(session, item, expected)}, 409)
    url = edit_url("procedure", item.id) if isinstance(item, Procedure) else edit_url("faq", item.key)
    return redirect(request, url, flash=saved_message(item, saved.version))


def their_change(session: Session, item: Any, expected: int | None) -> dict[str, Any]:
    """On a conflict, what the other editor changed since the version this editor started from."""
    kind, item_id = ("procedure", item.id) if isinstance(item, Procedure) else ("faq", item.key)
    record, current = record_data(session, kind, item_id)
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


def record_data(session: Session, kind: str, item_id: str) -> tuple[Any, dict[str, Any] | None]:
    record: Any = (
        session.get(ProcedureRecord, item_id) if kind == "procedure" else session.get(FaqRecord, item_id)
    )
    return record, (dict(record.data) if record is not None else None)


def edit_url(kind: str, item_id: str) -> str:
    return f"/staff/content/{'procedures' if kind == 'procedure' else 'faq'}/{item_id}"


def optional_int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def not_found(request: Request, user: Any, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"page_title": "Không tìm thấy", "heading": "Không tìm thấy", "message": message},
        user=user,
        status_code=404,
    )
