"""Publishing staff edits to the assistant: regenerate NLU data, retrain in the background, hot-reload.

Answers are live as soon as they are saved (the assistant's actions read the backend). What the
model learns — procedure names and aliases, FAQ questions and variants — needs a new model:

1. the database's content is exported as a content directory `<data_dir>/publish/content/`;
2. when the words the model learns from changed since the last publish (fingerprint), the NLU
   data is regenerated (`letan nlu generate --content-dir …`) and the model retrained
   (`letan nlu train --no-generate --force --reload <rasa url>`), both as subprocesses;
3. the new model is loaded into the running Rasa server (PUT /model, done by `--reload`).

A failed step leaves the old model serving; the page shows which step failed and the last lines
of its output. One publish runs at a time per data folder; its state is a JSON file so every
worker and a reloaded page see it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from content.model import ContentSet

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_EPOCHS = re.compile(r"Epochs:\s+(\d+)%")


@dataclass
class PublishState:
    status: str = "idle"  # idle | running | done | failed
    step: str = ""
    progress: int = 0
    message: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0
    started_by: str = ""
    output: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status == "running"


def publish_dir(data_dir: Path) -> Path:
    return data_dir / "publish"


def _state_file(data_dir: Path) -> Path:
    return publish_dir(data_dir) / "status.json"


def read_state(data_dir: Path) -> PublishState:
    try:
        raw = json.loads(_state_file(data_dir).read_text(encoding="utf-8"))
        state = PublishState(**{k: v for k, v in raw.items() if k in PublishState.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return PublishState()
    if state.running and time.time() - state.started_at > 3 * 3600:
        state.status, state.message = "failed", "Lần xuất bản trước bị gián đoạn (máy chủ khởi động lại?)."
    return state


def _write_state(data_dir: Path, state: PublishState) -> None:
    path = _state_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    state.output = state.output[-40:]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def nlu_fingerprint(content_set: ContentSet) -> str:
    """What the model learns from: procedure names and aliases, FAQ questions and variants."""
    words = {
        "procedures": sorted((p.id, p.name, sorted(p.aliases)) for p in content_set.procedures),
        "faq": sorted((f.key, f.question, sorted(f.variants)) for f in content_set.faq),
    }
    return hashlib.sha256(json.dumps(words, ensure_ascii=False).encode()).hexdigest()


def _published_file(data_dir: Path) -> Path:
    return publish_dir(data_dir) / "published-fingerprint"


def needs_training(data_dir: Path, content_set: ContentSet) -> bool:
    try:
        return _published_file(data_dir).read_text().strip() != nlu_fingerprint(content_set)
    except OSError:
        return True


def rasa_url() -> str:
    try:
        from nlu.settings import get_settings as nlu_settings

        settings = nlu_settings()
        return f"http://{settings.host}:{settings.port}"
    except Exception:  # the NLU package is optional for the staff pages
        return "http://127.0.0.1:5005"


def letan_command() -> list[str]:
    exe = Path(sys.executable).parent / "letan"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "letan.cli"]


def start(data_dir: Path, content_set: ContentSet, username: str, *, force: bool = False) -> PublishState:
    """Start a publish in a background thread (or return the one running)."""
    with _LOCK:
        state = read_state(data_dir)
        if state.running:
            return state
        state = PublishState(
            status="running", step="Chuẩn bị", progress=2, started_at=time.time(), started_by=username
        )
        _write_state(data_dir, state)
    thread = threading.Thread(
        target=_run, args=(data_dir, content_set, state, force), name="letan-publish", daemon=True
    )
    thread.start()
    return state


def _run(data_dir: Path, content_set: ContentSet, state: PublishState, force: bool) -> None:
    from content.files import write_content_dir

    try:
        state.step, state.progress = "Xuất nội dung từ cơ sở dữ liệu", 5
        _write_state(data_dir, state)
        folder = publish_dir(data_dir) / "content"
        write_content_dir(content_set, folder)
        if not force and not needs_training(data_dir, content_set):
            _finish(
                data_dir,
                state,
                "done",
                "Không có tên gọi hay cách hỏi nào thay đổi: không cần huấn luyện lại. "
                "Câu trả lời đã dùng nội dung mới ngay khi lưu.",
            )
            return
        state.step, state.progress = "Sinh dữ liệu huấn luyện (letan nlu generate)", 10
        _write_state(data_dir, state)
        if not _step(
            data_dir, state, [*letan_command(), "nlu", "generate", "--content-dir", str(folder)], 10, 20
        ):
            return
        state.step, state.progress = "Huấn luyện mô hình (letan nlu train) — vài phút", 20
        _write_state(data_dir, state)
        train = [*letan_command(), "nlu", "train", "--no-generate", "--force", "--reload", rasa_url()]
        if not _step(data_dir, state, train, 20, 95):
            return
        _published_file(data_dir).write_text(nlu_fingerprint(content_set) + "\n")
        _finish(data_dir, state, "done", "Đã huấn luyện và nạp mô hình mới vào trợ lý.")
    except Exception as err:  # never leave the page saying "running"
        logger.exception("publish failed")
        _finish(data_dir, state, "failed", f"Xuất bản thất bại: {err}. Trợ lý vẫn dùng mô hình cũ.")


def _step(data_dir: Path, state: PublishState, command: list[str], low: int, high: int) -> bool:
    """Run one command, streaming its output into the state; False (and the state failed) on error."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 - our own CLI, no shell
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1
    )
    assert process.stdout is not None
    last_write = 0.0
    for raw in process.stdout:
        for line in raw.replace("\r", "\n").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _EPOCHS.search(line)
            if match:
                state.progress = max(state.progress, low + (high - low) * int(match.group(1)) // 100)
                if state.output and _EPOCHS.search(state.output[-1]):
                    state.output[-1] = line[:300]
                    continue
            state.output.append(line[:300])
        if time.monotonic() - last_write > 1:
            _write_state(data_dir, state)
            last_write = time.monotonic()
    code = process.wait()
    if code != 0:
        unsupported = any("No such option" in line for line in state.output[-5:])
        why = (
            "lệnh này chưa hỗ trợ sinh dữ liệu từ nội dung đã sửa (--content-dir)"
            if unsupported
            else f"mã lỗi {code}; xem các dòng cuối bên dưới"
        )
        _finish(
            data_dir, state, "failed", f"Bước “{state.step}” thất bại ({why}). Trợ lý vẫn dùng mô hình cũ."
        )
        return False
    state.progress = high
    return True


def _finish(data_dir: Path, state: PublishState, status: str, message: str) -> None:
    state.status, state.message, state.finished_at = status, message, time.time()
    if status == "done":
        state.progress = 100
    _write_state(data_dir, state)
    logger.info("publish %s: %s", status, message)


def as_view(state: PublishState) -> dict[str, Any]:
    return {**asdict(state), "running": state.running}
