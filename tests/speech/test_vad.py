"""End of speech on espeak-ng Vietnamese speech with silences of known length."""

from __future__ import annotations

import numpy as np
import pytest
from speech_helpers import espeak, speech_end_s, trim_silence

from speech.sources import SAMPLE_RATE, WavFileSource, read_wav_16k, write_wav_16k
from speech.vad import Endpointer, VadConfig, VadSignal


def run_endpointer(wav, config: VadConfig | None = None, trailing_silence_s: float = 2.0):
    source = WavFileSource(wav, trailing_silence_s=trailing_silence_s)
    endpointer = Endpointer(config)
    signals = []
    for frame in source.frames(endpointer.config.frame_ms):
        signal = endpointer.push(frame)
        if signal is not VadSignal.NONE:
            signals.append((signal, endpointer.audio_s))
        if signal in (VadSignal.END, VadSignal.NO_SPEECH):
            break
    else:
        signals.append((endpointer.finish(), endpointer.audio_s))
    return endpointer, signals, source


@pytest.mark.parametrize("answer", ["có", "không", "vâng"])
def test_short_answer_ends_quickly(synth, answer) -> None:
    wav = synth([0.5, ("vi", answer)], f"short-{answer}")
    endpointer, signals, source = run_endpointer(wav)
    kinds = [s for s, _ in signals]
    assert kinds == [VadSignal.START, VadSignal.END]
    true_end = speech_end_s(source.pcm)
    end_at = signals[-1][1]
    assert end_at - true_end <= 0.6, f"end of speech decided {end_at - true_end:.2f} s after it"
    assert endpointer.end_reason == "silence"
    assert 0.3 <= endpointer.speech_start_s <= 0.6  # speech starts after the 0.5 s of silence


@pytest.mark.parametrize(("answer", "config"), [("vâng", VadConfig()), ("có", VadConfig(frame_ms=20))])
def test_short_answer_ends_after_exactly_its_silence(synth, answer, config) -> None:
    # The end comes on the frame where the configured silence is complete, not one frame later.
    wav = synth([0.5, ("vi", answer)], f"exact-{answer}")
    endpointer, signals, _ = run_endpointer(wav, config)
    assert signals[-1][0] is VadSignal.END
    silence_ms = round((endpointer.audio_s - endpointer.last_voiced_s) * 1000)
    assert silence_ms == config.short_end_silence_ms


@pytest.mark.parametrize("speed_wpm", [130, 200])
def test_long_sentence_with_pauses_is_not_cut(tmp_path, speed_wpm) -> None:
    # Commas make espeak-ng pause inside the sentence: one utterance, ended after its last word.
    raw = espeak("nhà tôi có người mất, thì phải làm thủ tục gì", "vi", tmp_path / "raw.wav", speed_wpm)
    wav = tmp_path / "sentence.wav"
    write_wav_16k(wav, b"\0\0" * 8000 + trim_silence(read_wav_16k(raw)))
    _, signals, source = run_endpointer(wav)
    assert [s for s, _ in signals] == [VadSignal.START, VadSignal.END]
    true_end = speech_end_s(source.pcm)
    assert true_end < signals[-1][1] <= true_end + 0.6


def test_sentence_with_a_short_pause_is_one_utterance(synth) -> None:
    # A 0.25 s pause (breath) must not end the utterance; the 1.2 s silence after it does.
    wav = synth(
        [0.3, ("vi", "tôi muốn làm giấy khai sinh"), 0.25, ("vi", "cho con tôi"), 1.2, ("vi", "cảm ơn")],
        "pause",
    )
    endpointer, signals, _ = run_endpointer(wav)
    assert [s for s, _ in signals] == [VadSignal.START, VadSignal.END]
    # the end comes inside the 1.2 s silence: after "cho con tôi", before "cảm ơn"
    first_part = synth([0.3, ("vi", "tôi muốn làm giấy khai sinh"), 0.25, ("vi", "cho con tôi")], "pause-1")
    end_of_first = speech_end_s(WavFileSource(first_part).pcm)
    assert end_of_first < signals[-1][1] <= end_of_first + 0.6
    assert endpointer.last_voiced_s > end_of_first - 0.1


def test_click_is_ignored(tmp_path) -> None:
    # 60 ms of loud noise then silence: not speech.
    from speech.sources import write_wav_16k

    rng = np.random.default_rng(1)
    click = (rng.standard_normal(int(0.06 * SAMPLE_RATE)) * 8000).astype("<i2").tobytes()
    wav = tmp_path / "click.wav"
    write_wav_16k(wav, b"\0\0" * 8000 + click + b"\0\0" * 16000)
    _, signals, _ = run_endpointer(wav, VadConfig(no_speech_timeout_s=2.0))
    assert VadSignal.END not in [s for s, _ in signals]
    assert signals[-1][0] is VadSignal.NO_SPEECH


def test_max_utterance_length(synth) -> None:
    wav = synth([0.2, ("vi", "một hai ba bốn năm sáu bảy tám chín mười một hai ba bốn năm")], "long")
    endpointer, signals, _ = run_endpointer(wav, VadConfig(max_speech_s=1.5))
    assert signals[-1][0] is VadSignal.END
    assert endpointer.end_reason == "max-length"
    assert signals[-1][1] - endpointer.speech_start_s == pytest.approx(1.5, abs=0.06)


def test_nobody_speaks(tmp_path) -> None:
    from speech.sources import write_wav_16k

    wav = tmp_path / "silence.wav"
    write_wav_16k(wav, b"\0\0" * SAMPLE_RATE * 3)
    _, signals, _ = run_endpointer(wav, VadConfig(no_speech_timeout_s=1.0), trailing_silence_s=0)
    assert signals == [(VadSignal.NO_SPEECH, pytest.approx(1.0, abs=0.031))]


@pytest.mark.parametrize(
    "bad",
    [
        {"frame_ms": 25},
        {"aggressiveness": 4},
        {"start_voiced": 6, "start_window": 5},
        {"short_end_silence_ms": 900, "end_silence_ms": 450},
        {"max_speech_s": 0.1, "min_speech_ms": 200},
        {"no_speech_timeout_s": 0},
    ],
)
def test_config_is_validated(bad) -> None:
    with pytest.raises(ValueError):
        VadConfig(**bad)
