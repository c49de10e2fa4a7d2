"""What the staff pages need from the backend beyond its services' own functions.

Pages call a backend service directly when it already does the job (`content.get_site`,
`content.export_content`, `tickets.board`, `tickets.waiting_for_counter`, `deps.get_session`). The
functions here add what the pages need around a service (the staff actor, the commit, a note on the
audit entry, "absent" as None rather than an API error) or do what no service does yet (FAQ search,
history and audit lists, closing handoffs, marking unanswered questions handled, the queue display's
calls, the content check of one edited record).
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend import models
from backend.clock import Clock
from backend.errors import ApiError
from backend.services import audit
from backend.services import auth as auth_service
from backend.services import content as content_service
from backend.services import tickets as tickets_service
from backend.services.auth import load_secret_key
from backend.settings import get_settings
from content.model import FaqEntry, Procedure
from vntext.normalize import fold

_site_name: tuple[float, str] = (0.0, "")


# -- settings --------------------------------------------------------------------------------------
def data_dir() -> Path:
    return get_settings().data_dir


def secret_key() -> str:
    """The backend's secret key (LETAN_SECRET_KEY or data_dir/secret-key); signs the session cookie."""
    return load_secret_key(get_settings())


# -- database --------------------------------------------------------------------------------------
def now() -> datetime:
    return datetime.now(timezone.utc)


# -- site ------------------------------------------------------------------------------------------
def site_name_cached() -> str:
    return _site_name[1] or "Điểm phục vụ hành chính công"


def refresh_site_name(session: Session) -> None:
    global _site_name
    if time.monotonic() - _site_name[0] < 60 and _site_name[1]:
        return
    site = content_service.get_site(session)
    _site_name = (time.monotonic(), site.name if site is not None else "")


# -- staff users -----------------------------------------------------------------------------------
class LoginRefusedError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def get_user(session: Session, user_id: int) -> models.StaffUser | None:
    return session.get(models.StaffUser, user_id)


def _audit(
    session: Session, actor: str, action: str, entity_type: str, entity_id: str, **details: Any
) -> None:
    audit.record(
        session,
        at=now(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        details=details,
    )


def authenticate(
    request: Request, session: Session, username: str, password: str, source: str
) -> models.StaffUser:
    """The backend's login (the per-address rate limit, argon2, the lock-out of this name from this
    address, the audit log): the same as `POST /auth/token`."""
    clock_ = clock(request)
    try:
        request.app.state.login_limiter.check(source, clock_.now())
        return auth_service.login(session, username, password, clock_.now(), source=source, via="web")
    except ApiError as err:
        if err.code == "invalid_credentials":
            left = err.extra.get("attempts_left", 0)
            raise LoginRefusedError(
                err.code, f"Tên đăng nhập hoặc mật khẩu không đúng. Còn {left} lần thử trước khi bị tạm khoá."
            ) from err
        raise LoginRefusedError(err.code, err.detail) from err


def unlock_user(session: Session, username: str, admin: str) -> None:
    from backend.db import begin_write

    begin_write(session)
    auth_service.unlock(session, username)
    _audit(session, actor_for(admin), "staff.unlock", "staff_user", username.strip()[:120])
    session.commit()


def record_logout(session: Session, user: models.StaffUser) -> None:
    """Ends every session and staff token of `user` (a copied cookie stops working too)."""
    auth_service.end_sessions(user)
    _audit(session, actor_for(user.username), "staff.logout", "staff_user", user.username, via="web")
    session.commit()


# -- content ---------------------------------------------------------------------------------------
def actor_for(username: str) -> str:
    """How staff appear in the audit log (the same form as the API's `Principal.actor`)."""
    return f"staff:{username}"


def list_procedures(session: Session, q: str) -> list[models.ProcedureRecord]:
    records = content_service.search_procedures(session, q or None, None)
    return sorted(records, key=lambda r: fold(r.name))


def list_faq(session: Session, q: str) -> list[models.FaqRecord]:
    records = list(session.scalars(select(models.FaqRecord).order_by(models.FaqRecord.key)))
    tokens = fold(q or "").split()
    if not tokens:
        return records

    def text(record: models.FaqRecord) -> str:
        data = record.data
        return fold(
            " ".join(
                [record.key, data.get("question", ""), *data.get("variants", []), data.get("answer", "")]
            )
        )

    return [r for r in records if all(t in text(r) for t in tokens)]


def get_procedure(session: Session, procedure_id: str) -> models.ProcedureRecord | None:
    return session.get(models.ProcedureRecord, procedure_id)


def get_faq(session: Session, key: str) -> models.FaqRecord | None:
    return session.get(models.FaqRecord, key)


def service_choices(session: Session) -> list[tuple[str, str]]:
    return [(s.id, f"{s.letter} – {s.name}") for s in services(session)]


def save_content(
    session: Session,
    item: Procedure | FaqEntry,
    username: str,
    expected_version: int | None,
    action_note: str = "",
) -> models.ProcedureRecord | models.FaqRecord:
    """Save through the backend's content service (validated, versioned, audited) and commit."""
    record: models.ProcedureRecord | models.FaqRecord
    if isinstance(item, Procedure):
        record, _created = content_service.save_procedure(
            session, item, actor=actor_for(username), now=now(), expected_version=expected_version
        )
        entity_type, entity_id = "procedure", item.id
    else:
        record, _created = content_service.save_faq(
            session, item, actor=actor_for(username), now=now(), expected_version=expected_version
        )
        entity_type, entity_id = "faq", item.key
    if action_note:
        _attach_note(session, entity_type, entity_id, action_note)
    session.commit()
    return record


def _attach_note(session: Session, entity_type: str, entity_id: str, note: str) -> None:
    for obj in session.new:
        if (
            isinstance(obj, models.AuditEntry)
            and obj.entity_type == entity_type
            and obj.entity_id == entity_id
        ):
            obj.details = {**(obj.details or {}), "note": note}


def history(session: Session, entity_type: str, entity_id: str) -> list[models.AuditEntry]:
    """Audit entries of one record, newest first."""
    statement = (
        select(models.AuditEntry)
        .where(models.AuditEntry.entity_type == entity_type, models.AuditEntry.entity_id == entity_id)
        .order_by(models.AuditEntry.id.desc())
        .limit(200)
    )
    return list(session.scalars(statement))


def audit_entry(session: Session, entry_id: int) -> models.AuditEntry | None:
    return session.get(models.AuditEntry, entry_id)


def audit_trail(session: Session, limit: int = 200) -> list[models.AuditEntry]:
    statement = select(models.AuditEntry).order_by(models.AuditEntry.id.desc()).limit(limit)
    return list(session.scalars(statement))


def export_yaml_zip(session: Session) -> bytes:
    """The content now in the database as the YAML files of `content/`, zipped, for review."""
    import io
    import tempfile
    import zipfile

    from content.files import write_content_dir

    content_set = content_service.export_content(session)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_content_dir(content_set, root)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, f"content/{path.relative_to(root)}")
    return buffer.getvalue()


