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
