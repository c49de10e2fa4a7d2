"""The conversation with the assistant: bubbles, touch buttons and cards from Rasa's replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

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
    """A card for a `custom` payload `{"type": "procedure"|"ticket"|"dossier"|"faq", ...}`."""
    kind = custom.get("type")
    if kind == "procedure":
        data = _inner(custom, "procedure")
        pc = procedure_card(data)
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
        lines = []
        counters = data.get("counters") or []
        if counters:
            labels = [
                str(c.get("number", c.get("id", ""))) if isinstance(c, dict) else str(c) for c in counters
            ]
            lines.append(t("queue.counter", counters=", ".join(labels)))
        ahead = data.get("ahead")
        if ahead is not None:
            lines.append(t("queue.ahead_none") if int(ahead) <= 0 else t("queue.ahead", ahead=ahead))
        if data.get("estimated_wait_minutes"):
            lines.append(t("queue.wait", minutes=data["estimated_wait_minutes"]))
        return Card("ticket", f"{t('queue.your_number')}: {data.get('number', '')}", lines)
    if kind == "dossier":
        data = _inner(custom, "dossier")
        lines = []
        if data.get("status_text"):
            lines.append(f"{t('dossier.status')}: {data['status_text']}")
        if data.get("appointment_on"):
            lines.append(f"{t('dossier.appointment')}: {vn_date(data['appointment_on'])}")
        if data.get("next_step"):
            lines.append(f"{t('dossier.next_step')}: {data['next_step']}")
        return Card("dossier", str(data.get("procedure_name") or t("dossier.title")), lines)
    if kind == "faq":
        data = _inner(custom, "faq")
        return Card("faq", str(data.get("question", "")), [str(data.get("answer", ""))])
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

    def add_replies(self, messages: list[dict[str, Any]]) -> list[ChatItem]:
        self.rasa_down = False
        added = []
        for message in messages:
            text = str(message.get("text") or "").strip()
            buttons = [
                (str(b.get("title", "")), str(b.get("payload", b.get("title", ""))))
                for b in message.get("buttons") or []
                if isinstance(b, dict) and b.get("title")
            ]
            if text or buttons:
                added.append(ChatItem("bot", text, buttons))
            custom = message.get("custom")
            if isinstance(custom, dict):
                card = card_from_custom(custom)
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
