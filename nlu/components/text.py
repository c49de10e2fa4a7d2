"""Pure helpers shared by the components and the actions: words with spans, folding, codes.

No Rasa import here, so the letan side (generator, tests) can use the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vntext.normalize import ABBREVIATIONS, fold, standard_forms
from vntext.spoken_codes import spoken_to_dossier_code

# One "word": letters/digits run (Vietnamese letters included), or a dotted code chunk.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+", re.UNICODE)


@dataclass(frozen=True)
class Word:
    """One normalised word and the span of the raw text it came from."""

    text: str  # NFC, lower-case, abbreviation expanded
    folded: str  # the same, without diacritics
    start: int
    end: int


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def split_words(text: str, abbreviations: Mapping[str, str] | None = None) -> list[Word]:
    """Split raw text (NFC or NFD, any case) into normalised words with their raw spans.

    An abbreviation ("llpt", "ko", "đkkd") becomes its expansion, each word of which keeps
    the span of the abbreviation.
    """
    table = {**ABBREVIATIONS, **(abbreviations or {})}
    parts: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(text):
        raw = unicodedata.normalize("NFC", match.group(0)).lower()
        expansion = table.get(raw)
        parts.extend((part, match.start(), match.end()) for part in (expansion or raw).lower().split())
    # each regional or colloquial word becomes its standard word(s), with the span of the word said
    forms = standard_forms([part for part, _, _ in parts])
    return [
        Word(word, fold(word), start, end)
        for (_, start, end), form in zip(parts, forms, strict=True)
        for word in form
    ]


# Words skipped when matching aliases ("sửa lại ngày sinh" matches "sửa ngày sinh", "mua mảnh đất"
# matches "mua đất"); compared with diacritics so that "cải" is never taken for "cái".
FILLERS = frozenset(
    {"lại", "giúp", "giùm", "dùm", "những", "các", "cái", "mảnh", "miếng", "lai", "giup", "gium", "dum"}
)


def alias_key(text: str) -> tuple[str, ...]:
    """The folded words of an alias without fillers, as `AliasMatcher` compares them."""
    words = split_words(text)
    kept = tuple(word.folded for word in words if word.text not in FILLERS)
    return kept or tuple(word.folded for word in words)


@dataclass(frozen=True)
class Alias:
    entity: str
    value: str
    weak: bool = False


class AliasMatcher:
    """Longest-match lookup of folded word sequences (aliases) in an utterance."""

    def __init__(self, aliases: Mapping[tuple[str, ...], Alias]) -> None:
        self.aliases = dict(aliases)
        self.max_len = max((len(key) for key in self.aliases), default=0)

    def find(self, words: list[Word]) -> list[tuple[Alias, int, int, int]]:
        """Non-overlapping matches as (alias, first word, last word + 1, length), left to right.

        Filler words inside a match are skipped; a match never starts on a filler.
        """
        content = [i for i, word in enumerate(words) if word.text not in FILLERS]
        found: list[tuple[Alias, int, int, int]] = []
        position = 0
        while position < len(content):
            best: tuple[Alias, int] | None = None
            for length in range(min(self.max_len, len(content) - position), 0, -1):
                key = tuple(words[i].folded for i in content[position : position + length])
                alias = self.aliases.get(key)
                if alias is not None:
                    best = (alias, length)
                    break
            if best is None:
                position += 1
                continue
            first, last = content[position], content[position + best[1] - 1] + 1
            found.append((best[0], first, last, best[1]))
            position += best[1]
        return found


def pick_entities(text: str, matcher: AliasMatcher, words: list[Word] | None = None) -> list[dict[str, Any]]:
    """At most one entity per type: the longest strong alias, else the longest weak one."""
    words = words if words is not None else split_words(text)
    chosen: dict[str, tuple[tuple[int, int, int], Alias, int, int]] = {}
    for alias, first, last, length in matcher.find(words):
        rank = (0 if alias.weak else 1, length, -first)
        current = chosen.get(alias.entity)
        if current is None or rank > current[0]:
            chosen[alias.entity] = (rank, alias, first, last)
    entities: list[dict[str, Any]] = []
    for rank_alias in chosen.values():
        _, alias, first, last = rank_alias
        start, end = words[first].start, words[last - 1].end
        entities.append(
            {
                "entity": alias.entity,
                "value": alias.value,
                "start": start,
                "end": end,
                "text": text[start:end],
            }
        )
    # A procedure implies its field; a bare field mention is kept only without a procedure.
    if any(entity["entity"] == "procedure" for entity in entities):
        entities = [entity for entity in entities if entity["entity"] != "field"]
    return sorted(entities, key=lambda entity: int(str(entity["start"])))


def find_spoken_code(text: str) -> str | None:
    """The canonical dossier code read aloud as words in `text` (vntext.spoken_codes), or None."""
    try:
        return spoken_to_dossier_code(text)
    except (ValueError, KeyError):
        return None


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def strip_marks(text: str) -> str:
    """Diacritic-free text keeping case ("Sổ đỏ" -> "So do")."""
    return _strip_marks(text).replace("đ", "d").replace("Đ", "D")
