"""The kiosk application: `build` wires the theme, navigation, session, content and voice, and
gives them to the screens as `KioskServices`."""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ObjectProperty

from contract.backend_client import BackendClient
from contract.rasa_client import RasaClient
from contract.settings import SharedSettings, shared_settings
from kiosk.background import Background
from kiosk.cache import ContentCache
from kiosk.navigation import Navigator
from kiosk.ports import BackendApi, RasaApi
from kiosk.presenters.conversation import Conversation
from kiosk.presenters.idle import IdleMonitor
from kiosk.repository import ContentRepository
from kiosk.screens import load_screen_class
from kiosk.services import KioskServices
from kiosk.session import Session
from kiosk.settings import KioskSettings, kiosk_paths
from kiosk.strings import t
from kiosk.theme import Theme
from kiosk.ticket_printing import TicketPrinter
from kiosk.voice import VoiceBridge
from kiosk.widgets import WIDGETS_DIR
from kiosk.widgets.root import RootLayout

logger = logging.getLogger(__name__)

SCREEN_NAMES = (
    "home",
    "procedures",
    "procedure",
    "conversation",
    "queue",
    "dossier",
    "faq",
    "feedback",
    "staff",
)


def configure_kivy(settings: KioskSettings, *, offscreen: bool = False) -> None:
    """Window and input settings; must run before Kivy's window module is imported."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    if offscreen:
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    from kivy.config import Config

    Config.set("graphics", "width", str(settings.width))
    Config.set("graphics", "height", str(settings.height))
    Config.set("graphics", "resizable", "1")
    # Mouse clicks never leave the red multitouch dots.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0" if settings.kiosk_mode else "1")
    if settings.kiosk_mode:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")


def _collect_garbage() -> None:
    """Collect Kivy's widget cycles, then hand the freed C heap back to the system (glibc only)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the allocator keeps its free pages, nothing else changes


def _finish_frame(*_args: Any) -> None:
    """Wait until the GL driver has really drawn the frame (offscreen windows only).

    An offscreen SDL window never presents its frames, so nothing makes Mesa's software renderer
    (llvmpipe, with rasteriser threads) finish them: the binned draw calls of unfinished frames
    pile up, ~150 MB per screen visited at 1080x1920 (measured with heaptrack: the memory is
    allocated in swrast_dri.so under VertexBatch.draw). A real display's buffer swap waits anyway.
    """
    from kivy.graphics.opengl import glFinish

    glFinish()


