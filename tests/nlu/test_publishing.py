"""Publishing staff edits: the backend keeps the job, `letan nlu publisher` claims it over HTTP,
generates into the data directory (never the checkout), trains, reloads and reports each step.

Rasa's training itself (minutes of both cores) is replaced here by a trainer that writes the model
files and prints Rasa's epoch lines; the real training is what the rest of the NLU suite runs.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.clock import FixedClock
from contract.backend_client import BackendClient
from contract.errors import BackendError
from nlu.generate import GENERATED_DIR
from nlu.publishing import Publisher
from nlu.training import NluError, TrainingSet, hash_path, model_path
from tests.support.backend import RunningBackend, running_in_process


class FakeRasa:
    """Stands in for `train` (writes the model and its hash, prints epochs) and for `reload_model`."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.trained: list[TrainingSet] = []
        self.reloaded: list[tuple[str, Path]] = []

    def train(self, models_dir: Path, *, force: bool, training: TrainingSet, on_line: Any) -> Path:
        self.trained.append(training)
        for pct in (0, 50, 100):
            on_line(f"Epochs: {pct:>3}%|#####| {pct}/100")
            if self.fail and pct == 50:
                raise NluError("nlu-train-failed", "Huấn luyện mô hình thất bại (mã lỗi 1).")
        on_line("Your Rasa model is trained and saved")
        models_dir.mkdir(parents=True, exist_ok=True)
        model_path(models_dir, training).write_bytes(b"model")
        hash_path(models_dir, training).write_text(training.digest() + "\n")
        return model_path(models_dir, training)

    def reload(self, url: str, model: Path) -> None:
        self.reloaded.append((url, model))


NOW = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Any:
    clock = FixedClock(NOW)
    with running_in_process(tmp_path_factory.mktemp("publish"), clock) as running:
        yield running


def editor(backend: RunningBackend) -> dict[str, str]:
    name = f"ed{len(backend._users)}"
    return {"Authorization": f"Bearer {backend.staff_token(name, backend.create_user(name, 'editor'))}"}


def request_publish(backend: RunningBackend, *, force: bool = False) -> None:
    """What the staff page's button does: the backend's publishing service records a request."""
    from backend.db import create_db_engine, create_session_factory
    from backend.services import publishing

    url = f"sqlite:///{backend.data_dir / 'letan.db'}"
    with create_session_factory(create_db_engine(url))() as session:
        publishing.request(session, actor="staff:bientap", force=force, now=NOW)
        session.commit()


def latest_job(backend: RunningBackend) -> Any:
    from backend.db import create_db_engine, create_session_factory
    from backend.services import publishing

    url = f"sqlite:///{backend.data_dir / 'letan.db'}"
    with create_session_factory(create_db_engine(url))() as session:
        return publishing.view(publishing.latest(session))


def publisher(backend: RunningBackend, rasa: FakeRasa, tmp_path: Path) -> Publisher:
    return Publisher(
        BackendClient(backend.base_url, backend.device_token),
        "http://127.0.0.1:5005",
        data_dir=backend.data_dir,
        models_dir=tmp_path / "models",
        trainer=rasa.train,
        reloader=rasa.reload,
    )


def test_a_publish_generates_into_the_data_directory_trains_reloads_and_reports(
    backend: RunningBackend, tmp_path: Path
) -> None:
    checkout = {p.name: p.read_bytes() for p in GENERATED_DIR.glob("*.yml")}
    rasa = FakeRasa()
    worker = publisher(backend, rasa, tmp_path)
    assert worker.run_once() is False  # nothing requested yet
    request_publish(backend)
    assert latest_job(backend)["status"] == "requested"
    assert worker.run_once() is True
    job = latest_job(backend)
    assert job["status"] == "done" and job["progress"] == 100, job
    assert "Đã huấn luyện và nạp mô hình mới" in job["message"]
    assert "Your Rasa model is trained and saved" in job["output"]
    [training] = rasa.trained
    assert training.generated_dir == backend.data_dir / "nlu" / "publish" / "generated"
    assert {p.name for p in training.generated_dir.glob("*.yml")} == {
        "faq.yml",
        "lookups.yml",
        "procedures.yml",
    }
    assert rasa.reloaded == [("http://127.0.0.1:5005", model_path(tmp_path / "models", training))]
    assert {p.name: p.read_bytes() for p in GENERATED_DIR.glob("*.yml")} == checkout  # the checkout untouched
    # Nothing the model learns from changed: the next publish does not train again.
    request_publish(backend)
    assert worker.run_once() is True
    assert len(rasa.trained) == 1 and "không cần huấn luyện lại" in latest_job(backend)["message"]
    request_publish(backend, force=True)
    assert worker.run_once() is True and len(rasa.trained) == 2


def test_a_failed_training_is_reported_and_the_old_model_stays(
    backend: RunningBackend, tmp_path: Path
) -> None:
    rasa = FakeRasa(fail=True)
    request_publish(backend, force=True)
    assert publisher(backend, rasa, tmp_path).run_once() is True
    job = latest_job(backend)
    assert job["status"] == "failed" and "Trợ lý vẫn dùng mô hình cũ" in job["message"]
    assert job["progress"] >= 57  # the epochs it reached before failing
    assert rasa.reloaded == []


def test_only_a_device_may_claim_and_only_the_claimant_may_report(backend: RunningBackend) -> None:
    assert httpx.post(f"{backend.base_url}/publish/claim").status_code == 401
    request_publish(backend, force=True)
    mine = BackendClient(backend.base_url, backend.device_token)
    work = mine.claim_publish()
    assert work is not None and work["content"]["procedures"]
    other = BackendClient(backend.base_url, backend.add_device("kiosk-khac"))
    with pytest.raises(BackendError) as refused:
        other.report_publish(work["id"], step="x", progress=5, message="", output=[], status="running")
    assert refused.value.status == 409
    mine.report_publish(work["id"], step="xong", progress=100, message="", output=[], status="failed")


def test_the_staff_page_says_when_words_changed_since_the_last_publish(
    backend: RunningBackend, tmp_path: Path
) -> None:
    headers = editor(backend)
    record = httpx.get(f"{backend.base_url}/procedures/khai_sinh").json()
    record["aliases"] = [*record["aliases"], "làm giấy khai sinh cho cháu nội"]
    assert (
        httpx.put(f"{backend.base_url}/procedures/khai_sinh", json=record, headers=headers).status_code == 200
    )
    with httpx.Client(base_url=backend.root_url) as browser:
        login = browser.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)  # type: ignore[union-attr]
        name = next(iter(backend._users))
        browser.post(
            "/staff/login", data={"csrf_token": token, "username": name, "password": backend._users[name]}
        )
        assert "Có tên gọi / cách hỏi mới chưa xuất bản" in browser.get("/staff/content/publish").text
        request_publish(backend)
        assert publisher(backend, FakeRasa(), tmp_path).run_once()
        assert "Trợ lý đã học nội dung hiện tại" in browser.get("/staff/content/publish").text
