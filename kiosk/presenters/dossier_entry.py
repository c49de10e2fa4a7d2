"""Typing a dossier code on the keypad: `DDD.DD.DD.LDD-YYMMDD-NNNN`, separators inserted as typed."""

from __future__ import annotations

from dataclasses import dataclass, field

# One entry per typed character: "D" a digit, "L" a letter; then the separator that follows it.
_SLOTS = "DDD" + "DD" + "DD" + "LDD" + "DDDDDD" + "DDDD"
_SEPARATOR_AFTER = {2: ".", 4: ".", 6: ".", 9: "-", 15: "-"}
TEMPLATE = "000.00.00.A00-000000-0000"


@dataclass
class DossierCodeEntry:
    chars: list[str] = field(default_factory=list)

    @property
    def length(self) -> int:
        return len(_SLOTS)

    def expects_letter(self) -> bool:
        return not self.complete and _SLOTS[len(self.chars)] == "L"

    def expects_digit(self) -> bool:
        return not self.complete and _SLOTS[len(self.chars)] == "D"

    @property
    def complete(self) -> bool:
        return len(self.chars) == len(_SLOTS)

    def press(self, key: str) -> bool:
        """Type one key; False (and nothing changes) when it does not fit the next position."""
        if self.complete or len(key) != 1:
            return False
        if self.expects_digit() and key.isdigit():
            self.chars.append(key)
            return True
        if self.expects_letter() and key.isascii() and key.isalpha():
            self.chars.append(key.upper())
            return True
        return False

    def backspace(self) -> None:
        if self.chars:
            self.chars.pop()

    def clear(self) -> None:
        self.chars.clear()

    def paste(self, text: str) -> None:
        """Fill from a scanned or spoken code, ignoring separators and spaces."""
        self.clear()
        for ch in text:
            if ch.isalnum():
                self.press(ch)

    @property
    def text(self) -> str:
        """What was typed, with the separators of the completed groups: "000.00.3"."""
        out = []
        for i, ch in enumerate(self.chars):
            out.append(ch)
            if i in _SEPARATOR_AFTER and i + 1 < len(_SLOTS) and i + 1 <= len(self.chars):
                out.append(_SEPARATOR_AFTER[i])
        return "".join(out)

    @property
    def remaining_mask(self) -> str:
        """The rest of the template, to show in grey after `text`: "0.00.A00-000000-0000"."""
        return TEMPLATE[len(self.text) :]

    @property
    def code(self) -> str | None:
        return self.text if self.complete else None
