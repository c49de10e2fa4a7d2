"""Content in the database: staff edits of procedures and FAQ (with their versions), the reads of
the API and the staff pages. Loading from the files and exporting back is
`backend.services.content_files`."""

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import ConflictError, InvalidError, NotFoundError
from backend.models import FaqRecord, ProcedureRecord
from backend.services import audit
from backend.services.sites import all_site_values
from backend.services.sites import get_site as get_site  # read by the staff pages
from content.in_force import in_force, period_errors
from content.model import DATED_FACTS, SERVICE_TIMEZONE, FaqEntry, Procedure, Site
from vntext.normalize import fold

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo(SERVICE_TIMEZONE)


def search_text(procedure: Procedure) -> str:
    return fold(" ".join([procedure.name, *procedure.aliases, procedure.id.replace("_", " ")]))


def new_procedure_record(
    procedure: Procedure, data: dict[str, Any], actor: str, now: datetime, *, loaded: bool
) -> ProcedureRecord:
    """A new procedure's record at version 1 (`loaded`: from the files, by `letan content load`)."""
    record = ProcedureRecord(
        id=procedure.id,
        data=data,
        version=1,
        loaded_version=1 if loaded else None,
        updated_at=now,
        updated_by=actor,
    )
    apply_procedure(record, procedure)
    return record


def apply_procedure(record: ProcedureRecord, procedure: Procedure) -> None:
    """The columns a procedure's record keeps beside its data: name, field and the search text."""
    record.name = procedure.name
    record.field = procedure.field
    record.search_text = search_text(procedure)


def _check_version(
    kind: str, record: ProcedureRecord | FaqRecord, record_id: str, expected: int | None
) -> None:
    """Refuse an edit made from another version than the stored one (409 naming who changed it)."""
    if expected is None or expected == record.version:
        return
    when = record.updated_at.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")
    raise ConflictError(
        "version_conflict",
        f"{kind} '{record_id}' đã được {record.updated_by} sửa lúc {when} (phiên bản {record.version}); "
        f"bạn đang sửa từ phiên bản {expected}. Hãy tải lại để xem thay đổi đó rồi sửa lại.",
    )


# Keys of GET /procedures/{id} that are derived from the record and never stored.
DERIVED_PROCEDURE_KEYS = (
    "version",
    "updated_at",
    "service_day",
    "changes",
    "next_change",
    "review",
    "verification",
)


def procedure_view(record: ProcedureRecord, day: date) -> dict[str, Any]:
    """GET /procedures/{id}: the procedure in force on `day`, plus what is needed to edit it.

    Dated facts are served as their value in force; `periods` holds their stored periods so that
    a client can send the answer back to PUT unchanged (see `procedure_from_view`).
    """
    procedure = Procedure.model_validate(record.data)
    view = in_force(procedure, day)
    view["periods"] = {fact: record.data[fact] for fact in DATED_FACTS if procedure.is_dated(fact)}
    view["version"] = record.version
    view["updated_at"] = record.updated_at
    return view


def procedure_from_view(body: dict[str, Any], day: date) -> tuple[dict[str, Any], int | None]:
    """What a PUT body stores, and the version it was edited from: the inverse of `procedure_view`.

    Derived keys are dropped. A fact named in `periods` keeps those periods, and its value at the
    top level (what GET served as in force on `day`), when given, replaces the period in force on
    `day`: so the answer of GET sent back unchanged stores the same record, an edit of the value
    in force edits that period only, and a client setting new periods leaves the top-level value
    out. The `verification` a served fact carries is recomputed on read.
    """
    data = {k: v for k, v in body.items() if k not in DERIVED_PROCEDURE_KEYS and k != "periods"}
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise InvalidError("version_invalid", "'version' phải là số phiên bản.")
    periods = body.get("periods") or {}
    if not isinstance(periods, dict) or any(
        fact not in DATED_FACTS or not isinstance(value, list) for fact, value in periods.items()
    ):
        raise InvalidError(
            "periods_invalid",
            "'periods' phải là một bảng: tên thông tin (documents, fee, processing_time, legal_basis) "
            "→ danh sách giai đoạn.",
        )
    for fact in DATED_FACTS:
        value = data.get(fact)
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if k != "verification"}
        if fact not in periods:
            if value is not None:
                data[fact] = value
            continue
        stored = list(periods[fact])
        index = _period_index(stored, day)
        if index is not None and value is not None:
            current = stored[index] if isinstance(stored[index], dict) else {}
            dates = {k: current[k] for k in ("valid_from", "valid_until") if k in current}
            stored[index] = (
                {**current, "items": value, **dates}
                if isinstance(value, list)
                else {**current, **value, **dates}
            )
        data[fact] = stored
    return data, version


