"""Privacy timer: ask "Bạn còn ở đây không?" after a quiet spell, then clear everything."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class IdleAction(Enum):
    ASK = "ask"
    RESET = "reset"


@dataclass
class IdleMonitor:
    idle_seconds: float
    answer_seconds: float
    last_touch: float = 0.0
    asking_since: float | None = None
    enabled: bool = True

    def touched(self, now: float) -> None:
        self.last_touch = now
        self.asking_since = None

    @property
    def asking(self) -> bool:
        return self.asking_since is not None

    def poll(self, now: float, nothing_to_clear: bool = False) -> IdleAction | None:
        """What to do now. Nothing happens when there is nothing to clear (untouched home screen)."""
        if not self.enabled:
            return None
        if self.asking_since is not None:
            if now - self.asking_since >= self.answer_seconds:
                self.asking_since = None
                self.last_touch = now
                return IdleAction.RESET
            return None
        if nothing_to_clear:
            self.last_touch = now
            return None
        if now - self.last_touch >= self.idle_seconds:
            self.asking_since = now
            return IdleAction.ASK
        return None
