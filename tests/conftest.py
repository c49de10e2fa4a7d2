"""Settings shared by every test suite."""

import os


def pytest_configure() -> None:
    # Kivy and SDL must never open a real window or parse pytest's arguments.
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
