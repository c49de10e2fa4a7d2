"""Checks applied to every text the backend takes in: NFC, no HTML, no control or bidi-override
characters, JSON of a bounded depth, Vietnamese phone numbers.

Every walk over client data here is iterative and depth-limited, so no input can raise a
RecursionError.
"""

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from vntext.phone import phone_digits

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<\s*script|javascript\s*:", re.IGNORECASE)
HTML_MESSAGE = "không được chứa mã HTML (thẻ <...>)"
# C0 controls except tab, line feed and carriage return; DEL and the C1 controls; the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can make shown text
# read differently from what is stored. NUL is also what PostgreSQL refuses in any text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_MESSAGE = "không được chứa ký tự điều khiển hoặc ký tự đảo chiều văn bản"
# Deeper JSON than any record of the contract needs (a procedure is 4 levels deep).
MAX_JSON_DEPTH = 32
DEPTH_MESSAGE = f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} tầng)."
PHONE_MESSAGE = (
    "số điện thoại không đúng dạng số Việt Nam (10 số bắt đầu bằng 0, máy bàn 11 số bắt đầu bằng 02, "
    "hoặc +84 thay cho số 0)"
)
# After the separators are removed and +84/84 is written as 0: mobile 0[35789] + 8 digits,
# fixed line 02 + 9 digits.


class JsonTooDeepError(ValueError):
    def __init__(self) -> None:
        super().__init__(DEPTH_MESSAGE)


def has_html(text: str) -> bool:
    return _HTML.search(text) is not None


def has_forbidden_character(text: str) -> bool:
    return _FORBIDDEN.search(text) is not None


def clean_text(value: str) -> str:
    """NFC form of `value`; ValueError (with a Vietnamese message) for HTML or control characters."""
    if has_forbidden_character(value):
        raise ValueError(CONTROL_MESSAGE)
    value = unicodedata.normalize("NFC", value)
    if has_html(value):
        raise ValueError(HTML_MESSAGE)
    return value


def clean_deep(value: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A copy of `value` with `clean_text` applied to every string (keys too) inside dicts and lists."""
    root = [value]
    stack: list[tuple[Any, Any, int]] = [(root, 0, 0)]
    while stack:
        container, key, depth = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = clean_text(item)
        elif isinstance(item, (list, dict)):
            if depth >= max_depth:
                raise JsonTooDeepError
            if isinstance(item, list):
                copy: Any = list(item)
                stack.extend((copy, index, depth + 1) for index in range(len(copy)))
            else:
                copy = {clean_text(k) if isinstance(k, str) else k: v for k, v in item.items()}
                stack.extend((copy, k, depth + 1) for k in copy)
            container[key] = copy
    return root[0]


def strings_in(value: Any, max_depth: int = MAX_JSON_DEPTH) -> Iterator[str]:
    """Every string inside parsed JSON (object keys included); JsonTooDeepError past `max_depth`."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, (list, dict)):
            if depth >= max_depth:
                raise JsonTooDeepError
            if isinstance(item, dict):
                yield from (k for k in item if isinstance(k, str))
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_too_deep(raw: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether the raw JSON text nests arrays/objects deeper than `max_depth` (checked before parsing,
    since the parser itself recurses). Brackets inside strings do not count."""
    depth = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def vietnamese_phone(text: str) -> str:
    """The digits of a Vietnamese phone number (+84 written as 0); ValueError when it is not one."""
    digits = phone_digits(text)
    if digits is None:
        raise ValueError(PHONE_MESSAGE)
    return digits
