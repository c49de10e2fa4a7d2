"""Telex typing for the on-screen keyboard: "tieengs Vieetj" -> "tiếng Việt".

Plain Python so it is tested without a window. Tones are placed the traditional way
("hòa", "thủy", "toán", "nguyễn", "quốc", "giữ") and re-placed after every key, so a tone
typed early ("tosan") still lands on the right vowel ("toán").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TONE_KEYS: dict[str, str] = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
TONE_NAMES: dict[str, str] = {
    "sac": "\u0301",
    "huyen": "\u0300",
    "hoi": "\u0309",
    "nga": "\u0303",
    "nang": "\u0323",
}
_TONE_MARKS = frozenset(TONE_KEYS.values())
VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED = frozenset("ăâêôơư")
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_BREVE_HORN = {"a": "ă", "o": "ơ", "u": "ư"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def split_tone(word: str) -> tuple[str, str | None]:
    """Return the word without its tone mark, and the mark (a combining character) or None."""
    mark = None
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            mark = ch
        else:
            kept.append(ch)
    return _nfc("".join(kept)), mark


def _vowel_cluster(lower: str) -> tuple[int, int] | None:
    """Start and end (exclusive) of the syllable's vowel nucleus in a toneless lower-case word."""
    start = 0
    if lower.startswith("qu") or (lower.startswith("gi") and len(lower) > 2 and lower[2] in VOWELS):
        start = 2
    i = start
    while i < len(lower) and lower[i] not in VOWELS:
        i += 1
    if i == len(lower):
        # "qu", "gi" alone: the u / i carries the tone.
        if start == 2 and lower[1] in VOWELS:
            return 1, 2
        return None
    j = i
    while j < len(lower) and lower[j] in VOWELS:
        j += 1
    return i, j


def tone_position(word: str) -> int | None:
    """Index of the vowel that carries the tone in a toneless word, or None without a vowel."""
    lower = word.lower()
    cluster = _vowel_cluster(lower)
    if cluster is None:
        return None
    start, end = cluster
    modified = [k for k in range(start, end) if lower[k] in _MODIFIED]
    if modified:
        return modified[-1]
    length = end - start
    if length == 1:
        return start
    if length >= 3:
        return start + 1
    # Two vowels: on the second when a consonant follows ("toán"), else on the first ("hòa", "mía").
    return start + 1 if end < len(lower) else start


def place_tone(word: str, mark: str | None) -> str:
    """Put `mark` on the right vowel of a toneless word (or return it unchanged without a mark)."""
    if mark is None:
        return word
    position = tone_position(word)
    if position is None:
        return word
    return word[:position] + _nfc(word[position] + mark) + word[position + 1 :]


def _with_case(source: str, replacement: str) -> str:
    return replacement.upper() if source.isupper() else replacement


def telex_word(word: str, key: str) -> str:
    """The word after typing `key` with Telex rules."""
    k = key.lower()
    base, mark = split_tone(word)
    lower = base.lower()
    cluster = _vowel_cluster(lower)

    if k in TONE_KEYS and cluster is not None:
        new_mark = TONE_KEYS[k]
        if mark == new_mark:  # typing the same tone twice takes it back: "ass" -> "as"
            return base + key
        return place_tone(base, new_mark)
    if k == "z" and mark is not None:
        return base
    if k in _CIRCUMFLEX and cluster is not None:
        start, end = cluster
        for idx in range(end - 1, start - 1, -1):
            if lower[idx] == k:
                base = base[:idx] + _with_case(base[idx], _CIRCUMFLEX[k]) + base[idx + 1 :]
                return place_tone(base, mark)
            if lower[idx] == _CIRCUMFLEX[k]:  # "aaa" -> "aa"
                base = base[:idx] + _with_case(base[idx], k) + base[idx + 1 :] + key
                return place_tone(base, mark)
    if k == "w":
        if cluster is None:
            return place_tone(base + _with_case(key, "ư"), mark)
        start, end = cluster
        nucleus = lower[start:end]
        pos = nucleus.find("uo")
        if pos >= 0:
            i = start + pos
            base = base[:i] + _with_case(base[i], "ư") + _with_case(base[i + 1], "ơ") + base[i + 2 :]
            return place_tone(base, mark)
        for idx in range(end - 1, start - 1, -1):
            if lower[idx] in ("â", "ô"):  # "aaw" -> "ă", "oow" -> "ơ"
                swapped = {"â": "ă", "ô": "ơ"}[lower[idx]]
                base = base[:idx] + _with_case(base[idx], swapped) + base[idx + 1 :]
                return place_tone(base, mark)
            if lower[idx] in _BREVE_HORN:
                base = base[:idx] + _with_case(base[idx], _BREVE_HORN[lower[idx]]) + base[idx + 1 :]
                return place_tone(base, mark)
            if lower[idx] in ("ă", "ơ", "ư"):  # "aww" -> "aw"
                plain = {"ă": "a", "ơ": "o", "ư": "u"}[lower[idx]]
                base = base[:idx] + _with_case(base[idx], plain) + base[idx + 1 :] + key
                return place_tone(base, mark)
    if k == "d" and lower[:1] == "d":
        return place_tone(_with_case(base[0], "đ") + base[1:], mark)
    if k == "d" and lower[:1] == "đ" and len(lower) == 1:
        return _with_case(base[0], "d") + key
    return place_tone(base + key, mark)


def _split_last_word(text: str) -> tuple[str, str]:
    i = len(text)
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return text[:i], text[i:]


def type_telex(text: str, key: str) -> str:
    """`text` after typing one character `key` with Telex on."""
    if len(key) != 1 or not key.isalpha():
        return text + key
    prefix, word = _split_last_word(text)
    return prefix + telex_word(word, key)


def apply_tone(text: str, tone: str | None) -> str:
    """Put a tone (`sac`, `huyen`, `hoi`, `nga`, `nang`, or None to remove) on the last word."""
    prefix, word = _split_last_word(text)
    base, _ = split_tone(word)
    return prefix + place_tone(base, TONE_NAMES[tone] if tone else None)


def append_letter(text: str, letter: str) -> str:
    """Append a letter (such as "ơ" from its own key) and re-place the word's tone."""
    prefix, word = _split_last_word(text)
    base, mark = split_tone(word)
    return prefix + place_tone(base + letter, mark)


@dataclass
class TextBuffer:
    """What the citizen is typing on the on-screen keyboard."""

    text: str = ""
    telex: bool = True
    max_length: int = 200
    shift: bool = False

    def key(self, key: str) -> str:
        if self.shift and key.isalpha():
            key = key.upper()
            self.shift = False
        if len(self.text) >= self.max_length:
            return self.text
        if self.telex:
            self.text = type_telex(self.text, key)
        elif key in _MODIFIED or key.lower() in _MODIFIED or key.lower() == "đ":
            self.text = append_letter(self.text, key)
        else:
            self.text += key
        return self.text

    def letter(self, letter: str) -> str:
        if self.shift:
            letter = letter.upper()
            self.shift = False
        if len(self.text) < self.max_length:
            self.text = append_letter(self.text, letter)
        return self.text

    def tone(self, tone: str | None) -> str:
        self.text = apply_tone(self.text, tone)
        return self.text

    def backspace(self) -> str:
        self.text = self.text[:-1]
        return self.text

    def space(self) -> str:
        if self.text and not self.text.endswith(" ") and len(self.text) < self.max_length:
            self.text += " "
        return self.text

    def clear(self) -> str:
        self.text = ""
        self.shift = False
        return self.text
