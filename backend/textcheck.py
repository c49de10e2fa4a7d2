"""Checks applied to every text the API stores: NFC, no HTML."""

import re
import unicodedata
from typing import Any

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<\s*script|javascript\s*:", re.IGNORECASE)
HTML_MESSAGE = "không được chứa mã HTML (thẻ <...>)"


def has_html(text: str) -> bool:
    return _HTML.search(text) is not None


def clean_text(value: str) -> str:
    """NFC form of `value`; ValueError (with a Vietnamese message) when it holds HTML."""
    value = unicodedata.normalize("NFC", value)
    if has_html(value):
        raise ValueError(HTML_MESSAGE)
    return value


def clean_deep(value: Any) -> Any:
    """`clean_text` applied to every string inside dicts and lists."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_deep(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_deep(item) for key, item in value.items()}
    return value
