"""One voice turn as ordered stages, wake -> vad -> stt -> intent -> tts, emitting typed events.

The kiosk and the robot subscribe to the same events (`VoicePipeline.subscribe`); nothing polls.
Every stage has a timeout; a failure becomes an `error` event with a stable code (and, for the
ones the citizen must hear about, a spoken Vietnamese apology), never an exception to the caller.
Longer than most modules (about 480 lines) because the stages and their order are one state machine:
read top to bottom, `run` -> `_run_stages` -> `_wake`/`_segment`/`_listen`/`_intent`/`_speak` is
the turn. The threaded recognition of one utterance lives in `speech.recognition`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from speech.errors import SpeechError
from speech.events import (
    BotMessage,
    ErrorCode,
    ErrorEvent,
    IntentEnd,
    IntentStart,
    PipelineEvent,
    PipelineStage,
    RunEnd,
    RunStart,
    SttEnd,
    SttPartial,
    TtsEnd,
    TtsStart,
    VadEnd,
    VadStart,
    WakeEnd,
)
from speech.intent import expects_answer, spoken_reply
from speech.recognition import Utterance
from speech.sources import AudioSource
from speech.stt_vosk import SttResult, VoskRecognizer
from speech.tts import Speaker
from speech.vad import Endpointer, VadConfig, VadSignal

logger = logging.getLogger(__name__)

Subscriber = Callable[[PipelineEvent], None]

# Errors the citizen hears about (the others are silent: nobody spoke, no wake phrase).
SPOKEN_ERRORS = frozenset(
    {
        ErrorCode.STT_NO_TEXT,
        ErrorCode.STT_MODEL_MISSING,
        ErrorCode.STT_FAILED,
        ErrorCode.INTENT_UNAVAILABLE,
        ErrorCode.INTENT_EMPTY,
    }
)
# The error code of an unexpected exception (a bug, a library error) in each stage.
_UNEXPECTED_ERRORS = {
    PipelineStage.WAKE: ErrorCode.STT_FAILED,
    PipelineStage.VAD: ErrorCode.STT_FAILED,
    PipelineStage.STT: ErrorCode.STT_FAILED,
    PipelineStage.INTENT: ErrorCode.INTENT_UNAVAILABLE,
    PipelineStage.TTS: ErrorCode.TTS_FAILED,
}


class IntentClient(Protocol):
    def send(self, sender: str, message: str) -> tuple[BotMessage, ...]: ...


@dataclass(frozen=True)
class PipelineConfig:
    frame_ms: int = 30
    # Wall-clock limits per stage (seconds).
    wake_timeout_s: float = 300.0
    stt_timeout_s: float = 20.0
    intent_timeout_s: float = 10.0
    tts_timeout_s: float = 60.0
    # How often partial results are emitted at most.
    partial_interval_s: float = 0.2
    speak_errors: bool = True
    # Recognition below this word confidence is treated as "not heard". A grammar forces every
    # sound onto one of its few words, so it needs a higher bar than free speech.
    min_confidence: float = 0.0
    grammar_min_confidence: float = 0.7

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30")
        for name in ("wake_timeout_s", "stt_timeout_s", "intent_timeout_s", "tts_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.partial_interval_s < 0:
            raise ValueError("partial_interval_s must be >= 0")
        if not (0 <= self.min_confidence <= 1 and 0 <= self.grammar_min_confidence <= 1):
            raise ValueError("confidences are between 0 and 1")


@dataclass
class TurnResult:
    run_id: str
    ok: bool = False
    text: str = ""
    reply: str = ""
    messages: tuple[BotMessage, ...] = ()
    expects_answer: bool = False
    error_code: ErrorCode | None = None
    reply_path: Path | None = None
    events: list[PipelineEvent] = field(default_factory=list)


class _Run:
    """State of one run: its id, clock and the events emitted so far."""

    def __init__(self, pipeline: VoicePipeline) -> None:
        self.id = uuid.uuid4().hex[:12]
        self.started = time.monotonic()
        self.pipeline = pipeline
        self.result = TurnResult(run_id=self.id)

    def elapsed(self) -> float:
        return round(time.monotonic() - self.started, 4)

    def emit(self, event_type: type[PipelineEvent], **data: object) -> PipelineEvent:
        event = event_type(run_id=self.id, elapsed_s=self.elapsed(), **data)  # type: ignore[arg-type]
        self.result.events.append(event)
        self.pipeline._publish(event)
        return event


class VoicePipeline:
    """wake -> vad -> stt -> intent -> tts. Create once, `run` once per turn (one at a time)."""

    def __init__(
        self,
        *,
        recognizer: VoskRecognizer | None,
        intent: IntentClient | None,
        speaker: Speaker | None,
        vad: VadConfig | None = None,
        config: PipelineConfig | None = None,
        wake_grammar: str = "wake",
        wake_phrases: tuple[str, ...] | None = None,
    ) -> None:
        self.recognizer = recognizer
        self.intent = intent
        self.speaker = speaker
        self.vad = vad or VadConfig()
        self.config = config or PipelineConfig()
        if self.vad.frame_ms != self.config.frame_ms:
            self.vad = replace(self.vad, frame_ms=self.config.frame_ms)
        # The wake grammar may hold decoy words that absorb other speech; the phrases that wake
        # the robot are `wake_phrases` (default: every word of the wake grammar).
        self.wake_grammar = wake_grammar
        self.wake_phrases = wake_phrases
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._run_lock = threading.Lock()
        self._turn_thread: threading.Thread | None = None

    # -- subscribers ----------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(event)` for every event (in the pipeline's thread); returns unsubscribe."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _publish(self, event: PipelineEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a broken subscriber must not break the turn
                logger.exception("pipeline subscriber failed on %s", event.type)

    # -- control --------------------------------------------------------------------------

    def barge_in(self) -> None:
        """The citizen spoke or touched the screen: stop talking now."""
        if self.speaker is not None:
            self.speaker.stop()

    def cancel(self) -> None:
        """Abandon the current run at the next frame (and stop talking)."""
        self._cancel.set()
        self.barge_in()

    def listen_once(
        self,
        source: AudioSource | None = None,
        *,
        sender: str = "kiosk",
        grammar: str | list[str] | None = None,
    ) -> threading.Thread | None:
        """Run one turn from the microphone (or `source`) in a background thread, for a screen's
        "press to speak" button; the screen follows it through the events. Returns None (and
        does nothing) while a turn is already running."""
        if self._run_lock.locked():
            return None
        self.barge_in()

        def turn() -> None:
            from speech.sources import MicrophoneSource

            self.run(source or MicrophoneSource(), sender=sender, grammar=grammar)

        thread = threading.Thread(target=turn, name="letan-voice-turn", daemon=True)
        self._turn_thread = thread
        thread.start()
        return thread

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the running turn, if any, and the speaker."""
        self.cancel()
        thread = self._turn_thread
        if thread is not None and thread.is_alive():
            thread.join(timeout_s)
        if self.speaker is not None:
            self.speaker.close()

    # -- the run --------------------------------------------------------------------------

    def run(
        self,
        source: AudioSource | None = None,
        *,
        text: str | None = None,
        wake: bool = False,
        grammar: str | list[str] | None = None,
        sender: str = "robot",
        reply_path: Path | None = None,
        play: bool = True,
        no_speech_timeout_s: float | None = None,
    ) -> TurnResult:
        """One turn from `source` (or from typed `text`, starting at the intent stage)."""
        with self._run_lock:
            self._cancel.clear()
            run = _Run(self)
            if text is not None:
                start_stage = PipelineStage.INTENT
            else:
                start_stage = PipelineStage.WAKE if wake else PipelineStage.VAD
            grammar_name = grammar if isinstance(grammar, str) else ("custom" if grammar else None)
            run.emit(
                RunStart,
                source="text" if text is not None else getattr(source, "kind", "audio"),
                start_stage=start_stage,
                grammar=grammar_name,
            )
            try:
                self._run_stages(
                    run, source, text, wake, grammar, sender, reply_path, play, no_speech_timeout_s
                )
            finally:
                if source is not None:
                    source.close()
                run.emit(RunEnd, ok=run.result.ok)
            return run.result

    def _run_stages(
        self,
        run: _Run,
        source: AudioSource | None,
        text: str | None,
        wake: bool,
        grammar: str | list[str] | None,
        sender: str,
        reply_path: Path | None,
        play: bool,
        no_speech_timeout_s: float | None,
    ) -> None:
        stage = PipelineStage.STT
        try:
            if text is None:
                if source is None:
                    raise ValueError("run() needs a source or text")
                if self.recognizer is None:
                    raise SpeechError(ErrorCode.STT_MODEL_MISSING, "không có bộ nhận dạng")
                self.recognizer.load()
                frames = source.frames(self.config.frame_ms)
                if wake:
                    stage = PipelineStage.WAKE
                    self._wake(run, frames)
                stage = PipelineStage.STT
                result = self._listen(run, frames, grammar, no_speech_timeout_s)
                text = result.text
            run.result.text = text
            stage = PipelineStage.INTENT
            self._intent(run, text, sender)
            stage = PipelineStage.TTS
            reply = run.result.reply
            if reply and self.speaker is not None:
                self._speak(run, reply, reply_path, play)
            run.result.ok = True
        except SpeechError as err:
            self._fail(run, stage, err, reply_path, play)
        except Exception as err:  # a bug or an unexpected library error: report, never crash
            logger.exception("voice turn failed in stage %s", stage)
            self._fail(run, stage, SpeechError(_UNEXPECTED_ERRORS[stage], str(err)), reply_path, play)

    def _fail(
        self, run: _Run, stage: PipelineStage, err: SpeechError, reply_path: Path | None, play: bool
    ) -> None:
        logger.info("voice turn %s: %s in stage %s", run.id, err.code, stage)
        run.result.error_code = err.code
        run.emit(ErrorEvent, code=err.code, message=err.message, stage=stage)
        if (
            self.config.speak_errors
            and err.code in SPOKEN_ERRORS
            and self.speaker is not None
            and stage is not PipelineStage.TTS
        ):
            try:
                self._speak(run, err.message, reply_path, play)
            except SpeechError as tts_err:
                run.emit(ErrorEvent, code=tts_err.code, message=tts_err.message, stage=PipelineStage.TTS)

    # -- stages ---------------------------------------------------------------------------

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise SpeechError(ErrorCode.STT_NO_SPEECH, "đã huỷ")

    def _wake(self, run: _Run, frames: Iterator[bytes]) -> None:
        """Listen to utterance after utterance until one is the wake phrase."""
        assert self.recognizer is not None
        deadline = time.monotonic() + self.config.wake_timeout_s
        phrases = self.wake_phrases or tuple(self.recognizer.grammars.get(self.wake_grammar, []))
        while time.monotonic() < deadline:
            endpointer = Endpointer(replace(self.vad, no_speech_timeout_s=self.config.wake_timeout_s))
            utterance = Utterance(self.recognizer, self.wake_grammar, None, 0.0)
            try:
                signal = self._segment(frames, endpointer, utterance, deadline)
                if signal is not VadSignal.END:
                    break
                heard = utterance.final(self.config.stt_timeout_s)
            finally:
                utterance.close()
            if any(phrase in heard.text for phrase in phrases):
                run.emit(WakeEnd, phrase=heard.text, audio_s=round(endpointer.audio_s, 3))
                return
        raise SpeechError(ErrorCode.WAKE_TIMEOUT, f"sau {self.config.wake_timeout_s} s")

    def _segment(
        self,
        frames: Iterator[bytes],
        endpointer: Endpointer,
        utterance: Utterance,
        deadline: float,
        on_start: Callable[[Endpointer], None] | None = None,
    ) -> VadSignal:
        """Feed frames until the end of one utterance; returns END or NO_SPEECH.

        Recognition runs in the utterance's own thread, so a recogniser that falls behind never
        delays the decision that the citizen has stopped talking."""
        for frame in frames:
            self._check_cancel()
            signal = endpointer.push(frame)
            if signal is VadSignal.START:
                if on_start is not None:
                    on_start(endpointer)
                for early in endpointer.pre_roll:
                    utterance.accept(early)
                continue
            if signal is VadSignal.DISCARD:
                utterance.restart()  # it was a click: forget it
                continue
            if signal is VadSignal.NO_SPEECH:
                return signal
            if endpointer.in_speech:
                utterance.accept(frame)
            if signal is VadSignal.END:
                return signal
            if time.monotonic() > deadline:
                endpointer.end_reason = "timeout"
                return VadSignal.END if endpointer.in_speech else VadSignal.NO_SPEECH
        return endpointer.finish()

    def _listen(
        self,
        run: _Run,
        frames: Iterator[bytes],
        grammar: str | list[str] | None,
        no_speech_timeout_s: float | None,
    ) -> SttResult:
        assert self.recognizer is not None
        vad = self.vad
        if no_speech_timeout_s is not None:
            vad = replace(vad, no_speech_timeout_s=no_speech_timeout_s)
        endpointer = Endpointer(vad)
        deadline = time.monotonic() + self.config.stt_timeout_s

        def on_start(ep: Endpointer) -> None:
            run.emit(VadStart, audio_s=round(ep.speech_start_s, 3))

        def on_partial(partial: str) -> None:
            run.emit(SttPartial, text=partial)

        utterance = Utterance(self.recognizer, grammar, on_partial, self.config.partial_interval_s)
        try:
            signal = self._segment(frames, endpointer, utterance, deadline, on_start)
            if signal is not VadSignal.END:
                raise SpeechError(
                    ErrorCode.STT_NO_SPEECH, f"không có tiếng nói trong {vad.no_speech_timeout_s} s"
                )
            with utterance.ending():
                run.emit(
                    VadEnd,
                    audio_s=round(endpointer.audio_s, 3),
                    last_voiced_s=round(endpointer.last_voiced_s, 3),
                    speech_s=round(endpointer.last_voiced_s - endpointer.speech_start_s, 3),
                    reason=endpointer.end_reason,
                )
            result = utterance.final(self.config.stt_timeout_s)
        finally:
            utterance.close()
        bar = self.config.grammar_min_confidence if grammar else self.config.min_confidence
        if not result.text or result.confidence < bar:
            raise SpeechError(ErrorCode.STT_NO_TEXT, f"độ tin cậy {result.confidence}")
        run.emit(
            SttEnd,
            text=result.text,
            confidence=result.confidence,
            words=result.words,
            grammar=utterance.grammar_name,
            audio_s=round(result.audio_s, 3),
            processing_s=round(result.processing_s, 4),
        )
        return result

    def _intent(self, run: _Run, text: str, sender: str) -> tuple[BotMessage, ...]:
        if self.intent is None:
            raise SpeechError(ErrorCode.INTENT_UNAVAILABLE, "không có máy chủ hội thoại")
        run.emit(IntentStart, text=text, sender=sender)
        started = time.monotonic()
        messages = self.intent.send(sender, text)
        if time.monotonic() - started > self.config.intent_timeout_s:
            raise SpeechError(ErrorCode.INTENT_UNAVAILABLE, "quá thời gian chờ")
        reply = spoken_reply(messages)
        if not reply and not any(m.custom for m in messages):
            raise SpeechError(ErrorCode.INTENT_EMPTY, "Rasa không gửi tin nhắn nào")
        run.result.messages = messages
        run.result.reply = reply
        run.result.expects_answer = expects_answer(messages)
        run.emit(IntentEnd, messages=messages, reply=reply, expects_answer=run.result.expects_answer)
        return messages

    def _speak(self, run: _Run, text: str, reply_path: Path | None, play: bool) -> None:
        assert self.speaker is not None
        run.emit(TtsStart, text=text, voice=self.speaker.voice)
        job = self.speaker.say(text, path=reply_path, play=play)
        if not job.wait(self.config.tts_timeout_s):
            self.speaker.stop()
            raise SpeechError(ErrorCode.TTS_TIMEOUT, f"sau {self.config.tts_timeout_s} s")
        if job.error is not None:
            raise job.error
        run.result.reply_path = job.result_path
        ready = job.audio_ready_at - run.started if job.audio_ready_at is not None else run.elapsed()
        run.emit(
            TtsEnd,
            path=str(job.result_path) if job.result_path else None,
            duration_s=round(job.duration_s, 3),
            sample_rate=job.sample_rate,
            first_audio_elapsed_s=round(ready, 4),
            stopped=job.stopped,
        )
