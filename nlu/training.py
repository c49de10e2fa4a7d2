"""Training the Rasa model, cached by a hash of everything that shapes it."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nlu.settings import NLU_DIR, get_settings

logger = logging.getLogger(__name__)

MODEL_NAME = "letan"
# What the model depends on: config, domain, training data and the custom components' code.
# What shapes a model besides its data: the pipeline's config, the domain, the custom components.
SHAPING = ("config.yml", "domain", "components")
# The hand-written training data (`data/generated/` is the generated part).
HAND_WRITTEN = ("nlu", "rules", "lookups")
GENERATED_DIR = NLU_DIR / "data" / "generated"


class NluError(Exception):
    """A failure of the NLU commands, with a stable code and a Vietnamese message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def rasa_env() -> dict[str, str]:
    """The environment of Rasa and the action server: this process's, with the data directory made
    absolute (they run in nlu/, where a relative LETAN_DATA_DIR would name another folder)."""
    from contract.settings import SharedSettings

    env = SharedSettings.from_env().child_env()
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["SANIC_HOST"] = "127.0.0.1"
    # nlu/runtime holds a stub that keeps TensorFlow from importing jax (~100 MB saved).
    paths = [str(NLU_DIR / "runtime"), str(NLU_DIR), str(NLU_DIR.parent), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("LETAN_NLU_ACTION_URL", get_settings().resolved_action_url())
    return env


@dataclass(frozen=True)
class TrainingSet:
    """What a model is trained from: the hand-written data of the checkout and one generated folder.

    The checkout's `data/generated/` is what `content/` generates; a publish of staff edits
    generates into the data directory instead, so the checkout is never written to.
    """

    generated_dir: Path = GENERATED_DIR
    name: str = MODEL_NAME

    def data_paths(self) -> list[Path]:
        return [*(NLU_DIR / "data" / folder for folder in HAND_WRITTEN), self.generated_dir]

    def digest(self) -> str:
        """sha256 of the files the model is trained from (paths and contents, in a stable order)."""
        digest = hashlib.sha256()
        for root in [NLU_DIR / name for name in SHAPING] + self.data_paths():
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            for path in files:
                if path.suffix not in (".yml", ".yaml", ".py") or "__pycache__" in path.parts:
                    continue
                # named from its folder, so a generated folder elsewhere digests like the checkout's
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
        return digest.hexdigest()


CHECKOUT = TrainingSet()


def project_hash() -> str:
    """The digest of the checkout's training set (what `letan nlu train` trains)."""
    return CHECKOUT.digest()


def models_dir_default() -> Path:
    return get_settings().resolved_models_dir()


def model_path(models_dir: Path | None = None, training: TrainingSet = CHECKOUT) -> Path:
    return (models_dir or models_dir_default()) / f"{training.name}.tar.gz"


def hash_path(models_dir: Path | None = None, training: TrainingSet = CHECKOUT) -> Path:
    return (models_dir or models_dir_default()) / f"{training.name}.hash"


def is_stale(models_dir: Path | None = None, training: TrainingSet = CHECKOUT) -> bool:
    model, stamp = model_path(models_dir, training), hash_path(models_dir, training)
    if not model.is_file() or not stamp.is_file():
        return True
    return stamp.read_text("utf-8").strip() != training.digest()


def train(
    models_dir: Path | None = None,
    *,
    force: bool = False,
    training: TrainingSet = CHECKOUT,
    on_line: Callable[[str], None] | None = None,
) -> Path:
    """Train the model of `training` unless an up-to-date one exists; returns the model path.

    `on_line` receives Rasa's output line by line (progress for the staff page); without it the
    output goes to this process's own.
    """
    models_dir = models_dir or models_dir_default()
    if not force and not is_stale(models_dir, training):
        logger.info("Model up to date: %s", model_path(models_dir, training))
        return model_path(models_dir, training)
    settings = get_settings()
    if not settings.rasa_bin.exists():
        raise NluError("nlu-rasa-missing", f"Chưa cài Rasa ({settings.rasa_bin}); chạy 'make setup'.")
    models_dir.mkdir(parents=True, exist_ok=True)
    digest = training.digest()
    command = [
        str(settings.rasa_bin), "train", "--domain", "domain", "--config", "config.yml",
        "--data", *(str(path) for path in training.data_paths()),
        "--out", str(models_dir), "--fixed-model-name", training.name,
    ]  # fmt: skip
    logger.info("Training the Rasa model %s (a few minutes)", training.name)
    if on_line is None:
        code = subprocess.run(command, cwd=NLU_DIR, env=rasa_env(), check=False).returncode  # noqa: S603
    else:
        code = _run_streaming(command, on_line)
    if code != 0 or not model_path(models_dir, training).is_file():
        raise NluError("nlu-train-failed", f"Huấn luyện mô hình thất bại (mã lỗi {code}).")
    hash_path(models_dir, training).write_text(digest + "\n", "utf-8")
    return model_path(models_dir, training)


def _run_streaming(command: list[str], on_line: Callable[[str], None]) -> int:
    env = {**rasa_env(), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 - Rasa's own command line, no shell
        command, cwd=NLU_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    assert process.stdout is not None
    for raw in process.stdout:
        for line in raw.replace("\r", "\n").splitlines():
            if line.strip():
                on_line(line.strip())
    return process.wait()
