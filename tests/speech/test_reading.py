"""Reading aloud: the table of what the assistant says and how espeak-ng must be given it.

Every row goes through vinorm (the normaliser in front of espeak-ng) and, to the same words,
through the project's own reading used where vinorm cannot run.
"""

from __future__ import annotations

import platform
import re
import threading
from pathlib import Path

import pytest

from speech import reading
from speech.reading import Vinorm, VinormError, prepare_for_speech, vinorm_available
from vntext.reading import read_codes, read_numbers

# (what the assistant writes, what espeak-ng is given)
READING_TABLE: list[tuple[str, str]] = [
    ("Lệ phí 25.000 đồng.", "lệ phí hai mươi lăm nghìn đồng."),
    ("Lệ phí 200.000 đ.", "lệ phí hai trăm nghìn đồng."),
    (
        "Cấp đổi 25.000 đồng, cấp lại 35.000 đồng.",
        "cấp đổi hai mươi lăm nghìn đồng, cấp lại ba mươi lăm nghìn đồng.",
    ),
    ("Phí 1.500.000 đồng một hồ sơ.", "phí một triệu năm trăm nghìn đồng một hồ sơ."),
    ("8.000 đồng một bản sao trích lục.", "tám nghìn đồng một bản sao trích lục."),
    (
        "2.000 đồng/trang, tối đa 200.000 đồng một bản.",
        "hai nghìn đồng một trang, tối đa hai trăm nghìn đồng một bản.",
    ),
    ("Không thu lệ phí.", "không thu lệ phí."),
    ("Lệ phí 0 đồng.", "lệ phí không đồng."),
    (
        "Hẹn trả ngày 31/12/2026.",
        "hẹn trả ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi sáu.",
    ),
    (
        "Hẹn trả 28/11/2026.",
        "hẹn trả ngày hai mươi tám tháng mười một năm hai nghìn không trăm hai mươi sáu.",
    ),
    ("Áp dụng từ 1/1/2027.", "áp dụng từ ngày một tháng một năm hai nghìn không trăm hai mươi bảy."),
    (
        "Ngày hẹn trả kết quả: 05/01/2027.",
        "ngày hẹn trả kết quả: ngày năm tháng một năm hai nghìn không trăm hai mươi bảy.",
    ),
    ("Hết hạn tháng 12/2026.", "hết hạn tháng mười hai năm hai nghìn không trăm hai mươi sáu."),
    ("Đến ngày 28/11.", "đến ngày hai mươi tám tháng mười một."),
    ("Nhận hồ sơ trước 15h30.", "nhận hồ sơ trước mười lăm giờ ba mươi."),
    ("Mở cửa từ 7h30 đến 11h30.", "mở cửa từ bảy giờ ba mươi đến mười một giờ ba mươi."),
    (
        "Giờ làm việc 8h-12h, chiều 13h30-17h.",
        "giờ làm việc tám giờ đến mười hai giờ, chiều mười ba giờ ba mươi đến mười bảy giờ.",
    ),
    ("Buổi chiều từ 13:30 đến 17:00.", "buổi chiều từ mười ba giờ ba mươi đến mười bảy giờ."),
    ("Quy tắc 15 giờ.", "quy tắc mười lăm giờ."),
    (
        "Mã hồ sơ 000.00.31.H26-251121-0003.",
        "mã hồ sơ không không không chấm không không chấm ba một chấm hát hai sáu gạch "
        "hai năm một một hai một gạch không không không ba.",
    ),
    (
        "Mã hồ sơ của bạn là 000.00.12.H26-250301-0120.",
        "mã hồ sơ của bạn là không không không chấm không không chấm một hai chấm hát hai sáu "
        "gạch hai năm không ba không một gạch không một hai không.",
    ),
    ("Số của bạn là A012.", "số của bạn là a không một hai."),
    ("Mời số B005 đến quầy 2.", "mời số bê không không năm đến quầy hai."),
    ("Số A001 của bạn đang được gọi.", "số a không không một của bạn đang được gọi."),
    ("Đang phục vụ số C120.", "đang phục vụ số xê một hai không."),
    ("Số 0125.", "số không một hai năm."),
    ("Mang CCCD bản chính.", "mang căn cước công dân bản chính."),
    ("Nộp tại UBND phường.", "nộp tại ủy ban nhân dân phường."),
    ("Thẻ BHYT của trẻ.", "thẻ bảo hiểm y tế của trẻ."),
    ("Bản sao CMND hoặc CCCD.", "bản sao chứng minh nhân dân hoặc căn cước công dân."),
    ("Cài ứng dụng VNeID.", "cài ứng dụng vê nờ e ai đi."),
    ("Quét mã QR trên phiếu.", "quét mã quy a trên phiếu."),
    ("Mẫu CT01.", "mẫu xê tê không một."),
    ("Tờ khai Mẫu CC01 và mẫu số 04/ĐK.", "tờ khai mẫu xê xê không một và mẫu số không bốn đê ca."),
    ("Mời bạn đến quầy 3.", "mời bạn đến quầy ba."),
    ("Dịch vụ A, quầy số 1 – Hộ tịch.", "dịch vụ a, quầy số một, hộ tịch."),
    ("Quầy số 12.", "quầy số mười hai."),
    ("Gọi 0912 345 678.", "gọi không chín một hai, ba bốn năm, sáu bảy tám."),
    ("Số điện thoại 0912345678.", "số điện thoại không chín một hai ba bốn năm sáu bảy tám."),
    ("Gọi 024 3825 1234.", "gọi không hai bốn, ba tám hai năm, một hai ba bốn."),
    ("Đường dây nóng 1900 1234.", "đường dây nóng một chín không không, một hai ba bốn."),
    ("Bốn số cuối điện thoại là 5678.", "bốn số cuối điện thoại là năm sáu bảy tám."),
    ("Không quá 7 ngày làm việc.", "không quá bảy ngày làm việc."),
    ("Khoảng 10 ngày làm việc.", "khoảng mười ngày làm việc."),
    ("Trong 3-5 ngày làm việc.", "trong ba đến năm ngày làm việc."),
    ("Giảm 50%.", "giảm năm mươi phần trăm."),
    ("Lãi suất 0,5% một tháng.", "lãi suất không phẩy năm phần trăm một tháng."),
    ("Diện tích 30 m².", "diện tích ba mươi mét vuông."),
    ("Diện tích tối thiểu 30 m2.", "diện tích tối thiểu ba mươi mét vuông."),
    (
        "Theo Nghị định 123/2015/NĐ-CP.",
        "theo nghị định một trăm hai mươi ba năm hai nghìn không trăm mười lăm.",
    ),
    ("Thông tư 75/2022/TT-BTC.", "thông tư bảy mươi lăm năm hai nghìn không trăm hai mươi hai."),
    ("Trước bạn còn 3 người, chờ khoảng 15 phút.", "trước bạn còn ba người, chờ khoảng mười lăm phút."),
    ("Hiện có 12 người đang chờ.", "hiện có mười hai người đang chờ."),
    ("Trẻ dưới 6 tuổi.", "trẻ dưới sáu tuổi."),
    ("Có.", "có."),
    ("Không.", "không."),
    ("Vâng, tôi giúp được.", "vâng, tôi giúp được."),
    ("Bạn có muốn lấy số không?", "bạn có muốn lấy số không?"),
    ("Xin chào! Tôi có thể giúp gì?", "xin chào! tôi có thể giúp gì?"),
    ("Thành phố Hà Nội, TP. Hồ Chí Minh.", "thành phố hà nội, thành phố hồ chí minh."),
    ("Nhắn SMS hoặc gọi tổng đài.", "nhắn ét em mờ ét hoặc gọi tổng đài."),
    ("Làm việc từ thứ 2 đến thứ 6.", "làm việc từ thứ hai đến thứ sáu."),
    ("Nộp hồ sơ\nNhận kết quả", "nộp hồ sơ. nhận kết quả"),
]

