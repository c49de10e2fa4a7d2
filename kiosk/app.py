"""The kiosk application: App.build wires the screens, the clients, the idle timer and the theme."""

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
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty

from kiosk.backend_client import BackendClient
from kiosk.background import Background
from kiosk.cache import ContentCache, ContentSnapshot
from kiosk.errors import BackendError
from kiosk.presenters.conversation import Conversation
from kiosk.presenters.formatting import vn_date
from kiosk.presenters.idle import IdleAction, IdleMonitor
from kiosk.presenters.procedures import rank_procedures, search_procedures
from kiosk.rasa_client import RasaClient
from kiosk.screens import load_screen_class
from kiosk.settings import KioskSettings
from kiosk.strings import get_language, set_language, t
from kiosk.ticket_printing import TicketPrinter
from kiosk.voice import VoiceBridge
from kiosk.widgets import WIDGETS_DIR
from kiosk.widgets.root import RootLayout

logger = logging.getLogger(__name__)

TEXT_SCALES = (1.0, 1.2, 1.45)
CONTENT_SYNC_SECONDS = 600.0  # the offline cache is refreshed this often while the kiosk runs
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

THEMES: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "normal": {
        "bg": (0.95, 0.96, 0.97, 1),
        "fg": (0.07, 0.09, 0.13, 1),
        "muted": (0.25, 0.28, 0.33, 1),
        "primary": (0.04, 0.30, 0.60, 1),
        "primary_fg": (1, 1, 1, 1),
        "secondary": (1, 1, 1, 1),
        "pressed": (0.95, 0.62, 0.05, 1),
        "border": (0.45, 0.5, 0.58, 1),
        "card": (1, 1, 1, 1),
        "danger": (0.68, 0.1, 0.08, 1),
        "ok": (0.05, 0.42, 0.18, 1),
        "warn_bg": (1, 0.92, 0.65, 1),
        "bar": (0.04, 0.22, 0.45, 1),
    },
    "contrast": {
        "bg": (0, 0, 0, 1),
        "fg": (1, 1, 1, 1),
        "muted": (1, 1, 0.6, 1),
        "primary": (1, 0.86, 0, 1),
        "primary_fg": (0, 0, 0, 1),
        "secondary": (0, 0, 0, 1),
        "pressed": (0, 0.9, 1, 1),
        "border": (1, 1, 1, 1),
        "card": (0.08, 0.08, 0.08, 1),
        "danger": (1, 0.55, 0.5, 1),
        "ok": (0.45, 1, 0.45, 1),
        "warn_bg": (0.35, 0.25, 0, 1),
        "bar": (0, 0, 0, 1),
    },
}


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


def run(settings: KioskSettings) -> None:
    configure_kivy(settings)
    KioskApp(settings).run()


