"""Helpers shared by the content tests."""

import shutil
from collections.abc import Callable
from pathlib import Path

from content.files import default_content_dir

REPO_CONTENT = default_content_dir()


def copy_content(target: Path) -> Path:
    """Copy the data files (not the Python package) of content/ into target/content."""
    root = target / "content"
    root.mkdir(parents=True)
    for name in ("site.yml", "services.yml"):
        shutil.copy(REPO_CONTENT / name, root / name)
    for folder in ("procedures", "faq", "sites"):
        shutil.copytree(REPO_CONTENT / folder, root / folder)
    return root


def edit(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in a file; return the 1-based line where it started."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    index = text.index(old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[:index].count("\n") + 1


Editor = Callable[[Path, str, str], int]
