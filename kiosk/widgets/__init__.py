"""Reusable touch widgets of the kiosk."""

from pathlib import Path

WIDGETS_DIR = Path(__file__).resolve().parent
