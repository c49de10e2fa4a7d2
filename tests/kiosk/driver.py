"""Drives the real kiosk App in an offscreen window: one App and window per test session.

Nothing here depends on the machine's speed: the idle timer reads a `ManualClock` the tests
advance, and every step waits on a condition (a touch delivered, a screen shown, the background
work finished) with a generous timeout, never for a fixed time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

WAIT_SECONDS = 30.0  # generous: a loaded machine is slower, never wrong


class ManualClock:
    """Monotonic seconds that move only when a test says so (the kiosk's idle timer reads it).
    Advanced by whole seconds, the differences the idle timer compares are exact."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class KioskDriver:
    def __init__(self, app: Any, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock

    @classmethod
    def start(cls, settings: Any, shared: Any, **app_kwargs: Any) -> KioskDriver:
        os.environ.setdefault("KIVY_NO_ARGS", "1")
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        from kiosk.app import KioskApp, configure_kivy

        configure_kivy(settings, offscreen=True)
        from kivy.config import Config

        # Frames as fast as the machine draws them: every wait is on a condition, none on a frame rate.
        Config.set("graphics", "maxfps", "0")
        from kivy.base import EventLoop

        clock = ManualClock()
        app = KioskApp(settings, shared, clock=clock, **app_kwargs)
        app._run_prepare()
        EventLoop.start()
        driver = cls(app, clock)
        # The start-up work (content sync, the lists built while nobody touches) is over before
        # the first test touches anything.
        driver.wait_until(lambda: app.warmed_up, what="the kiosk warmed up")
        driver.settle()
        return driver

    def stop(self) -> None:
        from kivy.base import EventLoop

        self.app.stop()
        EventLoop.close()

    # ---- time ---------------------------------------------------------------------------
    def frames(self, count: int = 1) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def wait_until(self, condition: Callable[[], Any], timeout: float = WAIT_SECONDS, what: str = "") -> Any:
        """Run frames (each one waits for the Kivy clock's next frame) until `condition()` holds."""
        deadline = time.monotonic() + timeout
        while True:
            self.frames()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                from kivy.core.window import Window

                above = [type(w).__name__ for w in Window.children[:-1]]  # popups over the screens
                raise AssertionError(
                    f"timed out waiting for {what or condition}; screen={self.current}, open over it: {above}"
                )

    def settle(self) -> None:
        """Wait until no background work (HTTP, printing) is running or waiting to reach the UI."""
        self.wait_until(lambda: self.app.background.pending == 0, what="the background work")

    # ---- looking --------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return str(self.app.nav.current)

    def screen(self, name: str | None = None) -> Any:
        return self.app.manager.get_screen(name or self.current)

    def walk(self, root: Any = None) -> Iterator[Any]:
        from kivy.core.window import Window

        stack = [root or Window]
        while stack:
            widget = stack.pop()
            yield widget
            stack.extend(widget.children)

    def texts(self, root: Any = None) -> list[str]:
        return [str(w.text) for w in self.walk(root or self.screen()) if hasattr(w, "text") and w.text]

    def find_text(self, fragment: str, root: Any = None) -> Any:
        for widget in self.walk(root or self.screen()):
            if fragment in str(getattr(widget, "text", "")):
                return widget
        return None

    def button(self, text: str, root: Any = None) -> Any:
        """The button whose text is exactly `text` (AssertionError when there is none)."""
        from kivy.uix.behaviors import ButtonBehavior

        for widget in self.walk(root or self.screen()):
            if isinstance(widget, ButtonBehavior) and str(getattr(widget, "text", "")) == text:
                return widget
        raise AssertionError(f"no button {text!r} on {self.current}: {self.texts()[:40]}")

    # ---- touching -------------------------------------------------------------------------
    def tap(self, widget: Any) -> None:
        """A real touch at the button's centre, through the window's input dispatch; returns once
        the button has acted on it (its `on_release` handlers ran).

        Held like a finger: inside a ScrollView the button gets the press only once the ScrollView
        has decided the touch is not a scroll (`scroll_timeout` and three frames), so the release
        waits for the press to reach the button. Released earlier, the ScrollView would replay the
        tap 0.2 s later, after this method returned, and the test would look for a result too soon.
        """
        from kivy.tests.common import UnitTestTouch
        from kivy.uix.behaviors import ButtonBehavior

        assert isinstance(widget, ButtonBehavior), f"{widget!r} is not a button"
        assert widget.get_root_window() is not None, f"{widget!r} is no longer on screen"
        self._settle(widget)  # a screen or list shown just now is laid out first
        self._scroll_into_view(widget)
        assert not widget.disabled, f"{widget!r} is disabled"
        released: list[bool] = []

        def on_release(*_args: Any) -> None:
            released.append(True)

        widget.fbind("on_release", on_release)
        try:
            x, y = widget.to_window(*widget.center)
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            self.wait_until(lambda: widget in touch.ud, what=f"the press to reach {widget!r}")
            touch.touch_up()
            self.wait_until(lambda: released, what=f"{widget!r} to act on the tap")
        finally:
            widget.funbind("on_release", on_release)
        self.frames()

    def tap_text(self, text: str, root: Any = None) -> None:
        self.tap(self.button(text, root))

    def type_keys(self, keys: str, keyboard: Any) -> None:
        """Tap the on-screen keyboard's keys one by one (space is the space bar)."""
        from kiosk.strings import t

        for key in keys:
            self.tap_text(t("keyboard.space") if key == " " else key, keyboard)

    def _settle(self, widget: Any) -> None:
        """Run frames until the widget has stopped moving (nested boxes take a few frames to lay out)."""
        seen: list[tuple[tuple[float, ...], tuple[float, ...]]] = []

        def still() -> bool:
            seen.append((tuple(widget.to_window(*widget.pos)), tuple(widget.size)))
            return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

        self.wait_until(still, what=f"{widget!r} to stop moving")

    def _scroll_into_view(self, widget: Any) -> None:
        """Scroll the ScrollView holding the widget, when the widget is not wholly visible in it.

        Only then: a list shorter than its ScrollView rests at the top, and a scroll_to there would
        leave it pulled down, to spring back (moving the button) as soon as it is touched.
        """
        from kivy.uix.scrollview import ScrollView

        parent = widget.parent
        while parent is not None and not isinstance(parent, ScrollView):
            if parent.parent is parent:  # the Window is its own parent
                return
            parent = parent.parent
        if parent is None:
            return
        left, bottom = widget.to_window(widget.x, widget.y)
        right, top = widget.to_window(widget.right, widget.top)
        view_left, view_bottom = parent.to_window(parent.x, parent.y)
        view_right, view_top = parent.to_window(parent.right, parent.top)
        if view_left <= left and right <= view_right and view_bottom <= bottom and top <= view_top:
            return
        parent.scroll_to(widget, padding=10, animate=False)
        self._settle(widget)
