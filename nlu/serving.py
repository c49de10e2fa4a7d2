"""Running the Rasa server and the action server, and loading a new model into a running server."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from nlu.settings import NLU_DIR, get_settings
from nlu.training import NluError, model_path, rasa_env

logger = logging.getLogger(__name__)


def rasa_server_command(model: Path, host: str, port: int, endpoints: str) -> list[str]:
    return [
        str(get_settings().rasa_bin), "run", "--enable-api", "--model", str(model),
        "--endpoints", endpoints, "--credentials", "credentials.yml",
        "--interface", host, "--port", str(port),
    ]  # fmt: skip


def actions_command(host: str, port: int) -> list[str]:
    return [str(get_settings().rasa_bin), "run", "actions", "--actions", "actions", "--port", str(port)]


def wait_ready(url: str, process: subprocess.Popen[bytes] | None, timeout: float) -> float:
    """Seconds until `url` answers 200; NluError when the process dies or time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if process is not None and process.poll() is not None:
            raise NluError("nlu-server-exited", f"Máy chủ Rasa đã dừng (mã {process.returncode}).")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.monotonic() - start
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise NluError("nlu-server-timeout", f"Máy chủ Rasa chưa sẵn sàng sau {timeout:.0f} giây.")


def start_rasa(model: Path | None = None, *, port: int | None = None, endpoints: str | None = None,
               env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:  # fmt: skip
    settings = get_settings()
    command = rasa_server_command(
        model or model_path(), settings.host, port or settings.port, endpoints or settings.endpoints
    )
    return subprocess.Popen(command, cwd=NLU_DIR, env={**rasa_env(), **(env or {})})  # noqa: S603


def start_actions(*, port: int | None = None, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    settings = get_settings()
    full_env = {**rasa_env(), "SANIC_HOST": settings.actions_host, **(env or {})}
    return subprocess.Popen(actions_command(settings.actions_host, port or settings.actions_port),  # noqa: S603
                            cwd=NLU_DIR, env=full_env)  # fmt: skip


def run_foreground(process: subprocess.Popen[bytes]) -> int:
    """Wait for a child, passing Ctrl-C / SIGTERM on to it."""

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        return process.wait()


def reload_model(url: str, model: Path | None = None, timeout: float = 120.0) -> None:
    """Load a model file into a running Rasa server without a restart (PUT /model)."""
    path = (model or model_path()).resolve()
    if not path.is_file():
        raise NluError("nlu-model-missing", f"Không tìm thấy mô hình {path}.")
    try:
        response = requests.put(f"{url.rstrip('/')}/model", json={"model_file": str(path)}, timeout=timeout)
    except requests.RequestException as err:
        raise NluError("nlu-server-unreachable", f"Không kết nối được máy chủ Rasa {url}.") from err
    if response.status_code not in (200, 204):
        raise NluError(
            "nlu-reload-failed", f"Máy chủ Rasa không nạp được mô hình (HTTP {response.status_code})."
        )


def resident_memory_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def stop(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


__all__ = ["os", "reload_model", "resident_memory_mb", "start_actions", "start_rasa", "stop", "wait_ready"]
