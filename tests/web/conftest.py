"""Fixtures of the staff-page tests: one real backend subprocess and one headless Chromium per session."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LETAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The queue display plays its announcements without a click, as a TV in kiosk mode does.
    "--autoplay-policy=no-user-gesture-required",
]
REPO = Path(__file__).resolve().parents[2]
# `LETAN_WEB_SCREENSHOTS=1 .venv/bin/pytest tests/web` refreshes docs/screenshots/staff-*.png; other runs
# write them under the system's temporary folder so a test run leaves the work tree as it was.
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("LETAN_WEB_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "letan-web-screenshots"
)
if str(REPO) not in sys.path:  # `tests.support` is imported from the repository root
    sys.path.insert(0, str(REPO))


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from tests.support.backend import running_backend

    with running_backend(tmp_path_factory.mktemp("web-backend")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: object) -> object:
    return context.new_page()  # type: ignore[attr-defined]


@pytest.fixture
def shot() -> object:
    return screenshot


@pytest.fixture
def log_in() -> object:
    return login


def screenshot(page: object, name: str) -> None:
    """Save `docs/screenshots/staff-<name>.png` (the pages as staff see them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"staff-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def login(page: object, root_url: str, username: str, password: str) -> None:
    page.goto(f"{root_url}/staff/login")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
