"""Dossiers: PUT by the integration role, GET by devices."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.db import begin_write
from backend.deps import ClockDep, DeviceDep, IntegrationDep, SessionDep, SettingsDep
from backend.schemas import DossierPublic, DossierSaved, DossierUpsert
from backend.services import dossiers

router = APIRouter(tags=["dossiers"])


@router.put("/dossiers/{code}", response_model=DossierSaved)
def put_dossier(
    code: str,
    body: DossierUpsert,
    session: SessionDep,
    clock: ClockDep,
    principal: IntegrationDep,
    settings: SettingsDep,
    response: Response,
) -> DossierSaved:
    begin_write(session)
    canonical, created = dossiers.upsert(session, code, body, principal.actor, clock.now(), settings.notify)
    session.commit()
    response.status_code = 201 if created else 200
    return DossierSaved(code=canonical, created=created)


@router.get("/dossiers/{code}", response_model=DossierPublic)
def get_dossier(
    code: str,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    principal: DeviceDep,
    verify: Annotated[str | None, Query(max_length=10)] = None,
) -> DossierPublic:
    result = dossiers.lookup(
        session,
        code,
        verify,
        device_key=principal.actor,
        now=clock.now(),
        limit=settings.dossier_lookup_limit,
        window_seconds=settings.dossier_lookup_window_seconds,
        site_id=principal.acting_site,
    )
    return DossierPublic.model_validate(result)
