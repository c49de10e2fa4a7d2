"""`letan content check` on the real files (clean) and on broken copies (each problem named by file:line)."""

import subprocess
import sys
from datetime import date
from pathlib import Path

from content.check import check_content_dir, count_sentences, errors_only, is_good_url
from content.errors import Problem
from tests.content.content_helpers import edit

LETAN = str(Path(sys.executable).parent / "letan")
TODAY = date(2026, 12, 2)


def problems_of(root: Path) -> list[str]:
    return [str(p) for p in check_content_dir(root, today=TODAY)]


def only(root: Path) -> Problem:
    problems = check_content_dir(root, today=TODAY)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_repository_content_is_clean() -> None:
    # Warnings (a fact about to expire, a review coming up) are for staff, not errors.
    problems = check_content_dir(Path(__file__).resolve().parents[2] / "content", today=TODAY)
    assert [str(p) for p in errors_only(problems)] == []


def test_copy_is_clean(content_copy: Path) -> None:
    assert problems_of(content_copy) == []


def test_missing_required_field(content_copy: Path) -> None:
    path = content_copy / "procedures" / "khai_sinh.yml"
    text = path.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary: "))
    edit(path, summary + "\n", "")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/khai_sinh.yml", 1)
    assert "thiếu trường bắt buộc 'summary'" in problem.message


def test_unknown_field_id(content_copy: Path) -> None:
    line = edit(content_copy / "procedures" / "khai_tu.yml", "field: ho_tich\n", "field: ho_tich_xa\n")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/khai_tu.yml", line)
    assert "'field'" in problem.message and "ho_tich" in problem.message


def test_unknown_key(content_copy: Path) -> None:
    line = edit(
        content_copy / "procedures" / "khai_tu.yml", "field: ho_tich\n", "field: ho_tich\nle_phi: 5\n"
    )
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/khai_tu.yml", line + 1)
    assert "không có trong lược đồ: 'le_phi'" in problem.message


def test_alias_used_by_two_procedures(content_copy: Path) -> None:
    # "So Do" folds to the same words as cap_so_do's "sổ đỏ".
    line = edit(content_copy / "procedures" / "sang_ten_so_do.yml", "aliases:\n", "aliases:\n  - So Do\n")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/sang_ten_so_do.yml", line + 1)
    assert "cap_so_do" in problem.message and "content/procedures/cap_so_do.yml:" in problem.message


def test_bad_urls(content_copy: Path) -> None:
    path = content_copy / "procedures" / "tam_tru.yml"
    text = path.read_text(encoding="utf-8")
    source = next(line for line in text.splitlines() if line.startswith("source_url: "))
    line = edit(path, source, "source_url: https://dichvucong")
    online = edit(path, "url: https://dichvucong.bocongan.gov.vn", "url: https://dich vu cong.gov.vn")
    assert problems_of(content_copy) == [
        f"content/procedures/tam_tru.yml:{online}: địa chỉ không hợp lệ: 'https://dich vu cong.gov.vn'",
        f"content/procedures/tam_tru.yml:{line}: địa chỉ không hợp lệ: 'https://dichvucong'",
    ]


def test_answer_too_long_to_speak(content_copy: Path) -> None:
    long_answer = "Mạng wifi miễn phí tên là {wifi_name}, " + "rất nhanh và ổn định, " * 15 + "xin mời dùng."
    path = content_copy / "faq" / "wifi.yml"
    text = path.read_text(encoding="utf-8")
    answer = next(line for line in text.splitlines() if line.startswith("answer: "))
    line = edit(path, answer, f"answer: {long_answer}")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/faq/wifi.yml", line)
    assert "quá 300 để đọc to" in problem.message


def test_answer_with_too_many_sentences(content_copy: Path) -> None:
    path = content_copy / "faq" / "toilet.yml"
    line = edit(path, "ở {toilet_location}.", "ở {toilet_location}. Có giấy. Có xà phòng. Có gương.")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/faq/toilet.yml", line)
    assert "có 4 câu" in problem.message


def test_unknown_placeholder(content_copy: Path) -> None:
    line = edit(content_copy / "faq" / "wifi.yml", "{wifi_password}", "{wifi_pass}")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/faq/wifi.yml", line)
    assert "{wifi_pass}" in problem.message and "wifi_password" in problem.message


