"""A deployment's data directory outside the checkout, every process started from another folder.

Only `LETAN_DATA_DIR` (and the ports) is set: `letan serve` creates the database and writes the
device token there, the action server and the kiosk's clients find that token through the shared
settings, and a ticket is issued by voice through the assistant and by the kiosk. Nothing is
written into the checkout or the working directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from contract.backend_client import BackendClient
from contract.rasa_client import RasaClient
from contract.settings import SharedSettings
from nlu.settings import NLU_DIR, REPO_ROOT
from nlu.training import hash_path, train
from tests.deploy.deploy_helpers import wait_until
from tests.support.backend import free_port

pytestmark = pytest.mark.slow

LETAN = Path(sys.executable).parent / "letan"


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[dict[str, str]]:
    data_dir, elsewhere = tmp_path / "srv" / "letan", tmp_path / "elsewhere"
    elsewhere.mkdir(parents=True)
    # The trained model of the checkout, as `letan nlu train` would leave it in this data directory.
    model = train()
    models = data_dir / "nlu" / "models"
    models.mkdir(parents=True)
    shutil.copy(model, models / model.name)
    shutil.copy(hash_path(model.parent), models / hash_path(model.parent).name)
    backend, actions, rasa = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LETAN_")}
    env.update(
        LETAN_DATA_DIR=str(data_dir),
        LETAN_PORT=str(backend),
        LETAN_BACKEND_URL=f"http://127.0.0.1:{backend}/api/v1",
        LETAN_NLU_ACTIONS_PORT=str(actions),
        LETAN_NLU_PORT=str(rasa),
        LETAN_RASA_URL=f"http://127.0.0.1:{rasa}",
    )
    commands = {
        "backend": ([str(LETAN), "serve"], f"http://127.0.0.1:{backend}/api/v1/health"),
        "actions": ([str(LETAN), "nlu", "actions"], f"http://127.0.0.1:{actions}/health"),
        "rasa": ([str(LETAN), "nlu", "serve"], f"http://127.0.0.1:{rasa}/status"),
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        for name, (command, _ready) in commands.items():
            with (logs / f"{name}.log").open("wb") as log:
                processes[name] = subprocess.Popen(
                    command,
                    cwd=elsewhere,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            if name == "backend":  # the device token exists once the backend has prepared
                wait_until(lambda: _up(commands["backend"][1]), 120, "the backend")
        for name, (_command, ready) in commands.items():
            wait_until(lambda url=ready, p=processes[name]: _up(url) or p.poll() is not None, 240, name)
            assert processes[name].poll() is None, (logs / f"{name}.log").read_text()[-3000:]
        yield {**env, "ELSEWHERE": str(elsewhere), "LOGS": str(logs)}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_data_directory_outside_the_checkout_serves_the_assistant_and_the_kiosk(
    deployment: dict[str, str],
) -> None:
    settings = SharedSettings.from_env(deployment)
    data_dir = Path(deployment["LETAN_DATA_DIR"])
    assert (data_dir / "letan.db").is_file() and settings.device_token_file == data_dir / "device-token"
    assert settings.device_token_file.is_file()

    sender = f"d-{uuid.uuid4().hex[:8]}"
    assistant = RasaClient.from_settings(settings, timeout_s=60)
    assert "ưu tiên" in assistant.send(sender, "cho tôi lấy số làm khai sinh")[0].text
    issued = assistant.send(sender, "không")
    card = next((m.custom for m in issued if m.custom), None)
    assert card is not None, issued
    assert card["type"] == "ticket" and card["number"].startswith("A"), issued

    kiosk = BackendClient.from_settings(settings)
    ticket = kiosk.issue_ticket(procedure_id="tam_tru")
    assert ticket.number == "B001" and ticket.service_id == "cu_tru_can_cuoc"

    elsewhere = Path(deployment["ELSEWHERE"])
    assert list(elsewhere.iterdir()) == []
    assert not (NLU_DIR / "var").exists()
    assert not (REPO_ROOT / "var" / "device-token").exists() or _token_differs(settings)


def _token_differs(settings: SharedSettings) -> bool:
    """A developer's own `var/` in the checkout may exist; it must not be what served this test."""
    return (REPO_ROOT / "var" / "device-token").read_text().strip() != settings.device_token()
