"""A real backend (`letan serve`) in a subprocess, for the tests of every area.

with running_backend(tmp_path) as backend:
    requests.get(f"{backend.base_url}/procedures", ...)
    headers = {"Authorization": f"Bearer {backend.device_token}"}
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
LETAN = Path(sys.executable).parent / "letan"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def backend_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a backend (or a `letan` command) using `data_dir` and `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LETAN_")}
    env["LETAN_DATA_DIR"] = str(data_dir)
    env["LETAN_LOG_LEVEL"] = "WARNING"
    if database_url:
        env["LETAN_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class RunningBackend:
    root_url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None
    log_path: Path
    device_token: str = ""
    _users: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/api/v1"

    @property
    def device_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.device_token}"}

    def cli(self, *args: str, input_text: str | None = None) -> str:
        """Run `letan ARGS...` against this backend's database; returns stdout (raises on failure)."""
        result = subprocess.run(
            [str(LETAN), *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            input=input_text,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"letan {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}"
            )
        return result.stdout

    def create_user(self, username: str, role: str) -> str:
        """Create a staff user with a random password and return the password."""
        password = secrets.token_urlsafe(12)
        self.cli("users", "add", username, "--role", role, "--password", password)
        self._users[username] = password
        return password

    def staff_token(self, username: str, password: str | None = None) -> str:
        password = password or self._users[username]
        response = httpx.post(
            f"{self.base_url}/auth/token", json={"username": username, "password": password}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def add_device(self, name: str) -> str:
        """Create another device and return its token."""
        return self.cli("devices", "add", name).strip().splitlines()[-1]

    def seed_demo(self) -> list[tuple[str, str]]:
        """Add the demo dossiers; returns (code, verify digits) pairs."""
        rows = json.loads(self.cli("demo", "seed", "--json"))
        return [(row["code"], row["verify"]) for row in rows]

    def log_tail(self, size: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_backend(
    tmp_path: Path,
    *,
    database_url: str | None = None,
    workers: int = 1,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 90,
) -> RunningBackend:
    """Start `letan serve` (it migrates, loads content/, writes the device token); wait until healthy.

    Its per-address login rate limit is lifted (every test logs in from 127.0.0.1, and how many
    logins fit in a minute depends on the machine's speed); tests/backend tests the limit itself.
    """
    data_dir = tmp_path / "var"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = backend_env(
        data_dir, database_url, **{"LETAN_LOGIN_ATTEMPTS_PER_MINUTE": "100000", **(extra_env or {})}
    )
    log_path = tmp_path / "backend.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(LETAN), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    backend = RunningBackend(f"http://127.0.0.1:{port}", data_dir, env, process, log_path)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"letan serve exited with {process.returncode}:\n{backend.log_tail()}")
        try:
            if httpx.get(f"{backend.base_url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            backend.stop()
            raise RuntimeError(
                f"letan serve did not become healthy in {timeout:.0f} s:\n{backend.log_tail()}"
            )
        time.sleep(0.2)
    backend.device_token = (data_dir / "device-token").read_text().strip()
    return backend


@contextmanager
def running_backend(
    tmp_path: Path, *, database_url: str | None = None, workers: int = 1
) -> Iterator[RunningBackend]:
    """A backend subprocess on a free port with a fresh database (SQLite in tmp_path unless given)."""
    backend = start_backend(tmp_path, database_url=database_url, workers=workers)
    try:
        yield backend
    finally:
        backend.stop()


@contextmanager
def running_in_process(tmp_path: Path, clock: Any) -> Iterator[RunningBackend]:
    """The backend app on a free port in this process, on `clock` (a `FixedClock` a test moves).

    Prepared as `letan serve` prepares (migrated SQLite in tmp_path, repo content, a device token);
    other processes (the action server) reach it over real HTTP.
    """
    import threading

    import uvicorn

    from backend.app import create_app
    from backend.services.setup import prepare
    from backend.settings import Settings

    data_dir = tmp_path / "var"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.for_data_dir(data_dir, secret_key=secrets.token_hex(16), log_level="WARNING")
    prepare(settings, load_content_if_empty=True)
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=clock), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="in-process-backend", daemon=True)
    thread.start()
    backend = RunningBackend(
        f"http://127.0.0.1:{port}", data_dir, backend_env(data_dir), None, tmp_path / "backend.log"
    )
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the in-process backend did not start")
            time.sleep(0.05)
        backend.device_token = settings.device_token_file.read_text().strip()
        yield backend
    finally:
        server.should_exit = True
        thread.join(timeout=15)
