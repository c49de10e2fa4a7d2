"""Dossier codes `DDD.DD.DD.LDD-YYMMDD-NNNN` as printed on a receipt (giấy tiếp nhận)."""

import re
import unicodedata

CODE_PATTERN = re.compile(r"^([0-9]{3})\.([0-9]{2})\.([0-9]{2})\.([A-Z][0-9]{2})-([0-9]{6})-([0-9]{4})$")
# Tolerant form: any case, stray spaces around the separators.
_LOOSE_PATTERN = re.compile(
    r"([0-9]{3})\s*\.\s*([0-9]{2})\s*\.\s*([0-9]{2})\s*\.\s*([A-Za-z])\s*([0-9]{2})\s*-\s*([0-9]{6})\s*-\s*([0-9]{4})"
)


class DossierCodeError(ValueError):
    """The text is not a dossier code."""

    code = "dossier_code_malformed"


def canonical_dossier_code(text: str) -> str:
    """Return the canonical upper-case code in `text`, typed with any case or stray spaces.

    Raises DossierCodeError when `text` holds no code of the form DDD.DD.DD.LDD-YYMMDD-NNNN.
    """
    match = _LOOSE_PATTERN.fullmatch(text.strip())
    if match is None:
        raise DossierCodeError(
            f"Mã hồ sơ không đúng dạng DDD.DD.DD.LDD-YYMMDD-NNNN: {mask_dossier_code(text)}"
        )
    agency, d1, d2, letter, d3, day, sequence = match.groups()
    return f"{agency}.{d1}.{d2}.{letter.upper()}{d3}-{day}-{sequence}"


def find_dossier_code(text: str) -> str | None:
    """Return the first dossier code found anywhere in `text`, canonical, or None."""
    match = _LOOSE_PATTERN.search(text)
    if match is None:
        return None
    return canonical_dossier_code(match.group(0))


def is_dossier_code(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text) is not None


def mask_dossier_code(text: str) -> str:
    """A form safe for logs: only the last two characters are kept ("…-0003" -> "***03")."""
    tail = text.strip()[-2:]
    return f"***{tail}" if len(text.strip()) > 2 else "***"


# Typed by hand: any case, and spaces, dots, dashes, slashes or nothing between the groups.
_SEP = r"[\s.\-_/]*"
_TYPED_PATTERN = re.compile(
    rf"(?<!\d)(\d{{3}}){_SEP}(\d{{2}}){_SEP}(\d{{2}}){_SEP}([A-Za-z])\s*(\d{{2}}){_SEP}(\d{{6}}){_SEP}(\d{{4}})(?!\d)"
)


def find_typed_dossier_code(text: str) -> tuple[str, int, int] | None:
    """The canonical dossier code typed in `text` however it is separated, with its span, or None."""
    match = _TYPED_PATTERN.search(unicodedata.normalize("NFC", text))
    if match is None:
        return None
    agency, d1, d2, letter, d3, day, seq = match.groups()
    return f"{agency}.{d1}.{d2}.{letter.upper()}{d3}-{day}-{seq}", match.start(), match.end()
