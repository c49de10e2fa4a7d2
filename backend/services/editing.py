"""What the staff content editor needs around the content service: search, the history of a
record, saving with a note, the content check of one edited record, and the content as a zip."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import ApiError
from backend.models import AuditEntry, FaqRecord, ProcedureRecord
from backend.services import content as content_service
from backend.services.content_files import export_content
from content.model import FaqEntry, Procedure
from vntext.normalize import fold


def list_procedures(session: Session, q: str) -> list[ProcedureRecord]:
    records = content_service.search_procedures(session, q or None, None)
    return sorted(records, key=lambda r: fold(r.name))


def list_faq(session: Session, q: str) -> list[FaqRecord]:
    """FAQ entries whose key, question, variants or answer hold every word of `q` (diacritics ignored)."""
    records = list(session.scalars(select(FaqRecord).order_by(FaqRecord.key)))
    tokens = fold(q or "").split()
    if not tokens:
        return records

    def text(record: FaqRecord) -> str:
        data = record.data
        words = [record.key, data.get("question", ""), *data.get("variants", []), data.get("answer", "")]
        return fold(" ".join(words))

    return [r for r in records if all(t in text(r) for t in tokens)]


def save(
    session: Session,
    item: Procedure | FaqEntry,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None,
    note: str = "",
) -> ProcedureRecord | FaqRecord:
    """Save through the content service (validated, versioned, audited), the editor's note on the
    audit entry. The caller commits."""
    record: ProcedureRecord | FaqRecord
    if isinstance(item, Procedure):
        record, _ = content_service.save_procedure(
            session, item, actor=actor, now=now, expected_version=expected_version
        )
        entity_type, entity_id = "procedure", item.id
    else:
        record, _ = content_service.save_faq(
            session, item, actor=actor, now=now, expected_version=expected_version
        )
        entity_type, entity_id = "faq", item.key
    if note:
        for obj in session.new:
            if isinstance(obj, AuditEntry) and (obj.entity_type, obj.entity_id) == (entity_type, entity_id):
                obj.details = {**(obj.details or {}), "note": note}
    return record


def history(session: Session, entity_type: str, entity_id: str) -> list[AuditEntry]:
    """Audit entries of one record, newest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id.desc())
        .limit(200)
    )
    return list(session.scalars(statement))


def audit_trail(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def export_zip(session: Session) -> bytes:
    """The content now in the database as the YAML files of `content/`, zipped, for review."""
    import io
    import tempfile
    import zipfile

    from content.files import write_content_dir

    content_set = export_content(session)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_content_dir(content_set, root)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"content/{path.relative_to(root)}")
    return buffer.getvalue()


def check_edited(session: Session, item: Procedure | FaqEntry) -> dict[str, str]:
    """`letan content check` run on the database's content with `item` in place: problems of `item`
    by field (the field on the line of the record's file the problem names)."""
    import tempfile

    from content.check import check_content_dir, errors_only
    from content.files import FAQ_DIR, PROCEDURES_DIR, read_yaml, write_content_dir

    try:
        content_set = export_content(session)
    except ApiError:  # no site yet: the model's validation is all there is
        return {}
    if isinstance(item, Procedure):
        content_set.procedures = [p for p in content_set.procedures if p.id != item.id] + [item]
        relative, item_id = f"{PROCEDURES_DIR}/{item.id}.yml", item.id
    else:
        content_set.faq = [f for f in content_set.faq if f.key != item.key] + [item]
        relative, item_id = f"{FAQ_DIR}/{item.key}.yml", item.key
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_content_dir(content_set, root)
        source = read_yaml(root / relative, root)
        lines = _field_lines(source, item.model_dump(mode="json"))
        for problem in errors_only(check_content_dir(root)):
            if problem.file.endswith(relative):
                field = _field_at(lines, problem.line)
            elif f"'{item_id}'" in problem.message and "tên gọi" in problem.message:
                field = "aliases"
            else:
                continue  # a problem elsewhere (present before this edit)
            message = _FILE_REF.sub(lambda m: f"“{m.group(2)}”", problem.message)
            errors.setdefault(field, message[:1].upper() + message[1:])
    return errors


_FILE_REF = re.compile(r"\S*(faq|procedures)/([a-z0-9_]+)\.yml(:\d+)?")


def _field_lines(source: Any, data: dict[str, Any]) -> list[tuple[int, str]]:
    """(line, field name) of every field and sub-field of the record's file, sorted by line."""
    found: list[tuple[int, str]] = []
    for key, value in data.items():
        found.append((source.line_of((key,)), key))
        if isinstance(value, dict):
            found.extend((source.line_of((key, sub)), f"{key}.{sub}") for sub in value)
        elif isinstance(value, list):
            found.extend((source.line_of((key, i)), key) for i in range(len(value)))
    return sorted(found)


def _field_at(lines: list[tuple[int, str]], line: int) -> str:
    field = "_form"
    for start, name in lines:
        if start <= line:
            field = name
    return field
