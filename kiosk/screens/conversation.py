"""Conversation with the assistant: bubbles, big answer buttons, cards, and the voice state."""

from __future__ import annotations

from functools import partial
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from contract.rasa_client import BotMessage
from kiosk.presenters.conversation import ChatItem
from kiosk.presenters.voice import VoiceState
from kiosk.screens.base import KeyboardScreen
from kiosk.strings import t
from kiosk.widgets.base import Bubble, Card, KButton, KLabel, ReadAloudButton, Row
from kiosk.widgets.keyboard import VietKeyboard
from speech.events import ErrorEvent, IntentEnd, PipelineEvent, SttEnd

__all__ = ["ConversationScreen", "VietKeyboard"]

MENU = [
    ("home.procedures", "procedures"),
    ("home.queue", "queue"),
    ("home.dossier", "dossier"),
    ("home.faq", "faq"),
]


class ConversationScreen(KeyboardScreen):
    voice_label = StringProperty("")
    heard_text = StringProperty("")
    typed = StringProperty("")
    waiting = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.voice_state = VoiceState()

    @property
    def conversation(self) -> Any:
        return self.services.conversation

    def prepare(self, **params: Any) -> None:
        if not self.conversation.items:
            self.conversation.items.append(ChatItem("bot", t("chat.hello")))
        self.voice_label = t("voice.idle") if self.services.voice.can_listen else t("voice.unavailable")
        if not self.services.voice.can_listen and not self.conversation.items[1:]:
            self.keyboard_open = True  # no voice: typing is the way in
        if params.get("listen"):
            self.listen()
        self.render()

    def reset(self) -> None:
        self.ids.keyboard.clear()
        self.keyboard_open = not self.services.voice.can_listen
        self.typed = ""
        self.heard_text = ""
        self.voice_state = VoiceState()
        self.voice_label = ""
        self.waiting = False
        self.ids.messages.clear_widgets()

    def refresh_language(self) -> None:
        self.render()

    # ---- voice ------------------------------------------------------------------------
    def listen(self) -> None:
        if self.services.voice.listen(sender=self.conversation.sender_id):
            self.voice_state.listening()
            self.voice_label = self.voice_state.label
        else:
            self.voice_label = t("voice.unavailable")

    def on_voice_event(self, event: PipelineEvent) -> None:
        """A speech pipeline event (on the UI thread). The pipeline itself sends what it heard to
        Rasa under this conversation's sender id; the screen shows both sides."""
        if self.voice_state.on_event(event):
            self.voice_label = self.voice_state.label
            self.heard_text = self.voice_state.text
        if isinstance(event, SttEnd) and event.text:
            self.conversation.add_user(event.text)
            self.render()
        elif isinstance(event, IntentEnd):
            self.conversation.add_replies(event.messages)
            self.render()
        elif isinstance(event, ErrorEvent):
            self.voice_label = event.message or t("voice.error")

    # ---- messages ---------------------------------------------------------------------
    def send_typed(self) -> None:
        text = self.typed.strip()
        if text:
            self.ids.keyboard.clear()
            self.keyboard_open = False  # the answer gets the room
            self.send(text)

    def send(self, text: str, payload: str | None = None) -> None:
        self.conversation.add_user(text)
        self.waiting = True
        self.render()
        sender = self.conversation.sender_id
        message = payload or text
        rasa = self.services.rasa

        def done(replies: list[BotMessage]) -> None:
            self.waiting = False
            if sender != self.conversation.sender_id:
                return
            self.conversation.add_replies(replies)
            self.render()
            self._announce()

        def failed(_err: BaseException) -> None:
            self.waiting = False
            if sender != self.conversation.sender_id:
                return
            self.conversation.add_rasa_down()
            self.render()

        self.services.background.run(lambda: rasa.send(sender, message), done, failed)

    def _announce(self) -> None:
        # Only when the citizen started by voice: typed conversations stay silent.
        if self.voice_state.state != "idle" and self.services.voice.can_speak:
            self.services.voice.say(self.conversation.last_answer)

    def press_button(self, title: str, payload: str, *_args: Any) -> None:
        self.send(title, payload)

    def press_card_action(self, target: str, *_args: Any) -> None:
        kind, _, value = target.partition(":")
        if kind == "procedure" and value:
            self.services.nav.go("procedure", procedure_id=value)

    def render(self) -> None:
        box = self.ids.messages
        box.clear_widgets()
        items = self.conversation.items
        for index, item in enumerate(items):
            box.add_widget(self._item_widget(item, latest=index == len(items) - 1))
        if self.conversation.rasa_down:
            menu = Card()
            for key, screen in MENU:
                button = KButton(text=t(key), base_size=38)
                button.bind(on_release=partial(lambda s, *_a: self.services.nav.go(s), screen))
                menu.add_widget(button)
            self.named["menu"] = menu
            box.add_widget(menu)
        if self.waiting:
            box.add_widget(KLabel(text=t("voice.thinking"), color=self.services.theme.muted, halign="left"))
        Clock.schedule_once(lambda _dt: self._scroll_to_end(), 0)

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        # Bubbles take a few frames to reach their height: follow it to keep the latest in view.
        self.ids.messages.bind(height=lambda *_a: self._scroll_to_end())

    def _scroll_to_end(self) -> None:
        """Show the latest message. A conversation shorter than the view rests at the top: scrolled
        to the end there, it would spring back under the citizen's finger at the first touch."""
        scroll = self.ids.scroll
        scroll.scroll_y = 0 if self.ids.messages.height > scroll.height else 1

    def _item_widget(self, item: ChatItem, latest: bool) -> Any:
        if item.kind == "card" and item.card is not None:
            card = Card()
            head = Row()
            head.add_widget(KLabel(text=f"[b]{item.card.title}[/b]", base_size=40))
            head.add_widget(ReadAloudButton(speech_text=item.card.speech_text))
            card.add_widget(head)
            for line in item.card.lines:
                card.add_widget(KLabel(text=line))
            if item.card.action is not None:
                label, target = item.card.action
                action = KButton(text=label, role="primary")
                action.bind(on_release=partial(self.press_card_action, target))
                card.add_widget(action)
            return card
        bubble = Bubble(kind=item.kind)
        label = KLabel(
            text=item.text,
            color=self.services.theme.primary_fg if item.kind == "user" else self.services.theme.fg,
        )
        if item.kind == "user":
            label.halign = "right"
        bubble.add_widget(label)
        if item.kind == "bot" and item.text:
            bubble.add_widget(ReadAloudButton(speech_text=item.text))
        for title, payload in item.buttons if latest else []:
            button = KButton(text=title, base_size=36)
            button.bind(on_release=partial(self.press_button, title, payload))
            bubble.add_widget(button)
        return bubble
