"""Pytest fixtures other suites import in their conftest:

from tests.support.fixtures import backend_server  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.backend import RunningBackend, running_backend


@pytest.fixture(scope="session")
def backend_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBackend]:
    """One real backend for the session: fresh SQLite database, repo content, a device token."""
    with running_backend(tmp_path_factory.mktemp("backend")) as backend:
        yield backend


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for the session (skips when no server answers)."""
    from tests.support.postgres import fresh_postgres_database

    with fresh_postgres_database() as url:
        if url is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        yield url