# -- citizens' needs -------------------------------------------------------------------------------
def mark_unanswered_handled(session: Session, ids: list[int], username: str) -> int:
    rows = list(
        session.scalars(select(models.UnansweredQuestion).where(models.UnansweredQuestion.id.in_(ids)))
    )
    for row in rows:
        row.reviewed = True
    if rows:
        _audit(
            session,
            actor_for(username),
            "unanswered.handled",
            "unanswered",
            ",".join(str(r.id) for r in rows)[:120],
            count=len(rows),
        )
    session.commit()
    return len(rows)


def content_check(session: Session, item: Procedure | FaqEntry) -> dict[str, str]:
    """`letan content check` run on the database's content with `item` in place: problems of `item` by field.

    The content set is exported (backend's `export_content`), written as a content directory
    (content's `write_content_dir`) and checked by content's `check_content_dir`; each problem found in
    the edited record's file is put beside the field on its line.
    """
    import tempfile

    from content.check import check_content_dir, errors_only
    from content.files import FAQ_DIR, PROCEDURES_DIR, read_yaml, write_content_dir

    try:
        content_set = content_service.export_content(session)
    except Exception:  # no site yet: the model's validation is all there is
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
            for sub in value:
                found.append((source.line_of((key, sub)), f"{key}.{sub}"))
        elif isinstance(value, list):
            for i in range(len(value)):
                found.append((source.line_of((key, i)), key))
    return sorted(found)


def _field_at(lines: list[tuple[int, str]], line: int) -> str:
    field = "_form"
    for start, name in lines:
        if start <= line:
            field = name
    return field


# -- queue -----------------------------------------------------------------------------------------
def clock(request: Request) -> Clock:
    value: Clock = request.app.state.clock
    return value


def counters(session: Session) -> list[models.CounterRecord]:
    return list(session.scalars(select(models.CounterRecord).order_by(models.CounterRecord.number)))


def services(session: Session) -> list[models.ServiceRecord]:
    return list(session.scalars(select(models.ServiceRecord).order_by(models.ServiceRecord.position)))


def counter_services(session: Session, counter_id: str) -> list[models.ServiceRecord]:
    return [s for s in services(session) if counter_id in (s.counters or [])]


def current_ticket(session: Session, clock_: Clock, counter_id: str) -> models.Ticket | None:
    """Today's ticket at the counter, as call-next sees it (yesterday's leftovers do not count)."""
    return session.scalars(
        select(models.Ticket)
        .where(
            models.Ticket.counter_id == counter_id,
            models.Ticket.status.in_(("called", "serving")),
            models.Ticket.service_day == clock_.local_day(),
        )
        .order_by(models.Ticket.called_at.desc())
    ).first()


def get_ticket(session: Session, ticket_id: int) -> models.Ticket | None:
    return session.get(models.Ticket, ticket_id)


