"""`letan nlu serve` (as the Procfile runs it) reports readiness, `letan nlu reload` hot-loads the model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from nlu.training import train
from tests.support.backend import free_port

pytestmark = pytest.mark.slow
LETAN = Path(sys.executable).parent / "letan"
REPO = Path(__file__).resolve().parents[2]


def test_serve_reports_ready_and_reload_loads_the_model(tmp_path: Path) -> None:
    train()  # cached: serve must not train again
    port = free_port()
    env = {**os.environ, "LETAN_NLU_PORT": str(port), "LETAN_NLU_ACTIONS_PORT": str(free_port())}
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen(
        [str(LETAN), "nlu", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 240
        while "sẵn sàng" not in (tmp_path / "serve.log").read_text():
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "not ready in time"
            time.sleep(0.5)
        output = (tmp_path / "serve.log").read_text()
        assert "huấn luyện trước" not in output
        status = requests.get(f"http://127.0.0.1:{port}/status", timeout=10).json()
        assert status["model_file"].endswith("letan.tar.gz")
        reload = subprocess.run(
            [str(LETAN), "nlu", "reload", "--url", f"http://127.0.0.1:{port}"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
        assert reload.returncode == 0, reload.stderr
        assert "Đã nạp" in reload.stdout
        parsed = requests.post(
            f"http://127.0.0.1:{port}/model/parse", json={"text": "cho tôi lấy số"}, timeout=30
        )
        assert parsed.json()["intent"]["name"] == "request_queue_number"
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
        log.close()
    assert serve.returncode is not None


def test_reload_of_an_unreachable_server_is_a_clear_error() -> None:
    result = subprocess.run(
        [str(LETAN), "nlu", "reload", "--url", f"http://127.0.0.1:{free_port()}"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Không kết nối được máy chủ Rasa" in result.stderr
