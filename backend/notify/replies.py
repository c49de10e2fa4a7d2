"""What a citizen's reply to a status message means: "stop" in the words citizens use, or nothing.

A reply stops the messages when, lower-cased, without punctuation and with its spaces folded, it is
one of the stop words ("từ chối", "hủy"/"huỷ", "dừng", "stop"), alone or followed by "nhận tin"
or "tin nhắn" ("HUY NHAN TIN"). Typed without marks (the whole reply ASCII, as on most phones'
SMS keyboards) it is compared diacritic-free ("TU CHOI", "dung"); typed with marks it must say the
stop word itself, so "đúng" (yes) or "đúng rồi" is not "dừng".
"""

from __future__ import annotations

import re

from vntext.normalize import fold, nfc
from vntext.numbers import typed_without_diacritics

STOP_WORDS = ("từ chối", "hủy", "huỷ", "dừng", "stop")
AFTER_STOP = ("", "nhận tin", "tin nhắn", "nhận tin nhắn")
MAX_REPLY_CHARS = 1000

_STOP_PHRASES = {f"{word} {after}".strip() for word in STOP_WORDS for after in AFTER_STOP}
_STOP_PHRASES_FOLDED = {fold(phrase) for phrase in _STOP_PHRASES}
_NOT_WORD = re.compile(r"[^\w]+")


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", nfc(text).lower()).split())


def is_stop_reply(text: str) -> bool:
    """Whether the reply asks for no more messages (see the module's rule)."""
    words = _words(text[:MAX_REPLY_CHARS])
    if not words:
        return False
    if typed_without_diacritics(words):
        return fold(words) in _STOP_PHRASES_FOLDED
    return words in _STOP_PHRASES
