"""`letan robot`: the reception robot's voice loop, with no screen.

It greets, listens (push-to-talk key, wake phrase recognised with a small grammar, or always
on), sends what it heard to Rasa, speaks the answer, prints tickets, and keeps listening for a
follow-up for a few seconds without the wake phrase. With no microphone or no model it says so
and falls back to typed input.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from speech.errors import SpeechError
from speech.events import (
    ErrorCode,
    ErrorEvent,
    IntentEnd,
    PipelineEvent,
    SttEnd,
    SttPartial,
    VadStart,
    WakeEnd,
)
from speech.factory import build_pipeline, load_grammars
from speech.pipeline import SPOKEN_ERRORS, TurnResult, VoicePipeline
from speech.settings import Settings
from speech.sources import AudioSource, MicrophoneSource, WavFileSource, input_device_available
from speech.tts import Player, SilentPlayer, output_device_available

logger = logging.getLogger(__name__)

__all__ = ["Robot", "RobotOptions", "build_pipeline", "load_grammars", "robot_player", "run_file_turn"]

GREETING = (
    "Xin chào, tôi là robot lễ tân của điểm phục vụ hành chính công. "
    "Bạn cần làm thủ tục gì, hay muốn lấy số thứ tự?"
)
GOODBYE = "Cảm ơn bạn. Chúc bạn một ngày tốt lành."
MODES = ("wake", "push", "always")
QUIT_WORDS = {"q", "quit", "exit", "thoát", "thoat"}


@dataclass(frozen=True)
class RobotOptions:
    mode: str = "wake"
    follow_up_s: float = 6.0
    greet: bool = True
    sender: str = "robot"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.follow_up_s < 0:
            raise ValueError("follow_up_s must be >= 0")


def run_file_turn(
    settings: Settings,
    audio_in: Path,
    *,
    audio_out: Path | None,
    emit: Callable[[PipelineEvent], None],
    grammar: str | None = None,
    sender: str = "robot",
) -> TurnResult:
    """One turn from a WAV file; the reply is written to `audio_out` (not played)."""
    pipeline, speaker = build_pipeline(settings, player=SilentPlayer(realtime=False))
    pipeline.subscribe(emit)
    try:
        try:
            source = WavFileSource(audio_in)
        except SpeechError as err:
            # Reported as a normal run so the JSON lines keep their shape.
            return pipeline.run(text=None, source=_FailingSource(err), sender=sender)
        return pipeline.run(source, grammar=grammar, sender=sender, reply_path=audio_out, play=False)
    finally:
        speaker.close()


class _FailingSource:
    kind = "file"

    def __init__(self, err: SpeechError) -> None:
        self.err = err

    def frames(self, frame_ms: int = 30) -> Iterator[bytes]:
        raise self.err

    def close(self) -> None:
        pass


class Robot:
    """The interactive loop. `input_fn` and `out` are the terminal, `source_factory` opens the
    microphone for one turn (all replaced in tests; the factory ends the loop with EOFError)."""

    def __init__(
        self,
        pipeline: VoicePipeline,
        options: RobotOptions,
        *,
        input_fn: Callable[[str], str] = input,
        out: TextIO,
        microphone: bool | None = None,
        source_factory: Callable[[], AudioSource] = MicrophoneSource,
    ) -> None:
        self.pipeline = pipeline
        self.source_factory = source_factory
        self.options = options
        self.input_fn = input_fn
        self.out = out
        self.microphone = input_device_available() if microphone is None else microphone
        pipeline.subscribe(self._on_event)

    def say(self, text: str) -> None:
        self._print(f"Robot: {text}")
        if self.pipeline.speaker is not None:
            job = self.pipeline.speaker.say(text)
            job.wait(60)

    def _print(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _on_event(self, event: PipelineEvent) -> None:
        if isinstance(event, WakeEnd):
            self._print("[robot] Dạ, tôi nghe đây.")
        elif isinstance(event, VadStart):
            self._print("[robot] đang nghe…")
        elif isinstance(event, SttPartial):
            self._print(f"[robot] … {event.text}")
        elif isinstance(event, SttEnd):
            self._print(f"Bạn: {event.text}")
        elif isinstance(event, IntentEnd):
            if event.reply:
                self._print(f"Robot: {event.reply}")
            for message in event.messages:
                if message.custom and message.custom.get("type") == "ticket":
                    self._print_ticket(message.custom)
        elif isinstance(event, ErrorEvent) and event.code in SPOKEN_ERRORS:
            self._print(f"[robot] {event.message}")

    def _print_ticket(self, ticket: dict[str, object]) -> None:
        number = ticket.get("number", "?")
        counters = ticket.get("counters") or []
        counter_text = ", ".join(str(c) for c in counters) if isinstance(counters, list) else str(counters)
        self._print("┌──────── PHIẾU SỐ THỨ TỰ ────────┐")
        self._print(f"│ Số: {number}")
        if counter_text:
            self._print(f"│ Quầy: {counter_text}")
        if "ahead" in ticket:
            self._print(f"│ Số người chờ trước: {ticket['ahead']}")
        if "estimated_wait_minutes" in ticket:
            self._print(f"│ Thời gian chờ dự kiến: {ticket['estimated_wait_minutes']} phút")
        self._print("└─────────────────────────────────┘")

    def run(self) -> int:
        if self.options.greet:
            self.say(GREETING)
        problems = []
        if not self.microphone:
            problems.append(SpeechError(ErrorCode.AUDIO_DEVICE_MISSING))
        if self.pipeline.recognizer is None:
            problems.append(SpeechError(ErrorCode.STT_MODEL_MISSING))
        for err in problems:
            self._print(f"[robot] {err.message}")
            if err.hint:
                self._print(f"[robot] ({err.hint})")
        if problems:
            return self.typed_loop()
        return self.voice_loop()

    def typed_loop(self) -> int:
        self._print("[robot] Gõ câu hỏi rồi nhấn Enter (gõ 'thoát' để kết thúc).")
        while True:
            try:
                line = self.input_fn("Bạn (gõ): ").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not line:
                continue
            if line.lower() in QUIT_WORDS:
                break
            self.pipeline.run(text=line, sender=self.options.sender)
        self.say(GOODBYE)
        return 0

    def voice_loop(self) -> int:
        follow_up = False
        while True:
            try:
                if self.options.mode == "push" and not follow_up:
                    key = self.input_fn("[robot] Nhấn Enter rồi nói (gõ 'thoát' để kết thúc): ")
                    if key.strip().lower() in QUIT_WORDS:
                        break
                wake = self.options.mode == "wake" and not follow_up
                result = self.pipeline.run(
                    self.source_factory(),
                    wake=wake,
                    sender=self.options.sender,
                    no_speech_timeout_s=self.options.follow_up_s if follow_up else None,
                )
            except (EOFError, KeyboardInterrupt):
                break
            if result.error_code is ErrorCode.AUDIO_DEVICE_MISSING:
                return self.typed_loop()
            # After an answer, listen again without the wake phrase for a few seconds.
            follow_up = result.ok and self.options.follow_up_s > 0
        self.say(GOODBYE)
        return 0


def robot_player(settings: Settings) -> Player | None:
    """The loudspeaker when there is one; otherwise replies stay in their WAV files."""
    del settings
    return None if output_device_available() else SilentPlayer(realtime=False)
