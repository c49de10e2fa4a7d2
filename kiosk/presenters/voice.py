"""The visible voice state from the speech pipeline's events (listening / heard / thinking / speaking).

Only the event types `speech.events` emits are mapped; the others (wake-end, vad-end, intent-end,
run-start) leave what is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.strings import t
from speech.events import PipelineEvent, PipelineEventType, SttEnd, SttPartial, TtsStart

_STATE_OF_EVENT: dict[PipelineEventType, str] = {
    PipelineEventType.VAD_START: "listening",
    PipelineEventType.STT_PARTIAL: "listening",
    PipelineEventType.STT_END: "heard",
    PipelineEventType.INTENT_START: "thinking",
    PipelineEventType.TTS_START: "speaking",
    PipelineEventType.TTS_END: "idle",
    PipelineEventType.RUN_END: "idle",
    PipelineEventType.ERROR: "error",
}


@dataclass
class VoiceState:
    state: str = "idle"
    text: str = ""

    @property
    def label(self) -> str:
        return t(f"voice.{self.state}")

    def listening(self) -> None:
        """The kiosk asked the pipeline for a turn: shown at once, before its first event."""
        self.state, self.text = "listening", ""

    def on_event(self, event: PipelineEvent) -> bool:
        """Apply one event; True when what is shown changed."""
        new_state = _STATE_OF_EVENT.get(event.type)
        if new_state is None:
            return False
        if isinstance(event, SttPartial | SttEnd | TtsStart):
            new_text = event.text
        else:
            new_text = self.text if new_state in ("heard", "thinking", "speaking") else ""
        changed = (new_state, new_text) != (self.state, self.text)
        self.state, self.text = new_state, new_text
        return changed
