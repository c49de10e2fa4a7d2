"""What a citizen's words say when they answer a choice: a priority group, an age, a rating, a service.

Pure helpers (no Rasa import), shared by the actions. Words are compared with their diacritics
when the text has any, and without when it was typed without: "mù" (blind) is never "mũ" (hat).
"""

from __future__ import annotations

import re
import unicodedata

from contract.resources import Service
from vntext.normalize import fold
from vntext.numbers import SpokenNumberError, restore_number_words, words_to_digits, words_to_number
from vntext.phone import phone_digits

# Luật Người cao tuổi 2009, Điều 2: người cao tuổi là công dân từ đủ 60 tuổi trở lên.
ELDERLY_AGE = 60
# The priority groups name children "dưới 6 tuổi" (utter_ask_priority).
CHILD_AGE = 6
PRIORITY_GROUPS = ("elderly", "disabled", "pregnant", "child", "none")
PRIORITY_NAMES = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "child": "Người đi cùng con nhỏ",
}
PRIORITY_PHRASES: dict[str, tuple[str, ...]] = {
    "elderly": (
        "cao tuổi", "người già", "già rồi", "tuổi già", "ông già", "bà già", "lớn tuổi", "cụ già",
        "ông cụ", "bà cụ", "có tuổi", "già yếu", "người già yếu",
    ),
    "disabled": (
        "khuyết tật", "tàn tật", "xe lăn", "khiếm thị", "khiếm thính", "bị mù", "mù", "điếc", "câm",
        "bị liệt", "liệt", "chống nạng", "đi nạng", "tật nguyền",
    ),
    "pregnant": (
        "mang thai", "có thai", "có bầu", "mang bầu", "đang bầu", "bầu bí", "bụng bầu", "bà bầu",
        "bầu", "có chửa", "sắp sinh", "sắp đẻ",
    ),
    "child": (
        "con nhỏ", "trẻ nhỏ", "cháu nhỏ", "cháu bé", "em bé", "con dại", "con mọn", "đứa nhỏ",
        "trẻ em", "con nít", "trẻ con", "em nhỏ", "bế con", "bồng con", "ẵm con", "bế cháu",
        "bồng cháu", "ẵm cháu", "dắt con", "dẫn con", "dắt cháu", "dẫn cháu", "đi cùng con",
        "đi với con", "đi cùng cháu", "đi với cháu", "mang theo con", "bế em bé", "bồng em bé",
    ),
}  # fmt: skip
# "khai sinh cho em bé", "căn cước của con nhỏ", "mới sinh em bé": the child is who the papers are
# for, not who came along.
_FOR_SOMEONE = ("cho", "cua", "sinh", "de")
# Words before an age that say whose age it is: a child's.
_CHILD_WORDS = ("con", "cháu", "bé", "đứa", "em bé", "thằng", "cu")

_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORDS.findall(unicodedata.normalize("NFC", text))]


def _has_marks(text: str) -> bool:
    return fold(text) != text.lower()


class Words:
    """An utterance's words, compared with diacritics when it has them."""

    def __init__(self, text: str) -> None:
        self.accented = _has_marks(text)
        self.words = _words(text) if self.accented else [fold(word) for word in _words(text)]

    def key(self, phrase: str) -> list[str]:
        words = _words(phrase)
        return words if self.accented else [fold(word) for word in words]

    def find(self, phrase: str, *, strict: bool = True) -> list[int]:
        """Where `phrase` starts (word positions). When `strict`, a one-word phrase of three letters
        or fewer is not looked for in a text without diacritics ("mu" is "mù", "mũ", "mủ"...)."""
        key = self.key(phrase)
        n = len(key)
        if strict and not self.accented and n == 1 and len(key[0]) <= 3:
            return []
        return [i for i in range(len(self.words) - n + 1) if self.words[i : i + n] == key]

    def has(self, phrase: str, *, strict: bool = True) -> bool:
        return bool(self.find(phrase, strict=strict))


