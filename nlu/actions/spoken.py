"""Spoken answers short enough to listen to: the essentials aloud, everything else on the card.

Pure helpers (no Rasa import). A text is cut between its sentences or semicolon clauses; only
when the first of those is too long, between comma pieces, and never before a piece that
qualifies what comes before it ("…, nhưng vẫn phải mang bản chính", "…, nếu đăng ký quá hạn"),
so that a spoken fact never loses its condition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vntext.normalize import fold

# A bot text longer than this is hard to follow by ear; the card (custom payload) carries the rest.
SPOKEN_WORD_LIMIT = 25
MORE_ON_SCREEN = "Chi tiết trên màn hình."

_WORD = re.compile(r"\S*\w\S*")
_BOUNDARY = re.compile(r"(?<=[.;!?…])\s+")
# A comma piece starting with one of these qualifies the piece before it: never cut there.
_QUALIFIERS = (
    "nhung", "song", "tuy", "tru", "ngoai tru", "neu", "khi", "truong hop", "hoac", "va", "ke ca",
    "rieng", "chi", "khong", "mien", "sau", "truoc", "thi", "ma", "con", "tuy theo", "doi voi", "can",
    "phai", "chua", "it nhat", "toi da", "toi thieu", "tuc la", "hay",
)  # fmt: skip


def word_count(text: str) -> int:
    """Words as heard: whitespace-separated tokens with a letter or digit ("–" is not one)."""
    return len(_WORD.findall(text))


def clauses(text: str) -> list[str]:
    """The sentences and semicolon-separated clauses of `text`, each with its punctuation."""
    return [part.strip() for part in _BOUNDARY.split(text.strip()) if part.strip()]


# Comma pieces this short are items of a list ("người cao tuổi, người khuyết tật, …"): never cut
# right after one.
LIST_ITEM_WORDS = 5


def comma_pieces(clause: str) -> list[str]:
    """A clause in the pieces between its commas where it can be cut without changing its sense.

    A piece is kept with the one before when it qualifies it (starts with "nhưng", "nếu", "hoặc"…)
    or when the one before is short enough to be an item of a list.
    """
    qualifiers = tuple(f"{word} " for word in _QUALIFIERS)
    pieces: list[str] = []
    for piece in clause.split(", "):
        joined = bool(pieces) and (
            f"{fold(piece).lower()} ".startswith(qualifiers)
            or word_count(pieces[-1].rsplit(", ", 1)[-1]) <= LIST_ITEM_WORDS
        )
        if joined:
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    return [f"{piece}," for piece in pieces[:-1]] + pieces[-1:]


def _sentence(parts: Sequence[str]) -> str:
    text = " ".join(parts).rstrip(" ;,:")
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def fit(
    leads: Sequence[str],
    parts: Sequence[str],
    budget: int = SPOKEN_WORD_LIMIT,
    *,
    more: str = MORE_ON_SCREEN,
    complete: bool = True,
) -> str | None:
    """As many whole `parts` as fit in `budget` words, after the first lead (longest first) that fits.

    When parts are left out (or the parts are not `complete`), `more` says where the rest is. When
    not even the first part fits, its comma pieces are tried (see `comma_pieces`). None when
    nothing fits after the shortest lead.
    """
    tries = [list(parts)]
    if parts:
        tries.append(comma_pieces(parts[0]))
    for pieces in tries:
        whole = pieces is tries[0] and complete
        for count in range(len(pieces), 0, -1):
            for lead in leads:
                tail = "" if count == len(pieces) and whole else f" {more}"
                text = f"{lead} {_sentence(pieces[:count])}".strip() + tail
                if word_count(text) <= budget:
                    return text.strip()
    return None


def shorten(text: str, budget: int = SPOKEN_WORD_LIMIT, *, more: str = MORE_ON_SCREEN) -> str | None:
    """`text` itself when it fits, else its first clauses or pieces that fit (None if none does)."""
    if word_count(text) <= budget:
        return text
    return fit([""], clauses(text), budget, more=more)


def sentences(text: str) -> list[str]:
    """The sentences of `text` (a semicolon does not end one)."""
    return [part.strip() for part in re.split(r"(?<=[.!?…])\s+", text.strip()) if part.strip()]


def first_sentences(text: str, budget: int = SPOKEN_WORD_LIMIT, *, more: str = MORE_ON_SCREEN) -> str:
    """`text` when it fits, else as many of its first sentences as fit, at least the first one.

    For texts written to be read aloud (FAQ answers): a sentence is never cut.
    """
    if word_count(text) <= budget:
        return text
    parts = sentences(text)
    for count in range(len(parts) - 1, 0, -1):
        said = f"{' '.join(parts[:count])} {more}"
        if word_count(said) <= budget:
            return said
    return f"{parts[0]} {more}" if len(parts) > 1 else text
