"""The settings every letan process shares, each `LETAN_*` variable named here once.

Read the same way by the backend, the kiosk, the robot, the Rasa commands and the action server
(which runs in .venv-rasa, without pydantic-settings, hence plain Python). Files live in the data
directory: a relative `LETAN_DATA_DIR` is resolved against the working directory of the process
that reads it, and processes started by letan are given the absolute path; a relative file
setting (`LETAN_DEVICE_TOKEN_FILE`) is resolved against the data directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = "LETAN_DATA_DIR"
BACKEND_URL = "LETAN_BACKEND_URL"
RASA_URL = "LETAN_RASA_URL"
DEVICE_TOKEN = "LETAN_DEVICE_TOKEN"  # noqa: S105 (a variable's name, not a secret)
DEVICE_TOKEN_FILE = "LETAN_DEVICE_TOKEN_FILE"  # noqa: S105 (a variable's name, not a secret)
HTTP_TIMEOUT = "LETAN_HTTP_TIMEOUT"
CONTENT_DIR = "LETAN_CONTENT_DIR"

DEFAULT_DATA_DIR = "var"
DEFAULT_BACKEND_URL = "http://127.0.0.1:8000/api/v1"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_HTTP_TIMEOUT_S = 5.0
DEVICE_TOKEN_NAME = "device-token"  # noqa: S105 (a variable's name, not a secret)


def resolve_data_dir(value: str | os.PathLike[str] | None) -> Path:
    """The absolute data directory for a setting's value (default `var` in the working directory)."""
    return Path(value or DEFAULT_DATA_DIR).expanduser().resolve()


@dataclass(frozen=True)
class SharedSettings:
    data_dir: Path
    backend_url: str
    rasa_url: str
    device_token_value: str | None
    device_token_file: Path
    http_timeout_s: float
    content_dir: Path | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SharedSettings:
        env = os.environ if environ is None else environ
        data_dir = resolve_data_dir(env.get(DATA_DIR))
        token_file = Path(env.get(DEVICE_TOKEN_FILE) or DEVICE_TOKEN_NAME).expanduser()
        content_dir = env.get(CONTENT_DIR)
        try:
            timeout = float(env.get(HTTP_TIMEOUT) or DEFAULT_HTTP_TIMEOUT_S)
        except ValueError as err:
            raise ValueError(f"{HTTP_TIMEOUT} phải là một số giây") from err
        return cls(
            data_dir=data_dir,
            backend_url=(env.get(BACKEND_URL) or DEFAULT_BACKEND_URL).rstrip("/"),
            rasa_url=(env.get(RASA_URL) or DEFAULT_RASA_URL).rstrip("/"),
            device_token_value=(env.get(DEVICE_TOKEN) or "").strip() or None,
            device_token_file=token_file if token_file.is_absolute() else data_dir / token_file,
            http_timeout_s=timeout,
            content_dir=Path(content_dir).expanduser().resolve() if content_dir else None,
        )

    def device_token(self) -> str | None:
        """`LETAN_DEVICE_TOKEN`, else the token file in the data directory (None when neither)."""
        if self.device_token_value:
            return self.device_token_value
        try:
            return self.device_token_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a process letan starts: the same settings, the data directory absolute."""
        env = dict(os.environ if base is None else base)
        env[DATA_DIR] = str(self.data_dir)
        return env


@lru_cache(maxsize=1)
def shared_settings() -> SharedSettings:
    """The process's shared settings (read once; tests build `SharedSettings.from_env(...)`)."""
    return SharedSettings.from_env()
