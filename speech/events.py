"""Typed, timestamped events of one voice turn (modelled on Home Assistant's assist pipeline).

A run emits, in order: `run-start`, [`wake-end`], `vad-start`, `stt-partial`*, `vad-end`,
`stt-end`, `intent-start`, `intent-end`, `tts-start`, `tts-end`, `run-end`; an `error` (with a
stable `code` and the `stage` that failed) ends that stage, and `run-end` always closes the run.
Audio is 16 kHz mono 16-bit; `audio_s` fields are offsets in the audio of the run, `elapsed_s`
is wall time since `run-start`.

The vocabulary is three string enums, `PipelineStage`, `PipelineEventType` and `ErrorCode`,
whose values are the kebab-case names consumers already compare with ("tts-start" ==
PipelineEventType.TTS_START). `to_dict()` gives plain JSON-ready data; `PipelineEvent.from_dict`
gives the event back as its own class.
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


class _Name(str, enum.Enum):
    """A name of the vocabulary: equal to its string value, and printed as it."""

    def __str__(self) -> str:
        return str(self.value)


class PipelineStage(_Name):
    WAKE = "wake"
    VAD = "vad"
    STT = "stt"
    INTENT = "intent"
    TTS = "tts"


class PipelineEventType(_Name):
    RUN_START = "run-start"
    WAKE_END = "wake-end"
    VAD_START = "vad-start"
    VAD_END = "vad-end"
    STT_PARTIAL = "stt-partial"
    STT_END = "stt-end"
    INTENT_START = "intent-start"
    INTENT_END = "intent-end"
    TTS_START = "tts-start"
    TTS_END = "tts-end"
    RUN_END = "run-end"
    ERROR = "error"


class ErrorCode(_Name):
    """Stable error codes, prefixed by the stage they belong to (`audio-*`: the audio source, read
    in the stt stage; `model-*`: the model download, outside any turn)."""

    AUDIO_DEVICE_MISSING = "audio-device-missing"
    AUDIO_FILE_INVALID = "audio-file-invalid"
    WAKE_TIMEOUT = "wake-timeout"
    STT_MODEL_MISSING = "stt-model-missing"
    STT_NO_SPEECH = "stt-no-speech"
    STT_NO_TEXT = "stt-no-text"
    STT_FAILED = "stt-failed"
    INTENT_UNAVAILABLE = "intent-unavailable"
    INTENT_EMPTY = "intent-empty"
    INTENT_TIMEOUT = "intent-timeout"
    TTS_FAILED = "tts-failed"
    TTS_TIMEOUT = "tts-timeout"
    MODEL_DOWNLOAD_FAILED = "model-download-failed"
    MODEL_UNVERIFIED = "model-unverified"
    MODEL_CHECKSUM_MISMATCH = "model-checksum-mismatch"


def _plain(value: Any) -> Any:
    """JSON-ready form of a field value: enums as their string, dataclasses as dicts, lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: _plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class PipelineEvent:
    type: ClassVar[PipelineEventType]
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
        """{"type": "vad-end", "run_id": ..., ...}: plain JSON-ready data."""
        data: dict[str, Any] = {"type": self.type.value}
        for item in dataclasses.fields(self):
            data[item.name] = _plain(getattr(self, item.name))
        return data

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> PipelineEvent:
        """The event that `to_dict` gave (or its JSON), as its own class again.

        Fields the class does not have are ignored (a newer sender may add some); a missing
        field or an unknown type or value raises ValueError."""
        try:
            event_class = EVENT_CLASSES[PipelineEventType(data["type"])]
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not a pipeline event type: {data.get('type')!r}") from err
        values = {}
        for item in dataclasses.fields(event_class):
            if item.name in data:
                decode = _DECODERS.get(item.name)
                try:
                    values[item.name] = decode(data[item.name]) if decode else data[item.name]
                except (KeyError, TypeError, ValueError) as err:
                    raise ValueError(f"{event_class.type}: bad {item.name}") from err
        try:
            return event_class(**values)
        except TypeError as err:
            raise ValueError(f"{event_class.type}: {err}") from err


@dataclass(frozen=True, kw_only=True)
class RunStart(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.RUN_START
    source: str  # "microphone" | "file" | "text"
    sample_rate: int = 16000
    sample_width: int = 2
    channels: int = 1
    start_stage: PipelineStage = PipelineStage.VAD
    grammar: str | None = None


@dataclass(frozen=True, kw_only=True)
class WakeEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.WAKE_END
    phrase: str
    audio_s: float


@dataclass(frozen=True, kw_only=True)
class VadStart(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.VAD_START
    audio_s: float  # where speech starts in the audio


@dataclass(frozen=True, kw_only=True)
class VadEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.VAD_END
    audio_s: float  # where the end of speech was decided
    last_voiced_s: float  # end of the last voiced frame
    speech_s: float  # length of the utterance
    reason: str  # "silence" | "max-length" | "end-of-audio"


@dataclass(frozen=True, kw_only=True)
class SttPartial(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.STT_PARTIAL
    text: str


@dataclass(frozen=True)
class WordConfidence:
    word: str
    confidence: float
    start_s: float
    end_s: float


@dataclass(frozen=True, kw_only=True)
class SttEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.STT_END
    text: str
    confidence: float
    words: tuple[WordConfidence, ...] = ()
    grammar: str | None = None
    audio_s: float = 0.0  # audio processed by the recogniser
    processing_s: float = 0.0  # recogniser CPU-side wall time (for the real-time factor)


@dataclass(frozen=True, kw_only=True)
class IntentStart(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.INTENT_START
    text: str
    sender: str


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: tuple[dict[str, Any], ...] = ()
    custom: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class IntentEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.INTENT_END
    messages: tuple[BotMessage, ...]
    reply: str  # the text to speak, all messages joined
    expects_answer: bool  # the bot asked a question: listen again without the wake phrase


@dataclass(frozen=True, kw_only=True)
class TtsStart(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.TTS_START
    text: str
    voice: str


@dataclass(frozen=True, kw_only=True)
class TtsEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.TTS_END
    path: str | None
    duration_s: float
    sample_rate: int
    first_audio_elapsed_s: float  # when reply audio was ready to play, since run-start
    stopped: bool = False  # barge-in


@dataclass(frozen=True, kw_only=True)
class RunEnd(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.RUN_END
    ok: bool


@dataclass(frozen=True, kw_only=True)
class ErrorEvent(PipelineEvent):
    type: ClassVar[PipelineEventType] = PipelineEventType.ERROR
    code: ErrorCode
    message: str  # Vietnamese, for the citizen
    stage: PipelineStage  # the stage that failed


EVENT_CLASSES: dict[PipelineEventType, type[PipelineEvent]] = {
    event_class.type: event_class
    for event_class in (
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
}


def _bot_message(data: Mapping[str, Any]) -> BotMessage:
    return BotMessage(
        text=data["text"],
        buttons=tuple(dict(b) for b in data.get("buttons") or ()),
        custom=data.get("custom"),
    )


# How `from_dict` turns a field's plain data back into its type (the other fields are plain).
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "start_stage": PipelineStage,
    "stage": PipelineStage,
    "code": ErrorCode,
    "words": lambda words: tuple(WordConfidence(**word) for word in words),
    "messages": lambda messages: tuple(_bot_message(message) for message in messages),
}
