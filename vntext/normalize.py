"""Normalising Vietnamese text as citizens type it and as the speech recogniser writes it."""

import re
import unicodedata

# Abbreviations citizens type, expanded word by word (keys lower-case, as typed).
ABBREVIATIONS: dict[str, str] = {
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
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "gks": "giấy khai sinh",
    "llpt": "lý lịch tư pháp",
    "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất",
    "ubnd": "ủy ban nhân dân",
    "hkd": "hộ kinh doanh",
    "gpxd": "giấy phép xây dựng",
    "tthc": "thủ tục hành chính",
    "hs": "hồ sơ",
    "đkkd": "đăng ký kinh doanh",
    "dkkd": "đăng ký kinh doanh",
    "đk": "đăng ký",
    "dk": "đăng ký",
    "gpkd": "giấy phép kinh doanh",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "thank": "cảm ơn",
    "ok": "được",
    "oke": "được",
    "okie": "được",
    "sđt": "số điện thoại",
    "sdt": "số điện thoại",
    "gplx": "giấy phép lái xe",
    "kd": "kinh doanh",
    "bhyt": "bảo hiểm y tế",
    "vneid": "vneid",
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


def expand_abbreviations(text: str) -> str:
    """Expand the common abbreviations of `ABBREVIATIONS`, keeping every other word as it is."""
    words = nfc(text).split(" ")
    return " ".join(ABBREVIATIONS.get(word.lower(), word) for word in words)
