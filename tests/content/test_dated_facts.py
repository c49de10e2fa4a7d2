"""Dated facts: what is in force on a day, what changes next, verification, and the checks on periods."""

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from content.check import check_content_dir, errors_only
from content.files import dump_yaml
from content.in_force import changes_after, in_force, review_state, verification
from content.model import Procedure

LETAN = str(Path(sys.executable).parent / "letan")
TODAY = date(2026, 12, 2)

REDUCED = {
    "valid_until": "2026-12-31",
    "text": "Cấp đổi 25.000 đồng (giảm 50%).",
    "amount_vnd": 25000,
    "verified_on": "2026-12-02",
    "source_url": "https://example.gov.vn/thong-tu-64-2025",
}
BASE = {"valid_from": "2027-01-01", "text": "Cấp đổi 50.000 đồng.", "amount_vnd": 50000}


def procedure(**facts: Any) -> Procedure:
    data: dict[str, Any] = {
        "id": "can_cuoc",
        "name": "Cấp, đổi thẻ căn cước",
        "field": "cu_tru",
        "summary": "Cấp đổi thẻ căn cước.",
        "documents": ["Thẻ cũ"],
        "fee": {"text": "Không thu lệ phí.", "amount_vnd": 0},
        "processing_time": {"text": "7 ngày làm việc.", "working_days": 7},
        "where": {"text": "Quầy 3", "service_id": "cu_tru_can_cuoc"},
        "online": {"available": False, "level": "none", "text": "Không."},
        "legal_basis": ["Luật Căn cước 2023"],
        "source_url": "https://example.gov.vn/can-cuoc",
        "verified_on": "2026-11-26",
    }
    data.update(facts)
    return Procedure.model_validate(data)


def test_the_fee_in_force_switches_at_local_midnight() -> None:
    p = procedure(fee=[REDUCED, BASE])
    assert in_force(p, date(2026, 12, 31))["fee"]["amount_vnd"] == 25000
    assert in_force(p, date(2027, 1, 1))["fee"]["amount_vnd"] == 50000


def test_the_view_says_what_changes_next_and_when() -> None:
    p = procedure(fee=[REDUCED, BASE])
    view = in_force(p, date(2026, 12, 2))
    assert view["next_change"] == {"on": "2027-01-01", "facts": ["fee"]}
    assert view["changes"][0]["value"]["amount_vnd"] == 50000
    assert view["service_day"] == "2026-12-02"
    after = in_force(p, date(2027, 1, 1))
    assert after["next_change"] is None and after["changes"] == []


def test_a_fact_that_ends_with_nothing_after_is_a_change_to_nothing() -> None:
    p = procedure(fee=[REDUCED])
    [change] = changes_after(p, TODAY)
    assert (change.on, change.fact, change.period) == (date(2027, 1, 1), "fee", None)


def test_dated_documents_and_legal_basis_are_served_as_plain_lists() -> None:
    p = procedure(
        legal_basis=[
            {"valid_until": "2027-02-28", "items": ["Luật Hộ tịch 2014"]},
            {"valid_from": "2027-03-01", "items": ["Luật Hộ tịch 2026"]},
        ]
    )
    assert in_force(p, date(2027, 2, 28))["legal_basis"] == ["Luật Hộ tịch 2014"]
    assert in_force(p, date(2027, 3, 1))["legal_basis"] == ["Luật Hộ tịch 2026"]
    assert in_force(p, TODAY)["documents"] == ["Thẻ cũ"]


def test_verification_comes_from_the_fact_then_the_procedure() -> None:
    own = procedure(fee={**REDUCED, "valid_until": None})
    assert verification(own.periods("fee")[0], own).verified_on == date(2026, 12, 2)
    assert verification(own.periods("fee")[0], own).source_url == "https://example.gov.vn/thong-tu-64-2025"
    inherited = procedure()
    state = verification(inherited.periods("fee")[0], inherited)
    assert (state.verified, state.verified_on, state.source_url) == (
        True,
        date(2026, 11, 26),
        "https://example.gov.vn/can-cuoc",
    )
    doubted = procedure(
        fee={"text": "Theo nghị quyết của thành phố.", "unconfirmed": "Chưa tìm được văn bản."}
    )
    assert verification(doubted.periods("fee")[0], doubted).verified is False
    assert in_force(doubted, TODAY)["fee"]["verification"]["note"] == "Chưa tìm được văn bản."
    never = procedure(verified_on=None)
    assert in_force(never, TODAY)["verification"]["processing_time"]["verified"] is False


def test_review_is_due_after_the_interval_and_on_dated_reviews() -> None:
    assert review_state(procedure(), TODAY).status == "ok"
    assert review_state(procedure(), date(2027, 5, 1)).status == "due"  # due 2027-05-25
    assert review_state(procedure(), date(2027, 6, 1)).status == "overdue"
    assert review_state(procedure(verified_on=None), TODAY).status == "overdue"
    reminder = procedure(reviews=[{"on": "2026-12-20", "note": "Luật mới có hiệu lực."}])
    state = review_state(reminder, TODAY)
    assert state.status == "due" and state.reminders == [(date(2026, 12, 20), "Luật mới có hiệu lực.")]
    assert review_state(reminder, date(2026, 12, 20)).status == "overdue"
    settled = procedure(verified_on="2026-12-21", reviews=[{"on": "2026-12-20", "note": "Luật mới."}])
    assert review_state(settled, date(2026, 12, 22)).status == "ok"


# --------------------------------------------------------------------------- the check