def ages(text: str) -> list[tuple[int, bool]]:
    """Each age said ("75 tuổi", "bảy mươi lăm tuổi"), with whether it is a child's ("con tôi 3 tuổi")."""
    words = Words(text)
    found: list[tuple[int, bool]] = []
    for i, word in enumerate(words.words):
        if fold(word) != "tuoi" or i == 0:
            continue
        age = None
        for start in range(max(0, i - 4), i):
            try:
                age = words_to_number(" ".join(words.words[start:i]))
                break
            except SpokenNumberError:
                continue
        if age is None or not 0 < age < 130:
            continue
        before = words.words[max(0, start - 3) : start]
        if before[-1:] and fold(before[-1]) == "duoi":
            continue  # "con nhỏ dưới sáu tuổi": a limit, not an age
        child = any(fold(w) in {fold(c) for c in _CHILD_WORDS} for w in before)
        found.append((age, child))
    return found


def priority_from_text(text: str, *, answering: bool = False) -> str | None:
    """The priority group the words name, or None.

    An age of 60 or more is the elderly group, a child under 6 the child group. When `answering`
    the priority question, a bare "em bé" counts and an adult's age under 60 means no group.
    """
    words = Words(text)
    for age, child in ages(text):
        if child and age < CHILD_AGE:
            return "child"
        if not child and age >= ELDERLY_AGE:
            return "elderly"
    for group, phrases in PRIORITY_PHRASES.items():
        for phrase in phrases:
            for start in words.find(phrase):
                before = words.words[start - 1] if start else ""
                if group == "child" and not answering and fold(before) in _FOR_SOMEONE:
                    continue
                return group
    if answering and any(not child and CHILD_AGE <= age < ELDERLY_AGE for age, child in ages(text)):
        return "none"
    return None


RATING_WORDS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "mười": 5}
RATING_PHRASES = {
    "rất không hài lòng": 1,
    "rất tệ": 1,
    "rất kém": 1,
    "tệ": 1,
    "tệ quá": 1,
    "không hài lòng": 2,
    "chưa hài lòng": 2,
    "không tốt": 2,
    "chưa tốt": 2,
    "kém": 2,
    "chán": 2,
    "bình thường": 3,
    "tạm được": 3,
    "tạm": 3,
    "tàm tạm": 3,
    "được": 3,
    "hài lòng": 4,
    "tốt": 4,
    "khá": 4,
    "rất hài lòng": 5,
    "hài lòng lắm": 5,
    "tốt lắm": 5,
    "rất tốt": 5,
    "tuyệt vời": 5,
    "tuyệt": 5,
    "xuất sắc": 5,
    "điểm tối đa": 5,
}


def parse_rating(text: str) -> int | None:
    """1-5 from "4", "bốn điểm", "năm sao", "tốt lắm", "hài lòng"... (the last number said wins)."""
    digits = re.findall(r"(?<!\d)(10|[1-5])(?!\d)", text)
    if digits:
        return min(5, int(digits[-1]))
    words = Words(text)
    for phrase, value in sorted(RATING_PHRASES.items(), key=lambda item: -len(item[0])):
        if words.has(phrase, strict=False):
            return value
    numbers = {words.key(word)[0]: value for word, value in RATING_WORDS.items()}
    said = [numbers[word] for word in words.words if word in numbers and (words.accented or word != "tu")]
    return said[-1] if said else None


_LETTER = re.compile(r"\b(?:dich vu|quay|hang|loai|ban)\s+([a-z])\b")
_COUNTER = re.compile(r"\bquay\s+(?:so\s+)?(\d{1,2}|mot|hai|ba|bon|nam|sau|bay|tam|chin)\b")
_COUNTER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}


