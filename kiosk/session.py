"""One citizen's session: the idle question "Bạn còn ở đây không?", then the privacy reset.

Time comes from the injected `clock` (monotonic seconds; tests pass one they move), polled by
the app's tick; nothing here reads the wall clock or sleeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.navigation import Navigator
from kiosk.presenters.idle import IdleAction, IdleMonitor

logger = logging.getLogger(__name__)


class Session:
    def __init__(
        self,
        monitor: IdleMonitor,
        clock: Callable[[], float],
        nav: Navigator,
        reset: Callable[[], None],
    ) -> None:
        self.idle = monitor
        self.clock = clock
        self.nav = nav
        self._reset = reset  # forgets everything the citizen typed or saw
        self.popup: Any = None
        self.prompts = 0  # how many times the question was asked (diagnostics and tests)

    def touched(self) -> None:
        """A touch or a key anywhere: the citizen is here."""
        self.idle.touched(self.clock())
        if self.popup is not None and not self.idle.asking:
            self.popup.dismiss()

    def tick(self) -> None:
        nothing = self.nav.current == "home" and not self.nav.session_dirty
        action = self.idle.poll(self.clock(), nothing_to_clear=nothing)
        if action is IdleAction.ASK:
            self.ask()
        elif action is IdleAction.RESET:
            if self.popup is not None:
                self.popup.dismiss()
            self.reset()

    def ask(self) -> None:
        from kiosk.widgets.popups import IdlePrompt

        self.prompts += 1
        if self.popup is None:
            self.popup = IdlePrompt(on_yes=self.still_here)
            self.popup.bind(on_dismiss=lambda *_a: self.idle.touched(self.clock()))
        self.popup.open()

    def still_here(self) -> None:
        self.idle.touched(self.clock())
        if self.popup is not None:
            self.popup.dismiss()

    def reset(self) -> None:
        logger.info("kiosk session reset")
        self._reset()
        self.idle.touched(self.clock())
