"""`letan backup` and `letan restore` while a real server runs (SQLite and PostgreSQL): the restored
database equals the backed-up one in every table, and a backup taken while tickets are being
issued is a consistent snapshot."""

from __future__ import annotations

import stat
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from tests.support.backend import RunningBackend, start_backend
from tests.support.postgres import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path) -> Iterator[RunningBackend]:
    if request.param == "sqlite":
        backend = start_backend(tmp_path)
        yield backend
        backend.stop()
        return
    with fresh_postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        backend = start_backend(tmp_path, database_url=url)
        yield backend
        backend.stop()


def database_url(server: RunningBackend) -> str:
    return server.env.get("LETAN_DATABASE_URL") or f"sqlite:///{server.data_dir / 'letan.db'}"


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = {}
            for name in sorted(inspector.get_table_names()):
                key = inspector.get_pk_constraint(name)["constrained_columns"] or [
                    c["name"] for c in inspector.get_columns(name)
                ]
                order = ", ".join(f'"{column}"' for column in key)
                tables[name] = [
                    tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}" ORDER BY {order}'))
                ]
    finally:
        engine.dispose()
    return tables


def issue(client: httpx.Client, service: str, key: str) -> dict[str, Any]:
    response = client.post("/tickets", json={"service_id": service}, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    return response.json()


def test_backup_and_restore_while_the_server_runs(server, tmp_path):
    kiosk = httpx.Client(base_url=server.base_url, headers=server.device_headers, timeout=60)
    service = kiosk.get("/services").json()[0]["id"]
    for index in range(6):
        issue(kiosk, service, f"truoc-{index}")
    server.seed_demo()
    password = server.create_user("can-bo", "counter")
    counter = {"Authorization": f"Bearer {server.staff_token('can-bo', password)}"}
    counter_id = kiosk.get("/services").json()[0]["counters"][0]["id"]
    assert kiosk.post(f"/counters/{counter_id}/call-next", headers=counter).status_code == 200
    assert kiosk.post("/feedback", json={"rating": 5, "comment": "Nhanh"}).status_code == 201
    assert kiosk.post("/handoffs", json={"reason": "hỏi thêm"}).status_code == 201
    assert kiosk.post("/unanswered", json={"text": "Phí sao y?"}).status_code == 201
    httpx.post(f"{server.base_url}/auth/token", json={"username": "can-bo", "password": "sai-roi-1"})
    url = database_url(server)
    before = snapshot(url)
    assert all(before[table] for table in ("tickets", "dossiers", "audit_log", "feedback", "login_failures"))

    # A backup while others read the board.
    reading = threading.Event()
    board_statuses: Counter[int] = Counter()

    def read_board() -> None:
        with httpx.Client(base_url=server.base_url, timeout=60) as reader:
            while not reading.is_set():
                board_statuses[reader.get("/queue").status_code] += 1

    reader = threading.Thread(target=read_board)
    reader.start()
    try:
        first = tmp_path / "truoc.backup"
        assert "Đã sao lưu" in server.cli("backup", str(first))
    finally:
        reading.set()
        reader.join(timeout=60)
    assert set(board_statuses) == {200}
    assert stat.S_IMODE(first.stat().st_mode) == 0o600

    # A backup while tickets are being issued.
    issued: list[dict[str, Any]] = []
    writing = threading.Event()

    def write_tickets() -> None:
        with httpx.Client(base_url=server.base_url, headers=server.device_headers, timeout=60) as writer:
            index = 0
            while not writing.is_set() or index < 5:
                issued.append(issue(writer, service, f"trong-{index}"))
                index += 1

    writer = threading.Thread(target=write_tickets)
    writer.start()
    try:
        during = tmp_path / "trong.backup"
        server.cli("backup", str(during))
    finally:
        writing.set()
        writer.join(timeout=120)
    assert snapshot(url) != before

    # A wrong file is refused with a reason, and nothing changes.
    changed = snapshot(url)
    junk = tmp_path / "rac.backup"
    junk.write_bytes(b"not a backup")
    for wrong, reason in ((junk, "Không khôi phục được"), (tmp_path / "khong-co", "Không có tệp sao lưu")):
        with pytest.raises(RuntimeError) as refused:
            server.cli("restore", str(wrong), "--yes")
        assert reason in str(refused.value)
    assert snapshot(url) == changed

    assert "Đã khôi phục" in server.cli("restore", str(first), "--yes")
    assert snapshot(url) == before

    server.cli("restore", str(during), "--yes")
    engine = create_engine(url)
    with engine.connect() as connection:
        sequences = connection.execute(text("SELECT sequence FROM tickets ORDER BY sequence")).scalars().all()
        counters = connection.execute(text("SELECT last_sequence FROM ticket_day_counters")).scalars().all()
    engine.dispose()
    assert sequences == list(range(1, len(sequences) + 1)), "a consistent snapshot: numbers gap-free"
    assert counters == [len(sequences)]
    assert 6 <= len(sequences) <= 6 + len(issued)

    # The server goes on from the restored state: the next number follows the restored ones.
    after = issue(kiosk, service, "sau")
    assert after["number"].endswith(f"{len(sequences) + 1:03d}")
    kiosk.close()
