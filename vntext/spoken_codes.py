"""Codes read aloud, both ways: dossier codes and queue ticket numbers.

- `spoken_to_dossier_code("không không không chấm ... gạch không không không ba")`
  -> "000.00.31.H26-251121-0003"
- `spoken_to_ticket_number("a không hai ba")` -> "A023"
- `spell_code("CT01")` -> "xê tê không một" (letters by name, digits one by one)
"""

from __future__ import annotations

import re
import unicodedata

from vntext.dossier_code import (
    DossierCodeError,
    canonical_dossier_code,
    find_dossier_code,
    find_typed_dossier_code,
)
from vntext.letters import LETTER_NAMES, LETTER_WORDS
from vntext.numbers import (
    DIGIT_WORDS,
    SpokenNumberError,
    read_digit_chunk,
    restore_number_words,
    starts_digit_chunk,
    typed_without_diacritics,
    word_tokens,
)

_PUNCTUATION_WORDS: dict[str, str] = {
    "chấm": ".",
    "gạch ngang": "-",
    "gạch nối": "-",
    "gạch giữa": "-",
    "gạch": "-",
    "trừ": "-",
}
# Multi-word phrases first, so "gạch ngang" wins over "gạch" and "e lờ" over "e".
_PHRASES: list[tuple[tuple[str, ...], str]] = sorted(
    [(tuple(key.split()), value) for key, value in {**LETTER_WORDS, **_PUNCTUATION_WORDS}.items()],
    key=lambda item: -len(item[0]),
)


def _match_phrase(tokens: list[str], i: int) -> tuple[str, int] | None:
    for words, value in _PHRASES:
        if tuple(tokens[i : i + len(words)]) == words:
            return value, i + len(words)
    return None


def spoken_to_code_text(text: str) -> str:
    """Turn words into code characters: digits, letters, "." and "-"; every other word becomes
    a space. "mã là a không hai ba" -> "  A023"."""
    tokens = word_tokens(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in (".", "-"):
            out.append(token)
            i += 1
            continue
        if token.isdigit():
            out.append(token)
            i += 1
            continue
        if starts_digit_chunk(token):
            try:
                digits, i = read_digit_chunk(tokens, i)
            except SpokenNumberError:
                out.append(" ")
                i += 1
                continue
            out.append(digits)
            continue
        phrase = _match_phrase(tokens, i)
        if phrase is not None:
            out.append(phrase[0])
            i = phrase[1]
            continue
        if len(token) == 1 and token.isalpha() and token.isascii():
            out.append(token.upper())
            i += 1
            continue
        if re.fullmatch(r"[a-z]\d+", token):  # typed "h26"
            out.append(token.upper())
            i += 1
            continue
        out.append(" ")
        i += 1
    return "".join(out)


def spoken_to_dossier_code(text: str) -> str | None:
    """The canonical dossier code read aloud (or typed) in `text`, or None.

    "không không không chấm không không chấm ba mốt chấm hát hai sáu gạch hai năm một một hai
    một gạch không không không ba" -> "000.00.31.H26-251121-0003".
    """
    direct = find_dossier_code(text)
    if direct is not None:
        return direct
    if typed_without_diacritics(text):
        text = restore_number_words(text)
    code_text = spoken_to_code_text(text)
    for candidate in (code_text, code_text.replace(" ", "")):
        found = find_dossier_code(candidate)
        if found is not None:
            try:
                return canonical_dossier_code(found)
            except DossierCodeError:  # pragma: no cover - find_dossier_code already validated
                return None
    return None


_TICKET = re.compile(r"(?<![A-Z0-9])([A-Z])\s*(\d{1,4})(?![0-9])")


def spoken_to_ticket_number(text: str) -> str | None:
    """A queue ticket number read aloud: "a không hai ba" -> "A023", "số bê mười hai" -> "B012".

    The number part is padded to three digits as printed on tickets."""
    typed = re.search(r"\b([A-Za-z])\s*-?\s*(\d{1,4})\b", unicodedata.normalize("NFC", text))
    if typed is not None:
        return typed.group(1).upper() + typed.group(2).zfill(3)
    if typed_without_diacritics(text):
        text = restore_number_words(text)
    code_text = spoken_to_code_text(text)
    match = _TICKET.search(code_text)
    if match is None:
        return None
    return match.group(1) + match.group(2).zfill(3)


_CODE_PUNCTUATION_NAMES = {".": "chấm", "-": "gạch"}


def spell_code(code: str) -> str:
    """A code read character by character: letters by their Vietnamese names, digits one by one,
    "." as "chấm" and "-" as "gạch"; anything else is left out. "CT01" -> "xê tê không một"."""
    words = []
    for ch in code.strip().upper():
        if ch in "0123456789":
            words.append(DIGIT_WORDS[int(ch)])
        elif ch in _CODE_PUNCTUATION_NAMES:
            words.append(_CODE_PUNCTUATION_NAMES[ch])
        elif ch == "Đ":
            words.append("đê")
        elif ch in LETTER_NAMES:
            words.append(LETTER_NAMES[ch])
    return " ".join(words)


def ticket_number_to_words(number: str) -> str:
    """How a ticket number is read aloud: "A023" -> "a không hai ba"."""
    return spell_code("".join(ch for ch in number if ch.isalnum()))


def dossier_code_to_words(code: str) -> str:
    """How a dossier code is read aloud, digit by digit, with "chấm" and "gạch"."""
    return spell_code(code)


__all__ = [
    "dossier_code_to_words",
    "spell_code",
    "spoken_to_code_text",
    "spoken_to_dossier_code",
    "spoken_to_ticket_number",
    "ticket_number_to_words",
]


def dossier_code_in(text: str) -> str | None:
    """The canonical dossier code typed (however separated) or read aloud in `text`, or None."""
    typed = find_typed_dossier_code(text)
    if typed is not None:
        return typed[0]
    try:
        return spoken_to_dossier_code(text)
    except (ValueError, KeyError):
        return None


# Booking codes: six of these letters and digits, none that can be misread or misheard for
# another (no O/0, I/1, B/8, S/5, G/6, L/Z/Q/J). The backend makes them; the assistant hears them.
BOOKING_CODE_ALPHABET = "ACDEFHKMNPRTUVWXY34679"
BOOKING_CODE_LENGTH = 6
_BOOKING_TYPED = re.compile(rf"(?<![A-Z0-9])[{BOOKING_CODE_ALPHABET}]{{{BOOKING_CODE_LENGTH}}}(?![A-Z0-9])")


def booking_code_in(text: str) -> str | None:
    """The booking code typed ("mã AC3F7K", "ac3-f7k") or spelled aloud ("a xê ba ép bảy ca") in
    `text`, or None."""
    typed = _BOOKING_TYPED.search(re.sub(r"(?<=[A-Z0-9])[ .-](?=[A-Z0-9])", "", text.upper()))
    if typed is not None and any(ch.isdigit() for ch in typed.group(0)):
        return typed.group(0)
    spelled = re.sub(r"\s+", "", spoken_to_code_text(text))
    runs = re.findall(rf"[{BOOKING_CODE_ALPHABET}]+", spelled)
    found = [run for run in runs if len(run) == BOOKING_CODE_LENGTH]
    return found[0] if len(found) == 1 else None
