"""End of speech with webrtcvad: quick for short answers, bounded for long ones, deaf to clicks."""

from __future__ import annotations

import collections
import enum
from dataclasses import dataclass

import webrtcvad

from speech.sources import SAMPLE_RATE, frame_bytes


@dataclass(frozen=True)
class VadConfig:
    frame_ms: int = 30
    # webrtcvad aggressiveness, 0 (keeps most audio) .. 3 (strictest about what is speech).
    aggressiveness: int = 2
    # Speech starts when `start_voiced` of the last `start_window` frames are voiced.
    start_voiced: int = 3
    start_window: int = 5
    # Silence that ends an utterance: short answers ("có", "vâng") end after `short_end_silence_ms`;
    # after `long_after_s` of speech, `end_silence_ms` lets the citizen pause for breath.
    short_end_silence_ms: int = 360
    end_silence_ms: int = 420
    long_after_s: float = 1.5
    # Utterances with less voiced audio than this are clicks or coughs, and are ignored.
    min_speech_ms: int = 200
    max_speech_s: float = 12.0
    # Give up when nobody speaks for this long.
    no_speech_timeout_s: float = 8.0
    # Audio kept from before the start, so the recogniser hears the first consonant.
    pre_roll_ms: int = 300

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise ValueError("frame_ms must be 10, 20 or 30 (webrtcvad)")
        if not 0 <= self.aggressiveness <= 3:
            raise ValueError("aggressiveness must be 0..3")
        if not 1 <= self.start_voiced <= self.start_window:
            raise ValueError("need 1 <= start_voiced <= start_window")
        if not 0 < self.short_end_silence_ms <= self.end_silence_ms:
            raise ValueError("need 0 < short_end_silence_ms <= end_silence_ms")
        if self.end_silence_ms < self.frame_ms:
            raise ValueError("end_silence_ms is shorter than one frame")
        if self.min_speech_ms < 0 or self.pre_roll_ms < 0:
            raise ValueError("min_speech_ms and pre_roll_ms must be >= 0")
        if self.max_speech_s * 1000 <= self.min_speech_ms:
            raise ValueError("max_speech_s must be longer than min_speech_ms")
        if self.no_speech_timeout_s <= 0 or self.long_after_s < 0:
            raise ValueError("timeouts must be positive")


class VadSignal(enum.Enum):
    NONE = "none"
    START = "start"  # speech began; feed `pre_roll` then every frame to the recogniser
    END = "end"  # the utterance is over (see `end_reason`)
    DISCARD = "discard"  # what started was a click; forget what was fed and keep listening
    NO_SPEECH = "no-speech"  # nobody spoke within `no_speech_timeout_s`


class Endpointer:
    """Feed 16 kHz mono 16-bit frames one by one; `push` says when speech starts and ends."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        self._frame_ms = self.config.frame_ms
        self._frame_bytes = frame_bytes(self.config.frame_ms)
        self._window: collections.deque[bool] = collections.deque(maxlen=self.config.start_window)
        self._pre_roll: collections.deque[bytes] = collections.deque(
            maxlen=max(1, self.config.pre_roll_ms // self.config.frame_ms)
        )
        # Time is counted in whole frames (milliseconds are integers): with float seconds,
        # 12 x 0.03 s < 0.36 s and every end of speech came one frame late.
        self.frames_seen = 0
        self.in_speech = False
        self._speech_start_frame = 0
        self._last_voiced_frame = 0
        self._voiced_frames = 0
        self._waiting_since_frame = 0
        self.end_reason = ""

    def _seconds(self, frames: int) -> float:
        return frames * self._frame_ms / 1000

    @property
    def audio_s(self) -> float:
        """Audio received so far (the end of the latest frame)."""
        return self._seconds(self.frames_seen)

    @property
    def speech_start_s(self) -> float:
        return self._seconds(self._speech_start_frame)

    @property
    def last_voiced_s(self) -> float:
        """The end of the last voiced frame."""
        return self._seconds(self._last_voiced_frame)

    @property
    def voiced_s(self) -> float:
        return self._seconds(self._voiced_frames)

    @property
    def pre_roll(self) -> list[bytes]:
        return list(self._pre_roll)

    def push(self, frame: bytes) -> VadSignal:
        if len(frame) != self._frame_bytes:
            raise ValueError(f"frame of {len(frame)} bytes, expected {self._frame_bytes}")
        voiced = self._vad.is_speech(frame, SAMPLE_RATE)
        self.frames_seen += 1
        now = self.frames_seen
        config = self.config
        if not self.in_speech:
            self._window.append(voiced)
            self._pre_roll.append(frame)
            if sum(self._window) >= config.start_voiced:
                self.in_speech = True
                self._speech_start_frame = now - len(self._window)
                self._last_voiced_frame = now
                self._voiced_frames = sum(self._window)
                self._window.clear()
                return VadSignal.START
            if (now - self._waiting_since_frame) * self._frame_ms >= config.no_speech_timeout_s * 1000:
                self.end_reason = "no-speech"
                return VadSignal.NO_SPEECH
            return VadSignal.NONE
        if voiced:
            self._last_voiced_frame = now
            self._voiced_frames += 1
        speech_ms = (self._last_voiced_frame - self._speech_start_frame) * self._frame_ms
        silence_ms = (now - self._last_voiced_frame) * self._frame_ms
        needed_ms = (
            config.short_end_silence_ms if speech_ms < config.long_after_s * 1000 else config.end_silence_ms
        )
        if silence_ms >= needed_ms:
            if self._voiced_frames * self._frame_ms < config.min_speech_ms:
                self._reset(now)
                return VadSignal.DISCARD
            self.end_reason = "silence"
            return VadSignal.END
        if (now - self._speech_start_frame) * self._frame_ms >= config.max_speech_s * 1000:
            self.end_reason = "max-length"
            return VadSignal.END
        return VadSignal.NONE

    def finish(self) -> VadSignal:
        """The audio ended: close an utterance in progress."""
        if self.in_speech and self._voiced_frames * self._frame_ms >= self.config.min_speech_ms:
            self.end_reason = "end-of-audio"
            return VadSignal.END
        self.end_reason = "no-speech"
        return VadSignal.NO_SPEECH

    def _reset(self, now: int) -> None:
        self.in_speech = False
        self._voiced_frames = 0
        self._window.clear()
        self._pre_roll.clear()
        self._waiting_since_frame = now