# What vinorm reads and the project's own reading does not (it is only the fallback).
VINORM_ONLY: list[tuple[str, str]] = [
    ("Làm trong quý IV.", "làm trong quý bốn."),
    ("Nặng 5kg, dài 2 km.", "nặng năm kí lô gam, dài hai kí lô mét."),
    ("Ở Q. Ba Đình.", "ở quận ba đình."),
]

needs_vinorm = pytest.mark.skipif(
    platform.system() != "Linux" or platform.machine() != "x86_64",
    reason="vinorm ships an x86-64 Linux program only",
)


def test_the_table_is_large_enough() -> None:
    assert len(READING_TABLE) >= 50
    assert len({text for text, _ in READING_TABLE}) == len(READING_TABLE)


@needs_vinorm
def test_vinorm_runs_here() -> None:
    assert vinorm_available()
    assert (
        Vinorm.installed().normalise("Ngày 31/12/2026")
        == "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi sáu"
    )


@needs_vinorm
@pytest.mark.parametrize(("text", "spoken"), READING_TABLE + VINORM_ONLY)
def test_read_aloud_with_vinorm(text: str, spoken: str) -> None:
    assert prepare_for_speech(text) == spoken


@pytest.mark.parametrize(("text", "spoken"), READING_TABLE)
def test_read_aloud_without_vinorm(monkeypatch: pytest.MonkeyPatch, text: str, spoken: str) -> None:
    monkeypatch.setattr(reading, "_installed_vinorm", lambda: None)
    assert prepare_for_speech(text) == spoken


