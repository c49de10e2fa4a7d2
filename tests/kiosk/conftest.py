"""Kiosk window tests share one App and one offscreen window for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kiosk.driver import KioskDriver
from tests.support.backend import RunningBackend, free_port
from tests.support.fixtures import backend_server  # noqa: F401


@pytest.fixture(scope="session")
def kiosk_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kiosk-var")


@pytest.fixture(scope="session")
def kiosk_session(backend_server: RunningBackend, kiosk_data_dir: Path) -> Iterator[KioskDriver]:  # noqa: F811
    from kiosk.settings import KioskSettings

    settings = KioskSettings(
        backend_url=backend_server.base_url,
        rasa_url=f"http://127.0.0.1:{free_port()}",  # nothing listens: the assistant is down
        device_token=backend_server.device_token,
        data_dir=kiosk_data_dir,
        width=540,
        height=960,
        idle_seconds=3600,
        idle_answer_seconds=3600,
        voice=False,
        http_timeout=10,
    )
    driver = KioskDriver.start(settings)
    yield driver
    driver.stop()


@pytest.fixture
def kiosk(kiosk_session: KioskDriver) -> Iterator[KioskDriver]:
    """The shared kiosk, back on a fresh home screen before each test, with nothing in flight:
    what a test started in the background cannot reach the next one."""
    app = kiosk_session.app
    app.reset_session()
    kiosk_session.settle()
    kiosk_session.frames(2)
    yield kiosk_session
    app.idle.idle_seconds = 3600
    app.idle.answer_seconds = 3600
    if app.idle_popup is not None:
        app.idle_popup.dismiss()
    app.reset_session()
    kiosk_session.settle()
