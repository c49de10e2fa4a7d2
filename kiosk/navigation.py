"""Which screen is shown: `go` with what the next screen needs, `back`, `go_home`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HISTORY_LENGTH = 20


class Navigator:
    def __init__(self, manager: Any, on_switch: Callable[[], None] = lambda: None) -> None:
        self.manager = manager  # the kivy ScreenManager
        self.on_switch = on_switch
        self.history: list[str] = []
        self.session_dirty = False  # the citizen went somewhere: there is something to clear

    @property
    def current(self) -> str:
        return str(self.manager.current)

    def go(self, name: str, **params: Any) -> None:
        screen = self.manager.get_screen(name)
        if self.manager.current != name:
            self.history.append(self.manager.current)
            del self.history[:-HISTORY_LENGTH]
        if name != "home":
            self.session_dirty = True
        screen.prepare(**params)
        self.show(name)

    def show(self, name: str) -> None:
        # Two switches within one frame would leave both screens drawn: finish the first one.
        transition = self.manager.transition
        if transition.is_active:
            transition.stop()
        self.manager.current = name
        self.on_switch()

    def back(self) -> None:
        self.show(self.history.pop() if self.history else "home")

    def go_home(self) -> None:
        self.history.clear()
        self.show("home")

    def start_over(self) -> None:
        """After a session reset: home, with no history and nothing to clear."""
        self.history.clear()
        self.session_dirty = False
        self.show("home")
