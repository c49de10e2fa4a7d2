"""Backend test fixtures: the app under FastAPI's TestClient on SQLite AND PostgreSQL.

The schema is migrated once per database (Alembic, as in production); every test starts from
empty tables (rows deleted after each test) except the fixture's own device and staff users,
which are created once per database because argon2 is deliberately slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session, sessionmaker

from backend.app import create_app
from backend.clock import FixedClock
from backend.db import create_db_engine, create_session_factory, upgrade_database
from backend.models import DEFAULT_SITE_ID, Base, Device, SiteRecord, StaffUser
from backend.notify.providers import NotifySettings
from backend.services import auth, staff_users
from backend.services.content_files import load_content
from backend.settings import Settings
from content.model import ContentSet
from tests.support.postgres import fresh_postgres_database
from tests.support.sample_content import small_content

# 09:00 in Hà Nội on a Tuesday.
START = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
FIXTURE_PREFIX = "fixture-"
ROLES = ("admin", "editor", "counter", "integration")
# The SMS/Zalo gateway's shared secret for citizens' replies (`POST /notifications/replies`).
INBOUND_SECRET = "a-gateway-secret-for-replies"


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine
    factory: sessionmaker[Session]
    device_token: str = ""
    passwords: dict[str, str] | None = None


def _make_database(kind: str, url: str) -> Database:
    upgrade_database(url)
    engine = create_db_engine(url)
    database = Database(kind, url, engine, create_session_factory(engine), passwords={})
    now = datetime.now(timezone.utc)
    with database.factory() as session:
        database.device_token = auth.add_device(session, f"{FIXTURE_PREFIX}kiosk", now)
        for role in ROLES:
            password = f"mat-khau-{role}-1"
            staff_users.add_user(session, f"{FIXTURE_PREFIX}{role}", role, password, now)
            database.passwords[role] = password  # type: ignore[index]
        session.commit()
    return database


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("sqlite") / "letan.db"
    database = _make_database("sqlite", f"sqlite:///{path}")
    yield database
    database.engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Database]:
    with fresh_postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        database = _make_database("postgres", url)
        yield database
        database.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    database: Database = request.getfixturevalue(f"{request.param}_database")
    yield database
    _clean(database)


def _clean(database: Database) -> None:
    with database.factory() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "devices":
                session.execute(delete(Device).where(~Device.name.startswith(FIXTURE_PREFIX)))
            elif table.name == "sites":  # the default site stays (every database has it), without values
                session.execute(delete(SiteRecord).where(SiteRecord.id != DEFAULT_SITE_ID))
                session.execute(update(SiteRecord).values(data={}, version=1, loaded_version=None))
            elif table.name == "staff_users":
                session.execute(delete(StaffUser).where(~StaffUser.username.startswith(FIXTURE_PREFIX)))
            else:
                session.execute(table.delete())
        session.commit()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return Settings.for_data_dir(
        tmp_path / "var",
        database_url=database.url,
        secret_key="a-test-secret-key-that-is-long-enough",
        dossier_lookup_limit=5,
        max_body_bytes=20_000,
        queue_cache_seconds=0,
        service_time_cache_seconds=0,
        notify=NotifySettings(inbound_secret=INBOUND_SECRET),
    )


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def content(database: Database) -> ContentSet:
    """The small content set, loaded."""
    content_set = small_content()
    with database.factory() as session:
        load_content(session, content_set)
        session.commit()
    return content_set


@pytest.fixture
def device(database: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {database.device_token}"}


class Staff:
    # Tokens are signed with the tests' fixed secret and users persist per database: log in once.
    _cache: ClassVar[dict[tuple[str, str], str]] = {}

    def __init__(self, client: TestClient, database: Database) -> None:
        self.client = client
        self.database = database

    def __call__(self, role: str) -> dict[str, str]:
        """Authorization headers of the fixture user with `role`."""
        key = (self.database.kind, role)
        if key not in self._cache:
            response = self.client.post(
                "/api/v1/auth/token",
                json={"username": f"{FIXTURE_PREFIX}{role}", "password": self.database.passwords[role]},  # type: ignore[index]
            )
            assert response.status_code == 200, response.text
            self._cache[key] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self._cache[key]}"}


@pytest.fixture
def staff(client: TestClient, database: Database) -> Staff:
    return Staff(client, database)