@needs_vinorm
def test_vinorm_never_sees_the_codes_it_misreads(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    installed = Vinorm.installed()

    class Recording(Vinorm):
        def normalise(self, text: str) -> str:
            seen.append(text)
            return super().normalise(text)

    monkeypatch.setattr(reading, "_installed_vinorm", lambda: Recording(installed.package_dir))
    spoken = prepare_for_speech("Số 0125, vé A012, mã 000.00.31.H26-251121-0003, gọi 0912 345 678.")
    assert len(seen) == 1 and not re.search(r"\d", seen[0])
    assert spoken == (
        "số không một hai năm, vé a không một hai, mã không không không chấm không không chấm ba một "
        "chấm hát hai sáu gạch hai năm một một hai một gạch không không không ba, gọi không chín "
        "một hai, ba bốn năm, sáu bảy tám."
    )


@needs_vinorm
def test_concurrent_calls_never_mix_their_texts() -> None:
    texts = [f"Mời số A{n:03d} đến quầy {n % 6 + 1}, lệ phí {n}.000 đồng." for n in range(1, 17)]
    results: dict[str, str] = {}

    def read(text: str) -> None:
        results[text] = prepare_for_speech(text)

    threads = [threading.Thread(target=read, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for text in texts:
        assert results[text] == read_numbers(read_codes(text)).lower()


def test_a_failing_vinorm_falls_back_to_the_project_reading(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "vinorm"
    broken.mkdir()
    (broken / "main").write_text("#!/bin/sh\nexit 3\n")
    (broken / "main").chmod(0o755)
    for name in ("Dict", "Mapping", "RegexRule"):
        (broken / name).mkdir()
    vinorm = Vinorm(broken)
    with pytest.raises(VinormError):
        vinorm.normalise("Lệ phí 25.000 đồng")
    monkeypatch.setattr(reading, "_installed_vinorm", lambda: vinorm)
    assert (
        prepare_for_speech("Lệ phí 25.000 đồng, số A012.")
        == "lệ phí hai mươi lăm nghìn đồng, số a không một hai."
    )


def test_missing_vinorm_program_is_reported(tmp_path: Path) -> None:
    with pytest.raises(VinormError):
        Vinorm(tmp_path).normalise("Xin chào")
