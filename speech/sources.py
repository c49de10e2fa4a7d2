"""Audio sources behind one interface: 16 kHz mono 16-bit frames from a microphone or a WAV file.

Like Wyoming's `audio-start / audio-chunk / audio-stop`, the format is written down once:
`SAMPLE_RATE`, `SAMPLE_WIDTH`, `CHANNELS`. Frames are `frame_ms` long (10, 20 or 30 ms, what
webrtcvad accepts).
"""

from __future__ import annotations

import logging
import queue
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from speech.errors import SpeechError
from speech.events import ErrorCode

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SAMPLE_WIDTH = 2
CHANNELS = 1


def frame_bytes(frame_ms: int) -> int:
    return SAMPLE_RATE * frame_ms // 1000 * SAMPLE_WIDTH


class AudioSource(Protocol):
    """Yields frames of 16 kHz mono 16-bit PCM until the audio ends (or forever for a mic)."""

    kind: str

    def frames(self, frame_ms: int = 30) -> Iterator[bytes]: ...

    def close(self) -> None: ...


def resample(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    """Resample float samples from `rate` to `target` (windowed-sinc low-pass, then linear)."""
    if rate == target or samples.size == 0:
        return samples
    if target < rate:
        # Low-pass at the new Nyquist frequency so the recogniser does not hear aliases.
        cutoff = 0.5 * target / rate
        taps = 63
        n = np.arange(taps) - (taps - 1) / 2
        kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
        kernel /= kernel.sum()
        samples = np.convolve(samples, kernel, mode="same")
    duration = samples.size / rate
    count = round(duration * target)
    positions = np.arange(count) * (rate / target)
    return np.interp(positions, np.arange(samples.size), samples)


def read_wav_16k(path: Path | str) -> bytes:
    """Read a WAV file of any rate, width (8/16/24/32-bit) and channel count as 16 kHz mono 16-bit."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            width = wav.getsampwidth()
            channels = wav.getnchannels()
            raw = wav.readframes(wav.getnframes())
    except (OSError, wave.Error, EOFError) as err:
        raise SpeechError(ErrorCode.AUDIO_FILE_INVALID, f"{path}: {err}") from err
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) * 256
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    elif width == 3:
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        as_int = (bytes3[:, 0].astype(np.int32) | (bytes3[:, 1].astype(np.int32) << 8)) | (
            bytes3[:, 2].astype(np.int32) << 16
        )
        as_int = np.where(as_int >= 1 << 23, as_int - (1 << 24), as_int)
        data = as_int.astype(np.float64) / 256
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 65536
    else:
        raise SpeechError(ErrorCode.AUDIO_FILE_INVALID, f"{path}: {width * 8}-bit samples")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    data = resample(data, rate)
    return np.clip(np.round(data), -32768, 32767).astype("<i2").tobytes()


def write_wav_16k(path: Path | str, pcm: bytes, rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(pcm)


class WavFileSource:
    """A WAV file, converted to 16 kHz mono 16-bit.

    `realtime=True` paces the frames at the speed of speech, as a microphone would deliver them
    (used by the benchmark); `trailing_silence_s` appends silence, as a microphone keeps
    delivering after the citizen stops talking.
    """

    kind = "file"

    def __init__(self, path: Path | str, *, realtime: bool = False, trailing_silence_s: float = 1.5) -> None:
        self.path = Path(path)
        self.pcm = read_wav_16k(self.path)
        self.realtime = realtime
        self.trailing_silence_s = trailing_silence_s
        self._closed = False

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / (SAMPLE_RATE * SAMPLE_WIDTH)

    def frames(self, frame_ms: int = 30) -> Iterator[bytes]:
        size = frame_bytes(frame_ms)
        pcm = self.pcm + b"\x00" * (int(self.trailing_silence_s * SAMPLE_RATE) * SAMPLE_WIDTH)
        start = time.monotonic()
        for index, offset in enumerate(range(0, len(pcm) - size + 1, size)):
            if self._closed:
                return
            if self.realtime:
                due = start + (index + 1) * frame_ms / 1000
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            yield pcm[offset : offset + size]

    def close(self) -> None:
        self._closed = True


def input_device_available() -> bool:
    try:
        import sounddevice as sd

        sd.query_devices(kind="input")
    except Exception:  # PortAudio missing, no device, no default input
        return False
    return True


class MicrophoneSource:
    """The default microphone through sounddevice (PortAudio), 16 kHz mono 16-bit."""

    kind = "microphone"

    def __init__(self, device: int | str | None = None, *, max_queue_s: float = 30.0) -> None:
        self.device = device
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=int(max_queue_s * 100))
        self._stream: Any = None
        self._closed = False

    def _open(self, frame_ms: int) -> None:
        try:
            import sounddevice as sd

            sd.query_devices(self.device, kind="input")
            self._stream = sd.RawInputStream(
                samplerate=SAMPLE_RATE,
                channels=CHANNELS,
                dtype="int16",
                blocksize=SAMPLE_RATE * frame_ms // 1000,
                device=self.device,
                callback=self._callback,
            )
            self._stream.start()
        except Exception as err:  # OSError (no PortAudio), sounddevice.PortAudioError, ValueError
            raise SpeechError(ErrorCode.AUDIO_DEVICE_MISSING, str(err)) from err

    def _callback(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        if status:
            logger.debug("microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            logger.warning("microphone frames dropped: the pipeline is not keeping up")

    def frames(self, frame_ms: int = 30) -> Iterator[bytes]:
        if self._stream is None:
            self._open(frame_ms)
        while not self._closed:
            try:
                frame = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if frame is None:
                return
            yield frame

    def close(self) -> None:
        self._closed = True
        self._queue.put(None)
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