def test_placeholder_without_a_value_in_site(content_copy: Path) -> None:
    path = content_copy / "site.yml"
    text = path.read_text(encoding="utf-8")
    toilet = next(line for line in text.splitlines() if line.startswith("toilet_location: "))
    edit(path, toilet + "\n", "")
    problem = only(content_copy)
    assert problem.file == "content/faq/toilet.yml"
    assert "{toilet_location} chưa có giá trị" in problem.message


def test_procedure_not_mapped_to_a_service(content_copy: Path) -> None:
    edit(content_copy / "services.yml", "      - khai_tu\n", "")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/khai_tu.yml", 1)
    assert "chưa được gắn với dịch vụ nào" in problem.message


def test_procedure_mapped_twice_and_unknown_service_id(content_copy: Path) -> None:
    edit(
        content_copy / "services.yml",
        "      - ly_lich_tu_phap\n",
        "      - ly_lich_tu_phap\n      - khai_tu\n",
    )
    line = edit(
        content_copy / "procedures" / "tam_vang.yml", "service_id: cu_tru_can_cuoc", "service_id: cong_an"
    )
    problems = problems_of(content_copy)
    assert "content/procedures/khai_tu.yml:1: thủ tục 'khai_tu' được gắn với nhiều dịch vụ: " in problems[0]
    assert any(
        p.startswith(f"content/procedures/tam_vang.yml:{line}: không có dịch vụ 'cong_an'") for p in problems
    )
    # khai_tu (ho_tich) does not belong to the fields of service D either.
    assert any("content/services.yml:" in p and "không nằm trong fields" in p for p in problems)


def test_verified_in_the_future(content_copy: Path) -> None:
    line = edit(
        content_copy / "procedures" / "tam_tru.yml", "verified_on: 2026-11-26", "verified_on: 2027-01-01"
    )
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/tam_tru.yml", line)
    assert "tương lai" in problem.message


def test_summary_must_be_one_sentence(content_copy: Path) -> None:
    path = content_copy / "procedures" / "tam_vang.yml"
    text = path.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("summary: "))
    line = edit(path, summary, summary + " Mang theo căn cước.")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/procedures/tam_vang.yml", line)
    assert "một câu" in problem.message


def test_missing_contract_procedure(content_copy: Path) -> None:
    (content_copy / "procedures" / "tam_vang.yml").unlink()
    problems = problems_of(content_copy)
    assert "content/procedures/tam_vang.yml:0: thiếu thủ tục 'tam_vang' mà hợp đồng NLU yêu cầu" in problems
    assert any(p.startswith("content/services.yml:") and "không có thủ tục 'tam_vang'" in p for p in problems)


def test_cli_check_exit_codes_and_messages(content_copy: Path) -> None:
    ok = subprocess.run(
        [LETAN, "content", "check", "--dir", str(content_copy)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert "20 thủ tục, 18 câu hỏi" in ok.stdout
    line = edit(content_copy / "faq" / "wifi.yml", "{wifi_password}", "{matkhau}")
    bad = subprocess.run(
        [LETAN, "content", "check", "--dir", str(content_copy)], capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert f"content/faq/wifi.yml:{line}: chỗ trống không biết {{matkhau}}" in bad.stderr
    assert "1 lỗi" in bad.stderr


def test_sentence_counting_and_urls() -> None:
    assert count_sentences("Một câu.") == 1
    assert count_sentences("Câu một. Câu hai! Câu ba") == 3
    assert count_sentences("Mở cửa lúc 8:00, nghỉ trưa 12.00 đến 13 giờ.") == 1
    assert is_good_url("https://dichvucong.gov.vn/p/home")
    assert not is_good_url("http://dichvucong.gov.vn")
    assert not is_good_url("https://localhost/x")


def test_another_sites_services_and_values_are_checked(content_copy: Path) -> None:
    site_file = content_copy / "sites" / "phuong-mau-hai.yml"
    line = edit(site_file, "      counters:\n        - quay_3\n", "      counters:\n        - quay_9\n")
    problem = only(content_copy)
    assert (problem.file, problem.line) == ("content/sites/phuong-mau-hai.yml", line + 1)
    assert "không có quầy 'quay_9'" in problem.message
    edit(site_file, "        - quay_9\n", "        - quay_3\n")
    # An answer said at every site needs each site's value (or a fallback).
    edit(site_file, "  wifi_name: MauHai-MienPhi\n", "  wifi_name: ''\n")
    problem = only(content_copy)
    assert problem.file == "content/faq/wifi.yml" and "'phuong-mau-hai'" in problem.message
