"""Content in the database: load from a ContentSet, export back, staff edits, reads."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import ConflictError, InvalidError, NotFoundError
from backend.models import (
    DEFAULT_SITE_ID,
    CounterRecord,
    FaqRecord,
    ProcedureRecord,
    ServiceRecord,
    SiteRecord,
)
from backend.services import audit
from backend.services.sites import all_site_values
from backend.services.sites import get_site as get_site  # read by the staff pages
from content.in_force import in_force, period_errors
from content.model import (
    DATED_FACTS,
    SERVICE_TIMEZONE,
    ContentSet,
    Counter,
    FaqEntry,
    Procedure,
    Service,
    ServicesFile,
    Site,
    SiteContent,
)
from vntext.normalize import fold

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo(SERVICE_TIMEZONE)


@dataclass
class ContentConflict:
    kind: str
    id: str
    version: int
    updated_by: str
    updated_at: datetime

    def describe(self) -> str:
        when = self.updated_at.strftime("%d/%m/%Y %H:%M")
        return (
            f"{self.kind} '{self.id}': cán bộ {self.updated_by} đã sửa lúc {when} "
            f"(phiên bản {self.version}); "
            "bản trong tệp không được ghi đè"
        )


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[ContentConflict] = field(default_factory=list)
    not_in_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"Thêm mới: {len(self.created)}, cập nhật: {len(self.updated)}, "
            f"không đổi: {len(self.unchanged)}, xung đột: {len(self.conflicts)}"
        ]
        lines += [f"  Xung đột: {conflict.describe()}" for conflict in self.conflicts]
        if self.not_in_files:
            lines.append("  Có trong cơ sở dữ liệu nhưng không có trong tệp: " + ", ".join(self.not_in_files))
        return "\n".join(lines)


def search_text(procedure: Procedure) -> str:
    return fold(" ".join([procedure.name, *procedure.aliases, procedure.id.replace("_", " ")]))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _load_record(
    session: Session,
    report: LoadReport,
    record: Any,
    kind: str,
    record_id: str,
    data: dict[str, Any],
    apply: Any,
    actor: str,
    now: datetime,
) -> None:
    label = f"{kind}:{record_id}"
    if record.data == data:
        record.loaded_version = record.version
        report.unchanged.append(label)
        return
    if record.loaded_version is not None and record.version != record.loaded_version:
        report.conflicts.append(
            ContentConflict(kind, record_id, record.version, record.updated_by, record.updated_at)
        )
        return
    apply(record)
    record.data = data
    record.version += 1
    record.loaded_version = record.version
    record.updated_at = now
    record.updated_by = actor
    report.updated.append(label)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="content.load",
        entity_type=kind,
        entity_id=record_id,
        details={"version": record.version},
    )


def load_content(session: Session, content_set: ContentSet, actor: str = "content-load") -> LoadReport:
    """Upsert a content set. Records staff changed since the last load are reported, not overwritten.

    The caller commits (or rolls back) the session.
    """
    now = _now()
    report = LoadReport()

    default = SiteContent(id=DEFAULT_SITE_ID, site=content_set.site, services=content_set.services)
    for site_content in (default, *content_set.sites):
        _load_site(session, report, site_content, actor, now)

    procedures = {p.id: p for p in session.scalars(select(ProcedureRecord))}
    for procedure in content_set.procedures:
        data = procedure.model_dump(mode="json")
        existing_procedure = procedures.get(procedure.id)
        if existing_procedure is None:
            session.add(_new_procedure(procedure, data, actor, now, loaded=True))
            report.created.append(f"procedure:{procedure.id}")
            audit.record(
                session,
                at=now,
                actor=actor,
                action="content.load",
                entity_type="procedure",
                entity_id=procedure.id,
                details={"version": 1},
            )
        else:
            _load_record(
                session,
                report,
                existing_procedure,
                "procedure",
                procedure.id,
                data,
                lambda r, p=procedure: _apply_procedure(r, p),
                actor,
                now,
            )
    file_ids = {p.id for p in content_set.procedures}
    report.not_in_files += [f"procedure:{pid}" for pid in sorted(set(procedures) - file_ids)]

    faqs = {f.key: f for f in session.scalars(select(FaqRecord))}
    for entry in content_set.faq:
        data = entry.model_dump(mode="json")
        existing_faq = faqs.get(entry.key)
        if existing_faq is None:
            session.add(
                FaqRecord(
                    key=entry.key,
                    question=entry.question,
                    data=data,
                    version=1,
                    loaded_version=1,
                    updated_at=now,
                    updated_by=actor,
                )
            )
            report.created.append(f"faq:{entry.key}")
            audit.record(
                session,
                at=now,
                actor=actor,
                action="content.load",
                entity_type="faq",
                entity_id=entry.key,
                details={"version": 1},
            )
        else:
            _load_record(
                session,
                report,
                existing_faq,
                "faq",
                entry.key,
                data,
                lambda r, e=entry: setattr(r, "question", e.question),
                actor,
                now,
            )
    report.not_in_files += [f"faq:{key}" for key in sorted(set(faqs) - {f.key for f in content_set.faq})]
    session.flush()
    logger.info(
        "content loaded: %s created, %s updated, %s conflicts",
        len(report.created),
        len(report.updated),
        len(report.conflicts),
    )
    return report


def _load_site(session: Session, report: LoadReport, content: SiteContent, actor: str, now: datetime) -> None:
    """One service point: its values (a versioned record) and its counters and services."""
    site_data = content.site.model_dump(mode="json")
    label = "site" if content.id == DEFAULT_SITE_ID else f"site:{content.id}"
    site = session.get(SiteRecord, content.id)
    if site is None:
        site = SiteRecord(id=content.id, data={}, version=1, updated_at=now, updated_by=actor)
        session.add(site)
    if not site.data:  # new, or the default site of a database that never had content
        site.data, site.loaded_version, site.updated_at, site.updated_by = site_data, site.version, now, actor
        report.created.append(label)
    else:
        record_id = "site" if content.id == DEFAULT_SITE_ID else content.id
        _load_record(session, report, site, "site", record_id, site_data, lambda _r: None, actor, now)
    if site.data == site_data:
        site.name, site.address, site.time_zone = content.site.name, content.site.address, content.time_zone
    session.flush()

    where = (CounterRecord.site_id == content.id,)
    counters = {c.id: c for c in session.scalars(select(CounterRecord).where(*where))}
    for counter in content.services.counters:
        existing = counters.get(counter.id)
        if existing is None:
            session.add(
                CounterRecord(site_id=content.id, id=counter.id, number=counter.number, name=counter.name)
            )
        else:
            existing.number, existing.name = counter.number, counter.name
    services = {
        s.id: s for s in session.scalars(select(ServiceRecord).where(ServiceRecord.site_id == content.id))
    }
    # Letters are unique per site: free them first so two services may swap letters in one load.
    for position, service in enumerate(content.services.services):
        current = services.get(service.id)
        if current is not None and current.letter != service.letter:
            current.letter = f"{position}"[-1]
    session.flush()
    for position, service in enumerate(content.services.services):
        values = {
            "letter": service.letter,
            "name": service.name,
            "position": position,
            "fields": list(service.fields),
            "procedures": list(service.procedures),
            "counters": list(service.counters),
        }
        current = services.get(service.id)
        if current is None:
            session.add(ServiceRecord(site_id=content.id, id=service.id, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)


def _new_procedure(
    procedure: Procedure, data: dict[str, Any], actor: str, now: datetime, *, loaded: bool
) -> ProcedureRecord:
    record = ProcedureRecord(
        id=procedure.id,
        data=data,
        version=1,
        loaded_version=1 if loaded else None,
        updated_at=now,
        updated_by=actor,
    )
    _apply_procedure(record, procedure)
    return record


def _apply_procedure(record: ProcedureRecord, procedure: Procedure) -> None:
    record.name = procedure.name
    record.field = procedure.field
    record.search_text = search_text(procedure)


def export_content(session: Session) -> ContentSet:
    """The content now in the database, as a ContentSet (what `letan content export` writes)."""
    sites = {
        r.id: r
        for r in session.scalars(select(SiteRecord).order_by(SiteRecord.id))
        if r.data  # a site added by `letan sites add` has no values until content names it
    }
    if DEFAULT_SITE_ID not in sites:
        raise NotFoundError("content_empty", "Cơ sở dữ liệu chưa có nội dung; hãy chạy 'letan content load'.")
    others = [
        SiteContent(
            id=r.id,
            time_zone=r.time_zone,
            site=Site.model_validate(r.data),
            services=_services_file(session, r.id),
        )
        for site_id, r in sites.items()
        if site_id != DEFAULT_SITE_ID
    ]
    return ContentSet(
        site=Site.model_validate(sites[DEFAULT_SITE_ID].data),
        procedures=[
            Procedure.model_validate(r.data)
            for r in session.scalars(select(ProcedureRecord).order_by(ProcedureRecord.id))
        ],
        faq=[
            FaqEntry.model_validate(r.data)
            for r in session.scalars(select(FaqRecord).order_by(FaqRecord.key))
        ],
        services=_services_file(session, DEFAULT_SITE_ID),
        sites=[s for s in others if s.services.services and s.services.counters],
    )


def _services_file(session: Session, site_id: str) -> ServicesFile:
    services = session.scalars(
        select(ServiceRecord).where(ServiceRecord.site_id == site_id).order_by(ServiceRecord.position)
    ).all()
    counters = session.scalars(
        select(CounterRecord).where(CounterRecord.site_id == site_id).order_by(CounterRecord.number)
    ).all()
    return ServicesFile.model_construct(
        services=[
            Service(
                id=s.id,
                letter=s.letter,
                name=s.name,
                fields=s.fields,
                procedures=s.procedures,
                counters=s.counters,
            )
            for s in services
        ],
        counters=[Counter(id=c.id, number=c.number, name=c.name) for c in counters],
    )


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
        record = _new_procedure(procedure, data, actor, now, loaded=False)
        session.add(record)
    else:
        _check_version("Thủ tục", record, procedure.id, expected_version)
        before = record.data
        _apply_procedure(record, procedure)
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
