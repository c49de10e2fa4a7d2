"""The backend HTTP API as the action server uses it (`api-contract.md`).

Settings come from the environment (the action server runs in .venv-rasa, without
pydantic-settings): LETAN_BACKEND_URL (default http://127.0.0.1:8000/api/v1),
LETAN_DEVICE_TOKEN or the file LETAN_DEVICE_TOKEN_FILE (default var/device-token),
LETAN_NLU_BACKEND_TIMEOUT (seconds, default 3), LETAN_NLU_CHANNEL (default kiosk),
LETAN_NLU_HELP_COUNTER (what to say when the backend is down, default "quầy hướng dẫn").
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import requests

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]


class BackendError(Exception):
    """The backend answered with an error; `code` is its stable code, `status` the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class BackendUnavailableError(BackendError):
    """The backend cannot be reached (down, timeout, 5xx)."""


@dataclass(frozen=True)
class Settings:
    backend_url: str
    device_token: str | None
    timeout: float
    channel: str
    help_counter: str


def _read_token() -> str | None:
    token = os.environ.get("LETAN_DEVICE_TOKEN")
    if token:
        return token.strip()
    path = Path(os.environ.get("LETAN_DEVICE_TOKEN_FILE", "var/device-token"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    try:
        return path.read_text("utf-8").strip() or None
    except OSError:
        return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        backend_url=os.environ.get("LETAN_BACKEND_URL", "http://127.0.0.1:8000/api/v1").rstrip("/"),
        device_token=_read_token(),
        timeout=float(os.environ.get("LETAN_NLU_BACKEND_TIMEOUT", "3")),
        channel=os.environ.get("LETAN_NLU_CHANNEL", "kiosk"),
        help_counter=os.environ.get("LETAN_NLU_HELP_COUNTER", "quầy hướng dẫn"),
    )


class BackendClient:
    """requests to the backend with a timeout and one retry on a connection failure or 5xx."""

    _local = threading.local()
    # Short-lived cache of public reads that rarely change (services, counters): seconds.
    _cache: ClassVar[dict[str, tuple[float, Any]]] = {}
    CACHE_SECONDS = 30.0

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def _request(
        self,
        method: str,
        path: str,
        *,
        device: bool = False,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        url = f"{self.settings.backend_url}{path}"
        all_headers = dict(headers or {})
        if device:
            if not self.settings.device_token:
                raise BackendUnavailableError("device_token_missing", "Thiết bị chưa có mã xác thực.")
            all_headers["Authorization"] = f"Bearer {self.settings.device_token}"
        last_error: Exception | None = None
        for attempt in (1, 2):
            try:
                response = self.session.request(
                    method, url, json=json, params=params, headers=all_headers, timeout=self.settings.timeout
                )
            except requests.RequestException as err:
                last_error = err
                logger.warning(
                    "Backend %s %s failed (attempt %d): %s", method, path, attempt, type(err).__name__
                )
                continue
            if response.status_code >= 500:
                last_error = BackendError("backend_error", response.text[:200], response.status_code)
                logger.warning(
                    "Backend %s %s answered %d (attempt %d)", method, path, response.status_code, attempt
                )
                continue
            if response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = {}
                raise BackendError(
                    str(body.get("code", f"http_{response.status_code}")),
                    str(body.get("detail", "")),
                    response.status_code,
                )
            return response.json() if response.content else None
        raise BackendUnavailableError("backend_unavailable", f"Không kết nối được máy chủ: {last_error}")

    def _cached(self, key: str, fetch: Any) -> Any:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.CACHE_SECONDS:
            return hit[1]
        value = fetch()
        self._cache[key] = (now, value)
        return value

    # -- content
    def procedure(self, procedure_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/procedures/{procedure_id}"))

    def procedures(self) -> list[dict[str, Any]]:
        return list(self._cached("procedures", lambda: self._request("GET", "/procedures")))

    def faq(self, key: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/faq/{key}"))

    def services(self) -> list[dict[str, Any]]:
        return list(self._cached("services", lambda: self._request("GET", "/services")))

    # -- queue
    def issue_ticket(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return dict(
            self._request(
                "POST", "/tickets", device=True, json=body, headers={"Idempotency-Key": idempotency_key}
            )
        )

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/tickets/{ticket_id}", device=True))

    def queue(self) -> list[dict[str, Any]]:
        """The board: per service `{service_id, letter, name, waiting, now_serving[]}`."""
        return list((self._request("GET", "/queue") or {}).get("services") or [])

    # -- dossiers
    def dossier(self, code: str, verify: str | None = None) -> dict[str, Any]:
        params = {"verify": verify} if verify else None
        return dict(self._request("GET", f"/dossiers/{code}", device=True, params=params))

    # -- staff notifications
    def handoff(self, reason: str, summary: str) -> Any:
        return self._request("POST", "/handoffs", device=True, json={"reason": reason, "summary": summary})

    def feedback(self, rating: int, comment: str, service_id: str | None) -> Any:
        body: dict[str, Any] = {"rating": rating, "comment": comment}
        if service_id:
            body["service_id"] = service_id
        return self._request("POST", "/feedback", device=True, json=body)

    def unanswered(self, text: str, intent: str, confidence: float) -> Any:
        return self._request(
            "POST",
            "/unanswered",
            device=True,
            json={"text": text, "intent": intent, "confidence": confidence},
        )
