"""One module and one .kv file per screen; the .kv is loaded when the screen class is first needed."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

SCREENS_DIR = Path(__file__).resolve().parent
_loaded: set[str] = set()


def load_screen_class(name: str) -> Any:
    """Import `kiosk.screens.<name>`, load `<name>.kv` once, return its `<Name>Screen` class."""
    module = importlib.import_module(f"kiosk.screens.{name}")
    if name not in _loaded:
        from kivy.lang import Builder

        Builder.load_file(str(SCREENS_DIR / f"{name}.kv"))
        _loaded.add(name)
    class_name = "".join(part.capitalize() for part in name.split("_")) + "Screen"
    return getattr(module, class_name)
