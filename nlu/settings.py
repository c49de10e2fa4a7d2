"""Settings of the letan-side NLU commands (`LETAN_NLU_*`)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from contract.settings import shared_settings

NLU_DIR = Path(__file__).resolve().parent
REPO_ROOT = NLU_DIR.parent


class NluSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LETAN_NLU_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 5005
    actions_host: str = "127.0.0.1"
    actions_port: int = 5055
    # where Rasa calls the action server; default: actions_host:actions_port
    action_url: str | None = None
    rasa_bin: Path = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
    # Trained models (default: nlu/models under the data directory, never in the checkout).
    models_dir: Path | None = None
    ready_timeout: float = 120.0
    # endpoints file (relative to nlu/): endpoints.yml, or endpoints-scaled.yml for a city
    endpoints: str = "endpoints.yml"

    def resolved_models_dir(self) -> Path:
        return self.models_dir or shared_settings().data_dir / "nlu" / "models"

    def resolved_action_url(self) -> str:
        return self.action_url or f"http://{self.actions_host}:{self.actions_port}/webhook"


@lru_cache(maxsize=1)
def get_settings() -> NluSettings:
    return NluSettings()
