"""Normalising Vietnamese text as citizens type it and as the speech recogniser writes it."""

import re
import unicodedata

# The abbreviations of the administration, spelled as printed, and what they stand for: the one
# table. The assistant reads them aloud expanded (`vntext.reading`); a citizen who types one, in
# any case and with or without diacritics ("cccd", "qsdd"), means the same (`ABBREVIATIONS`).
OFFICIAL_ABBREVIATIONS: dict[str, str] = {
    "BHXH": "bảo hiểm xã hội",
    "BHYT": "bảo hiểm y tế",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "ĐKKD": "đăng ký kinh doanh",
    "GCN": "giấy chứng nhận",
    "GKS": "giấy khai sinh",
    "GPKD": "giấy phép kinh doanh",
    "GPLX": "giấy phép lái xe",
    "GPXD": "giấy phép xây dựng",
    "HĐND": "hội đồng nhân dân",
    "HKD": "hộ kinh doanh",
    "LLPT": "lý lịch tư pháp",
    "QSDĐ": "quyền sử dụng đất",
    "SĐT": "số điện thoại",
    "STT": "số thứ tự",
    "TP.": "thành phố",
    "TTHC": "thủ tục hành chính",
    "UBND": "ủy ban nhân dân",
}

# Chat shorthand citizens type (lower-case keys): only ever typed, never read aloud.
SHORTHAND: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "khong": "không",
    "kg": "không",
    "hok": "không",
    "dc": "được",
    "đc": "được",
    "duoc": "được",
    "j": "gì",
    "gi": "gì",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "bnh": "bao nhiêu",
    "mk": "mình",
    "vs": "với",
    "hs": "hồ sơ",
    "đk": "đăng ký",
    "dk": "đăng ký",
    "kd": "kinh doanh",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "ok": "được",
    "oke": "được",
    "okie": "được",
}

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC with runs of white space folded to one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case, diacritic-free form for matching: "Đăng ký" -> "dang ky"."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without_marks.replace("đ", "d")


def _typed_forms(official: dict[str, str], shorthand: dict[str, str]) -> dict[str, str]:
    """Each abbreviation as typed: lower-case, without its final dot, with and without diacritics."""
    typed: dict[str, str] = {}
    for printed, expansion in official.items():
        word = printed.lower().rstrip(".")
        typed[word] = expansion
        typed.setdefault(fold(word), expansion)
    return {**typed, **shorthand}


# What citizens may type (lower-case keys): the official abbreviations and the chat shorthand.
ABBREVIATIONS: dict[str, str] = _typed_forms(OFFICIAL_ABBREVIATIONS, SHORTHAND)


def expand_abbreviations(text: str) -> str:
    """Expand the typed abbreviations of `ABBREVIATIONS`, keeping every other word as it is."""
    words = nfc(text).split(" ")
    return " ".join(ABBREVIATIONS.get(word.lower(), word) for word in words)


# Regional and colloquial words citizens say (Central, Southern, everyday speech) and the standard
# word the assistant learned: lower-case, with diacritics, so that a word that only collides once
# its marks are gone ("mô" / "mở", "răng" / "rằng") is never taken for another. Undiacritic keys are
# only those no standard word folds to in this field.
REGIONAL: dict[str, str] = {
    # Central
    "răng": "sao",
    "rứa": "thế",
    "mô": "đâu",
    "ni": "này",
    "nớ": "đó",
    "tê": "kia",
    "mần": "làm",
    "chừ": "giờ",
    "hỉ": "nhỉ",
    "nỏ": "không",
    "chộ": "thấy",
    "bựa": "hôm",
    # Southern
    "hông": "không",
    "hổng": "không",
    "dzậy": "vậy",
    "zậy": "vậy",
    "dzay": "vậy",
    "nghen": "nhé",
    "nhen": "nhé",
    "hen": "nhé",
    "đặng": "để",
    "dìa": "về",
    "zìa": "về",
    "dô": "vào",
    "zô": "vào",
    "vô": "vào",
    "ổng": "ông ấy",
    "bả": "bà ấy",
    "xài": "dùng",
    "lẹ": "nhanh",
    "bự": "lớn",
    "thiệt": "thật",
    "nhứt": "nhất",
    "quài": "mãi",
    "bển": "bên đó",
    "trển": "trên đó",
    # everyday speech
    "tui": "tôi",
    "tớ": "tôi",
    "nhá": "nhé",
}
# "chi" is Central for "gì", except where it is the Sino-Vietnamese "chi" of these words.
_CHI_COMPOUNDS = frozenset({"phí", "trả", "tiết", "nhánh", "cục", "hội", "bộ", "tiêu", "phi", "tra", "tiet"})


def standard_forms(words: list[str]) -> list[list[str]]:
    """For each lower-case word, the standard word(s) it stands for: regional and colloquial words
    replaced ("răng" → "sao", "hông" → "không", "mần chi" → "làm gì", "nhiêu tiền" → "bao nhiêu
    tiền"), every other word kept."""
    forms: list[list[str]] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        previous = words[i - 1] if i else ""
        if word == "chi" and following not in _CHI_COMPOUNDS:
            forms.append(["gì"])
        elif word == "nhiêu" and previous != "bao":
            forms.append(["bao", "nhiêu"])
        else:
            forms.append(REGIONAL.get(word, word).split())
    return forms


def standard_words(text: str) -> str:
    """`text`'s words in lower case with regional and colloquial words made standard."""
    words = nfc(text).lower().split(" ")
    return " ".join(w for form in standard_forms(words) for w in form)
