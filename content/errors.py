"""Errors of the content package, each with a stable `code` and the place it was found."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one content file, at a line (1-based; 0 when the whole file is concerned)."""

    file: str
    line: int
    message: str
    # A warning is shown but does not stop a load (a fact about to expire, a review coming up).
    warning: bool = False

    def __str__(self) -> str:
        prefix = "cảnh báo: " if self.warning else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


class ContentError(Exception):
    """Content that cannot be used as it is: every problem found, each with file and line."""

    def __init__(self, code: str, problems: list[Problem]) -> None:
        self.code = code
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or code)


def display_path(path: Path, base: Path | None = None) -> str:
    """The path as it is best shown to the person who edits it: relative to `base` when inside it."""
    if base is not None:
        try:
            return str(path.relative_to(base.parent))
        except ValueError:
            pass
    return str(path)
