"""Many clients issuing tickets at once against a real server: numbers unique and gap-free."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine

from tests.support.backend import running_backend
from tests.support.postgres import fresh_postgres_database

THREADS = 16
PER_THREAD = 15


def hammer(backend, service_id):
    def worker(index):
        numbers = []
        with httpx.Client(base_url=backend.base_url, headers=backend.device_headers, timeout=60) as client:
            for _ in range(PER_THREAD):
                response = client.post("/tickets", json={"service_id": service_id, "channel": "kiosk"})
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])
        return numbers

    with ThreadPoolExecutor(THREADS) as pool:
        return [n for chunk in pool.map(worker, range(THREADS)) for n in chunk]


def check(numbers, letter, url):
    total = THREADS * PER_THREAD
    assert len(numbers) == total
    assert sorted(numbers) == [f"{letter}{i:03d}" for i in range(1, total + 1)], "unique and gap-free"
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT sequence FROM tickets ORDER BY sequence").scalars().all()
    engine.dispose()
    assert stored == list(range(1, total + 1))


@pytest.mark.slow
def test_concurrent_tickets_on_sqlite(tmp_path):
    with running_backend(tmp_path, workers=2) as backend:
        service = httpx.get(f"{backend.base_url}/services").json()[0]
        numbers = hammer(backend, service["id"])
    check(numbers, service["letter"], f"sqlite:///{backend.data_dir / 'letan.db'}")


@pytest.mark.slow
@pytest.mark.postgres
def test_concurrent_tickets_on_postgresql(tmp_path):
    with fresh_postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not running")
        with running_backend(tmp_path, database_url=url, workers=2) as backend:
            service = httpx.get(f"{backend.base_url}/services").json()[0]
            numbers = hammer(backend, service["id"])
        check(numbers, service["letter"], url)
