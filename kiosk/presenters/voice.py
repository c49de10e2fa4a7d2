"""The visible voice state from speech pipeline events (listening / heard / thinking / speaking)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.strings import t

# Event names of the speech pipeline (kebab-case, style.md) mapped to what the kiosk shows.
_STATE_OF_EVENT = {
    "listening": "listening",
    "stt-start": "listening",
    "vad-start": "listening",
    "stt-partial": "listening",
    "heard": "heard",
    "stt-end": "heard",
    "thinking": "thinking",
    "intent-start": "thinking",
    "speaking": "speaking",
    "tts-start": "speaking",
    "tts-end": "idle",
    "run-end": "idle",
    "idle": "idle",
    "error": "error",
}


@dataclass
class VoiceState:
    state: str = "idle"
    text: str = ""

    @property
    def label(self) -> str:
        return t(f"voice.{self.state}")

    def on_event(self, name: str, data: dict[str, Any] | None = None) -> bool:
        """Apply one event; True when what is shown changed."""
        data = data or {}
        new_state = _STATE_OF_EVENT.get(name)
        if new_state is None:
            return False
        new_text = str(data.get("text") or data.get("partial") or "") or (
            self.text if new_state in ("heard", "thinking", "speaking") else ""
        )
        changed = (new_state, new_text) != (self.state, self.text)
        self.state, self.text = new_state, new_text
        return changed