def service_from_text(text: str, services: list[Service]) -> Service | None:
    """The queue service named by its letter ("dịch vụ B"), a counter ("quầy số 3") or its name."""
    folded = f" {' '.join(fold(word) for word in _words(text))} "
    letter = _LETTER.search(folded)
    counter = _COUNTER.search(folded)
    for service in services:
        if letter and service.letter.lower() == letter.group(1):
            return service
        if counter:
            number = counter.group(1)
            value = int(number) if number.isdigit() else _COUNTER_WORDS[number]
            if any(c.number == value for c in service.counters):
                return service
    for service in services:
        names = re.split(r"\s*[–—-]\s*|,\s*", service.name)
        if any(f" {' '.join(fold(w) for w in _words(name))} " in folded for name in names if name):
            return service
    return None


# --- booking: a time of day and a phone number ---------------------------------------------------

_NUMBER_WORDS = {"không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy", "tám",
                 "chín", "mười", "mươi", "linh", "lẻ"}  # fmt: skip
_CLOCK = re.compile(r"\b(\d{1,2})\s*(?:h|g|gio|:)\s*(\d{1,2}|ruoi)?\b")
_AFTERNOON = ("chiều", "tối")
_AFTERNOON_TYPED_PLAIN = ("chieu",)  # "toi" is far more often "tôi" (I) than "tối" (evening)
_ANY_TIME = ("som nhat", "dau tien", "nao cung duoc", "gio nao cung", "bat ky", "luc nao cung")


def _digits_for_number_words(text: str) -> str:
    """ "tám giờ mười lăm" -> "8 giờ 15": each run of number words becomes its value."""
    out: list[str] = []
    run: list[str] = []
    for word in [*_words(restore_number_words(text.lower())), ""]:
        if word in _NUMBER_WORDS:
            run.append(word)
            continue
        if run:
            try:
                out.append(str(words_to_number(" ".join(run))))
            except SpokenNumberError:
                out += run
            run = []
        if word:
            out.append(word)
    return " ".join(out)


def names_a_time(text: str) -> bool:
    """Whether the words say a time of day at all ("8 giờ", "tám giờ rưỡi", "sớm nhất")."""
    folded = fold(_digits_for_number_words(text))
    return bool(_CLOCK.search(text) or _CLOCK.search(folded)) or any(w in folded for w in _ANY_TIME)


def window_from_text(text: str, starts: list[str], minutes: int) -> str | None:
    """The window ("08:30") among `starts` that a citizen's words name: "8 giờ 30", "8h30",
    "tám giờ rưỡi", "2 giờ chiều", a time inside a window ("9 giờ 15" is the 9:00 window), or any
    free one ("giờ nào sớm nhất", "giờ nào cũng được": the first). None when none matches."""
    folded = fold(_digits_for_number_words(text))
    if any(words in folded for words in _ANY_TIME):
        return starts[0] if starts else None
    found = _CLOCK.search(text) or _CLOCK.search(folded)
    if found is None:
        return None
    hour = int(found.group(1))
    minute = 30 if found.group(2) == "ruoi" else int(found.group(2) or 0)
    afternoon = _AFTERNOON_TYPED_PLAIN if text.isascii() else _AFTERNOON
    said_words = folded.split() if text.isascii() else _words(text.lower())
    if hour < 12 and (any(word in said_words for word in afternoon) or hour < 6):
        hour += 12  # "2 giờ chiều", or "2 giờ": nobody is served at two in the night
    said = hour * 60 + minute
    for start in starts:
        begin = int(start[:2]) * 60 + int(start[3:])
        if begin <= said < begin + minutes:
            return start
    return None


def phone_from_text(text: str) -> str | None:
    """A Vietnamese mobile or landline number typed or read digit by digit ("không chín một hai
    ..."), "+84" or "84" for the leading 0; None unless the backend's rule (`vntext.phone`) takes it."""
    digits = "".join(re.findall(r"\d", text))
    if not digits:
        try:
            digits = words_to_digits(restore_number_words(text.lower()))
        except SpokenNumberError:
            return None
    return phone_digits(digits)
