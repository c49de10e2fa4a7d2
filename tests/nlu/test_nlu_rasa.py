"""The real assistant: Rasa trained once (cached by hash), the action server and a real backend.

Covers `rasa data validate`, the test stories (`--fail-on-prediction-errors`), /model/parse on
raw text, whole conversations through the REST webhook, a staff edit answered without
retraining, /restart, hot reload (PUT /model) and the backend being down.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from content.model import Procedure
from nlu.serving import start_actions, stop, wait_ready
from nlu.settings import NLU_DIR, get_settings
from nlu.training import rasa_env, train
from tests.support.assistant import Assistant, actions_env, running_assistant
from tests.support.backend import RunningBackend, free_port

pytestmark = pytest.mark.slow
CODE = "000.00.31.H26-251121-0003"


@pytest.fixture(scope="module")
def model() -> Path:
    return train()


def _rasa(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(get_settings().rasa_bin), *args],
        cwd=NLU_DIR,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_training_data_is_valid() -> None:
    result = _rasa("data", "validate", "--domain", "domain", "--data", "data")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_test_stories_pass(model: Path, tmp_path: Path) -> None:
    result = _rasa(
        "test", "core", "--model", str(model), "--stories", "tests/test_stories.yml",
        "--fail-on-prediction-errors", "--out", str(tmp_path), "--no-plot",
    )  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text("utf-8") if failed.exists() else ""
    assert result.returncode == 0, details[-4000:] + result.stdout[-2000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def assistant(model: Path, backend_server: RunningBackend) -> Iterator[Assistant]:
    with running_assistant(backend_server) as running:
        yield running


def _entities(result: dict[str, Any]) -> dict[str, str]:
    return {e["entity"]: str(e["value"]) for e in result.get("entities", [])}


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("so do nop o quay nao", "ask_where", {"procedure": "cap_so_do"}),
        ("Làm LLPT cần giấy tờ gì?", "ask_documents", {"procedure": "ly_lich_tu_phap"}),
        ("ĐĂNG KÝ KẾT HÔN LỆ PHÍ BAO NHIÊU", "ask_fee", {"procedure": "ket_hon"}),
        ("hồ sơ 000.00.31.h26 251121 0003 xong chưa", "check_dossier_status", {"dossier_code": CODE}),
        ("cho tôi lấy số quầy hộ tịch", "request_queue_number", {"field": "ho_tich"}),
    ],
)  # fmt: skip
def test_parse_raw_text(assistant: Assistant, text: str, intent: str, entities: dict[str, str]) -> None:
    import unicodedata

    for variant in (text, unicodedata.normalize("NFD", text)):
        result = assistant.parse(variant)
        assert result["intent"]["name"] == intent, variant
        assert _entities(result) == entities, variant


def test_faq_key_comes_from_the_response_selector(assistant: Assistant) -> None:
    result = assistant.parse("cho em xin mat khau wifi voi")
    assert result["intent"]["name"] == "faq"
    assert result["response_selector"]["faq"]["response"]["intent_response_key"] == "faq/wifi"


def _custom(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return next((m["custom"] for m in messages if m.get("custom")), {})


def test_a_staff_edit_is_answered_at_once_and_the_procedure_carries_over(assistant: Assistant) -> None:
    backend = assistant.backend
    username = f"editor{uuid.uuid4().hex[:6]}"
    token = backend.staff_token(username, backend.create_user(username, "editor"))
    record = requests.get(f"{backend.base_url}/procedures/ket_hon", timeout=10).json()
    record["fee"] = {"text": "Miễn lệ phí (thử nghiệm 4242 đồng)", "amount_vnd": 0}
    body = {k: v for k, v in record.items() if k in Procedure.model_fields}
    edited = requests.put(
        f"{backend.base_url}/procedures/ket_hon",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert edited.status_code == 200, edited.text
    sender = f"t-{uuid.uuid4().hex[:8]}"
    messages = assistant.say(sender, "đăng ký kết hôn mất bao nhiêu tiền")
    assert "4242" in messages[0]["text"]
    assert _custom(messages)["procedure_id"] == "ket_hon"
    follow = assistant.say(sender, "thế cần mang giấy tờ gì")
    assert _custom(follow)["aspect"] == "documents" and _custom(follow)["procedure_id"] == "ket_hon"
    # a new conversation forgets the procedure
    assistant.say(sender, "/restart")
    again = assistant.say(sender, "mất bao nhiêu tiền")
    assert "thủ tục nào" in again[0]["text"] and again[0]["buttons"]


def test_ticket_conversation_issues_a_real_ticket(assistant: Assistant) -> None:
    sender = f"t-{uuid.uuid4().hex[:8]}"
    asked = assistant.say(sender, "cho tôi lấy số làm khai sinh")
    assert "ưu tiên" in asked[0]["text"] and asked[0]["buttons"]
    issued = assistant.say(sender, "không")
    ticket = _custom(issued)
    assert ticket["type"] == "ticket" and ticket["number"].startswith("A")
    assert ticket["number"] in issued[0]["text"]
    waiting = assistant.say(sender, "còn mấy người nữa")
    assert ticket["number"] in waiting[0]["text"]


def test_dossier_conversation(assistant: Assistant) -> None:
    code, verify = assistant.backend.seed_demo()[0]
    sender = f"t-{uuid.uuid4().hex[:8]}"
    asked = assistant.say(sender, "tra cứu hồ sơ giúp tôi")
    assert "mã hồ sơ" in asked[0]["text"]
    status = assistant.say(sender, code.lower())
    assert _custom(status)["code"] == code and _custom(status)["detailed"] is False
    assistant.say(sender, "có")
    details = assistant.say(sender, verify)
    assert _custom(details)["detailed"] is True
    unknown = assistant.say(f"t-{uuid.uuid4().hex[:8]}", "hồ sơ 000.00.31.H26-251121-9999 xong chưa")
    assert "không tìm thấy" in unknown[0]["text"].lower()


def test_hot_reload_keeps_serving(assistant: Assistant, model: Path) -> None:
    response = requests.put(f"{assistant.url}/model", json={"model_file": str(model.resolve())}, timeout=180)
    assert response.status_code == 204
    assert assistant.parse("lấy số thứ tự")["intent"]["name"] == "request_queue_number"


def _put_procedure(assistant: Assistant, body: dict[str, Any]) -> None:
    backend = assistant.backend
    username = f"editor{uuid.uuid4().hex[:6]}"
    token = backend.staff_token(username, backend.create_user(username, "editor"))
    edited = requests.put(
        f"{backend.base_url}/procedures/{body['id']}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert edited.status_code == 200, edited.text


def test_an_unconfirmed_time_limit_is_said_as_unconfirmed_with_where_to_ask(assistant: Assistant) -> None:
    url = f"{assistant.backend.base_url}/procedures/tro_cap_xa_hoi"
    original = requests.get(url, timeout=10).json()
    doubted = requests.get(url, timeout=10).json()
    doubted["processing_time"] = {"text": "Khoảng 22 ngày làm việc", "unconfirmed": "Chưa có văn bản mới."}
    _put_procedure(assistant, doubted)
    try:
        messages = assistant.say(f"t-{uuid.uuid4().hex[:8]}", "xin trợ cấp xã hội thì mấy ngày có kết quả")
        text = messages[0]["text"]
        assert "chưa được xác nhận" in text and "22 ngày" in text and "quầy 6" in text, text
        card = _custom(messages)
        assert card["verification"]["processing_time"]["verified"] is False
        # the same question about a confirmed fact is said plainly
        plain = assistant.say(f"t-{uuid.uuid4().hex[:8]}", "đăng ký kết hôn mất mấy ngày")[0]["text"]
        assert "chưa được xác nhận" not in plain
    finally:
        restored = requests.get(url, timeout=10).json()
        restored["processing_time"] = original["processing_time"]
        _put_procedure(assistant, restored)


@pytest.fixture
def actions_on(assistant: Assistant) -> Iterator[Any]:
    """Point the assistant's action server at another backend for one test, then back."""

    def switch(backend: RunningBackend) -> None:
        stop(assistant.actions)
        assistant.actions = start_actions(
            port=assistant.actions_port, env=actions_env(backend.base_url, backend.device_token)
        )
        wait_ready(f"http://127.0.0.1:{assistant.actions_port}/health", assistant.actions, 90)

    yield switch
    switch(assistant.backend)


