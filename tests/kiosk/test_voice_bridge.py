"""The seam to speech/: the events of a real pipeline turn reach the kiosk as their own classes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.presenters.conversation import Conversation
from kiosk.presenters.voice import VoiceState
from kiosk.voice import VoiceBridge
from speech.events import IntentEnd, PipelineEvent, PipelineEventType, SttEnd
from speech.intent import RasaIntent
from speech.pipeline import VoicePipeline
from speech.tts import SilentPlayer, Speaker
from tests.speech.rest_standin import rest_standin

REPLY = {
    "text": "Bác làm thủ tục gì?",
    "buttons": [{"title": "Khai sinh", "payload": "/inform"}],
}
CARD = {"custom": {"type": "ticket", "number": "A005", "counters": [{"id": "q1", "number": 1}], "ahead": 2}}


def _follow(events: list[PipelineEvent], conversation: Conversation) -> list[tuple[str, str]]:
    """What the conversation screen does with each event: the voice state shown, the bubbles."""
    state, shown = VoiceState(), []
    state.listening()
    for event in events:
        if state.on_event(event):
            shown.append((state.state, state.text))
        if isinstance(event, SttEnd):
            conversation.add_user(event.text)
        elif isinstance(event, IntentEnd):
            conversation.add_replies(event.messages)
    return shown


def test_a_real_pipeline_turn_reaches_the_conversation(tmp_path: Path) -> None:
    replies = {"tôi muốn lấy số": [REPLY, CARD]}
    with Speaker(player=SilentPlayer(realtime=False)) as speaker, rest_standin(replies) as rasa:
        pipeline = VoicePipeline(recognizer=None, intent=RasaIntent(rasa.url, timeout_s=10), speaker=speaker)
        bridge = VoiceBridge()
        bridge.attach_pipeline(pipeline)
        received: list[PipelineEvent] = []
        bridge.subscribe(received.append)
        conversation = Conversation()
        result = pipeline.run(
            text="tôi muốn lấy số", sender=conversation.sender_id, reply_path=tmp_path / "r.wav", play=False
        )
    assert result.ok
    assert rasa.received[0]["sender"] == conversation.sender_id  # the same Rasa conversation as typing
    assert [e.type for e in received] == [
        PipelineEventType.RUN_START,
        PipelineEventType.INTENT_START,
        PipelineEventType.INTENT_END,
        PipelineEventType.TTS_START,
        PipelineEventType.TTS_END,
        PipelineEventType.RUN_END,
    ]
    shown = _follow(received, conversation)
    assert shown == [
        ("thinking", ""),
        ("speaking", received[3].text),  # type: ignore[attr-defined]
        ("idle", ""),
    ]
    assert [item.kind for item in conversation.items] == ["bot", "card"]
    assert conversation.items[0].buttons == [("Khai sinh", "/inform")]
    assert conversation.items[1].card is not None and conversation.items[1].card.title.endswith("A005")


def test_events_sent_as_json_are_decoded_into_their_classes(tmp_path: Path) -> None:
    """A pipeline in another process sends `to_dict()`; the bridge gives the listeners the classes."""
    with rest_standin({"xin chào": [REPLY]}) as rasa:
        pipeline = VoicePipeline(recognizer=None, intent=RasaIntent(rasa.url, timeout_s=10), speaker=None)
        emitted: list[PipelineEvent] = []
        pipeline.subscribe(emitted.append)
        pipeline.run(text="xin chào", play=False)
    bridge = VoiceBridge()
    received: list[PipelineEvent] = []
    bridge.subscribe(received.append)
    for event in emitted:
        bridge._on_pipeline_event(event.to_dict())
    bridge._on_pipeline_event({"type": "listening", "run_id": "r"})  # not a pipeline event: dropped
    assert received == emitted
    assert any(isinstance(event, IntentEnd) for event in received)


class _NoMicrophone:
    """The pipeline's `subscribe`/`listen_once` without a microphone: records the sender asked for."""

    def __init__(self) -> None:
        self.senders: list[str] = []

    def subscribe(self, callback: Any) -> Any:
        return lambda: None

    def listen_once(self, source: Any = None, *, sender: str = "kiosk", grammar: Any = None) -> None:
        self.senders.append(sender)


def test_listen_asks_for_a_turn_in_the_conversation() -> None:
    bridge = VoiceBridge()
    pipeline = _NoMicrophone()
    bridge.attach_pipeline(pipeline)
    assert bridge.can_listen and bridge.listen(sender="abc")
    assert pipeline.senders == ["abc"]


def test_without_pipeline_or_speaker_the_kiosk_says_so() -> None:
    bridge = VoiceBridge(enabled=False)
    bridge.start()
    assert not bridge.can_listen and not bridge.listen()
    assert not bridge.can_speak and not bridge.say("xin chào")
