"""Drives the real kiosk App in an offscreen window: one App and window per test session."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any


class KioskDriver:
    def __init__(self, app: Any) -> None:
        self.app = app

    @classmethod
    def start(cls, settings: Any, **app_kwargs: Any) -> KioskDriver:
        os.environ.setdefault("KIVY_NO_ARGS", "1")
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
        from kiosk.app import KioskApp, configure_kivy

        configure_kivy(settings, offscreen=True)
        from kivy.base import EventLoop

        app = KioskApp(settings, **app_kwargs)
        app._run_prepare()
        EventLoop.start()
        driver = cls(app)
        driver.frames(3)
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

    def wait_until(self, condition: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            self.frames()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or condition}; screen={self.current}")
            time.sleep(0.01)

    # ---- looking --------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return str(self.app.manager.current)

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
        """A real touch at the widget's centre, through the window's input dispatch."""
        from kivy.tests.common import UnitTestTouch

        assert widget.get_root_window() is not None, f"{widget!r} is no longer on screen"
        self._settle(widget)  # a screen or list shown just now is laid out first
        self._scroll_into_view(widget)
        self._settle(widget)
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        # Hold it like a finger does: a ScrollView waits `scroll_timeout` (55 ms) before it hands
        # a touch to the button under it.
        self.frames()
        time.sleep(0.07)
        self.frames()
        touch.touch_up()
        self.frames()

    def tap_text(self, text: str, root: Any = None) -> None:
        self.tap(self.button(text, root))

    def type_keys(self, keys: str, keyboard: Any) -> None:
        """Tap the on-screen keyboard's keys one by one (space is the space bar)."""
        from kiosk.strings import t

        for key in keys:
            self.tap_text(t("keyboard.space") if key == " " else key, keyboard)

    def _settle(self, widget: Any, max_frames: int = 8) -> None:
        """Run frames until the widget stops moving (layouts of nested boxes take a few frames)."""
        previous = None
        for _ in range(max_frames):
            self.frames()
            where = (tuple(widget.to_window(*widget.pos)), tuple(widget.size))
            if where == previous:
                return
            previous = where

    def _scroll_into_view(self, widget: Any) -> None:
        from kivy.uix.scrollview import ScrollView

        parent = widget.parent
        while parent is not None and not isinstance(parent, ScrollView):
            if parent.parent is parent:  # the Window is its own parent
                parent = None
                break
            parent = parent.parent
        if parent is not None:
            self.frames()
            parent.scroll_to(widget, padding=10, animate=False)
            self.frames()
