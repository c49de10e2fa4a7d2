"""The seam to speech/: real pipeline event objects reach the kiosk as (name, data)."""

from typing import Any

from kiosk.presenters.conversation import Conversation
from kiosk.presenters.voice import VoiceState
from kiosk.voice import VoiceBridge
from speech.events import BotMessage, IntentEnd, SttEnd, SttPartial


class FakePipeline:
    """Stands in for speech.pipeline.VoicePipeline (no microphone here): same subscribe/listen_once."""

    def __init__(self) -> None:
        self.subscribers: list[Any] = []
        self.senders: list[str] = []

    def subscribe(self, callback: Any) -> Any:
        self.subscribers.append(callback)
        return lambda: None

    def listen_once(self, source: Any = None, *, sender: str = "kiosk", grammar: Any = None) -> None:
        self.senders.append(sender)
        for event in (
            SttPartial(run_id="r1", text="tôi muốn"),
            SttEnd(run_id="r1", text="tôi muốn lấy số", confidence=0.9),
            IntentEnd(
                run_id="r1",
                messages=(
                    BotMessage(
                        text="Bác làm thủ tục gì?", buttons=({"title": "Khai sinh", "payload": "/x"},)
                    ),
                ),
                reply="Bác làm thủ tục gì?",
                expects_answer=True,
            ),
        ):
            for callback in self.subscribers:
                callback(event)


def test_pipeline_events_reach_the_conversation() -> None:
    bridge = VoiceBridge()
    pipeline = FakePipeline()
    bridge.attach_pipeline(pipeline)
    received: list[tuple[str, dict[str, Any]]] = []
    bridge.subscribe(lambda name, data: received.append((name, data)))
    conversation = Conversation()
    assert bridge.can_listen
    assert bridge.listen(sender=conversation.sender_id)
    assert pipeline.senders == [conversation.sender_id]  # the same Rasa conversation as typing
    assert [name for name, _ in received] == ["stt-partial", "stt-end", "intent-end"]

    state = VoiceState()
    for name, data in received:
        state.on_event(name, data)
        if name == "stt-end":
            assert state.state == "heard" and state.text == "tôi muốn lấy số"
            conversation.add_user(data["text"])
        if name == "intent-end":
            conversation.add_replies(data["messages"])
    assert [item.kind for item in conversation.items] == ["user", "bot"]
    assert conversation.items[1].buttons == [("Khai sinh", "/x")]


def test_without_pipeline_or_speaker_the_kiosk_says_so() -> None:
    bridge = VoiceBridge(enabled=False)
    bridge.start()
    assert not bridge.can_listen and not bridge.listen()
    assert not bridge.can_speak and not bridge.say("xin chào")
