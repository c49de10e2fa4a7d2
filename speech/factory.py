"""The voice pipeline built from the settings: the robot and the kiosk build theirs here."""

from __future__ import annotations

import json
from pathlib import Path

from speech.intent import RasaIntent
from speech.pipeline import PipelineConfig, VoicePipeline
from speech.settings import Settings, get_settings
from speech.stt_vosk import GRAMMARS, VoskRecognizer, model_is_installed
from speech.tts import Player, Speaker


def load_grammars(path: Path | None) -> dict[str, list[str]]:
    """The built-in grammars, with those of the JSON file `path` added or replacing them."""
    grammars = dict(GRAMMARS)
    if path is not None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in data.values()
        ):
            raise ValueError(f"{path}: cần một đối tượng JSON {{tên: [từ, ...]}}")
        grammars.update(data)
    return grammars


def build_pipeline(
    settings: Settings | None = None,
    *,
    player: Player | None = None,
    config: PipelineConfig | None = None,
) -> tuple[VoicePipeline, Speaker]:
    """The pipeline on the configured model, Rasa server and voice (the recogniser is None when
    no model is installed: runs then report `stt-model-missing`)."""
    settings = settings or get_settings()
    recognizer = None
    if model_is_installed(settings.model_dir):
        recognizer = VoskRecognizer(settings.model_dir, grammars=load_grammars(settings.speech.grammar_file))
    speaker = Speaker(
        voice=settings.speech.voice,
        rate_wpm=settings.speech.rate_wpm,
        volume=settings.speech.volume,
        player=player,
        out_dir=settings.speech.reply_dir,  # None: a temporary folder removed at close
    )
    intent = RasaIntent(settings.rasa_url, timeout_s=settings.speech.intent_timeout_s)
    wake_phrases = tuple(settings.speech.wake_phrases) if settings.speech.wake_phrases else None
    pipeline = VoicePipeline(
        recognizer=recognizer, intent=intent, speaker=speaker, config=config, wake_phrases=wake_phrases
    )
    return pipeline, speaker