def set_fee(content_copy: Path, fee: Any) -> str:
    """Write `fee` into chung_thuc_chu_ky.yml; return the file's new text."""
    path = content_copy / "procedures" / "chung_thuc_chu_ky.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["fee"] = fee
    text = dump_yaml(data)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def messages(content_copy: Path, today: date = TODAY) -> list[str]:
    return [str(p) for p in check_content_dir(content_copy, today=today)]


FIRST = {"valid_until": date(2026, 12, 31), "text": "10.000 đồng một trường hợp.", "amount_vnd": 10000}


def test_contiguous_periods_are_clean(content_copy: Path) -> None:
    set_fee(
        content_copy, [FIRST, {"valid_from": date(2027, 1, 1), "text": "20.000 đồng.", "amount_vnd": 20000}]
    )
    assert messages(content_copy) == []


def test_overlapping_periods_are_refused_at_their_line(content_copy: Path) -> None:
    text = set_fee(content_copy, [FIRST, {"valid_from": date(2026, 12, 15), "text": "20.000 đồng."}])
    [problem] = check_content_dir(content_copy, today=TODAY)
    assert not problem.warning
    assert problem.line == line_of(text, "- valid_from: 2026-12-15")
    assert "chồng lên" in problem.message and "2026-12-15" in problem.message


def test_gapped_periods_are_refused(content_copy: Path) -> None:
    set_fee(content_copy, [FIRST, {"valid_from": date(2027, 1, 10), "text": "20.000 đồng."}])
    [problem] = messages(content_copy)
    assert "khoảng trống từ 2027-01-01 đến 2027-01-09" in problem


def test_a_middle_period_without_an_end_is_refused(content_copy: Path) -> None:
    set_fee(
        content_copy,
        [
            {"text": "10.000 đồng."},
            {"valid_from": date(2027, 1, 1), "text": "20.000 đồng."},
        ],
    )
    [problem] = messages(content_copy)
    assert "giai đoạn thứ 1 thiếu valid_until" in problem


def test_a_fact_expiring_within_30_days_is_a_warning_not_an_error(content_copy: Path) -> None:
    set_fee(content_copy, [FIRST])
    [problem] = check_content_dir(content_copy, today=TODAY)
    assert problem.warning
    assert "hết hiệu lực sau ngày 2026-12-31 (còn 29 ngày)" in problem.message
    assert errors_only([problem]) == []
    sixty_days_before = check_content_dir(content_copy, today=date(2026, 11, 1))
    assert [p for p in sixty_days_before if "hết hiệu lực" in p.message] == []


def test_an_expired_fact_with_nothing_after_is_an_error(content_copy: Path) -> None:
    set_fee(content_copy, [FIRST])
    [problem] = check_content_dir(content_copy, today=date(2027, 1, 1))
    assert not problem.warning and "đã hết hiệu lực sau ngày 2026-12-31" in problem.message


def test_a_fact_not_yet_in_force_is_an_error(content_copy: Path) -> None:
    set_fee(content_copy, [{"valid_from": date(2027, 1, 1), "text": "20.000 đồng."}])
    [problem] = messages(content_copy)
    assert "chưa có giá trị nào áp dụng hôm nay" in problem


def test_verified_and_unconfirmed_at_once_is_refused(content_copy: Path) -> None:
    set_fee(
        content_copy, {"text": "10.000 đồng.", "verified_on": date(2026, 12, 1), "unconfirmed": "Chưa rõ."}
    )
    [problem] = messages(content_copy)
    assert "vừa có verified_on vừa ghi chưa xác nhận" in problem


def test_the_cli_prints_warnings_and_fails_only_on_errors(content_copy: Path) -> None:
    # The CLI checks against the real date: periods are placed relative to it.
    from content.check import service_day

    today = service_day()
    expiring = {"valid_until": today, "text": "10.000 đồng.", "amount_vnd": 10000}
    set_fee(content_copy, [expiring])
    ok = subprocess.run(
        [LETAN, "content", "check", "--dir", str(content_copy)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "cảnh báo: lệ phí: hết hiệu lực" in ok.stderr
    set_fee(content_copy, [expiring, {"valid_from": today, "text": "20.000 đồng."}])
    bad = subprocess.run(
        [LETAN, "content", "check", "--dir", str(content_copy)], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "chồng lên" in bad.stderr


def test_scheduling_a_change_splits_the_period_in_force() -> None:
    from content.in_force import schedule_change
    from content.model import Fee

    p = procedure(fee=[REDUCED, BASE])
    changed = schedule_change(p, "fee", Fee(valid_from=date(2026, 12, 15), text="Miễn phí.", amount_vnd=0))
    periods = changed.periods("fee")
    assert [(x.valid_from, x.valid_until, x.amount_vnd) for x in periods] == [
        (None, date(2026, 12, 14), 25000),
        (date(2026, 12, 15), date(2026, 12, 31), 0),
        (date(2027, 1, 1), None, 50000),
    ]
    replaced = schedule_change(
        p, "fee", Fee(valid_from=date(2027, 1, 1), text="Cấp đổi 40.000 đồng.", amount_vnd=40000)
    )
    assert [x.amount_vnd for x in replaced.periods("fee")] == [25000, 40000]
    single = schedule_change(procedure(), "fee", Fee(valid_from=date(2027, 1, 1), text="20.000 đồng."))
    assert [(x.valid_from, x.valid_until) for x in single.periods("fee")] == [
        (None, date(2026, 12, 31)),
        (date(2027, 1, 1), None),
    ]
    assert single.is_dated("fee")
