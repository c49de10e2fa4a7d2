"""Training the Rasa model, cached by a hash of everything that shapes it."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from pathlib import Path

from nlu.settings import NLU_DIR, get_settings

logger = logging.getLogger(__name__)

MODEL_NAME = "letan"
# What the model depends on: config, domain, training data and the custom components' code.
HASHED = ("config.yml", "domain", "data", "components")


class NluError(Exception):
    """A failure of the NLU commands, with a stable code and a Vietnamese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def rasa_env() -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["SANIC_HOST"] = "127.0.0.1"
    # nlu/runtime holds a stub that keeps TensorFlow from importing jax (~100 MB saved).
    paths = [str(NLU_DIR / "runtime"), str(NLU_DIR), str(NLU_DIR.parent), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("LETAN_NLU_ACTION_URL", get_settings().resolved_action_url())
    return env


def project_hash(nlu_dir: Path = NLU_DIR) -> str:
    """sha256 of the files the model is trained from (paths and contents, in a stable order)."""
    digest = hashlib.sha256()
    for name in HASHED:
        root = nlu_dir / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.suffix not in (".yml", ".yaml", ".py") or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(nlu_dir)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def model_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_dir) / f"{MODEL_NAME}.tar.gz"


def hash_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_dir) / f"{MODEL_NAME}.hash"


def is_stale(models_dir: Path | None = None) -> bool:
    model, stamp = model_path(models_dir), hash_path(models_dir)
    if not model.is_file() or not stamp.is_file():
        return True
    return stamp.read_text("utf-8").strip() != project_hash()


def train(models_dir: Path | None = None, *, force: bool = False) -> Path:
    """Train the model unless an up-to-date one exists; returns the model path."""
    models_dir = models_dir or get_settings().models_dir
    if not force and not is_stale(models_dir):
        logger.info("Model up to date: %s", model_path(models_dir))
        return model_path(models_dir)
    settings = get_settings()
    if not settings.rasa_bin.exists():
        raise NluError("nlu-rasa-missing", f"Chưa cài Rasa ({settings.rasa_bin}); chạy 'make setup'.")
    models_dir.mkdir(parents=True, exist_ok=True)
    digest = project_hash()
    command = [
        str(settings.rasa_bin), "train", "--domain", "domain", "--data", "data", "--config", "config.yml",
        "--out", str(models_dir), "--fixed-model-name", MODEL_NAME,
    ]  # fmt: skip
    logger.info("Training the Rasa model (a few minutes)")
    result = subprocess.run(command, cwd=NLU_DIR, env=rasa_env(), check=False)  # noqa: S603
    if result.returncode != 0 or not model_path(models_dir).is_file():
        raise NluError("nlu-train-failed", f"Huấn luyện mô hình thất bại (mã lỗi {result.returncode}).")
    hash_path(models_dir).write_text(digest + "\n", "utf-8")
    return model_path(models_dir)
