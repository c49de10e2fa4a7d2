"""Content: procedures, FAQ, services (public reads, editor writes)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy import select

from backend.db import begin_write
from backend.deps import CityEditorDep, ClockDep, PublicSiteDep, SessionDep
from backend.errors import ApiError, InvalidError
from backend.models import CounterRecord, FaqRecord, ServiceRecord
from backend.schemas import CounterPublic, FaqPublic, ProcedureSummary, ServicePublic
from backend.services import content as content_service
from backend.services import sites as sites_service
from backend.textcheck import clean_deep
from content.model import FaqEntry, Procedure, Site

router = APIRouter(tags=["content"])


def faq_public(record: FaqRecord, site: Site | None) -> FaqPublic:
    entry = FaqEntry.model_validate(record.data)
    answer, details = content_service.faq_answer(entry, site)
    return FaqPublic(
        key=record.key,
        question=record.question,
        answer=answer,
        answer_details=details,
        variants=entry.variants,
        source_url=entry.source_url,
        verified_on=entry.verified_on,
        version=record.version,
        updated_at=record.updated_at,
    )


def _expected_version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().strip('"')
    if not value.isdigit():
        raise ApiError("if_match_invalid", "Tiêu đề If-Match phải là số phiên bản.")
    return int(value)


def _validated(model: Any, body: dict[str, Any], path_id: str, id_field: str) -> Any:
    from pydantic import ValidationError

    try:
        cleaned = clean_deep(body)
    except ValueError as err:
        raise InvalidError("html_not_allowed", f"Nội dung {err}.") from err
    if cleaned.get(id_field, path_id) != path_id:
        raise InvalidError("id_mismatch", f"'{id_field}' trong nội dung khác với địa chỉ ({path_id}).")
    cleaned[id_field] = path_id
    try:
        return model.model_validate(cleaned)
    except ValidationError as err:
        from fastapi.exceptions import RequestValidationError

        raise RequestValidationError(err.errors(include_url=False)) from err


@router.get("/procedures", response_model=list[ProcedureSummary])
def list_procedures(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    field: Annotated[str | None, Query(max_length=32)] = None,
) -> list[ProcedureSummary]:
    return [
        ProcedureSummary(id=r.id, name=r.name, field=r.field, summary=r.data.get("summary", ""))
        for r in content_service.search_procedures(session, q, field)
    ]


@router.get("/procedures/{procedure_id}")
def get_procedure(procedure_id: str, session: SessionDep, clock: ClockDep) -> dict[str, Any]:
    """The procedure as it applies on the service day, with what changes next and when."""
    record = content_service.get_procedure(session, procedure_id)
    return content_service.procedure_view(record, clock.local_day())


@router.put("/procedures/{procedure_id}")
def put_procedure(
    procedure_id: str,
    body: dict[str, Any],
    session: SessionDep,
    principal: CityEditorDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Replace the record; accepts what GET returned (`periods`, `version`; derived keys ignored).

    The version edited from (If-Match, else the body's `version`) must be the stored one: 409 otherwise.
    """
    begin_write(session)
    data, body_version = content_service.procedure_from_view(body, clock.local_day())
    procedure = _validated(Procedure, data, procedure_id, "id")
    expected = _expected_version(if_match)
    record, created = content_service.save_procedure(
        session,
        procedure,
        actor=principal.actor,
        now=clock.now(),
        expected_version=body_version if expected is None else expected,
    )
    session.commit()
    response.status_code = 201 if created else 200
    return content_service.procedure_view(record, clock.local_day())


@router.get("/faq", response_model=list[FaqPublic])
def list_faq(session: SessionDep, site_id: PublicSiteDep) -> list[FaqPublic]:
    """The city's answers, said with the values of one site (the caller's own, or `?site=`)."""
    site = sites_service.get_site(session, site_id)
    return [faq_public(r, site) for r in session.scalars(select(FaqRecord).order_by(FaqRecord.key))]


@router.get("/faq/{key}", response_model=FaqPublic)
def get_faq(key: str, session: SessionDep, site_id: PublicSiteDep) -> FaqPublic:
    return faq_public(content_service.get_faq(session, key), sites_service.get_site(session, site_id))


@router.put("/faq/{key}", response_model=FaqPublic)
def put_faq(
    key: str,
    body: dict[str, Any],
    session: SessionDep,
    principal: CityEditorDep,
    clock: ClockDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> FaqPublic:
    begin_write(session)
    entry = _validated(FaqEntry, body, key, "key")
    record, created = content_service.save_faq(
        session, entry, actor=principal.actor, now=clock.now(), expected_version=_expected_version(if_match)
    )
    session.commit()
    response.status_code = 201 if created else 200
    return faq_public(record, sites_service.get_site(session))


@router.get("/services", response_model=list[ServicePublic])
def list_services(session: SessionDep, site_id: PublicSiteDep) -> list[ServicePublic]:
    """One site's queue services and their counters (the caller's own site, or `?site=`)."""
    counters = {
        c.id: c for c in session.scalars(select(CounterRecord).where(CounterRecord.site_id == site_id))
    }
    return [
        ServicePublic(
            id=s.id,
            letter=s.letter,
            name=s.name,
            fields=s.fields,
            procedures=s.procedures,
            counters=[
                CounterPublic(id=c.id, number=c.number, name=c.name)
                for c in (counters.get(cid) for cid in s.counters)
                if c is not None
            ],
        )
        for s in session.scalars(
            select(ServiceRecord).where(ServiceRecord.site_id == site_id).order_by(ServiceRecord.position)
        )
    ]


@router.get("/site")
def get_site(session: SessionDep, site_id: PublicSiteDep) -> dict[str, Any]:
    """One site's values: wifi, hours, amenities (the caller's own site, or `?site=`)."""
    site = sites_service.get_site(session, site_id)
    if site is None:
        from backend.errors import NotFoundError

        raise NotFoundError("content_empty", "Chưa có thông tin điểm phục vụ; hãy nạp nội dung.")
    return site.model_dump()
