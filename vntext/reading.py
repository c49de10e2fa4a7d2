"""Reading the assistant's Vietnamese text aloud: the project's own rules, in two parts.

`read_codes(text)` replaces by words what a general text normaliser for speech (vinorm, in
`speech.reading`) reads wrongly: dossier codes, ticket numbers and form codes ("A012",
"CT01", "04/ĐK"), legal references ("123/2015/NĐ-CP"), phone numbers, counter numbers, digit
strings with a leading zero ("0125") and the last digits of a phone, ranges ("3-5 ngày"), "m²",
the administration's abbreviations ("CCCD") and names ("VNeID", "QR"), other acronyms spelled
letter by letter. It also adds the "ngày"/"tháng" a bare date needs ("hẹn trả 28/11" -> "hẹn trả ngày 28/11").

`read_numbers(text)` reads money, dates, times, percentages, decimals and plain numbers; it is
the reading used when no normaliser can run.

Pure Python: `vntext` only.
"""

from __future__ import annotations

import re

from vntext.normalize import OFFICIAL_ABBREVIATIONS, nfc
from vntext.numbers import digits_to_words, number_to_words
from vntext.spoken_codes import dossier_code_to_words, spell_code

# Names and short forms that are not abbreviations of words, as they are said.
SAID_AS: dict[str, str] = {
    "VNeID": "vê nờ e ai đi",
    "QR": "quy a",
    "Wi-Fi": "oai phai",
    "WiFi": "oai phai",
    "Wifi": "oai phai",
    "wifi": "oai phai",
}

_DOSSIER = re.compile(r"\b\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2}-\d{6}-\d{4}\b")
# "123/2015/NĐ-CP": number, year, issuing body (the body is left out: the card shows it).
_LEGAL_REFERENCE = re.compile(r"\b(\d{1,4})/(\d{4})/[A-ZĐ]+(?:-[A-ZĐ]+)*(?![\w-])")
# "mẫu số 04/ĐK"
_FORM_NUMBER = re.compile(r"\b(\d{1,3})/([A-ZĐ]{1,5})(?!\w)")
# Mobile, landline and hotline numbers, written in groups or not: "0912 345 678", "024.3825.1234".
_PHONE = re.compile(r"(?<![\w.,+])(?:\+84|0|1[89]00)(?:[ .]?\d){4,10}(?![\w]|[.,]\d)")
_DOTTED_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
# Tickets "A012", forms "CT01", "TK1".
_LETTER_CODE = re.compile(r"(?<![\w.-])[A-ZĐ]{1,4}\d{1,4}(?![\w-])")
# "bốn số cuối điện thoại là 5678"
_LAST_DIGITS = re.compile(r"(\bsố cuối\b[^\d.]{0,30}?)(\d{2,6})\b")
_COUNTER = re.compile(r"\b([Qq]uầy(?:\s+số)?)\s+(\d{1,3})\b")
_LEADING_ZERO = re.compile(r"(?<![\w.,:/])0\d+(?!\w|[.,:/]\d)")
_FULL_DATE = re.compile(r"(?<![\w/])(?<!ngày )(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])", re.IGNORECASE)
_DAY_MONTH = re.compile(r"(?<![\w/])(?<!ngày )(\d{1,2})/(\d{1,2})(?![\w/])", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"(?<![\w/])(?<!tháng )(\d{1,2})/(\d{4})(?![\w/])", re.IGNORECASE)
_RANGE = re.compile(r"(\d(?:h\d{0,2})?)\s*[–-]\s*(?=\d)")
_DASH = re.compile(r"\s+[–—-]\s+")  # "quầy số 1 – Hộ tịch": a pause
_SQUARE_METRE = re.compile(r"(?<=\d)\s*m[²2](?!\w)")
_PER_UNIT = re.compile(r"\bđồng\s*/\s*(?=\w)")
_NAMED_READINGS = {**OFFICIAL_ABBREVIATIONS, **SAID_AS}
_NAMED = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(k) for k in sorted(_NAMED_READINGS, key=len, reverse=True)) + r")(?!\w)"
)
# Other acronyms ("SMS", "ADN"), not Roman numerals ("quý IV").
_ACRONYM = re.compile(r"(?<![\w-])(?![IVX]+(?![\w-]))[A-ZĐ]{2,5}(?![\w-])")


