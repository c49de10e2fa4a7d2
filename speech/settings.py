"""Speech settings, `LETAN_SPEECH__*` environment variables, read through `get_settings()`.

The data directory (models are downloaded under its `models/`) and the Rasa server are the shared
settings of every process (`contract.settings`: `LETAN_DATA_DIR`, `LETAN_RASA_URL`);
`LETAN_SPEECH__MODEL_DIR` points at a Vosk model directory directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from contract.settings import shared_settings

VOICES: dict[str, str] = {
    "north": "vi",
    "central": "vi-vn-x-central",
    "south": "vi-vn-x-south",
}
DEFAULT_MODEL_NAME = "vosk-model-small-vn-0.4"


class SpeechSettings(BaseModel):
    # A Vosk model directory; default: <data_dir>/models/vosk-model-small-vn-0.4
    model_dir: Path | None = None
    # Northern ("north", default), Central ("central") or Southern ("south") espeak-ng voice.
    voice: str = "north"
    rate_wpm: int = Field(default=165, ge=80, le=400)
    volume: float = Field(default=1.0, ge=0.0, le=1.0)
    # Keep every reply's WAV here (default: a temporary folder, removed when the process ends).
    reply_dir: Path | None = None
    intent_timeout_s: float = Field(default=8.0, gt=0)
    follow_up_s: float = Field(default=6.0, ge=0)
    # JSON {"name": ["word", ...]} replacing or adding recognition grammars (other models).
    grammar_file: Path | None = None
    # Phrases of the wake grammar that wake the robot (default: all of its words).
    wake_phrases: list[str] | None = None

    @field_validator("voice")
    @classmethod
    def _known_voice(cls, value: str) -> str:
        if value not in VOICES and value not in VOICES.values():
            raise ValueError(f"giọng đọc không có: {value} (chọn một trong {', '.join(VOICES)})")
        return value

    @property
    def espeak_voice(self) -> str:
        return VOICES.get(self.voice, self.voice)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LETAN_", env_nested_delimiter="__", extra="ignore")

    speech: SpeechSettings = SpeechSettings()

    @property
    def models_dir(self) -> Path:
        return shared_settings().data_dir / "models"

    @property
    def model_dir(self) -> Path:
        return self.speech.model_dir or self.models_dir / DEFAULT_MODEL_NAME

    @property
    def rasa_url(self) -> str:
        return shared_settings().rasa_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
