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
    from contract.settings import SharedSettings
    from kiosk.settings import KioskSettings

    shared = SharedSettings.from_env(
        {
            "LETAN_BACKEND_URL": backend_server.base_url,
            "LETAN_RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: the assistant is down
            "LETAN_DEVICE_TOKEN": backend_server.device_token,
            "LETAN_DATA_DIR": str(kiosk_data_dir),
            "LETAN_HTTP_TIMEOUT": "30",  # generous: a loaded machine is slower, never wrong
        }
    )
    settings = KioskSettings(width=540, height=960, idle_seconds=3600, idle_answer_seconds=3600, voice=False)
    driver = KioskDriver.start(settings, shared)
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
    if app.session.popup is not None:
        app.session.popup.dismiss()
    app.reset_session()
    kiosk_session.settle()
