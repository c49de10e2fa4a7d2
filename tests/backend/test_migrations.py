"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, create_engine, insert, inspect, text

from backend.clock import FixedClock
from backend.db import alembic_config, create_db_engine, create_session_factory
from backend.models import Base
from backend.services.tickets import issue_ticket
from tests.support.postgres import fresh_postgres_database


def test_migrated_schema_matches_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {"tickets", "ticket_day_counters", "dossiers", "devices", "staff_users", "audit_log"} <= tables


def test_ticket_numbers_are_unique_by_constraint(database):
    constraints = inspect(database.engine).get_unique_constraints("tickets")
    columns = {tuple(c["column_names"]) for c in constraints}
    assert ("site_id", "issued_service_id", "service_day", "sequence") in columns


# ---- 0005: an existing single-site database moves into the default site, every row kept -------------

NOW = datetime(2026, 3, 10, 2, 0)  # naive UTC, as the columns store it
DAY = date(2026, 3, 10)


def _rows_at_0004() -> dict[str, list[dict[str, Any]]]:
    """One or more rows in every table of the schema at revision 0004."""
    stamp = {"version": 2, "updated_at": NOW, "updated_by": "staff:bien-tap", "loaded_version": 1}
    return {
        "site": [
            {"id": 1, "data": {"name": "Phường Cũ", "address": "Số 9 phố Cũ", "wifi_name": "Cu"}, **stamp}
        ],
        "procedures": [
            {
                "id": "khai_sinh",
                "name": "Đăng ký khai sinh",
                "field": "ho_tich",
                "search_text": "khai sinh",
                "data": {"id": "khai_sinh"},
                **stamp,
            }
        ],
        "faq": [{"key": "wifi", "question": "Wifi?", "data": {"key": "wifi"}, **stamp}],
        "counters": [
            {"id": "quay_1", "number": 1, "name": "Quầy 1"},
            {"id": "quay_2", "number": 2, "name": "Quầy 2"},
        ],
        "services": [
            {
                "id": "ho_tich",
                "letter": "A",
                "name": "Hộ tịch",
                "position": 0,
                "fields": ["ho_tich"],
                "procedures": ["khai_sinh"],
                "counters": ["quay_1"],
            },
            {
                "id": "dat_dai",
                "letter": "B",
                "name": "Đất đai",
                "position": 1,
                "fields": ["dat_dai"],
                "procedures": [],
                "counters": ["quay_2"],
            },
        ],
        "devices": [
            {
                "id": 7,
                "name": "kiosk-cu",
                "token_hash": "a" * 64,
                "created_at": NOW,
                "revoked_at": None,
                "last_seen_at": NOW,
            }
        ],
        "ticket_day_counters": [{"service_id": "ho_tich", "service_day": DAY, "last_sequence": 2}],
        "tickets": [
            {  # ids from the database's own sequence (PostgreSQL's must know them for the next ticket)
                "issued_service_id": "ho_tich",
                "service_day": DAY,
                "sequence": 1,
                "number": "A001",
                "service_id": "ho_tich",
                "procedure_id": "khai_sinh",
                "priority": "none",
                "priority_rank": 1,
                "channel": "kiosk",
                "status": "done",
                "counter_id": "quay_1",
                "device_id": 7,
                "idempotency_key": "k1",
                "request_hash": "b" * 64,
                "issued_at": NOW,
                "queued_at": NOW,
                "called_at": NOW,
                "finished_at": NOW,
                "recall_count": 0,
            },
            {
                "issued_service_id": "ho_tich",
                "service_day": DAY,
                "sequence": 2,
                "number": "A002",
                "service_id": "ho_tich",
                "procedure_id": None,
                "priority": "elderly",
                "priority_rank": 0,
                "channel": "kiosk",
                "status": "waiting",
                "counter_id": None,
                "device_id": 7,
                "idempotency_key": None,
                "request_hash": None,
                "issued_at": NOW,
                "queued_at": NOW,
                "called_at": None,
                "finished_at": None,
                "recall_count": 0,
            },
        ],
        "dossiers": [
            {
                "code": "000.00.12.H26-250701-0001",
                "procedure_id": "khai_sinh",
                "status": "dang_xu_ly",
                "applicant_name": "Nguyễn Văn An",
                "phone": "0912345678",
                "received_on": DAY,
                "appointment_on": None,
                "note": None,
                "updated_at": NOW,
            }
        ],
        "failed_lookups": [{"id": 1, "device_key": "device:kiosk-cu", "at": NOW}],
        "staff_users": [
            {
                "id": 1,
                "username": "quay",
                "password_hash": "x",
                "role": "counter",
                "created_at": NOW,
                "disabled": False,
                "token_version": 0,
            },
            {
                "id": 2,
                "username": "bien-tap",
                "password_hash": "x",
                "role": "editor",
                "created_at": NOW,
                "disabled": False,
                "token_version": 3,
            },
        ],
        "login_failures": [{"username": "quay", "source": "10.0.0.1", "failures": 2, "last_at": NOW}],
        "audit_log": [
            {
                "id": 1,
                "at": NOW,
                "actor": "staff:quay",
                "action": "ticket.call",
                "entity_type": "ticket",
                "entity_id": "1",
                "details": {"number": "A001"},
            }
        ],
        "feedback": [
            {
                "id": 1,
                "rating": 5,
                "comment": "Tốt",
                "service_id": "ho_tich",
                "device_name": "kiosk-cu",
                "created_at": NOW,
            }
        ],
        "handoffs": [
            {
                "id": 1,
                "reason": "cần gặp",
                "summary": "hỏi đất",
                "device_name": "kiosk-cu",
                "status": "open",
                "created_at": NOW,
                "handled_by": None,
                "handled_at": None,
            }
        ],
        "unanswered_questions": [
            {
                "id": 1,
                "text": "Mấy giờ đóng cửa?",
                "intent": None,
                "confidence": 0.2,
                "device_name": "kiosk-cu",
                "created_at": NOW,
                "reviewed": False,
            }
        ],
        "publish_jobs": [
            {
                "id": 1,
                "status": "done",
                "force": False,
                "requested_by": "staff:bien-tap",
                "requested_at": NOW,
                "claimed_by": "device:nlu",
                "started_at": NOW,
                "finished_at": NOW,
                "updated_at": NOW,
                "step": "xong",
                "progress": 100,
                "message": "",
                "output": [],
                "fingerprint": None,
            }
        ],
    }


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    with fresh_postgres_database("letan_migration") as url:
        if url is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        yield url


