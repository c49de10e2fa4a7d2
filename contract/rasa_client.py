"""The one client of the Rasa server: its REST channel and `/model/parse`. Blocking (`requests`)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import requests

from contract.errors import RASA_DOWN_MESSAGE, RasaError
from contract.settings import SharedSettings, shared_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotMessage:
    """One message of the assistant: what it says, the choices it offers, its card (`custom`)."""

    text: str = ""
    buttons: tuple[dict[str, Any], ...] = ()
    custom: dict[str, Any] | None = field(default=None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BotMessage:
        custom = data.get("custom")
        return cls(
            text=str(data.get("text") or ""),
            buttons=tuple(b for b in data.get("buttons") or () if isinstance(b, dict)),
            custom=custom if isinstance(custom, dict) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = list(self.buttons)
        if self.custom is not None:
            data["custom"] = self.custom
        return data


class RasaClient:
    def __init__(self, base_url: str, *, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._local = threading.local()

    @classmethod
    def from_settings(cls, settings: SharedSettings | None = None, **options: Any) -> RasaClient:
        return cls((settings or shared_settings()).rasa_url, **options)

    @property
    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = self._session.post(self.base_url + path, json=body, timeout=self.timeout_s)
            response.raise_for_status()
            return response.json()
        except requests.Timeout as err:
            logger.warning("rasa %s timed out after %.1f s", path, self.timeout_s)
            raise RasaError("rasa_timeout", RASA_DOWN_MESSAGE) from err
        except (requests.RequestException, ValueError) as err:
            logger.warning("rasa %s failed: %s", path, type(err).__name__)
            raise RasaError("rasa_unavailable", RASA_DOWN_MESSAGE) from err

    def send(self, sender: str, message: str) -> list[BotMessage]:
        """The assistant's messages in answer to `message` in the conversation `sender`."""
        payload = self._post("/webhooks/rest/webhook", {"sender": sender, "message": message})
        if not isinstance(payload, list):
            raise RasaError("rasa_bad_reply", RASA_DOWN_MESSAGE)
        messages = [BotMessage.from_dict(item) for item in payload if isinstance(item, dict)]
        return [m for m in messages if m.text or m.buttons or m.custom]

    def parse(self, text: str) -> dict[str, Any]:
        """`POST /model/parse`: intent, entities and the FAQ response selector for `text`."""
        payload = self._post("/model/parse", {"text": text})
        if not isinstance(payload, dict):
            raise RasaError("rasa_bad_reply", RASA_DOWN_MESSAGE)
        return payload
