"""Synthesis with pyttsx3/espeak-ng: Vietnamese to WAV, queue order, barge-in, quirks."""

from __future__ import annotations

import threading
import time
import wave

import numpy as np
import pytest

from speech.tts import SilentPlayer, Speaker


def wav_info(path) -> tuple[int, float, np.ndarray]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return rate, data.size / rate, data


def test_vietnamese_to_wav(tmp_path) -> None:
    with Speaker(player=SilentPlayer(realtime=False)) as speaker:
        job = speaker.synthesize("Xin chào, mời bạn đến quầy số ba.", tmp_path / "a.wav")
    rate, duration, data = wav_info(tmp_path / "a.wav")
    assert rate == 22050 and job.sample_rate == 22050
    assert 1.0 < duration < 6.0 and job.duration_s == pytest.approx(duration)
    assert np.abs(data).max() > 3000  # real audio, not silence


def test_regional_voices_differ(tmp_path) -> None:
    sizes = {}
    for voice in ("north", "central", "south"):
        with Speaker(voice=voice, player=SilentPlayer(realtime=False)) as speaker:
            speaker.synthesize("Bạn cần giấy tờ gì?", tmp_path / f"{voice}.wav")
        sizes[voice] = (tmp_path / f"{voice}.wav").read_bytes()
    assert len(set(sizes.values())) == 3


def test_announcements_queue_in_order_and_never_overwrite(tmp_path) -> None:
    played: list[str] = []

    class RecordingPlayer:
        def play(self, path, stop_event: threading.Event) -> bool:
            played.append(path.name)
            time.sleep(0.05)
            return True

    with Speaker(player=RecordingPlayer(), out_dir=tmp_path) as speaker:
        jobs = [speaker.say(f"Mời số A0{n}0 đến quầy {n}.") for n in range(1, 5)]
        assert all(job.wait(20) for job in jobs)
    assert played == [job.result_path.name for job in jobs]
    assert len({job.result_path for job in jobs}) == 4
    durations = [job.duration_s for job in jobs]
    assert all(d > 1.0 for d in durations)


def test_barge_in_stops_at_once(tmp_path) -> None:
    with Speaker(player=SilentPlayer(realtime=True), out_dir=tmp_path) as speaker:
        long_job = speaker.say("Thủ tục đăng ký khai sinh cần tờ khai và giấy chứng sinh. " * 4)
        queued = speaker.say("Câu này không được đọc nữa.")
        assert long_job.playing.wait(10)
        speaker.stop()
        # The player was interrupted: it reports the job stopped (played to its end, it would not),
        # well before the audio's own end; no wall-clock figure here (bench/ measures speed).
        assert long_job.wait(10)
        assert queued.wait(10)
        assert long_job.stopped and long_job.duration_s > 5
        assert queued.stopped and queued.result_path is None
        # and the speaker keeps working afterwards
        after = speaker.say("Xin mời.", play=False)
        assert after.wait(10) and not after.stopped and after.error is None


def test_empty_output_is_detected_and_retried(tmp_path) -> None:
    with Speaker(player=SilentPlayer(realtime=False)) as speaker:
        real_new_engine = speaker._new_engine
        calls = {"save": 0}

        class FlakyEngine:
            """The real engine, but the first save_to_file writes an empty WAV (the pyttsx3 quirk)."""

            def __init__(self) -> None:
                self.engine = real_new_engine()

            def setProperty(self, name, value):  # noqa: N802 (pyttsx3 API)
                self.engine.setProperty(name, value)

            def save_to_file(self, text, path):
                calls["save"] += 1
                self.path = path
                self.empty = calls["save"] == 1
                if not self.empty:
                    self.engine.save_to_file(text, path)

            def runAndWait(self):  # noqa: N802 (pyttsx3 API)
                if self.empty:
                    with wave.open(self.path, "wb") as wav:
                        wav.setnchannels(1)
                        wav.setsampwidth(2)
                        wav.setframerate(22050)
                else:
                    self.engine.runAndWait()

        speaker._new_engine = FlakyEngine  # type: ignore[method-assign]
        job = speaker.synthesize("Xin chào.", tmp_path / "retry.wav")
    assert calls["save"] == 2
    assert job.duration_s > 0.3
