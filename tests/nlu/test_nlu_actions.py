"""The custom actions, run by pytest inside .venv-rasa (rasa_sdk lives there), against a real backend."""

import os
import subprocess
from pathlib import Path

from tests.support.backend import RunningBackend

REPO = Path(__file__).resolve().parents[2]
RASA_PYTHON = REPO / ".venv-rasa" / "bin" / "python"


def test_actions_against_a_real_backend(backend_server: RunningBackend) -> None:
    dossiers = backend_server.seed_demo()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LETAN_")},
        "LETAN_BACKEND_URL": backend_server.base_url,
        "LETAN_DEVICE_TOKEN": backend_server.device_token,
        "LETAN_TEST_DOSSIERS": ",".join(f"{code}:{verify}" for code, verify in dossiers),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    check = subprocess.run([str(RASA_PYTHON), "-c", "import pytest"], capture_output=True, check=False)
    assert check.returncode == 0, ".venv-rasa has no pytest: it must be in nlu/requirements-rasa.lock"
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "pytest", "-q", "-c", "nlu/tests/pytest.ini", "nlu/tests"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
