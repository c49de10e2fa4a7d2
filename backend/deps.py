"""Request dependencies: session, clock, settings and who is calling."""

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from backend.clock import Clock
from backend.db import begin_write
from backend.models import DEFAULT_SITE_ID, Device
from backend.services import auth
from backend.services.auth import Principal
from backend.services.queue import QueueCache
from backend.settings import Settings

logger = logging.getLogger(__name__)


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, and so one pooled connection at most: everything the request reads
    or writes goes through it. Routes that write call `begin_write(session)` first and commit."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        try:
            session.close()
        except SQLAlchemyError as error:
            # The connection died (a database restart) after the answer was made: it is discarded by
            # the pool, and the error must not escape, or the server would drop the client's connection.
            logger.warning("database connection lost while a request ended: %s", type(error).__name__)


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_queue_cache(request: Request) -> QueueCache:
    cache: QueueCache = request.app.state.queue_cache
    return cache


async def known_query_parameters(request: Request) -> None:
    """422 for a query parameter the route does not take (a typo would otherwise be ignored silently)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _query_names(dependant)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        from backend.errors import InvalidError

        names = ", ".join(name[:40] for name in unknown[:5])
        raise InvalidError("query_parameter_unknown", f"Địa chỉ này không nhận tham số truy vấn: {names}.")


_QUERY_NAMES: dict[int, frozenset[str]] = {}  # per route's dependant (they live as long as the app)


def _query_names(dependant: Any) -> frozenset[str]:
    names = _QUERY_NAMES.get(id(dependant))
    if names is None:
        found: set[str] = set()
        stack = [dependant]
        while stack:  # the route's own query parameters and those of its dependencies
            current = stack.pop()
            found.update(param.alias for param in current.query_params)
            stack.extend(current.dependencies)
        names = _QUERY_NAMES[id(dependant)] = frozenset(found)
    return names


SessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
FactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
CacheDep = Annotated[QueueCache, Depends(get_queue_cache)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def get_principal(request: Request, session: SessionDep, clock: ClockDep) -> Principal:
    token = _bearer(request)
    if token is None:
        raise auth.invalid_token()
    principal = auth.principal_for_token(session, request.app.state.token_signer, token)
    if principal is None:
        raise auth.invalid_token()
    if principal.device_id is not None:
        _mark_seen(session, clock, principal)
    return principal


def _mark_seen(session: Session, clock: Clock, principal: Principal) -> None:
    """Note when a device was last seen, at most once a minute: a tiny write transaction on the
    request's own session (and connection), committed before this returns. A second connection here
    would let a burst of requests hold every pooled connection while each waits for another one."""
    now = clock.now()
    last = principal.last_seen_at
    if last is not None and now - last < timedelta(seconds=auth.DEVICE_SEEN_EVERY_SECONDS):
        return
    begin_write(session)
    stale = now - timedelta(seconds=auth.DEVICE_SEEN_EVERY_SECONDS)
    session.execute(
        update(Device)
        .where(Device.id == principal.device_id)
        .where(or_(Device.last_seen_at.is_(None), Device.last_seen_at < stale))
        .values(last_seen_at=now)
    )
    session.commit()


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def public_site(
    request: Request,
    session: SessionDep,
    site: Annotated[
        str | None, Query(max_length=64, description="điểm phục vụ (mặc định: của thiết bị)")
    ] = None,
) -> str:
    """The site a public read is for: `?site=`, else the caller's own site (a device or staff token
    sent along), else the default site. Public reads never fail on a bad token: they ignore it."""
    from backend.services.sites import get_record

    if site is not None:
        return get_record(session, site).id
    token = _bearer(request)
    if token is not None:
        principal = auth.principal_for_token(session, request.app.state.token_signer, token)
        if principal is not None:
            return principal.acting_site
    return DEFAULT_SITE_ID


PublicSiteDep = Annotated[str, Depends(public_site)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    def dependency(principal: PrincipalDep) -> Principal:
        auth.require_role(principal, roles)
        return principal

    dependency.roles = roles  # type: ignore[attr-defined]  # read by backend.openapi
    return dependency


# A kiosk, a robot or the action server (staff may act for them too).
DeviceDep = PrincipalDep
EditorDep = Annotated[Principal, Depends(require_roles("editor"))]


def require_city_editor(principal: EditorDep) -> Principal:
    auth.require_city_scope(principal)
    return principal


require_city_editor.roles = ("editor",)  # type: ignore[attr-defined]  # read by backend.openapi
CityEditorDep = Annotated[Principal, Depends(require_city_editor)]
CounterDep = Annotated[Principal, Depends(require_roles("counter"))]
IntegrationDep = Annotated[Principal, Depends(require_roles("integration"))]
StaffDep = Annotated[Principal, Depends(require_roles("editor", "counter", "integration"))]
