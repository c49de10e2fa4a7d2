"""Horizontal scale: Rasa instances share conversations through PostgreSQL and lock them in Redis.

Two Rasa processes, one after the other, on endpoints-scaled.yml: the second one carries on
the conversation the first one started (the procedure of the conversation is kept).
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from nlu.serving import start_actions, start_rasa, stop, wait_ready
from nlu.training import train
from tests.support.backend import RunningBackend, free_port
from tests.support.postgres import fresh_postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    with fresh_postgres_database("letan_nlu") as url:
        if url is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        yield url


def _scaled_env(url: str, actions_port: int) -> dict[str, str]:
    rest = url.split("://", 1)[1]
    credentials, _, location = rest.rpartition("@")
    user, _, password = credentials.partition(":")
    hostport, _, db = location.partition("/")
    host, _, port = hostport.partition(":")
    return {
        "LETAN_NLU_ACTION_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "LETAN_NLU_TRACKER_DB_HOST": host,
        "LETAN_NLU_TRACKER_DB_PORT": port or "5432",
        "LETAN_NLU_TRACKER_DB": db,
        "LETAN_NLU_TRACKER_DB_USER": user,
        "LETAN_NLU_TRACKER_DB_PASSWORD": password,
        "LETAN_NLU_LOCK_REDIS_HOST": "127.0.0.1",
        "LETAN_NLU_LOCK_REDIS_PORT": "6379",
    }


def _say(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return list(response.json())


def test_a_second_instance_carries_on_the_conversation(
    database_url: str, backend_server: RunningBackend, tmp_path: Path
) -> None:
    model = train()
    actions_port = free_port()
    actions = start_actions(
        port=actions_port,
        env={"LETAN_BACKEND_URL": backend_server.base_url, "LETAN_DEVICE_TOKEN": backend_server.device_token},
    )
    env = _scaled_env(database_url, actions_port)
    sender = f"scale-{uuid.uuid4().hex[:8]}"
    try:
        wait_ready(f"http://127.0.0.1:{actions_port}/health", actions, 90)
        for turn, text in enumerate(("làm giấy khai sinh cần giấy tờ gì", "thế lệ phí bao nhiêu")):
            port = free_port()
            rasa = start_rasa(model, port=port, endpoints="endpoints-scaled.yml", env=env)
            try:
                wait_ready(f"http://127.0.0.1:{port}/status", rasa, 180)
                messages = _say(f"http://127.0.0.1:{port}", sender, text)
            finally:
                stop(rasa)
            custom = next(m["custom"] for m in messages if m.get("custom"))
            assert custom["procedure_id"] == "khai_sinh", (turn, messages)
            assert custom["aspect"] == ("documents", "fee")[turn]
    finally:
        stop(actions)
    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        count = conn.execute("SELECT count(*) FROM events WHERE sender_id = %s", (sender,)).fetchone()
    assert count is not None and count[0] > 4