class KioskApp(App):
    u = NumericProperty(1.0)
    font_scale = NumericProperty(TEXT_SCALES[0])
    high_contrast = BooleanProperty(False)
    language = StringProperty("vi")
    site_name = StringProperty("")
    banner_text = StringProperty("")
    bg = ColorProperty(THEMES["normal"]["bg"])
    fg = ColorProperty(THEMES["normal"]["fg"])
    muted = ColorProperty(THEMES["normal"]["muted"])
    primary = ColorProperty(THEMES["normal"]["primary"])
    primary_fg = ColorProperty(THEMES["normal"]["primary_fg"])
    secondary = ColorProperty(THEMES["normal"]["secondary"])
    pressed = ColorProperty(THEMES["normal"]["pressed"])
    border = ColorProperty(THEMES["normal"]["border"])
    card = ColorProperty(THEMES["normal"]["card"])
    danger = ColorProperty(THEMES["normal"]["danger"])
    ok = ColorProperty(THEMES["normal"]["ok"])
    warn_bg = ColorProperty(THEMES["normal"]["warn_bg"])
    bar = ColorProperty(THEMES["normal"]["bar"])

    def __init__(
        self,
        settings: KioskSettings,
        *,
        backend: Any = None,
        rasa: Any = None,
        printer_factory: Callable[[Any], Any] | None = None,
        voice: VoiceBridge | None = None,
        sync_on_start: bool = True,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "letan — kiosk"
        self.settings = settings
        set_language(settings.language)
        self.language = settings.language
        self.site_name = settings.site_name
        self.backend = backend or BackendClient(
            settings.backend_url, settings.resolved_device_token(), timeout=settings.http_timeout
        )
        self.rasa = rasa or RasaClient(settings.rasa_url, timeout=max(settings.http_timeout, 10.0))
        self.cache = ContentCache(settings.cache_file)
        self.snapshot = ContentSnapshot()
        self.background = Background()
        self.conversation = Conversation()
        self.voice = voice or VoiceBridge(enabled=settings.voice)
        self.ticket_printer = TicketPrinter(
            settings.printer,
            settings.tickets_dir,
            settings.site_name,
            **({"printer_factory": printer_factory} if printer_factory else {}),
        )
        self.clock = clock  # monotonic seconds for the idle timer (tests pass one they move)
        self.idle = IdleMonitor(settings.idle_seconds, settings.idle_answer_seconds)
        self.sync_on_start = sync_on_start
        self.history: list[str] = []
        self.session_dirty = False
        self.idle_popup: Any = None
        self.idle_prompts = 0  # how many times the question was asked (shown in diagnostics and tests)
        self.started_at = time.monotonic()
        self.first_frame_at: float | None = None
        self.warmed_up = False
        self.next_sync_at: float | None = None

    # ---- building -------------------------------------------------------------------------
    def build(self) -> Any:
        from kivy.core.window import Window

        Builder.load_file(str(WIDGETS_DIR / "base.kv"))
        Builder.load_file(str(WIDGETS_DIR / "root.kv"))
        self.snapshot = self.cache.load()
        self._apply_site()
        Window.clearcolor = self.bg
        if os.environ.get("SDL_VIDEODRIVER") == "offscreen":
            Window.bind(on_flip=_finish_frame)
        Window.bind(size=self._on_window_size)
        Window.bind(on_touch_down=self._on_any_touch, on_key_down=self._on_key_down)
        if self.settings.kiosk_mode:
            Window.bind(on_request_close=lambda *_a, **_k: True)
        self._on_window_size(Window, Window.size)
        root = RootLayout()
        self.manager = root.ids.manager
        for name in SCREEN_NAMES:
            screen_class = load_screen_class(name)
            self.manager.add_widget(screen_class(name=name))
        self.manager.current = "home"
        # Kivy widgets hold reference cycles: rebuilt lists leave their label textures to the cycle
        # collector. Collect while the citizen reads, not during a tap.
        self._collect = Clock.create_trigger(lambda _dt: _collect_garbage(), 1.0)
        Clock.schedule_interval(self._tick, 0.25)
        self.idle.touched(self.clock())
        Clock.schedule_once(self._first_frame, 0)
        if self.sync_on_start:
            self.sync_content()
            self.next_sync_at = self.clock() + CONTENT_SYNC_SECONDS
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

    def _on_window_size(self, _window: Any, size: tuple[int, int]) -> None:
        width, height = size
        # One unit is a pixel on a 1080-wide portrait screen; landscape screens use the height.
        self.u = min(width / 1080, height / 1200) if width > height else width / 1080

    def on_high_contrast(self, _instance: object, value: bool) -> None:
        from kivy.core.window import Window

        for key, colour in THEMES["contrast" if value else "normal"].items():
            setattr(self, key, colour)
        Window.clearcolor = self.bg

    def on_stop(self) -> None:
        self.voice.close()

    # ---- text, theme, language --------------------------------------------------------------
    def tr(self, key: str, _language: str | None = None, **values: Any) -> str:
        """The UI text of `key`; pass `app.language` from kv so labels follow a language change."""
        return t(key, **values)

    def cycle_text_size(self) -> None:
        index = TEXT_SCALES.index(self.font_scale) if self.font_scale in TEXT_SCALES else 0
        self.font_scale = TEXT_SCALES[(index + 1) % len(TEXT_SCALES)]

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast

    def toggle_language(self) -> None:
        set_language("en" if self.language == "vi" else "vi")
        self.language = get_language()
        for screen in self.manager.screens:
            screen.refresh_language()

    # ---- navigation -------------------------------------------------------------------------
    def go(self, name: str, **params: Any) -> None:
        screen = self.manager.get_screen(name)
        if self.manager.current != name:
            self.history.append(self.manager.current)
            del self.history[:-20]
        if name != "home":
            self.session_dirty = True
        screen.prepare(**params)
        self._show(name)

    def _show(self, name: str) -> None:
        # Two switches within one frame would leave both screens drawn: finish the first one.
        transition = self.manager.transition
        if transition.is_active:
            transition.stop()
        self.manager.current = name
        self._collect()

    def back(self) -> None:
        self._show(self.history.pop() if self.history else "home")

    def go_home(self) -> None:
        self.history.clear()
        self._show("home")

    def reset_session(self) -> None:
        """Forget the citizen: typed codes, answers, the conversation (new Rasa sender id)."""
        logger.info("kiosk session reset")
        self.background.new_generation()
        self.conversation.reset()
        self.voice.stop_speaking()
        for screen in self.manager.screens:
            screen.reset()
        self.history.clear()
        self.session_dirty = False
        self.font_scale = TEXT_SCALES[0]
        self.high_contrast = False
        self._show("home")

    # ---- idle -------------------------------------------------------------------------------
    def _on_any_touch(self, *_args: Any) -> None:
        self.idle.touched(self.clock())
        if self.idle_popup is not None and not self.idle.asking:
            self.idle_popup.dismiss()

    def _on_key_down(self, _window: Any, key: int, *_args: Any) -> bool:
        self.idle.touched(self.clock())
        # Escape (27) never leaves a kiosk.
        return bool(key == 27 and self.settings.kiosk_mode)

    def _tick(self, _dt: float) -> None:
        """Four times a second: the idle timer, and the periodic content sync, on the app's clock."""
        now = self.clock()
        if self.next_sync_at is not None and now >= self.next_sync_at:
            self.next_sync_at = now + CONTENT_SYNC_SECONDS
            self.sync_content()
        nothing = self.manager.current == "home" and not self.session_dirty
        action = self.idle.poll(now, nothing_to_clear=nothing)
        if action is IdleAction.ASK:
            self.show_idle_prompt()
        elif action is IdleAction.RESET:
            if self.idle_popup is not None:
                self.idle_popup.dismiss()
            self.reset_session()

    def show_idle_prompt(self) -> None:
        from kiosk.widgets.popups import IdlePrompt

        self.idle_prompts += 1
        if self.idle_popup is None:
            self.idle_popup = IdlePrompt()
            self.idle_popup.bind(on_dismiss=self._idle_popup_closed)
        self.idle_popup.open()

    def _idle_popup_closed(self, *_args: Any) -> None:
        self.idle.touched(self.clock())

    def still_here(self) -> None:
        self.idle.touched(self.clock())
        if self.idle_popup is not None:
            self.idle_popup.dismiss()

    # ---- staff exit -------------------------------------------------------------------------
    def request_exit(self) -> None:
        from kiosk.widgets.popups import ExitPrompt

        ExitPrompt(pin=self.settings.exit_pin).open()

    # ---- speech -----------------------------------------------------------------------------
    def read_aloud(self, text: str) -> None:
        if not text:
            return
        if not self.voice.say(text):
            self.notify(t("speech.unavailable"))

    def notify(self, text: str) -> None:
        from kiosk.widgets.popups import Notice

        Notice(message=text).open()

    def _on_voice_event(self, name: str, data: dict[str, Any]) -> None:
        # Pipeline events come from the speech thread: hand them to the UI thread.
        Clock.schedule_once(lambda _dt: self.manager.get_screen("conversation").on_voice_event(name, data), 0)

    # ---- content, with the local cache when the backend is down ----------------------------
    def _apply_site(self) -> None:
        site = self.snapshot.site or {}
        if site.get("name"):
            self.site_name = str(site["name"])
            self.ticket_printer.site_name = self.site_name

    def set_offline(self, offline: bool) -> None:
        if offline:
            when = vn_date(self.snapshot.synced_at) if self.snapshot.synced_at else ""
            self.banner_text = t("procedures.from_cache", date=when) if when else t("common.offline")
        else:
            self.banner_text = ""

    def sync_content(self) -> None:
        def done(snapshot: ContentSnapshot) -> None:
            self.snapshot = snapshot
            self._apply_site()
            self.set_offline(False)

        def failed(err: BaseException) -> None:
            logger.info("content sync failed: %s", getattr(err, "code", type(err).__name__))

        self.background.run(lambda: self.cache.sync(self.backend), done, failed)

    def call_backend(
        self,
        work: Callable[[Any], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BackendError], None],
    ) -> None:
        """Run `work(backend)` in the background; an unreachable backend raises the offline banner."""

        def done(result: Any) -> None:
            if self.banner_text:
                self.set_offline(False)
            on_done(result)

        def failed(err: BaseException) -> None:
            error = err if isinstance(err, BackendError) else BackendError("backend_error", str(err))
            if error.unavailable:
                self.set_offline(True)
            on_error(error)

        self.background.run(lambda: work(self.backend), done, failed)

    def find_procedures(
        self, query: str, field_id: str | None, on_result: Callable[[list[dict[str, Any]], bool], None]
    ) -> None:
        def offline(_err: BackendError) -> None:
            on_result(search_procedures(self.snapshot.procedures, query, field_id), True)

        def online(found: list[dict[str, Any]]) -> None:
            on_result(rank_procedures(found, query), False)

        self.call_backend(lambda b: b.procedures(q=query or None, field=field_id), online, offline)

    def load_procedure(
        self, procedure_id: str, on_result: Callable[[dict[str, Any] | None, bool], None]
    ) -> None:
        def offline(err: BackendError) -> None:
            on_result(self.snapshot.procedure(procedure_id), err.unavailable)

        self.call_backend(lambda b: b.procedure(procedure_id), lambda r: on_result(r, False), offline)

    def load_faq(self, on_result: Callable[[list[dict[str, Any]], bool], None]) -> None:
        self.call_backend(
            lambda b: b.faq(), lambda r: on_result(r, False), lambda _e: on_result(self.snapshot.faq, True)
        )

    def load_services(self, on_result: Callable[[list[dict[str, Any]], bool], None]) -> None:
        self.call_backend(
            lambda b: b.services(),
            lambda r: on_result(r, False),
            lambda _e: on_result(self.snapshot.services, True),
        )
