"""Action tests run inside .venv-rasa against a real backend started by tests/nlu/test_actions.py.

Environment: LETAN_BACKEND_URL, LETAN_DEVICE_TOKEN, LETAN_TEST_DOSSIERS ("code:verify,...").
"""

import os
import sys
from pathlib import Path

import pytest

NLU_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(NLU_DIR))


@pytest.fixture(autouse=True)
def _fresh_settings() -> None:
    """Each test reads the environment again and gets a new client (no cached services)."""
    from actions import common

    from contract.settings import shared_settings

    shared_settings.cache_clear()
    common.action_settings.cache_clear()
    common.backend.cache_clear()


@pytest.fixture()
def dossiers() -> list[tuple[str, str]]:
    raw = os.environ.get("LETAN_TEST_DOSSIERS", "")
    pairs = [item.split(":", 1) for item in raw.split(",") if ":" in item]
    if not pairs:
        pytest.fail("LETAN_TEST_DOSSIERS is empty: run through tests/nlu/test_actions.py")
    return [(code, verify) for code, verify in pairs]
