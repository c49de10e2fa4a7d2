"""The conversation with the assistant: bubbles, touch buttons and cards from Rasa's replies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from contract.rasa_client import BotMessage
from contract.resources import Dossier, Faq, Procedure, Ticket
from kiosk.presenters.formatting import vn_date
from kiosk.presenters.procedures import procedure_card
from kiosk.strings import t

Kind = Literal["user", "bot", "card", "notice"]


@dataclass
class Card:
    type: str
    title: str
    lines: list[str]
    action: tuple[str, str] | None = None  # (label, target) e.g. ("Xem thủ tục", "procedure:khai_sinh")

    @property
    def speech_text(self) -> str:
        return ". ".join([self.title, *self.lines])


@dataclass
class ChatItem:
    kind: Kind
    text: str = ""
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (title, payload)
    card: Card | None = None

    @property
    def speech_text(self) -> str:
        return self.card.speech_text if self.card else self.text


def _inner(custom: dict[str, Any], key: str) -> dict[str, Any]:
    """The payload's data: nested under its type's name, or at the top level."""
    nested = custom.get(key)
    return nested if isinstance(nested, dict) else custom


def card_from_custom(custom: dict[str, Any]) -> Card | None:
    """A card for a `custom` payload `{"type": "procedure"|"ticket"|"dossier"|"faq", ...}`, its data
    decoded by `contract.resources` (None for another type or data that does not decode)."""
    try:
        return _card(custom)
    except (TypeError, ValueError):
        return None


def _card(custom: dict[str, Any]) -> Card | None:
    kind = custom.get("type")
    if kind == "procedure":
        pc = procedure_card(Procedure.from_dict(_inner(custom, "procedure")))
        lines = []
        if pc.fee:
            lines.append(f"{t('procedures.fee')}: {pc.fee}")
        if pc.time:
            lines.append(f"{t('procedures.time')}: {pc.time}")
        if pc.where:
            lines.append(f"{t('procedures.where')}: {pc.where}")
        if pc.documents:
            lines.append(f"{t('procedures.documents')}: " + "; ".join(pc.documents))
        action = (t("chat.show_procedure"), f"procedure:{pc.id}") if pc.id else None
        return Card("procedure", pc.name or str(custom.get("name", "")), lines, action)
    if kind == "ticket":
        data = _inner(custom, "ticket")
        ticket = Ticket.from_dict(data)
        lines = []
        if ticket.counters:
            lines.append(t("queue.counter", counters=", ".join(str(c.number) for c in ticket.counters)))
        if data.get("ahead") is not None:
            lines.append(t("queue.ahead_none") if ticket.ahead <= 0 else t("queue.ahead", ahead=ticket.ahead))
        if ticket.estimated_wait_minutes:
            lines.append(t("queue.wait", minutes=ticket.estimated_wait_minutes))
        return Card("ticket", f"{t('queue.your_number')}: {ticket.number}", lines)
    if kind == "dossier":
        dossier = Dossier.from_dict(_inner(custom, "dossier"))
        lines = [f"{t('dossier.status')}: {dossier.status_text}"]
        if dossier.appointment_on:
            lines.append(f"{t('dossier.appointment')}: {vn_date(dossier.appointment_on)}")
        if dossier.next_step:
            lines.append(f"{t('dossier.next_step')}: {dossier.next_step}")
        return Card("dossier", dossier.procedure_name or t("dossier.title"), lines)
    if kind == "faq":
        faq = Faq.from_dict(_inner(custom, "faq"))
        return Card("faq", faq.question, [faq.answer])
    return None


class Conversation:
    """One citizen's conversation; `reset()` forgets it and takes a new Rasa sender id."""

    def __init__(self) -> None:
        self.sender_id = uuid.uuid4().hex
        self.items: list[ChatItem] = []
        self.rasa_down = False

    def reset(self) -> None:
        self.sender_id = uuid.uuid4().hex
        self.items = []
        self.rasa_down = False

    def add_user(self, text: str) -> ChatItem:
        item = ChatItem("user", text.strip())
        self.items.append(item)
        return item

    def add_replies(self, messages: Sequence[BotMessage]) -> list[ChatItem]:
        self.rasa_down = False
        added = []
        for message in messages:
            text = message.text.strip()
            buttons = [
                (str(b.get("title", "")), str(b.get("payload", b.get("title", ""))))
                for b in message.buttons
                if b.get("title")
            ]
            if text or buttons:
                added.append(ChatItem("bot", text, buttons))
            if message.custom is not None:
                card = card_from_custom(message.custom)
                if card is not None:
                    added.append(ChatItem("card", card.title, card=card))
        self.items.extend(added)
        return added

    def add_rasa_down(self) -> ChatItem:
        self.rasa_down = True
        item = ChatItem("notice", t("chat.rasa_down"))
        self.items.append(item)
        return item

    @property
    def last_answer(self) -> str:
        for item in reversed(self.items):
            if item.kind in ("bot", "card"):
                return item.speech_text
        return ""
