"""`letan nlu publisher`: the NLU side of publishing staff edits to the assistant.

The backend keeps publish jobs (`backend.services.publishing`); this process claims a requested
one through the API, writes the training data generated from the content it received into the
data directory (`<data_dir>/nlu/publish/generated/`, never the checkout), retrains when what the
model learns from changed, loads the new model into the Rasa server (`PUT /model`) and reports
every step, Rasa's training progress included, back to the backend for the staff page.
A failed step leaves the old model serving.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contract.backend_client import BackendClient
from contract.errors import BackendError
from contract.settings import shared_settings
from nlu.generate import generate_from
from nlu.serving import reload_model
from nlu.training import TrainingSet, is_stale, model_path, models_dir_default, train

logger = logging.getLogger(__name__)

EPOCHS = re.compile(r"Epochs:\s+(\d+)%")
PUBLISHED_MODEL = "published"
# Progress of the training step on the staff page: from LOW to HIGH as Rasa's epochs go.
LOW, HIGH = 20, 95
REPORT_EVERY_S = 2.0


def published_training(data_dir: Path | None = None) -> TrainingSet:
    """The training set of the last publish: the checkout's hand-written data and staff's content."""
    base = data_dir or shared_settings().data_dir
    return TrainingSet(generated_dir=base / "nlu" / "publish" / "generated", name=PUBLISHED_MODEL)


def serving_model(models_dir: Path | None = None) -> Path:
    """The model to serve: the published one while it matches the checkout's hand-written data and
    code, else the checkout's own (trained when missing or stale)."""
    published = published_training()
    if not is_stale(models_dir, published):
        return model_path(models_dir, published)
    return train(models_dir)


class JobReport:
    """Reports one job's steps to the backend, at most every few seconds while training runs."""

    def __init__(self, client: BackendClient, job_id: int) -> None:
        self.client = client
        self.job_id = job_id
        self.step_text = ""
        self.progress = 0
        self.pending: list[str] = []
        self.last_sent = 0.0

    def step(self, text: str, progress: int) -> None:
        self.step_text, self.progress = text, progress
        self._send("running", "")

    def line(self, line: str) -> None:
        """One line of Rasa's output: epochs move the progress; other lines go to the page's log."""
        match = EPOCHS.search(line)
        if match:
            self.progress = max(self.progress, LOW + (HIGH - LOW) * int(match.group(1)) // 100)
        else:
            self.pending.append(line[:300])
        if time.monotonic() - self.last_sent >= REPORT_EVERY_S:
            self._send("running", "")

    def finish(self, status: str, message: str, fingerprint: str | None = None) -> None:
        self._send(status, message, fingerprint)

    def _send(self, status: str, message: str, fingerprint: str | None = None) -> None:
        output, self.pending = self.pending[-40:], []
        self.last_sent = time.monotonic()
        self.client.report_publish(
            self.job_id,
            step=self.step_text,
            progress=self.progress,
            message=message,
            output=output,
            status=status,
            fingerprint=fingerprint,
        )


Trainer = Callable[..., Path]
Reloader = Callable[[str, Path], None]


class Publisher:
    def __init__(
        self,
        client: BackendClient,
        rasa_url: str,
        *,
        data_dir: Path | None = None,
        models_dir: Path | None = None,
        trainer: Trainer = train,
        reloader: Reloader = reload_model,
    ) -> None:
        self.client = client
        self.rasa_url = rasa_url
        self.training = published_training(data_dir)
        self.models_dir = models_dir or models_dir_default()
        self.trainer = trainer
        self.reloader = reloader

    def run_once(self) -> bool:
        """Do the oldest requested publish, if any; whether there was one."""
        work = self.client.claim_publish()
        if work is None:
            return False
        report = JobReport(self.client, int(work["id"]))
        try:
            self._publish(report, work["content"], bool(work.get("force")))
        except Exception as err:  # never leave the staff page saying "running"
            logger.exception("publish %s failed", work["id"])
            report.finish("failed", f"Bước “{report.step_text}” thất bại: {err}. Trợ lý vẫn dùng mô hình cũ.")
        return True

    def _publish(self, report: JobReport, content: dict[str, Any], force: bool) -> None:
        from content.model import ContentSet, learned_fingerprint

        content_set = ContentSet.model_validate(content)
        fingerprint = learned_fingerprint(content_set)
        report.step("Sinh dữ liệu huấn luyện từ nội dung", 10)
        generate_from(content_set, self.training.generated_dir)
        if not force and not is_stale(self.models_dir, self.training):
            report.step("Không cần huấn luyện lại", 100)
            report.finish(
                "done",
                "Không có tên gọi hay cách hỏi nào thay đổi: không cần huấn luyện lại. "
                "Câu trả lời đã dùng nội dung mới ngay khi lưu.",
                fingerprint,
            )
            return
        report.step("Huấn luyện mô hình — vài phút", LOW)
        model = self.trainer(self.models_dir, force=True, training=self.training, on_line=report.line)
        report.step("Nạp mô hình mới vào trợ lý", HIGH)
        self.reloader(self.rasa_url, model)
        report.finish("done", "Đã huấn luyện và nạp mô hình mới vào trợ lý.", fingerprint)

    def run_forever(self, stop: threading.Event, poll_s: float = 5.0) -> None:
        """Claim and do jobs until `stop` is set; a backend that cannot be reached is tried again."""
        while not stop.is_set():
            try:
                busy = self.run_once()
            except BackendError as err:
                logger.warning("publisher cannot reach the backend: %s", err.code)
                busy = False
            if not busy:
                stop.wait(poll_s)