def _count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one())


def test_0005_moves_a_single_site_database_into_the_default_site(empty_url: str) -> None:
    command.upgrade(alembic_config(empty_url), "0004")
    rows = _rows_at_0004()
    engine = create_engine(empty_url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        assert set(rows) == set(tables.tables) - {"alembic_version"}, "a table of 0004 has no row in the test"
        with engine.begin() as connection:
            for table in tables.sorted_tables:
                if table.name in rows:
                    connection.execute(insert(table), rows[table.name])

        command.upgrade(alembic_config(empty_url), "0005")

        for name, table_rows in rows.items():
            if name != "site":
                assert _count(engine, name) == len(table_rows), name
        assert "site" not in inspect(engine).get_table_names()
        with engine.connect() as connection:
            site = connection.execute(text("SELECT id, name, address, time_zone, version FROM sites")).one()
            users = dict(connection.execute(text("SELECT username, site_id FROM staff_users")).all())
            tickets = connection.execute(
                text("SELECT number, site_id, status FROM tickets ORDER BY id")
            ).all()
        assert tuple(site) == ("default", "Phường Cũ", "Số 9 phố Cũ", "Asia/Ho_Chi_Minh", 2)
        for table in (
            "counters",
            "services",
            "ticket_day_counters",
            "tickets",
            "devices",
            "feedback",
            "handoffs",
            "unanswered_questions",
            "failed_lookups",
        ):
            assert _count(engine, table, "WHERE site_id = 'default'") == len(rows[table]), table
        assert users == {"quay": "default", "bien-tap": None}  # counter staff at the site, editors city-wide
        assert [tuple(t) for t in tickets] == [("A001", "default", "done"), ("A002", "default", "waiting")]
    finally:
        engine.dispose()

    # The migrated database works on: the next ticket of the day continues the old numbering.
    factory = create_session_factory(create_db_engine(empty_url))
    with factory() as session:
        issued = issue_ticket(
            session,
            FixedClock(datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)),
            site_id="default",
            service_id="ho_tich",
            procedure_id=None,
            priority="none",
            channel="kiosk",
            device_id=7,
            idempotency_key=None,
        )
        session.commit()
        assert issued.ticket.number == "A003"
        assert issued.ahead == 1  # the elderly citizen's A002 still waits first
    factory.kw["bind"].dispose()

    # And back: a database of one site returns to the schema of 0004 with its rows.
    command.downgrade(alembic_config(empty_url), "0004")
    engine = create_engine(empty_url)
    try:
        assert _count(engine, "tickets") == 3
        assert _count(engine, "site") == 1
        assert "sites" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