def _phone(match: re.Match[str]) -> str:
    """Digits one by one, a pause between the groups as written."""
    number = match.group(0)
    if not 8 <= sum(ch.isdigit() for ch in number) <= 12 or _DOTTED_DATE.fullmatch(number):
        return number
    groups = [digits_to_words(group) for group in re.split(r"[ .]", number) if group]
    if number.startswith("+"):
        groups[0] = f"cộng {groups[0]}"
    return ", ".join(groups)


def _with_day_word(match: re.Match[str]) -> str:
    day, month = int(match.group(1)), int(match.group(2))
    return f"ngày {match.group(0)}" if 1 <= day <= 31 and 1 <= month <= 12 else match.group(0)


def _with_month_word(match: re.Match[str]) -> str:
    return f"tháng {match.group(0)}" if 1 <= int(match.group(1)) <= 12 else match.group(0)


def read_codes(text: str) -> str:
    """`text` with the spans a general normaliser reads wrongly replaced by their reading."""
    text = nfc(text)
    text = _DOSSIER.sub(lambda m: dossier_code_to_words(m.group(0)), text)
    text = _LEGAL_REFERENCE.sub(
        lambda m: f"{number_to_words(int(m.group(1)))} năm {number_to_words(int(m.group(2)))}", text
    )
    text = _FORM_NUMBER.sub(lambda m: f"{digits_to_words(m.group(1))} {spell_code(m.group(2))}", text)
    text = _PHONE.sub(_phone, text)
    text = _LETTER_CODE.sub(lambda m: spell_code(m.group(0)), text)
    text = _LAST_DIGITS.sub(lambda m: m.group(1) + digits_to_words(m.group(2)), text)
    text = _COUNTER.sub(lambda m: f"{m.group(1)} {number_to_words(int(m.group(2)))}", text)
    text = _LEADING_ZERO.sub(lambda m: digits_to_words(m.group(0)), text)
    text = _FULL_DATE.sub(_with_day_word, text)
    text = _MONTH_YEAR.sub(_with_month_word, text)
    text = _DAY_MONTH.sub(_with_day_word, text)
    text = _RANGE.sub(r"\1 đến ", text)
    text = _DASH.sub(", ", text)
    text = _SQUARE_METRE.sub(" mét vuông", text)
    text = _PER_UNIT.sub("đồng một ", text)
    text = _NAMED.sub(lambda m: _NAMED_READINGS[m.group(1)], text)
    return _ACRONYM.sub(lambda m: spell_code(m.group(0)), text)


# --- numbers, dates, times, money: the reading used when no normaliser can run -----------------

_MONEY = re.compile(r"\b(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ|VNĐ|VND|vnđ|vnd)(?!\w)")
_DATE = re.compile(r"\bngày\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\w/])", re.IGNORECASE)
_MONTH = re.compile(r"\btháng\s+(\d{1,2})/(\d{4})(?![\w/])", re.IGNORECASE)
_TIME = re.compile(r"\b(\d{1,2})(?::|h|g)(\d{2})?(?![\w/])")
_LONG_DIGITS = re.compile(r"\b\d{5,}\b")
_GROUPED_NUMBER = re.compile(r"\b\d{1,3}(?:\.\d{3})+\b")
_DECIMAL = re.compile(r"\b(\d+),(\d+)\b")
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
        text += f" {number_to_words(minute)}"
    return text


def read_numbers(text: str) -> str:
    """Money, dates ("ngày 28/11/2026", "tháng 12/2026"), times, percentages, decimals and every
    other number of `text` in words. Run `read_codes` first: it leaves only these."""
    text = _MONEY.sub(_money, text)
    text = _DATE.sub(_date, text)
    text = _MONTH.sub(
        lambda m: f"tháng {number_to_words(int(m.group(1)))} năm {number_to_words(int(m.group(2)))}", text
    )
    text = _TIME.sub(_time, text)
    text = _PERCENT.sub(r"\1 phần trăm", text)
    text = _LONG_DIGITS.sub(lambda m: digits_to_words(m.group(0)), text)
    text = _GROUPED_NUMBER.sub(lambda m: number_to_words(int(m.group(0).replace(".", ""))), text)
    text = _DECIMAL.sub(
        lambda m: f"{number_to_words(int(m.group(1)))} phẩy {digits_to_words(m.group(2))}", text
    )
    return _NUMBER.sub(lambda m: number_to_words(int(m.group(0))), text)
