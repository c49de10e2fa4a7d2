"""Text prepared for reading aloud in Vietnamese: dates, times, money, codes, abbreviations.

"Lệ phí 200.000 đ, hẹn trả ngày 28/11/2026, số A023" ->
"Lệ phí hai trăm nghìn đồng, hẹn trả ngày hai mươi tám tháng mười một năm hai nghìn không trăm
hai mươi sáu, số a không hai ba". Pure Python, no dependency but `vntext`.
"""

from __future__ import annotations

import re

from vntext.numbers import digits_to_words, number_to_words
from vntext.spoken_codes import dossier_code_to_words, ticket_number_to_words

ABBREVIATIONS: dict[str, str] = {
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "VNeID": "vê nờ e ai đi",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "TTHC": "thủ tục hành chính",
    "GCN": "giấy chứng nhận",
    "QSDĐ": "quyền sử dụng đất",
    "STT": "số thứ tự",
    "SĐT": "số điện thoại",
    "ĐT": "điện thoại",
    "QR": "quy a",
    "Wi-Fi": "oai phai",
    "wifi": "oai phai",
    "WiFi": "oai phai",
    "Wifi": "oai phai",
    "TP.": "thành phố",
    "Tp.": "thành phố",
}
_ABBREVIATION = re.compile(
    r"(?<![\w])("
    + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w])"
)
_DOSSIER = re.compile(r"\b\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}-\d{6}-\d{4}\b")
_DATE = re.compile(r"(?:\bngày\s+)?\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b", re.IGNORECASE)
_TIME = re.compile(r"\b(\d{1,2})(?::|h|g)(\d{2})?(?![\w/])")
_MONEY = re.compile(r"\b(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ|VNĐ|VND|vnđ|vnd)(?!\w)")
_TICKET = re.compile(r"\b([A-Z])(\d{3})\b")
_LONG_DIGITS = re.compile(r"\b0\d{3,}\b|\b\d{5,}\b")
_GROUPED_NUMBER = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_DECIMAL = re.compile(r"\b(\d+),(\d+)\b")
_RANGE = re.compile(r"\b(\d+)\s*[-–]\s*(\d+)\b")
_PERCENT = re.compile(r"(\d)\s*%")
_NUMBER = re.compile(r"\b\d+\b")


def _money(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(1))
    return f"{number_to_words(int(digits))} đồng"


def _date(match: re.Match[str]) -> str:
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    text = f"ngày {number_to_words(day)} tháng {number_to_words(month)}"
    if year:
        text += f" năm {number_to_words(int(year))}"
    return text


def _time(match: re.Match[str]) -> str:
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    if hour > 24 or minute > 59:
        return match.group(0)
    text = f"{number_to_words(hour)} giờ"
    if minute:
        text += f" {number_to_words(minute)} phút"
    return text


def _decimal(match: re.Match[str]) -> str:
    return f"{number_to_words(int(match.group(1)))} phẩy {digits_to_words(match.group(2))}"


def prepare_for_speech(text: str) -> str:
    """Rewrite `text` so that espeak-ng reads it as a Vietnamese clerk would."""
    text = _DOSSIER.sub(lambda m: dossier_code_to_words(m.group(0)), text)
    text = _MONEY.sub(_money, text)
    text = _DATE.sub(_date, text)
    text = _TIME.sub(_time, text)
    text = _TICKET.sub(lambda m: ticket_number_to_words(m.group(0)), text)
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    text = _PERCENT.sub(r"\1 phần trăm", text)
    text = _RANGE.sub(r"\1 đến \2", text)
    text = _LONG_DIGITS.sub(lambda m: digits_to_words(m.group(0)), text)
    text = _GROUPED_NUMBER.sub(lambda m: number_to_words(int(m.group(0).replace(".", ""))), text)
    text = _DECIMAL.sub(
        lambda m: f"{number_to_words(int(m.group(1)))} phẩy {digits_to_words(m.group(2))}", text
    )
    text = _NUMBER.sub(lambda m: number_to_words(int(m.group(0))), text)
    return re.sub(r"\s+", " ", text).strip()