def procedure_name(session: Session, procedure_id: str | None) -> str:
    if not procedure_id:
        return ""
    record = session.get(models.ProcedureRecord, procedure_id)
    return record.name if record is not None else procedure_id


def call_next(session: Session, clock_: Clock, counter_id: str, username: str) -> models.Ticket | None:
    """The backend's call-next (priority first, then order of issue), committed."""
    ticket = tickets_service.call_next(session, clock_, counter_id, actor_for(username))
    session.commit()
    return ticket


def ticket_action(
    session: Session,
    clock_: Clock,
    ticket_id: int,
    action: str,
    username: str,
    transfer_to: str | None = None,
) -> models.Ticket:
    ticket = tickets_service.act(
        session, clock_, ticket_id, action, actor_for(username), transfer_to=transfer_to
    )
    session.commit()
    return ticket


CALL_ACTIONS = ("ticket.call", "ticket.recall")


def recent_calls(session: Session, after_id: int = 0, limit: int = 10) -> list[dict[str, Any]]:
    """Calls and recalls (from the audit log the queue service writes), oldest first, after `after_id`."""
    statement = select(models.AuditEntry).where(models.AuditEntry.action.in_(CALL_ACTIONS))
    if after_id:
        statement = (
            statement.where(models.AuditEntry.id > after_id).order_by(models.AuditEntry.id).limit(limit)
        )
    else:
        statement = statement.order_by(models.AuditEntry.id.desc()).limit(limit)
    entries = list(session.scalars(statement))
    if not after_id:
        entries.reverse()
    numbers = {c.id: c.number for c in counters(session)}
    calls = []
    for entry in entries:
        details = entry.details or {}
        counter_id = details.get("counter_id") or details.get("counter")
        if counter_id is None:
            ticket = session.get(models.Ticket, int(entry.entity_id)) if entry.entity_id.isdigit() else None
            counter_id = ticket.counter_id if ticket is not None else None
        if counter_id not in numbers:
            continue
        calls.append(
            {
                "id": entry.id,
                "number": str(details.get("number", "")),
                "counter": numbers[counter_id],
                "counter_id": counter_id,
                "recall": entry.action == "ticket.recall",
                "at": entry.at,
            }
        )
    return calls


def last_call_id(session: Session) -> int:
    value = session.scalar(
        select(func.max(models.AuditEntry.id)).where(models.AuditEntry.action.in_(CALL_ACTIONS))
    )
    return int(value or 0)


def call_entry(session: Session, entry_id: int) -> dict[str, Any] | None:
    entry = session.get(models.AuditEntry, entry_id)
    if entry is None or entry.action not in CALL_ACTIONS:
        return None
    calls = recent_calls(session, after_id=entry_id - 1, limit=1)
    return calls[0] if calls and calls[0]["id"] == entry_id else None


def session_factory(request: Request) -> Any:
    return request.app.state.session_factory


def unanswered(session: Session, include_handled: bool = False) -> list[models.UnansweredQuestion]:
    statement = (
        select(models.UnansweredQuestion).order_by(models.UnansweredQuestion.created_at.desc()).limit(2000)
    )
    if not include_handled:
        statement = statement.where(models.UnansweredQuestion.reviewed.is_(False))
    return list(session.scalars(statement))


def handoffs(session: Session, limit: int = 50) -> list[models.Handoff]:
    statement = (
        select(models.Handoff)
        .order_by((models.Handoff.status == "open").desc(), models.Handoff.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def close_handoff(session: Session, handoff_id: int, username: str) -> models.Handoff | None:
    row = session.get(models.Handoff, handoff_id)
    if row is None:
        return None
    if row.status == "open":
        row.status, row.handled_by, row.handled_at = "closed", username, now()
        _audit(session, actor_for(username), "handoff.close", "handoff", str(row.id))
        session.commit()
    return row


def feedback(session: Session, since: datetime) -> list[models.Feedback]:
    statement = (
        select(models.Feedback)
        .where(models.Feedback.created_at >= since)
        .order_by(models.Feedback.created_at.desc())
    )
    return list(session.scalars(statement))


def tickets_since(session: Session, day: Any) -> list[models.Ticket]:
    statement = (
        select(models.Ticket).where(models.Ticket.service_day >= day).order_by(models.Ticket.issued_at)
    )
    return list(session.scalars(statement))


def devices(session: Session) -> list[models.Device]:
    return list(
        session.scalars(
            select(models.Device).order_by(models.Device.revoked_at.is_not(None), models.Device.name)
        )
    )


def add_device(session: Session, name: str, username: str) -> str:
    """A new device through the backend's auth service; returns its token (shown once)."""
    token = auth_service.add_device(session, name, now())
    _audit(session, actor_for(username), "device.add", "device", name.strip()[:120])
    session.commit()
    return token


def revoke_device(session: Session, name: str, username: str) -> None:
    auth_service.revoke_device(session, name, now())
    _audit(session, actor_for(username), "device.revoke", "device", name[:120])
    session.commit()
