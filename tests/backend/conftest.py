"""Backend test fixtures: the app under FastAPI's TestClient on SQLite AND PostgreSQL.

The schema is migrated once per database (Alembic, as in production); every test starts from
empty tables (rows deleted after each test) except the fixture's own device and staff users,
which are created once per database because argon2 is deliberately slow.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import ClassVar

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # until pyproject's pytest config has pythonpath = ["."]
    sys.path.insert(0, str(REPO))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, delete  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.clock import FixedClock  # noqa: E402
from backend.db import create_db_engine, create_session_factory, upgrade_database  # noqa: E402
from backend.models import Base, Device, StaffUser  # noqa: E402
from backend.services import auth  # noqa: E402
from backend.services.content import load_content  # noqa: E402
from backend.settings import Settings  # noqa: E402
from content.model import ContentSet  # noqa: E402
from tests.support.postgres import fresh_postgres_database  # noqa: E402

# 09:00 in Hà Nội on a Tuesday.
START = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
FIXTURE_PREFIX = "fixture-"
ROLES = ("admin", "editor", "counter", "integration")


def small_content() -> ContentSet:
    """Three procedures, two FAQ entries, two services and three counters."""
    base = {
        "documents": ["Tờ khai theo mẫu", "Căn cước của người đi đăng ký"],
        "fee": {"text": "Miễn lệ phí", "amount_vnd": 0},
        "processing_time": {"text": "Trong ngày", "working_days": 0.5},
        "online": {
            "available": True,
            "level": "full",
            "url": "https://dichvucong.gov.vn",
            "text": "Nộp trực tuyến",
        },
        "legal_basis": ["Luật Hộ tịch 2014"],
        "source_url": "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html",
        "verified_on": date(2026, 1, 5),
    }
    return ContentSet.model_validate(
        {
            "site": {
                "name": "Điểm phục vụ phường Thử",
                "address": "Số 1 phố Thử",
                "opening_hours": "8 giờ đến 17 giờ",
                "wifi_name": "PhuongThu",
                "wifi_password": "matkhau-wifi-123",
            },
            "procedures": [
                {
                    **base,
                    "id": "khai_sinh",
                    "name": "Đăng ký khai sinh",
                    "field": "ho_tich",
                    "aliases": ["làm giấy khai sinh", "giấy khai sinh"],
                    "summary": "Đăng ký khai sinh cho trẻ.",
                    "where": {"text": "Quầy hộ tịch", "service_id": "ho_tich"},
                },
                {
                    **base,
                    "id": "ket_hon",
                    "name": "Đăng ký kết hôn",
                    "field": "ho_tich",
                    "summary": "Đăng ký kết hôn.",
                    "where": {"text": "Quầy hộ tịch", "service_id": "ho_tich"},
                },
                {
                    **base,
                    "id": "cap_so_do",
                    "name": "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
                    "field": "dat_dai",
                    "aliases": ["sổ đỏ", "làm sổ đỏ"],
                    "summary": "Cấp sổ đỏ lần đầu.",
                    "where": {"text": "Quầy đất đai", "service_id": "dat_dai"},
                    "fee": {"text": "Theo quy định của tỉnh", "amount_vnd": None},
                },
            ],
            "faq": [
                {
                    "key": "wifi",
                    "question": "Mật khẩu wifi là gì?",
                    "variants": ["wifi", "mật khẩu wifi", "pass wifi", "mạng", "internet"],
                    "answer": "Mạng {wifi_name}, mật khẩu {wifi_password}.",
                },
                {
                    "key": "gio_lam_viec",
                    "question": "Giờ làm việc thế nào?",
                    "variants": [
                        "mấy giờ mở cửa",
                        "giờ làm việc",
                        "giờ mở cửa",
                        "khi nào đóng cửa",
                        "lịch làm việc",
                    ],
                    "answer": "Làm việc {opening_hours}.",
                },
            ],
            "services": {
                "services": [
                    {
                        "id": "ho_tich",
                        "letter": "A",
                        "name": "Hộ tịch",
                        "fields": ["ho_tich", "chung_thuc"],
                        "procedures": ["khai_sinh", "ket_hon"],
                        "counters": ["quay_1", "quay_2"],
                    },
                    {
                        "id": "dat_dai",
                        "letter": "B",
                        "name": "Đất đai",
                        "fields": ["dat_dai"],
                        "procedures": ["cap_so_do"],
                        "counters": ["quay_3"],
                    },
                ],
                "counters": [
                    {"id": "quay_1", "number": 1, "name": "Quầy 1"},
                    {"id": "quay_2", "number": 2, "name": "Quầy 2"},
                    {"id": "quay_3", "number": 3, "name": "Quầy 3"},
                ],
            },
        }
    )


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
            auth.add_user(session, f"{FIXTURE_PREFIX}{role}", role, password, now)
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
    return Settings(
        data_dir=tmp_path / "var",
        database_url=database.url,
        secret_key="a-test-secret-key-that-is-long-enough",
        dossier_lookup_limit=5,
        max_body_bytes=20_000,
        queue_cache_seconds=0,
        service_time_cache_seconds=0,
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
