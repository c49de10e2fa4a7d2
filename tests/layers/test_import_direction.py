"""Dependencies run in one direction: every import between letan's packages follows the layers.

    vntext, contract            pure Python, in both environments (contract may use vntext)
    content                     the content files (vntext, contract)
    speech                      voice in and out, a library the backend may use (vntext, contract, content)
    backend                     state and the HTTP API (the layers below)
    kiosk, nlu tooling, letan   on top: the kiosk, the `letan nlu` commands, the CLI
    nlu/actions, nlu/components run inside Rasa (.venv-rasa): vntext and contract only

The test reads every module's imports (at any depth of the code, so a lazy import counts too).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("vntext", "contract", "content", "speech", "backend", "kiosk", "nlu", "letan")
RASA_SIDE = ("actions", "components")
ALLOWED: dict[str, set[str]] = {
    "vntext": set(),
    "contract": {"vntext"},
    "content": {"vntext", "contract"},
    "speech": {"vntext", "contract", "content"},
    "backend": {"vntext", "contract", "content", "speech"},
    "kiosk": {"vntext", "contract", "content", "speech"},
    "nlu": {"vntext", "contract", "content", "nlu.actions", "nlu.components"},
    "nlu-rasa": {"vntext", "contract", "nlu.actions", "nlu.components"},
    "letan": {*PACKAGES, "nlu.actions", "nlu.components"},
}


def layer_of(path: Path) -> str:
    parts = path.relative_to(REPO).parts
    if parts[0] == "nlu" and len(parts) > 1 and parts[1] in RASA_SIDE:
        return "nlu-rasa"
    return parts[0]


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(letan package, line) of every absolute import in a module; nlu's two Rasa-side packages
    are named `nlu.actions` and `nlu.components`, the rest of nlu `nlu`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] not in PACKAGES:
                continue
            rasa_side = parts[0] == "nlu" and len(parts) > 1 and parts[1] in RASA_SIDE
            found.add((f"nlu.{parts[1]}" if rasa_side else parts[0], node.lineno))
    return found


def modules() -> list[Path]:
    return sorted(
        p for package in PACKAGES for p in (REPO / package).rglob("*.py") if "__pycache__" not in p.parts
    )


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_imports_follow_the_layers(path: Path) -> None:
    layer = layer_of(path)
    own = None if layer == "nlu-rasa" else layer  # the Rasa side may not use the letan side of nlu
    wrong = sorted(
        f"line {line}: {package}"
        for package, line in imported_packages(path)
        if package != own and package not in ALLOWED[layer]
    )
    assert not wrong, f"{path.relative_to(REPO)} ({layer}) imports across the layers: {', '.join(wrong)}"
