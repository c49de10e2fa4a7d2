"""The OpenAPI document tells the truth: schemathesis generates valid and invalid requests for every
operation, with device, counter, editor and admin tokens in turn and with none, against the app on
SQLite and PostgreSQL; any 5xx, any status the document does not list, any answer unlike its
schema, any invalid request accepted fails the test (the checks: `tests/support/fuzz.py`). A small
budget here; `bench/fuzz.py` runs a longer one against a real server.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.clock import FixedClock
from backend.notify.providers import NotifySettings
from backend.services.content_files import load_content
from backend.settings import Settings
from tests.backend.conftest import FIXTURE_PREFIX, INBOUND_SECRET, START, _clean
from tests.support.fuzz import fuzz
from tests.support.sample_content import small_content

EXAMPLES = 6  # per operation and per mode (valid, invalid)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_operation_answers_as_its_openapi_document_says(kind, request, tmp_path):
    database = request.getfixturevalue(f"{kind}_database")
    with database.factory() as session:
        load_content(session, small_content())
        session.commit()
    settings = Settings.for_data_dir(
        tmp_path,
        database_url=database.url,
        secret_key="a-test-secret-key-that-is-long-enough",
        queue_cache_seconds=0,
        login_attempts_per_minute=100_000,
        notify=NotifySettings(inbound_secret=INBOUND_SECRET),  # the gateway's replies reach their logic
    )
    app = create_app(settings, clock=FixedClock(START))
    try:
        with TestClient(app) as client:
            tokens = [database.device_token, INBOUND_SECRET]
            for role in ("counter", "editor", "admin"):
                body = {"username": f"{FIXTURE_PREFIX}{role}", "password": database.passwords[role]}
                tokens.append(client.post("/api/v1/auth/token", json=body).json()["access_token"])
        authorizations = itertools.cycle([*(f"Bearer {t}" for t in tokens), None])
        report = fuzz(schemathesis.openapi.from_asgi("/openapi.json", app), authorizations, examples=EXAMPLES)
    finally:
        app.state.engine.dispose()
        _clean(database)
    print(f"{kind}: {report.summary()}")
    assert report.requests > 100
    assert report.server_errors == 0, report.violations
    assert report.violations == []
