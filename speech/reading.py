"""Text prepared for espeak-ng: the project's reading of codes, then vinorm for the rest.

"Lệ phí 200.000 đ, hẹn trả 28/11/2026, số A023" -> "lệ phí hai trăm nghìn đồng, hẹn trả ngày
hai mươi tám tháng mười một năm hai nghìn không trăm hai mươi sáu, số a không hai ba".

vinorm (PyPI) is a Vietnamese text normaliser for speech front ends: dates, times, money,
units, many abbreviations. It reads some of what the assistant says wrongly (ticket "0125" as
"một trăm hai mươi lăm", "A012" as "không a mười hai", dossier codes, phone numbers in groups),
so `vntext.reading.read_codes` replaces those spans by their words first and vinorm only sees
the rest. vinorm runs a program of its package (an x86-64 Linux binary that reads and writes
files in its working directory): here it runs in a temporary directory of its own per call, so
that calls from several threads or processes never share files. Where it cannot run (another
processor, a broken install) the project's own `read_numbers` reads numbers, dates and money.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import re
import subprocess
import tempfile
from pathlib import Path

from vntext.reading import read_codes, read_numbers

logger = logging.getLogger(__name__)

# The folders of rules and dictionaries the vinorm program opens relative to its working directory.
_VINORM_DATA = ("Dict", "Mapping", "RegexRule")
_VINORM_TIMEOUT_S = 5.0
_LINE_BREAK = "#line#"  # vinorm's separator between the lines of its output


class VinormError(RuntimeError):
    """vinorm is not installed, cannot run on this machine, or failed on a text."""


class Vinorm:
    """The vinorm program of the installed `vinorm` package (its Python wrapper is not used: it
    writes into the package directory, so two calls at once would read each other's text)."""

    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir
        self.program = package_dir / "main"

    @classmethod
    def installed(cls) -> Vinorm:
        spec = importlib.util.find_spec("vinorm")
        locations = spec.submodule_search_locations if spec is not None else None
        if not locations:
            raise VinormError("the vinorm package is not installed")
        vinorm = cls(Path(next(iter(locations))))
        if not os.access(vinorm.program, os.X_OK):
            raise VinormError(f"{vinorm.program} is missing or not executable")
        return vinorm

    def normalise(self, text: str) -> str:
        """`text` with numbers, dates, times, money and the abbreviations vinorm knows in words,
        lower-case, punctuation kept."""
        if not any(ch.isalnum() for ch in text):
            return text
        with tempfile.TemporaryDirectory(prefix="letan-vinorm-") as folder:
            work = Path(folder)
            for name in _VINORM_DATA:
                (work / name).symlink_to(self.package_dir / name, target_is_directory=True)
            (work / "input.txt").write_text(text, encoding="utf-8")
            env = {**os.environ, "LD_LIBRARY_PATH": str(self.package_dir / "lib")}
            try:
                subprocess.run(  # noqa: S603 (the package's own program, fixed arguments)
                    [str(self.program), "-lower", "-punc"],
                    cwd=work,
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=_VINORM_TIMEOUT_S,
                )
                output = (work / "output.txt").read_text(encoding="utf-8")
            except (OSError, subprocess.SubprocessError, UnicodeDecodeError) as err:
                raise VinormError(f"vinorm failed: {type(err).__name__}") from err
        lines = [line.strip() for line in output.split(_LINE_BREAK)]
        return " ".join(line for line in lines if line)


@functools.cache
def _installed_vinorm() -> Vinorm | None:
    try:
        vinorm = Vinorm.installed()
        vinorm.normalise("Kiểm tra 1/1/2026.")
    except VinormError as err:
        logger.warning("vinorm cannot run here (%s): numbers are read by the project's own rules", err)
        return None
    return vinorm


def vinorm_available() -> bool:
    """Whether vinorm runs on this machine (checked once per process)."""
    return _installed_vinorm() is not None


_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")
_LINE_BREAK_RUN = re.compile(r"\s*\n\s*")


def _end_lines(text: str) -> str:
    """One line: a line that ends without punctuation ends with a full stop (a pause)."""
    text = text.strip()
    return _LINE_BREAK_RUN.sub(lambda m: " " if text[m.start() - 1] in ",.;:!?" else ". ", text)


def prepare_for_speech(text: str) -> str:
    """Rewrite `text` so that espeak-ng reads it as a Vietnamese clerk would (lower-case words)."""
    words = read_codes(_end_lines(text))
    vinorm = _installed_vinorm()
    if vinorm is None:
        words = read_numbers(words)
    else:
        try:
            words = vinorm.normalise(words)
        except VinormError as err:  # never the text in the log: it may hold a phone number
            logger.warning("%s; this text is read by the project's own rules", err)
            words = read_numbers(words)
    words = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", words)
    return re.sub(r"\s+", " ", words).strip().lower()
