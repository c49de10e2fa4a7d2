"""What a screen is given: the kiosk's services, typed, instead of reaching into the App."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.background import Background
from kiosk.navigation import Navigator
from kiosk.ports import RasaApi
from kiosk.presenters.conversation import Conversation
from kiosk.repository import ContentRepository
from kiosk.session import Session
from kiosk.settings import KioskSettings
from kiosk.theme import Theme
from kiosk.ticket_printing import TicketPrinter
from kiosk.voice import VoiceBridge


@dataclass
class KioskServices:
    settings: KioskSettings
    theme: Theme
    nav: Navigator
    session: Session
    content: ContentRepository
    rasa: RasaApi
    background: Background
    conversation: Conversation
    voice: VoiceBridge
    ticket_printer: TicketPrinter
    clock: Callable[[], float]  # monotonic seconds (the session's clock)
    notify: Callable[[str], None]  # a notice popup with this text
