"""The intent stage: the Rasa server's REST channel through the one client of `contract`; what to say."""

from __future__ import annotations

import logging

from contract.errors import RasaError
from contract.rasa_client import BotMessage, RasaClient
from speech.errors import SpeechError
from speech.events import ErrorCode

logger = logging.getLogger(__name__)


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


class RasaIntent:
    """The intent stage: the citizen's words to the Rasa server (the one `contract` client), its
    messages back; a failure of the server is the stage's `intent-unavailable` error."""

    def __init__(self, url: str, timeout_s: float = 8.0) -> None:
        self.client = RasaClient(url, timeout_s=timeout_s)
        self.timeout_s = timeout_s

    def send(self, sender: str, message: str) -> tuple[BotMessage, ...]:
        try:
            return tuple(self.client.send(sender, message))
        except RasaError as err:
            detail = (
                f"Rasa không trả lời trong {self.timeout_s} s" if err.code == "rasa_timeout" else err.code
            )
            raise SpeechError(ErrorCode.INTENT_UNAVAILABLE, detail) from err

    def close(self) -> None:
        """Nothing to release: the client's connections close with the process."""
