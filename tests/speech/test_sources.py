"""Audio sources: WAV files of any format converted to 16 kHz mono 16-bit; the microphone."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from speech.errors import SpeechError
from speech.sources import SAMPLE_RATE, MicrophoneSource, WavFileSource, frame_bytes, input_device_available


def write_tone(path, rate: int, channels: int, width: int, seconds: float = 1.0, freq: float = 440.0) -> None:
    t = np.arange(int(rate * seconds)) / rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t)
    if width == 1:
        data = (tone * 127 + 128).astype(np.uint8)
    elif width == 2:
        data = (tone * 32767).astype("<i2")
    else:
        data = (tone * 2**31 * 0.99).astype("<i4")
    frames = np.repeat(data[:, None], channels, axis=1).tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(frames)


@pytest.mark.parametrize(
    ("rate", "channels", "width"), [(22050, 1, 2), (44100, 2, 2), (8000, 1, 1), (48000, 2, 4)]
)
def test_wav_is_converted(tmp_path, rate, channels, width) -> None:
    path = tmp_path / "tone.wav"
    write_tone(path, rate, channels, width)
    source = WavFileSource(path, trailing_silence_s=0)
    assert source.duration_s == pytest.approx(1.0, abs=0.01)
    samples = np.frombuffer(source.pcm, dtype="<i2").astype(float)
    # the 440 Hz tone survives: its amplitude and frequency
    assert np.abs(samples).max() == pytest.approx(0.5 * 32767, rel=0.05)
    spectrum = np.abs(np.fft.rfft(samples))
    assert np.argmax(spectrum) * SAMPLE_RATE / samples.size == pytest.approx(440, abs=3)
    frames = list(source.frames(30))
    assert all(len(f) == frame_bytes(30) for f in frames)
    assert len(frames) == int(SAMPLE_RATE * 1.0) // 480


def test_not_a_wav_file(tmp_path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(b"not a wav")
    with pytest.raises(SpeechError) as caught:
        WavFileSource(path)
    assert caught.value.code == "audio-file-invalid"


def test_realtime_pacing(tmp_path) -> None:
    import time

    path = tmp_path / "tone.wav"
    write_tone(path, 16000, 1, 2, seconds=0.3)
    started = time.monotonic()
    count = len(list(WavFileSource(path, realtime=True, trailing_silence_s=0).frames(30)))
    assert count == 10
    assert time.monotonic() - started == pytest.approx(0.3, abs=0.08)


@pytest.mark.skipif(input_device_available(), reason="this machine has a microphone")
def test_missing_microphone_is_a_clear_error() -> None:
    source = MicrophoneSource()
    with pytest.raises(SpeechError) as caught:
        next(iter(source.frames()))
    assert caught.value.code == "audio-device-missing"
    assert "micrô" in caught.value.message
    source.close()
