"""HTML forms of the content editor ↔ the content models, with errors in Vietnamese beside each field.

Validation is the content models' own (`content.model.Procedure`, `FaqEntry`), so the editor
accepts exactly what `letan content check` accepts; the FAQ answer's placeholders are checked
against the site's fields as the checker does.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from content.model import (
    DATED_FACTS,
    Fact,
    FaqEntry,
    Fee,
    ListPeriod,
    Procedure,
    ProcessingTime,
    field_location,
    placeholders,
    site_placeholders,
)

PROCEDURE_LISTS = ("aliases", "documents", "legal_basis", "notes")
FAQ_LISTS = ("variants",)

FIELD_LABELS = {
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "aliases": "Cách gọi khác",
    "summary": "Tóm tắt",
    "documents": "Giấy tờ cần nộp",
    "fee.text": "Lệ phí (diễn giải)",
    "fee.amount_vnd": "Lệ phí (đồng)",
    "processing_time.text": "Thời hạn giải quyết (diễn giải)",
    "processing_time.working_days": "Số ngày làm việc",
    "fee.unconfirmed": "Lệ phí chưa xác nhận vì",
    "processing_time.unconfirmed": "Thời hạn chưa xác nhận vì",
    "where.text": "Nơi nộp",
    "where.service_id": "Dịch vụ xếp hàng",
    "online.available": "Có nộp trực tuyến",
    "online.level": "Mức trực tuyến",
    "online.url": "Địa chỉ nộp trực tuyến",
    "online.text": "Hướng dẫn trực tuyến",
    "legal_basis": "Căn cứ pháp lý",
    "source_url": "Nguồn",
    "verified_on": "Ngày đối chiếu",
    "notes": "Ghi chú nội bộ",
    "question": "Câu hỏi",
    "variants": "Các cách hỏi",
    "answer": "Câu trả lời",
    "answer_details": "Chi tiết thêm",
    "answer_if_missing": "Câu trả lời khi điểm phục vụ không có tiện ích này",
}


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


def _list(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def procedure_data(form: FormData, procedure_id: str) -> dict[str, Any]:
    """The submitted procedure as plain data (strings kept as typed; the model parses numbers and dates)."""
    return {
        "id": procedure_id,
        "name": _text(form, "name"),
        "field": _text(form, "field"),
        "aliases": _list(form, "aliases"),
        "summary": _text(form, "summary"),
        "documents": _list(form, "documents"),
        "fee": {
            "text": _text(form, "fee.text"),
            "amount_vnd": _optional(form, "fee.amount_vnd"),
            "unconfirmed": _optional(form, "fee.unconfirmed"),
        },
        "processing_time": {
            "text": _text(form, "processing_time.text"),
            "working_days": _optional(form, "processing_time.working_days"),
            "unconfirmed": _optional(form, "processing_time.unconfirmed"),
        },
        "where": {"text": _text(form, "where.text"), "service_id": _optional(form, "where.service_id")},
        "online": {
            "available": form.get("online.available") == "on",
            "level": _text(form, "online.level"),
            "url": _optional(form, "online.url"),
            "text": _text(form, "online.text"),
        },
        "legal_basis": _list(form, "legal_basis"),
        "source_url": _text(form, "source_url"),
        "verified_on": _optional(form, "verified_on"),
        "notes": _list(form, "notes"),
    }


def with_stored_facts(data: dict[str, Any], stored: dict[str, Any], day: date) -> dict[str, Any]:
    """The submitted procedure merged with what the form does not show of the stored record.

    The form shows the dated facts as they apply on `day`: its values edit the period in force
    and the other periods stay; a fact's own source and date of verification stay too.
    """
    from backend.services.content import procedure_from_view

    periods = {
        fact: stored[fact]
        for fact in DATED_FACTS
        if isinstance(stored.get(fact), list) and stored[fact] and isinstance(stored[fact][0], dict)
    }
    merged = dict(data)
    for fact in ("fee", "processing_time"):
        if fact not in periods and isinstance(stored.get(fact), dict):
            merged[fact] = {**stored[fact], **data[fact]}
    body, _version = procedure_from_view({**merged, "periods": periods}, day)
    return body


def scheduled_change(form: FormData, fact: str, day: date) -> tuple[Fact | None, dict[str, str]]:
    """The change of the "Lên lịch thay đổi" form, or the errors beside its fields."""
    if fact not in DATED_FACTS:
        return None, {"change.fact": "Hãy chọn thông tin sẽ thay đổi."}
    start = _optional(form, "change.valid_from")
    try:
        valid_from = date.fromisoformat(start) if start else None
    except ValueError:
        valid_from = None
    if valid_from is None or valid_from <= day:
        return None, {"change.valid_from": "Hãy chọn một ngày sau hôm nay."}
    common: dict[str, Any] = {
        "valid_from": valid_from,
        "source_url": _optional(form, "change.source_url"),
        "verified_on": _optional(form, "change.verified_on"),
        "unconfirmed": _optional(form, "change.unconfirmed"),
    }
    model: type[Fact]
    values: dict[str, Any]
    if fact in ("documents", "legal_basis"):
        model, values = (
            ListPeriod,
            {"items": [line.strip() for line in _text(form, "change.items").splitlines() if line.strip()]},
        )
    elif fact == "fee":
        model, values = (
            Fee,
            {"text": _text(form, "change.text"), "amount_vnd": _optional(form, "change.amount")},
        )
    else:
        model, values = (
            ProcessingTime,
            {"text": _text(form, "change.text"), "working_days": _optional(form, "change.amount")},
        )
    candidate = {**common, **values}
    if errors := html_errors(candidate, "change."):
        return None, errors
    try:
        return model.model_validate(candidate), {}
    except ValidationError as err:
        return None, {f"change.{k}": v for k, v in errors_by_field(err).items()}


def faq_data(form: FormData, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "question": _text(form, "question"),
        "variants": _list(form, "variants"),
        "answer": _text(form, "answer"),
        "answer_details": _optional(form, "answer_details"),
        "answer_if_missing": _optional(form, "answer_if_missing"),
        "source_url": _optional(form, "source_url"),
        "verified_on": _optional(form, "verified_on"),
    }


def _message(item: Any) -> str:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return "Bắt buộc phải nhập."
    if kind == "string_too_short":
        return (
            "Bắt buộc phải nhập."
            if ctx.get("min_length") == 1
            else f"Cần ít nhất {ctx.get('min_length')} ký tự."
        )
    if kind == "string_too_long":
        return f"Tối đa {ctx.get('max_length')} ký tự."
    if kind == "too_short":
        return f"Cần ít nhất {ctx.get('min_length')} dòng."
    if kind == "too_long":
        return f"Tối đa {ctx.get('max_length')} dòng."
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "https" in pattern:
            return "Phải là địa chỉ bắt đầu bằng https://"
        return "Chỉ dùng chữ thường không dấu, số và dấu gạch dưới."
    if kind in ("int_parsing", "int_from_float"):
        return "Phải là số nguyên (đồng), không có dấu chấm hay chữ."
    if kind == "float_parsing":
        return "Phải là một số."
    if kind in ("greater_than_equal", "greater_than"):
        return "Không được là số âm."
    if kind.startswith("date"):
        return "Ngày không hợp lệ."
    if kind == "literal_error":
        return "Hãy chọn một giá trị trong danh sách."
    if kind == "bool_parsing":
        return "Giá trị không hợp lệ."
    return "Giá trị không hợp lệ."


def errors_by_field(err: ValidationError) -> dict[str, str]:
    """`{"fee.amount_vnd": "Phải là số nguyên…"}`: list items report on their list's field."""
    errors: dict[str, str] = {}
    for item in err.errors():
        parts = [str(p) for p in field_location(tuple(item["loc"])) if not isinstance(p, int)]
        name = ".".join(parts) or "_form"
        errors.setdefault(name, _message(item))
    return errors


