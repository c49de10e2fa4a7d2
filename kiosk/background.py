"""Running blocking work (HTTP, printing) off the UI thread; results come back through the Kivy clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

logger = logging.getLogger(__name__)


class Background:
    """Starts daemon threads; a result is dropped when the session was reset in the meantime."""

    def __init__(self) -> None:
        self.generation = 0
        self.pending = 0
        self._lock = threading.Lock()

    def new_generation(self) -> None:
        self.generation += 1

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        generation = self.generation
        with self._lock:
            self.pending += 1

        def deliver(callback: Callable[[Any], None], value: Any) -> None:
            def on_clock(_dt: float) -> None:
                with self._lock:
                    self.pending -= 1
                if generation == self.generation:
                    callback(value)

            Clock.schedule_once(on_clock, 0)

        def target() -> None:
            try:
                result = work()
            except Exception as err:
                logger.debug("background work failed: %s", type(err).__name__)
                deliver(on_error or (lambda _e: None), err)
                return
            deliver(on_done, result)

        threading.Thread(target=target, daemon=True, name="kiosk-bg").start()
