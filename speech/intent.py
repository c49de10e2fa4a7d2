"""The intent stage's client: the Rasa server's REST channel, `POST /webhooks/rest/webhook`."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from speech.errors import SpeechError
from speech.events import BotMessage, ErrorCode

logger = logging.getLogger(__name__)


def parse_messages(payload: Any) -> tuple[BotMessage, ...]:
    """Bot messages of the REST channel: `[{"recipient_id", "text"?, "buttons"?, "custom"?}]`."""
    if not isinstance(payload, list):
        raise SpeechError(ErrorCode.INTENT_UNAVAILABLE, "câu trả lời của Rasa không phải là danh sách")
    messages = []
    for item in payload:
        if not isinstance(item, dict):
            continue
        text = item.get("text") or ""
        buttons = tuple(b for b in item.get("buttons") or () if isinstance(b, dict))
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        if text or buttons or custom:
            messages.append(BotMessage(text=str(text), buttons=buttons, custom=custom))
    return tuple(messages)


def spoken_reply(messages: tuple[BotMessage, ...]) -> str:
    """What the robot says: every message's text; button titles read as the choices."""
    parts = [m.text.strip() for m in messages if m.text.strip()]
    titles = [str(b.get("title", "")).strip() for m in messages for b in m.buttons if b.get("title")]
    if titles:
        choices = ", ".join(titles[:-1]) + (f" hoặc {titles[-1]}" if len(titles) > 1 else titles[-1])
        parts.append(f"Bạn có thể nói: {choices}.")
    return " ".join(parts)


def expects_answer(messages: tuple[BotMessage, ...]) -> bool:
    """The bot asked something: the robot listens again without waiting for the wake phrase."""
    if any(m.buttons for m in messages):
        return True
    texts = [m.text.strip() for m in messages if m.text.strip()]
    return bool(texts) and texts[-1].endswith("?")


class RasaClient:
    """Sends the citizen's words to Rasa and returns its messages; keeps one connection open."""

    def __init__(self, url: str, timeout_s: float = 8.0) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=min(2.0, timeout_s)))

    def send(self, sender: str, message: str) -> tuple[BotMessage, ...]:
        try:
            response = self._client.post(
                f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
            )
            response.raise_for_status()
            payload = response.json()
        except httpx.TimeoutException as err:
            raise SpeechError(
                ErrorCode.INTENT_UNAVAILABLE, f"Rasa không trả lời trong {self.timeout_s} s"
            ) from err
        except (httpx.HTTPError, ValueError) as err:
            raise SpeechError(ErrorCode.INTENT_UNAVAILABLE, f"{type(err).__name__}: {err}") from err
        return parse_messages(payload)

    def close(self) -> None:
        self._client.close()
