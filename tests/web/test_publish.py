"""Publishing: the steps, progress, failure and skip logic of `backend.web.publish`.

Real training takes minutes of both cores, so here `letan` is replaced by a small script that
behaves like `letan nlu generate|train` (prints Rasa's epoch progress, exits 0 or 1); the
browser tests and the NLU suite cover the real commands.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from backend.web import publish
from content.files import read_content_dir

FAKE_LETAN = """
import sys, time
args = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(" ".join(args) + "\\n")
if args[:2] == ["nlu", "generate"]:
    print("Đã ghi nlu/data/generated/procedures.yml")
elif args[:2] == ["nlu", "train"]:
    for pct in (0, 25, 50, 75, 100):
        if {fail!r} and pct > 50:
            print("tensorflow: out of memory", flush=True)
            sys.exit(1)
        print(f"Epochs: {{pct:>3}}%|#####| {{pct}}/100", flush=True)
        time.sleep(0.05)
    print("Đã nạp mô hình mới vào http://127.0.0.1:5005")
"""


def _fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, fail: bool) -> Path:
    log = tmp_path / "calls.log"
    script = tmp_path / "fake_letan.py"
    script.write_text(FAKE_LETAN.format(log=str(log), fail=fail), encoding="utf-8")
    monkeypatch.setattr(publish, "letan_command", lambda: [sys.executable, str(script)])
    return log


def _wait(data_dir: Path) -> publish.PublishState:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = publish.read_state(data_dir)
        if not state.running:
            return state
        time.sleep(0.05)
    raise AssertionError("publish did not finish")


def test_publish_generates_trains_reloads_then_skips_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _fake(tmp_path, monkeypatch, fail=False)
    content = read_content_dir()
    publish.start(tmp_path, content, "bientap")
    state = _wait(tmp_path)
    assert state.status == "done" and state.progress == 100, state
    calls = log.read_text().splitlines()
    assert calls[0] == f"nlu generate --content-dir {tmp_path / 'publish' / 'content'}"
    assert calls[1].startswith("nlu train --no-generate --force --reload http://")
    assert (tmp_path / "publish" / "content" / "procedures" / "khai_sinh.yml").is_file()
    assert any(line.startswith("Epochs: 100%") for line in state.output)
    assert not publish.needs_training(tmp_path, content)

    # The same words again: nothing to train, and the page says why.
    publish.start(tmp_path, content, "bientap")
    state = _wait(tmp_path)
    assert state.status == "done" and "không cần huấn luyện lại" in state.message
    assert len(log.read_text().splitlines()) == 2

    # A new alias is a change the model must learn.
    changed = content.model_copy(deep=True)
    changed.procedures[0].aliases.append("một cách gọi mới")
    assert publish.needs_training(tmp_path, changed)


def test_a_failed_training_keeps_the_old_model_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, monkeypatch, fail=True)
    content = read_content_dir()
    publish.start(tmp_path, content, "bientap")
    state = _wait(tmp_path)
    assert state.status == "failed"
    assert "Huấn luyện mô hình" in state.message and "mô hình cũ" in state.message
    assert "tensorflow: out of memory" in state.output
    assert state.progress == 20 + 75 * 50 // 100  # the bar stopped where training stopped
    assert publish.needs_training(tmp_path, content)  # nothing recorded as published
