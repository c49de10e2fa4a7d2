"""Vietnamese synthesis with pyttsx3 (espeak-ng voices), in one worker thread fed by a queue.

Announcements never overwrite each other: `say` queues a job and the worker synthesises and
plays one job at a time. `stop()` is barge-in: what is playing stops at once and what is queued
is dropped. pyttsx3 quirks handled here: the engine lives in the worker thread; properties are
set before each `runAndWait` (that is when they apply); one `save_to_file` per `runAndWait`;
the espeak driver prints to stdout (silenced) and sometimes writes an empty file (detected and
retried, re-initialising the engine on the last try).
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from speech.errors import SpeechError
from speech.events import ErrorCode
from speech.reading import prepare_for_speech
from speech.settings import VOICES

logger = logging.getLogger(__name__)

# pyttsx3.init() hands every caller the same engine per driver, and libespeak-ng is one global
# synthesiser; the espeak driver also prints (stdout redirection is process-wide). One lock.
_engine_lock = threading.RLock()


@dataclass
class SpeechJob:
    """One thing to say. `done` is set when it was spoken, stopped or failed."""

    text: str
    path: Path | None = None
    play: bool = True
    done: threading.Event = field(default_factory=threading.Event)
    playing: threading.Event = field(default_factory=threading.Event)
    result_path: Path | None = None
    duration_s: float = 0.0
    sample_rate: int = 0
    audio_ready_at: float | None = None  # time.monotonic() when the reply audio existed
    stopped: bool = False
    error: SpeechError | None = None

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)


class Player(Protocol):
    """Plays a WAV file; `play` blocks until the end or until `stop_event` is set."""

    def play(self, path: Path, stop_event: threading.Event) -> bool:
        """Return True when played to the end, False when stopped."""
        ...


def wav_duration(path: Path) -> tuple[float, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate(), wav.getframerate()


class SoundDevicePlayer:
    """The default loudspeaker through sounddevice."""

    def play(self, path: Path, stop_event: threading.Event) -> bool:
        import sounddevice as sd

        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        sd.play(samples, rate)
        end = time.monotonic() + samples.size / rate
        while time.monotonic() < end:
            if stop_event.wait(0.02):
                sd.stop()
                return False
        sd.wait()
        return True


class SilentPlayer:
    """No loudspeaker: the reply stays in its WAV file; with `realtime` the job lasts as long as
    the audio would (so queued announcements keep their order and barge-in can be exercised)."""

    def __init__(self, realtime: bool = True) -> None:
        self.realtime = realtime

    def play(self, path: Path, stop_event: threading.Event) -> bool:
        if not self.realtime:
            return not stop_event.is_set()
        duration, _ = wav_duration(path)
        return not stop_event.wait(duration)


def output_device_available() -> bool:
    try:
        import sounddevice as sd

        sd.query_devices(kind="output")
    except Exception:  # PortAudio missing or no output device
        return False
    return True


def default_player() -> Player:
    return SoundDevicePlayer() if output_device_available() else SilentPlayer()


class Speaker:
    """Queue of things to say, one worker thread, barge-in with `stop()`."""

    def __init__(
        self,
        *,
        voice: str = "north",
        rate_wpm: int = 165,
        volume: float = 1.0,
        player: Player | None = None,
        out_dir: Path | None = None,
        prepare: bool = True,
        retries: int = 2,
    ) -> None:
        self.voice = VOICES.get(voice, voice)
        self.rate_wpm = rate_wpm
        self.volume = volume
        self.player = player if player is not None else default_player()
        self.out_dir = out_dir
        self.prepare = prepare
        self.retries = retries
        self._queue: queue.Queue[SpeechJob | None] = queue.Queue()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._engine: Any = None
        self._current: SpeechJob | None = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._counter = 0

    # -- public ---------------------------------------------------------------------------

    def say(self, text: str, *, path: Path | None = None, play: bool = True) -> SpeechJob:
        """Queue `text`; returns at once. The job's `done` is set when it is over."""
        job = SpeechJob(text=text, path=Path(path) if path else None, play=play)
        self._ensure_thread()
        self._queue.put(job)
        return job

    def synthesize(self, text: str, path: Path, timeout: float = 30.0) -> SpeechJob:
        """Write `text` to the WAV file `path` without playing it, and wait."""
        job = self.say(text, path=path, play=False)
        if not job.wait(timeout):
            raise SpeechError(ErrorCode.TTS_TIMEOUT, f"sau {timeout} s")
        if job.error is not None:
            raise job.error
        return job

    def stop(self) -> None:
        """Barge-in: stop what is playing now and drop everything queued."""
        while True:
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                break
            if pending is None:
                self._queue.put(None)
                break
            pending.stopped = True
            pending.done.set()
        self._stop_event.set()

    @property
    def busy(self) -> bool:
        return self._current is not None or not self._queue.empty()

    def close(self, timeout: float = 5.0) -> None:
        self.stop()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker ---------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=self._run, name="letan-speaker", daemon=True)
                thread.start()
                self._thread = thread

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.done.is_set():  # dropped by stop()
                continue
            self._stop_event.clear()
            self._current = job
            try:
                self._do(job)
            except SpeechError as err:
                job.error = err
            except Exception as err:  # pyttsx3/espeak raise anything; never kill the worker
                logger.exception("speech synthesis failed")
                job.error = SpeechError(ErrorCode.TTS_FAILED, str(err))
            finally:
                self._current = None
                job.done.set()

    def _next_path(self) -> Path:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            base = self.out_dir
        else:
            if self._tmpdir is None:
                self._tmpdir = tempfile.TemporaryDirectory(prefix="letan-tts-")
            base = Path(self._tmpdir.name)
        self._counter += 1
        return base / f"reply-{self._counter:04d}.wav"

    def _do(self, job: SpeechJob) -> None:
        text = prepare_for_speech(job.text) if self.prepare else job.text
        if not text.strip():
            raise SpeechError(ErrorCode.TTS_FAILED, "không có gì để đọc")
        path = job.path or self._next_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._synthesize(text, path)
        job.result_path = path
        job.duration_s, job.sample_rate = wav_duration(path)
        job.audio_ready_at = time.monotonic()
        if self._stop_event.is_set():
            job.stopped = True
            return
        if job.play:
            job.playing.set()
            finished = self.player.play(path, self._stop_event)
            job.stopped = not finished

    def _new_engine(self) -> Any:
        try:
            import pyttsx3

            with _engine_lock, contextlib.redirect_stdout(io.StringIO()):
                return pyttsx3.init("espeak")
        except Exception as err:  # no libespeak-ng, broken driver
            raise SpeechError(ErrorCode.TTS_FAILED, f"không khởi động được espeak-ng: {err}") from err

    def _synthesize(self, text: str, path: Path) -> None:
        last_error = ""
        for attempt in range(self.retries + 1):
            if self._engine is None or (attempt > 0 and attempt == self.retries):
                self._engine = self._new_engine()
            engine = self._engine
            path.unlink(missing_ok=True)
            try:
                with _engine_lock, contextlib.redirect_stdout(io.StringIO()):
                    # Properties apply at runAndWait: set them before every utterance.
                    engine.setProperty("voice", self.voice)
                    engine.setProperty("rate", self.rate_wpm)
                    engine.setProperty("volume", self.volume)
                    engine.save_to_file(text, str(path))  # one save_to_file per runAndWait
                    engine.runAndWait()
            except Exception as err:  # pyttsx3 wraps espeak errors in anything
                last_error = str(err)
                self._engine = None
                continue
            if _has_audio(path):
                return
            last_error = "tệp âm thanh rỗng"
            logger.warning("espeak-ng produced no audio (attempt %d), retrying", attempt + 1)
        raise SpeechError(ErrorCode.TTS_FAILED, last_error)


def _has_audio(path: Path) -> bool:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() > wav.getframerate() // 50  # more than 20 ms
    except (OSError, wave.Error, EOFError):
        return False
