"""Vietnamese phone numbers: one rule for the backend's validation and for what the assistant hears."""

from __future__ import annotations

import re

# mobiles 03x, 05x, 07x, 08x, 09x (10 digits); landlines 02x (11 digits)
PHONE = re.compile(r"0[35789]\d{8}|02\d{9}")
_SEPARATORS = re.compile(r"[ .\-()]")


def phone_digits(text: str) -> str | None:
    """The digits of a Vietnamese phone number, "+84" or "84" written as 0; None when it is not one."""
    compact = _SEPARATORS.sub("", text.strip())
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) in (11, 12):
        compact = "0" + compact[2:]
    return compact if PHONE.fullmatch(compact) else None
