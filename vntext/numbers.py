"""Spoken Vietnamese numbers and digits, as a citizen reads them and Vosk writes them.

Pure Python (stdlib and `vntext` only): the Rasa actions use it from their own environment.

- `number_to_words(1025)` -> "một nghìn không trăm hai mươi lăm"
- `words_to_number("hai lăm")` -> 25, `words_to_number("một trăm linh năm")` -> 105
- `words_to_digits("không không ba")` -> "003" (digits read one by one, pairs such as "ba mốt")

Codes made of these digits (dossier codes, ticket numbers) are in `vntext.spoken_codes`.
"""

from __future__ import annotations

import re
import unicodedata

from vntext.letters import LETTER_WORDS
from vntext.normalize import fold

DIGIT_WORDS: tuple[str, ...] = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# Every word that may stand for a digit on its own, with its value.
_DIGIT_VALUES: dict[str, int] = {
    "không": 0,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
# Unit words that appear only after a tens word ("hai mốt" = 21, "hai lăm" = 25, "hai tư" = 24).
_AFTER_TENS: dict[str, int] = {"mốt": 1, "lăm": 5, "nhăm": 5, "tư": 4}
_TENS_WORDS = ("mươi", "chục")
_TEN = ("mười",)
_LINH = ("linh", "lẻ")
_HALF = ("rưỡi", "rưởi")
_MULTIPLIERS: dict[str, int] = {
    "trăm": 100,
    "nghìn": 1000,
    "ngàn": 1000,
    "triệu": 1_000_000,
    "tỷ": 1_000_000_000,
    "tỉ": 1_000_000_000,
}

_TOKEN = re.compile(r"[0-9]+|[.\-]|[^\W\d_]+", re.UNICODE)


# Typed without diacritics ("khong khong ba cham ..."): the folded form of each word we know.
# Numbers first, so that "ngan" is "ngàn" (thousand) and "mot" is "một".
_FOLDABLE = [
    *DIGIT_WORDS,
    *("mốt", "lăm", "tư", "mười", "linh", "lẻ", "trăm", "nghìn", "ngàn", "triệu", "tỷ", "tỉ", "rưỡi"),
    *("chấm", "gạch", "ngang", "nối", "giữa"),
    # not the "-ờ" letter names: typed without diacritics they are everyday words ("co", "so")
    *(word for phrase in LETTER_WORDS for word in phrase.split() if "ờ" not in word),
]
_UNFOLD: dict[str, str] = {}
for _word in _FOLDABLE:
    _UNFOLD.setdefault(fold(_word), _word)
del _word


def restore_number_words(text: str) -> str:
    """Put the diacritics back on number, letter and punctuation words typed without them:
    "hai muoi lam" -> "hai mươi lăm", "muoi mot" -> "mười một". Other words are kept as typed."""
    tokens = word_tokens(text)
    out: list[str] = []
    for typed in tokens:
        word = _UNFOLD.get(typed, typed)
        if word in _TEN:
            # "mươi" after a digit (tens), "mười" otherwise (ten)
            word = "mươi" if out and _DIGIT_VALUES.get(out[-1], 0) > 1 else "mười"
        out.append(word)
    return " ".join(out)


def typed_without_diacritics(text: str) -> bool:
    """Typed on a keyboard without Vietnamese marks (so number words need their diacritics back)."""
    return text.isascii()


class SpokenNumberError(ValueError):
    """The words are not a Vietnamese number."""

    code = "spoken-number-invalid"


# --- number -> words -------------------------------------------------------------------------


def _unit_word(unit: int, after_tens: bool) -> str:
    if not after_tens:
        return DIGIT_WORDS[unit]
    return {1: "mốt", 4: "tư", 5: "lăm"}.get(unit, DIGIT_WORDS[unit])


def _read_below_thousand(n: int, full: bool) -> str:
    """Read 0 < n < 1000; `full` reads the hundreds even when zero ("không trăm linh năm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGIT_WORDS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGIT_WORDS[units])
    else:
        words += [DIGIT_WORDS[tens], "mươi"]
        if units:
            words.append(_unit_word(units, after_tens=True))
    return " ".join(words)


def _read_below_billion(n: int, full: bool) -> str:
    groups = [(n // 1_000_000) % 1000, (n // 1000) % 1000, n % 1000]
    names = ["triệu", "nghìn", ""]
    parts: list[str] = []
    for group, name in zip(groups, names, strict=True):
        if group == 0:
            continue
        text = _read_below_thousand(group, full=full or bool(parts))
        parts.append(f"{text} {name}".strip())
    return " ".join(parts)


def number_to_words(n: int) -> str:
    """Read a non-negative integer as a Vietnamese speaker says it, e.g. 1025 ->
    "một nghìn không trăm hai mươi lăm", 21 -> "hai mươi mốt", 105 -> "một trăm linh năm"."""
    if n < 0:
        return "âm " + number_to_words(-n)
    if n == 0:
        return "không"
    return _number_to_words(n, full=False)


def _number_to_words(n: int, full: bool) -> str:
    billions, rest = divmod(n, 1_000_000_000)
    if billions == 0:
        return _read_below_billion(rest, full=full)
    head = _number_to_words(billions, full=full) + " tỷ"
    if rest == 0:
        return head
    return head + " " + _read_below_billion(rest, full=True)


def digits_to_words(digits: str) -> str:
    """Read a string of digits one by one: "003" -> "không không ba"."""
    return " ".join(DIGIT_WORDS[int(ch)] for ch in digits if ch.isdigit())


# --- words -> number -------------------------------------------------------------------------


def word_tokens(text: str) -> list[str]:
    """Lower-case NFC words, digit runs and the code punctuation "." and "-" of `text`."""
    clean = unicodedata.normalize("NFC", text).lower()
    return _TOKEN.findall(clean)


def _parse_below_thousand(tokens: list[str], i: int) -> tuple[int, int, bool]:
    """Parse a number below 1000 starting at tokens[i].

    Returns (value, next index, ended_on_bare_digit) where the last flag tells that the reading
    ended with a bare digit right after a multiplier, as in "hai nghìn mốt" or "một trăm hai".
    """
    value = 0
    start = i
    # Hundreds: "<digit> trăm"
    if i + 1 < len(tokens) and tokens[i] in _DIGIT_VALUES and tokens[i + 1] == "trăm":
        value = _DIGIT_VALUES[tokens[i]] * 100
        i += 2
        if i < len(tokens) and tokens[i] in _LINH:
            if i + 1 < len(tokens) and tokens[i + 1] in _DIGIT_VALUES:
                return value + _DIGIT_VALUES[tokens[i + 1]], i + 2, False
            raise SpokenNumberError("'linh' phải đi kèm một chữ số")
        # "một trăm hai" = 120 (a bare digit after trăm is the tens)
        if (
            i < len(tokens)
            and tokens[i] in _DIGIT_VALUES
            and (i + 1 >= len(tokens) or tokens[i + 1] not in (*_TENS_WORDS, *_AFTER_TENS, *_DIGIT_VALUES))
            and (i + 1 >= len(tokens) or tokens[i + 1] not in _MULTIPLIERS)
        ):
            return value + _DIGIT_VALUES[tokens[i]] * 10, i + 1, True
    elif i < len(tokens) and tokens[i] == "trăm":
        # "trăm" alone: "trăm nghìn" = 100 000
        value = 100
        i += 1
    # Tens
    if i < len(tokens) and tokens[i] in _TEN:
        value += 10
        i += 1
        if i < len(tokens) and (tokens[i] in _DIGIT_VALUES or tokens[i] in ("lăm", "nhăm")):
            unit = _DIGIT_VALUES.get(tokens[i], 5)
            if unit == 0:
                raise SpokenNumberError("'mười không' không phải là số")
            value += unit
            i += 1
        return value, i, False
    if i < len(tokens) and tokens[i] in _DIGIT_VALUES:
        digit = _DIGIT_VALUES[tokens[i]]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt in _TENS_WORDS:
            value += digit * 10
            i += 2
            if i < len(tokens) and (tokens[i] in _DIGIT_VALUES or tokens[i] in _AFTER_TENS):
                unit = _DIGIT_VALUES.get(tokens[i], _AFTER_TENS.get(tokens[i], 0))
                value += unit
                i += 1
            return value, i, False
        if nxt in _AFTER_TENS or (
            nxt in _DIGIT_VALUES and value == 0 and digit > 0 and i + 2 >= len(tokens) and start == i
        ):
            # "hai lăm" = 25, "ba mốt" = 31, "hai tư" = 24, colloquial "hai ba" = 23 (only as a
            # whole number of two words)
            unit = _AFTER_TENS[nxt] if nxt in _AFTER_TENS else _DIGIT_VALUES[nxt]
            return value + digit * 10 + unit, i + 2, False
        return value + digit, i + 1, value == 0 and start == i
    if i == start:
        raise SpokenNumberError(f"không đọc được số từ: {tokens[i] if i < len(tokens) else '(hết)'}")
    return value, i, False


def words_to_number(text: str) -> int:
    """Parse a Vietnamese number read as a number: "một nghìn không trăm hai mươi lăm" -> 1025,
    "hai lăm" -> 25, "một trăm linh năm" -> 105, "hai nghìn mốt" -> 2100, "ba trăm rưỡi" -> 350.

    Digits read one by one ("không không ba") give the number they spell (3). Raises
    SpokenNumberError when `text` is not a number.
    """
    if typed_without_diacritics(text) and not text.strip().isdigit():
        text = restore_number_words(text)
    tokens = [t for t in word_tokens(text) if t != "và"]
    if not tokens:
        raise SpokenNumberError("không có số nào")
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    # Digits one by one: more than two digit words and nothing else.
    if len(tokens) > 2 and all(t in _DIGIT_VALUES for t in tokens):
        return int(words_to_digits(text))
    if len(tokens) == 2 and tokens[0] == "không" and tokens[1] in _DIGIT_VALUES:
        return _DIGIT_VALUES[tokens[1]]
    billions = 0  # everything already multiplied by tỷ
    current = 0  # below one tỷ, groups already multiplied by nghìn / triệu
    group: int | None = None  # below one thousand, waiting for its multiplier
    last_multiplier = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("nghìn", "ngàn", "triệu"):
            if group is None and i > 0:
                raise SpokenNumberError(f"thiếu số trước '{token}'")
            multiplier = _MULTIPLIERS[token]
            current += (1 if group is None else group) * multiplier
            group = None
            last_multiplier = multiplier
            i += 1
        elif token in ("tỷ", "tỉ"):
            head = billions + current + (group or 0)
            billions = (head or 1) * 1_000_000_000
            current = 0
            group = None
            last_multiplier = 1_000_000_000
            i += 1
        elif token in _HALF:
            # "hai nghìn rưỡi" = 2500, "ba trăm rưỡi" = 350
            if group is None and last_multiplier:
                group = last_multiplier // 2
            elif group is not None and group % 100 == 0 and group:
                group += 50
            else:
                raise SpokenNumberError("'rưỡi' phải đi sau một số tròn")
            i += 1
        elif group is not None:
            raise SpokenNumberError(f"thừa từ '{token}' trong số")
        elif (
            i == len(tokens) - 1
            and last_multiplier >= 1000
            and (token in _AFTER_TENS or _DIGIT_VALUES.get(token, 0) > 0)
        ):
            # "hai nghìn mốt" = 2100, "ba triệu hai" = 3 200 000
            digit = _AFTER_TENS.get(token, _DIGIT_VALUES.get(token, 0))
            group = digit * (last_multiplier // 10)
            i += 1
        else:
            group, i, _ = _parse_below_thousand(tokens, i)
    return billions + current + (group or 0)


def starts_digit_chunk(token: str) -> bool:
    """Whether `token` may begin a digit, a pair or a hundred read aloud (see `read_digit_chunk`)."""
    return token in _DIGIT_VALUES or token in _TEN or token in _AFTER_TENS


def read_digit_chunk(tokens: list[str], i: int) -> tuple[str, int]:
    """Read one chunk of a code read aloud: a digit, a pair ("ba mốt", "hai mươi lăm", "mười
    một") or a hundred ("một trăm linh năm"). Returns (digits, next index)."""
    token = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if token.isdigit():
        return token, i + 1
    if (
        token in _TEN
        or (token in _DIGIT_VALUES and nxt in (*_TENS_WORDS, "trăm"))
        or (_DIGIT_VALUES.get(token, 0) > 0 and nxt in _AFTER_TENS)
    ):
        value, j, _ = _parse_below_thousand(tokens, i)
        width = 3 if nxt == "trăm" else 2
        return str(value).zfill(width), j
    if token in _DIGIT_VALUES:
        return str(_DIGIT_VALUES[token]), i + 1
    if token in _AFTER_TENS:  # a stray "tư"/"lăm" read alone
        return str(_AFTER_TENS[token]), i + 1
    raise SpokenNumberError(f"'{token}' không phải chữ số")


def words_to_digits(text: str) -> str:
    """Digits read one by one, or in pairs as people often do: "không không ba" -> "003",
    "hai lăm mười một" -> "2511". Raises SpokenNumberError on any other word."""
    tokens = word_tokens(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        digits, i = read_digit_chunk(tokens, i)
        out.append(digits)
    if not out:
        raise SpokenNumberError("không có chữ số nào")
    return "".join(out)


__all__ = [
    "DIGIT_WORDS",
    "SpokenNumberError",
    "digits_to_words",
    "number_to_words",
    "read_digit_chunk",
    "restore_number_words",
    "starts_digit_chunk",
    "typed_without_diacritics",
    "word_tokens",
    "words_to_digits",
    "words_to_number",
]