def test_the_can_cuoc_fee_changes_at_local_midnight_in_the_api_and_the_answer(
    assistant: Assistant, actions_on: Any, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta, timezone

    from backend.clock import FixedClock
    from tests.support.backend import running_in_process

    local = timezone(timedelta(hours=7))
    clock = FixedClock(datetime(2026, 12, 31, 23, 59, tzinfo=local))
    with running_in_process(tmp_path, clock) as backend:
        actions_on(backend)
        fees = []
        for at in (datetime(2026, 12, 31, 23, 59, tzinfo=local), datetime(2027, 1, 1, 0, 1, tzinfo=local)):
            clock.set(at)
            served = requests.get(f"{backend.base_url}/procedures/can_cuoc", timeout=10).json()
            said = assistant.say(f"t-{uuid.uuid4().hex[:8]}", "đổi thẻ căn cước mất bao nhiêu tiền")
            fees.append((served["fee"]["amount_vnd"], said[0]["text"]))
    (before, said_before), (after, said_after) = fees
    assert (before, after) == (25000, 50000)
    assert "25.000" in said_before and "50.000" in said_before  # the change on 1/1/2027 is announced
    assert "Từ ngày 1/1/2027" in said_before
    assert "50.000" in said_after and "25.000" not in said_after


def test_backend_down_gives_an_apology_and_a_counter(assistant: Assistant) -> None:
    stop(assistant.actions)
    dead = f"http://127.0.0.1:{free_port()}/api/v1"
    assistant.actions = start_actions(port=assistant.actions_port, env=actions_env(dead, "x"))
    wait_ready(f"http://127.0.0.1:{assistant.actions_port}/health", assistant.actions, 90)
    messages = assistant.say(f"t-{uuid.uuid4().hex[:8]}", "lệ phí đăng ký khai sinh bao nhiêu")
    assert "gián đoạn" in messages[0]["text"] and "quầy hướng dẫn" in messages[0]["text"]
