"""Typed, timestamped events of one voice turn (modelled on Home Assistant's assist pipeline).

A run emits, in order: `run-start`, [`wake-end`], `vad-start`, `stt-partial`*, `vad-end`,
`stt-end`, `intent-start`, `intent-end`, `tts-start`, `tts-end`, `run-end`; an `error` (with a
stable `code`) ends the stage that failed, and `run-end` always closes the run. Audio is
16 kHz mono 16-bit; `audio_s` fields are offsets in the audio of the run, `elapsed_s` is wall
time since `run-start`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class PipelineEvent:
    type: ClassVar[str] = "event"
    run_id: str
    timestamp: float = field(default_factory=time.time)  # wall clock, seconds since the epoch
    elapsed_s: float = 0.0  # since run-start (monotonic clock)

    @property
    def data(self) -> dict[str, Any]:
        """The event's fields as plain JSON-ready data (what `to_dict` gives, without `type`)."""
        data = self.to_dict()
        data.pop("type")
        return data

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.type}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, tuple):
                value = [
                    dataclasses.asdict(v) if dataclasses.is_dataclass(v) and not isinstance(v, type) else v
                    for v in value
                ]
            data[item.name] = value
        return data


@dataclass(frozen=True, kw_only=True)
class RunStart(PipelineEvent):
    type: ClassVar[str] = "run-start"
    source: str  # "microphone" | "file" | "text"
    sample_rate: int = 16000
    sample_width: int = 2
    channels: int = 1
    start_stage: str = "vad"
    grammar: str | None = None


@dataclass(frozen=True, kw_only=True)
class WakeEnd(PipelineEvent):
    type: ClassVar[str] = "wake-end"
    phrase: str
    audio_s: float


@dataclass(frozen=True, kw_only=True)
class VadStart(PipelineEvent):
    type: ClassVar[str] = "vad-start"
    audio_s: float  # where speech starts in the audio


@dataclass(frozen=True, kw_only=True)
class VadEnd(PipelineEvent):
    type: ClassVar[str] = "vad-end"
    audio_s: float  # where the end of speech was decided
    last_voiced_s: float  # end of the last voiced frame
    speech_s: float  # length of the utterance
    reason: str  # "silence" | "max-length" | "end-of-audio"


@dataclass(frozen=True, kw_only=True)
class SttPartial(PipelineEvent):
    type: ClassVar[str] = "stt-partial"
    text: str


@dataclass(frozen=True)
class WordConfidence:
    word: str
    confidence: float
    start_s: float
    end_s: float


@dataclass(frozen=True, kw_only=True)
class SttEnd(PipelineEvent):
    type: ClassVar[str] = "stt-end"
    text: str
    confidence: float
    words: tuple[WordConfidence, ...] = ()
    grammar: str | None = None
    audio_s: float = 0.0  # audio processed by the recogniser
    processing_s: float = 0.0  # recogniser CPU-side wall time (for the real-time factor)


@dataclass(frozen=True, kw_only=True)
class IntentStart(PipelineEvent):
    type: ClassVar[str] = "intent-start"
    text: str
    sender: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: tuple[dict[str, Any], ...] = ()
    custom: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class IntentEnd(PipelineEvent):
    type: ClassVar[str] = "intent-end"
    messages: tuple[BotMessage, ...]
    reply: str  # the text to speak, all messages joined
    expects_answer: bool  # the bot asked a question: listen again without the wake phrase


@dataclass(frozen=True, kw_only=True)
class TtsStart(PipelineEvent):
    type: ClassVar[str] = "tts-start"
    text: str
    voice: str


@dataclass(frozen=True, kw_only=True)
class TtsEnd(PipelineEvent):
    type: ClassVar[str] = "tts-end"
    path: str | None
    duration_s: float
    sample_rate: int
    first_audio_elapsed_s: float  # when reply audio was ready to play, since run-start
    stopped: bool = False  # barge-in


@dataclass(frozen=True, kw_only=True)
class RunEnd(PipelineEvent):
    type: ClassVar[str] = "run-end"
    ok: bool


@dataclass(frozen=True, kw_only=True)
class ErrorEvent(PipelineEvent):
    type: ClassVar[str] = "error"
    code: str
    message: str  # Vietnamese, for the citizen
    stage: str


EVENT_TYPES: tuple[type[PipelineEvent], ...] = (
    RunStart,
    WakeEnd,
    VadStart,
    VadEnd,
    SttPartial,
    SttEnd,
    IntentStart,
    IntentEnd,
    TtsStart,
    TtsEnd,
    RunEnd,
    ErrorEvent,
)