def html_errors(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Fields holding HTML tags, refused as the API refuses them (backend's `textcheck`)."""
    from backend.textcheck import HTML_MESSAGE, has_html

    errors: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        texts = value if isinstance(value, list) else [value]
        if isinstance(value, dict):
            errors.update(html_errors(value, f"{name}."))
        elif any(isinstance(t, str) and has_html(t) for t in texts):
            errors[name] = HTML_MESSAGE[:1].upper() + HTML_MESSAGE[1:] + "."
    return errors


def validate_procedure(
    data: dict[str, Any], service_ids: set[str]
) -> tuple[Procedure | None, dict[str, str]]:
    if errors := html_errors(data):
        return None, errors
    try:
        procedure = Procedure.model_validate(data)
    except ValidationError as err:
        return None, errors_by_field(err)
    if procedure.where.service_id is not None and procedure.where.service_id not in service_ids:
        return None, {"where.service_id": "Dịch vụ xếp hàng không tồn tại."}
    return procedure, {}


def validate_faq(data: dict[str, Any]) -> tuple[FaqEntry | None, dict[str, str]]:
    if errors := html_errors(data):
        return None, errors
    try:
        entry = FaqEntry.model_validate(data)
    except ValidationError as err:
        return None, errors_by_field(err)
    allowed = set(site_placeholders())
    for name in ("answer", "answer_details", "answer_if_missing"):
        unknown = [p for p in placeholders(getattr(entry, name) or "") if p not in allowed]
        if unknown:
            return None, {
                name: "Chỗ điền không có trong thông tin điểm phục vụ: "
                + ", ".join("{" + p + "}" for p in unknown)
                + ". Dùng được: "
                + ", ".join("{" + p + "}" for p in sorted(allowed))
            }
    return entry, {}