class KioskApp(App):
    theme = ObjectProperty(None)  # kiosk.theme.Theme; the .kv files bind to `app.theme.*`
    content = ObjectProperty(None)  # kiosk.repository.ContentRepository (banner, site name)
    nav = ObjectProperty(None, allownone=True)  # kiosk.navigation.Navigator, made in build()

    def __init__(
        self,
        settings: KioskSettings,
        shared: SharedSettings | None = None,
        *,
        backend: BackendApi | None = None,
        rasa: RasaApi | None = None,
        printer_factory: Callable[[Any], Any] | None = None,
        voice: VoiceBridge | None = None,
        sync_on_start: bool = True,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "letan — kiosk"
        self.settings = settings
        self.shared = shared or shared_settings()
        paths = kiosk_paths(self.shared)
        self.theme = Theme(settings.language)
        self.clock = clock  # monotonic seconds for the idle timer and the sync (tests move theirs)
        self.background = Background()
        self.content = ContentRepository(
            backend or BackendClient.from_settings(self.shared),
            ContentCache(paths.cache_file),
            self.background,
            clock,
            site_name=settings.site_name,
        )
        self.rasa: RasaApi = rasa or RasaClient.from_settings(
            self.shared, timeout_s=max(self.shared.http_timeout_s, 10.0)
        )
        self.conversation = Conversation()
        self.voice = voice or VoiceBridge(enabled=settings.voice)
        self.ticket_printer = TicketPrinter(
            settings.printer,
            paths.tickets_dir,
            settings.site_name,
            **({"printer_factory": printer_factory} if printer_factory else {}),
        )
        self.content.bind(site_name=lambda _c, name: setattr(self.ticket_printer, "site_name", name))
        self.idle = IdleMonitor(settings.idle_seconds, settings.idle_answer_seconds)
        self.sync_on_start = sync_on_start
        self.first_frame_at: float | None = None
        self.warmed_up = False

    # ---- building -------------------------------------------------------------------------
    def build(self) -> Any:
        from kivy.core.window import Window

        Builder.load_file(str(WIDGETS_DIR / "base.kv"))
        Builder.load_file(str(WIDGETS_DIR / "root.kv"))
        self.content.load_cache()
        self.theme.fbind("bg", lambda _t, bg: setattr(Window, "clearcolor", bg))
        Window.clearcolor = self.theme.bg
        if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
            Window.bind(on_flip=_finish_frame)
        Window.bind(size=lambda _w, size: self.theme.fit(*size))
        Window.bind(on_touch_down=self._on_any_touch, on_key_down=self._on_key_down)
        if self.settings.kiosk_mode:
            Window.bind(on_request_close=lambda *_a, **_k: True)
        self.theme.fit(*Window.size)
        root = RootLayout()
        self.manager = root.ids.manager
        # Kivy widgets hold reference cycles: rebuilt lists leave their label textures to the cycle
        # collector. Collect while the citizen reads, not during a tap.
        collect = Clock.create_trigger(lambda _dt: _collect_garbage(), 1.0)
        self.nav = Navigator(self.manager, on_switch=collect)
        self.session = Session(self.idle, self.clock, self.nav, self._forget_citizen)
        self.services = KioskServices(
            settings=self.settings,
            theme=self.theme,
            nav=self.nav,
            session=self.session,
            content=self.content,
            rasa=self.rasa,
            background=self.background,
            conversation=self.conversation,
            voice=self.voice,
            ticket_printer=self.ticket_printer,
            clock=self.clock,
            notify=self.notify,
        )
        for name in SCREEN_NAMES:
            self.manager.add_widget(load_screen_class(name)(name=name, services=self.services))
        self.manager.current = "home"
        self.theme.fbind("language", lambda *_a: [s.refresh_language() for s in self.manager.screens])
        Clock.schedule_interval(self._tick, 0.25)
        self.idle.touched(self.clock())
        Clock.schedule_once(self._first_frame, 0)
        if self.sync_on_start:
            self.content.sync()
        self.voice.start()
        self.voice.subscribe(self._on_voice_event)
        return root

    def _first_frame(self, _dt: float) -> None:
        self.first_frame_at = time.monotonic()
        # Build the content lists while nobody is touching, so the first tap only shows them.
        Clock.schedule_once(lambda _dt: self.warm_up(), 0.3)

    def warm_up(self) -> None:
        for name in ("procedures", "faq"):
            self.manager.get_screen(name).prepare()
        self.warmed_up = True

    def on_stop(self) -> None:
        self.voice.close()

    # ---- the session ------------------------------------------------------------------------
    def _on_any_touch(self, *_args: Any) -> None:
        self.session.touched()

    def _on_key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        self.session.touched()
        # Escape (27) never leaves a kiosk.
        return bool(key == 27 and self.settings.kiosk_mode)

    def _tick(self, _dt: float) -> None:
        """Four times a second: the periodic content sync and the idle timer, on the app's clock."""
        self.content.tick()
        self.session.tick()

    def reset_session(self) -> None:
        """Forget the citizen now (what the idle timer does after its unanswered question)."""
        self.session.reset()

    def _forget_citizen(self) -> None:
        """Typed codes, answers, the conversation (a new Rasa sender id), the text size and colours."""
        self.background.new_generation()
        self.conversation.reset()
        self.voice.stop_speaking()
        for screen in self.manager.screens:
            screen.reset()
        self.theme.reset()
        self.nav.start_over()

    # ---- staff exit, notices, speech ----------------------------------------------------------
    def request_exit(self) -> None:
        from kiosk.widgets.popups import ExitPrompt

        ExitPrompt(pin=self.settings.exit_pin).open()

    def notify(self, text: str) -> None:
        from kiosk.widgets.popups import Notice

        Notice(message=text).open()

    def read_aloud(self, text: str) -> None:
        if text and not self.voice.say(text):
            self.notify(t("speech.unavailable"))

    def _on_voice_event(self, event: Any) -> None:
        # Pipeline events come from the speech thread: hand them to the UI thread.
        screen = self.manager.get_screen("conversation")
        Clock.schedule_once(lambda _dt: screen.on_voice_event(event), 0)
