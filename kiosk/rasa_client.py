"""The Rasa REST channel: `POST /webhooks/rest/webhook {"sender", "message"}`. Blocking."""

from __future__ import annotations

import logging
from typing import Any

import requests

from kiosk.errors import RasaError

logger = logging.getLogger(__name__)


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        try:
            response = self.session.post(
                self.base_url + "/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                timeout=self.timeout,
            )
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as err:
            logger.warning("rasa unreachable: %s", type(err).__name__)
            raise RasaError("rasa_unavailable", "Trợ lý trò chuyện không trả lời.") from err
        if not isinstance(body, list):
            raise RasaError("rasa_bad_reply", "Trợ lý trả lời không hợp lệ.")
        return [m for m in body if isinstance(m, dict)]
