"""Content between its files and the database: load a ContentSet (records staff changed since the
last load are reported, not overwritten) and export it back. Staff edits and reads are
`backend.services.content`."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import NotFoundError
from backend.models import (
    DEFAULT_SITE_ID,
    CounterRecord,
    FaqRecord,
    ProcedureRecord,
    ServiceRecord,
    SiteRecord,
)
from backend.services import audit
from backend.services.content import apply_procedure, new_procedure_record
from content.model import (
    ContentSet,
    Counter,
    FaqEntry,
    Procedure,
    Service,
    ServicesFile,
    Site,
    SiteContent,
)

logger = logging.getLogger(__name__)


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
            session.add(new_procedure_record(procedure, data, actor, now, loaded=True))
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
                lambda r, p=procedure: apply_procedure(r, p),
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