def _period_index(periods: list[Any], day: date) -> int | None:
    """The index of the stored period (raw JSON) covering `day`, if the dates can be read."""
    for index, period in enumerate(periods):
        if not isinstance(period, dict):
            return None
        try:
            start = period.get("valid_from")
            end = period.get("valid_until")
            if (start is None or date.fromisoformat(str(start)) <= day) and (
                end is None or day <= date.fromisoformat(str(end))
            ):
                return index
        except ValueError:
            return None
    return None


def save_procedure(
    session: Session, procedure: Procedure, *, actor: str, now: datetime, expected_version: int | None = None
) -> tuple[ProcedureRecord, bool]:
    """Replace (or create) one procedure as a staff edit; returns (record, created).

    Dated facts must follow each other without gap or overlap (422 otherwise).
    """
    if errors := period_errors(procedure):
        raise InvalidError("periods_invalid", "; ".join(message for _, _, message in errors) + ".")
    begin_write(session)
    data = procedure.model_dump(mode="json")
    record = session.get(ProcedureRecord, procedure.id)
    created = record is None
    if record is None:
        record = new_procedure_record(procedure, data, actor, now, loaded=False)
        session.add(record)
    else:
        _check_version("Thủ tục", record, procedure.id, expected_version)
        before = record.data
        apply_procedure(record, procedure)
        record.data = data
        record.version += 1
        record.updated_at = now
        record.updated_by = actor
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="procedure.create" if created else "procedure.update",
        entity_type="procedure",
        entity_id=procedure.id,
        details={"version": record.version, "before": None if created else before, "after": data},
    )
    return record, created


def save_faq(
    session: Session, entry: FaqEntry, *, actor: str, now: datetime, expected_version: int | None = None
) -> tuple[FaqRecord, bool]:
    begin_write(session)
    for site in all_site_values(session):  # the answer is said at every site of the city
        check_answer(entry, site)
    data = entry.model_dump(mode="json")
    record = session.get(FaqRecord, entry.key)
    created = record is None
    if record is None:
        record = FaqRecord(
            key=entry.key,
            question=entry.question,
            data=data,
            version=1,
            loaded_version=None,
            updated_at=now,
            updated_by=actor,
        )
        session.add(record)
    else:
        _check_version("Câu hỏi", record, entry.key, expected_version)
        before = record.data
        record.question = entry.question
        record.data = data
        record.version += 1
        record.updated_at = now
        record.updated_by = actor
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="faq.create" if created else "faq.update",
        entity_type="faq",
        entity_id=entry.key,
        details={"version": record.version, "before": None if created else before, "after": data},
    )
    return record, created


def search_procedures(session: Session, q: str | None, field_id: str | None) -> list[ProcedureRecord]:
    statement = select(ProcedureRecord).order_by(ProcedureRecord.name)
    if field_id:
        statement = statement.where(ProcedureRecord.field == field_id)
    for token in fold(q or "").split():
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(ProcedureRecord.search_text.like(f"%{escaped}%", escape="\\"))
    return list(session.scalars(statement))


def faq_answer(entry: FaqEntry, site: Site | None) -> tuple[str, str | None]:
    """(answer, details) of an FAQ entry as said at the site, placeholders filled.

    An amenity the site lacks gets the entry's `answer_if_missing`. A placeholder with no value
    and no such answer is left as written (and logged) rather than failing the read; PUT /faq
    refuses such answers up front.
    """
    if site is None:
        return entry.answer, entry.answer_details
    from content.errors import ContentError
    from content.model import site_answer

    try:
        return site_answer(entry, site)
    except ContentError:
        logger.warning("the FAQ answer %s has a placeholder without a value", entry.key)
        return entry.answer, entry.answer_details


def check_answer(entry: FaqEntry, site: Site | None) -> None:
    """Refuse an FAQ answer whose placeholders the site cannot fill (and that has no fallback)."""
    from content.errors import ContentError
    from content.model import render_answer as content_render
    from content.model import site_answer

    if site is None:
        return
    try:
        site_answer(entry, site)
        if entry.answer_if_missing:
            content_render(entry.answer_if_missing, site)
    except ContentError as err:
        raise InvalidError(
            "faq_placeholder_unknown",
            "Câu trả lời có chỗ trống {...} không có giá trị trong thông tin điểm phục vụ.",
        ) from err


def get_procedure(session: Session, procedure_id: str) -> ProcedureRecord:
    record = session.get(ProcedureRecord, procedure_id)
    if record is None:
        raise NotFoundError("procedure_not_found", f"Không tìm thấy thủ tục '{procedure_id}'.")
    return record


def get_faq(session: Session, key: str) -> FaqRecord:
    record = session.get(FaqRecord, key)
    if record is None:
        raise NotFoundError("faq_not_found", f"Không tìm thấy câu hỏi '{key}'.")
    return record
