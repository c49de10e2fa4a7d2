"""The event vocabulary: stage, event-type and error-code enums; events decoded back into their classes."""

from __future__ import annotations

import dataclasses
import json

import pytest
from rest_standin import rest_standin

from speech.errors import MESSAGES, SpeechError
from speech.events import (
    EVENT_CLASSES,
    BotMessage,
    ErrorCode,
    ErrorEvent,
    IntentEnd,
    IntentStart,
    PipelineEvent,
    PipelineEventType,
    PipelineStage,
    RunEnd,
    RunStart,
    SttEnd,
    SttPartial,
    TtsEnd,
    TtsStart,
    VadEnd,
    VadStart,
    WakeEnd,
    WordConfidence,
)
from speech.intent import RasaClient
from speech.pipeline import VoicePipeline
from speech.tts import SilentPlayer, Speaker

# One event of every class, every field set to a value other than its default.
SAMPLES: list[PipelineEvent] = [
    RunStart(
        run_id="r1",
        timestamp=1.5,
        elapsed_s=0.0,
        source="file",
        sample_rate=8000,
        sample_width=1,
        channels=2,
        start_stage=PipelineStage.WAKE,
        grammar="yes_no",
    ),
    WakeEnd(run_id="r1", elapsed_s=0.5, phrase="robot ơi", audio_s=1.2),
    VadStart(run_id="r1", elapsed_s=0.6, audio_s=1.4),
    VadEnd(run_id="r1", elapsed_s=1.0, audio_s=2.3, last_voiced_s=1.9, speech_s=0.5, reason="silence"),
    SttPartial(run_id="r1", elapsed_s=0.8, text="có"),
    SttEnd(
        run_id="r1",
        elapsed_s=1.1,
        text="có ạ",
        confidence=0.93,
        words=(WordConfidence("có", 0.97, 1.4, 1.7), WordConfidence("ạ", 0.89, 1.7, 1.9)),
        grammar="yes_no",
        audio_s=2.3,
        processing_s=0.04,
    ),
    IntentStart(run_id="r1", elapsed_s=1.1, text="có ạ", sender="kiosk-1"),
    IntentEnd(
        run_id="r1",
        elapsed_s=1.2,
        messages=(
            BotMessage(
                text="Bạn muốn làm thủ tục nào?",
                buttons=({"title": "Khai sinh", "payload": "/ask_procedure"},),
                custom={"card": {"kind": "procedure", "fees": [25000, None]}},
            ),
            BotMessage(text="Mời bạn chọn."),
        ),
        reply="Bạn muốn làm thủ tục nào? Mời bạn chọn.",
        expects_answer=True,
    ),
    TtsStart(run_id="r1", elapsed_s=1.2, text="Bạn muốn làm thủ tục nào?", voice="vi"),
    TtsEnd(
        run_id="r1",
        elapsed_s=2.0,
        path="/tmp/r.wav",
        duration_s=1.8,
        sample_rate=22050,
        first_audio_elapsed_s=1.3,
        stopped=True,
    ),
    RunEnd(run_id="r1", elapsed_s=2.1, ok=False),
    ErrorEvent(
        run_id="r1",
        elapsed_s=2.0,
        code=ErrorCode.INTENT_UNAVAILABLE,
        message=MESSAGES[ErrorCode.INTENT_UNAVAILABLE],
        stage=PipelineStage.INTENT,
    ),
]

# The names every consumer (kiosk, robot, logs) already compares with.
EVENT_NAMES = [
    "run-start",
    "wake-end",
    "vad-start",
    "vad-end",
    "stt-partial",
    "stt-end",
    "intent-start",
    "intent-end",
    "tts-start",
    "tts-end",
    "run-end",
    "error",
]


def test_every_event_class_has_its_kebab_case_name() -> None:
    assert [member.value for member in PipelineEventType] == EVENT_NAMES
    assert set(EVENT_CLASSES) == set(PipelineEventType)
    assert {type(sample) for sample in SAMPLES} == set(EVENT_CLASSES.values())
    for name, event_class in EVENT_CLASSES.items():
        assert event_class.type is name
        assert event_class.type == name.value and str(event_class.type) == name.value
        assert f"{event_class.type}" == name.value


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.type.value)
def test_round_trip_through_json(event: PipelineEvent) -> None:
    data = json.loads(json.dumps(event.to_dict(), ensure_ascii=False))
    assert data["type"] == event.type.value
    decoded = PipelineEvent.from_dict(data)
    assert type(decoded) is type(event)
    assert decoded == event
    # the data is plain: enums become their strings, tuples lists, dataclasses dicts
    assert type(event.to_dict()["type"]) is str
    assert event.data == {k: v for k, v in event.to_dict().items() if k != "type"}


def test_decoded_fields_have_their_types() -> None:
    error = PipelineEvent.from_dict(SAMPLES[-1].to_dict())
    assert isinstance(error, ErrorEvent)
    assert error.code is ErrorCode.INTENT_UNAVAILABLE and error.stage is PipelineStage.INTENT
    stt = PipelineEvent.from_dict(SAMPLES[5].to_dict())
    assert isinstance(stt, SttEnd) and isinstance(stt.words[0], WordConfidence)
    intent = PipelineEvent.from_dict(SAMPLES[7].to_dict())
    assert isinstance(intent, IntentEnd) and isinstance(intent.messages[0], BotMessage)
    assert intent.messages[0].buttons == ({"title": "Khai sinh", "payload": "/ask_procedure"},)
    start = PipelineEvent.from_dict(SAMPLES[0].to_dict())
    assert isinstance(start, RunStart) and start.start_stage is PipelineStage.WAKE


def test_fields_a_newer_sender_adds_are_ignored() -> None:
    data = {**SAMPLES[2].to_dict(), "loudness_db": -20.0}
    assert PipelineEvent.from_dict(data) == SAMPLES[2]


@pytest.mark.parametrize(
    "data",
    [
        {"run_id": "r1"},
        {"type": "stt-start", "run_id": "r1"},
        {"type": None, "run_id": "r1"},
        {"type": "vad-start"},  # no run_id, no audio_s
        {"type": "error", "run_id": "r1", "code": "no-such-code", "message": "", "stage": "stt"},
        {"type": "error", "run_id": "r1", "code": "stt-failed", "message": "", "stage": "listen"},
        {"type": "stt-end", "run_id": "r1", "text": "", "confidence": 1.0, "words": [{"word": "có"}]},
    ],
)
def test_malformed_events_are_rejected(data: dict) -> None:
    with pytest.raises(ValueError):
        PipelineEvent.from_dict(data)


def test_every_error_code_has_a_message_and_unknown_codes_are_refused() -> None:
    assert set(MESSAGES) == set(ErrorCode)
    for code in ErrorCode:
        assert code.value.split("-")[0] in ("audio", "wake", "stt", "intent", "tts", "model")
        assert SpeechError(code.value).code is code
    with pytest.raises(ValueError):
        SpeechError("stt-oops")


def test_events_of_a_real_turn_decode_back(tmp_path) -> None:
    # A typed turn against a local Rasa REST stand-in, then a turn whose intent stage fails.
    replies = {"xin chào": [{"text": "Chào bạn, bạn cần gì?", "buttons": [{"title": "Lấy số"}]}]}
    with Speaker(player=SilentPlayer(realtime=False)) as speaker, rest_standin(replies) as rasa:
        pipeline = VoicePipeline(recognizer=None, intent=RasaClient(rasa.url, timeout_s=3), speaker=speaker)
        emitted: list[PipelineEvent] = []
        pipeline.subscribe(emitted.append)
        assert pipeline.run(text="xin chào", reply_path=tmp_path / "reply.wav", play=False).ok
        failing = VoicePipeline(
            recognizer=None, intent=RasaClient("http://127.0.0.1:9", timeout_s=1), speaker=None
        )
        failing.subscribe(emitted.append)
        assert not failing.run(text="xin chào", play=False).ok
    names = [event.type for event in emitted]
    assert "tts-end" in names and "error" in names
    run_start = emitted[0]
    assert isinstance(run_start, RunStart) and run_start.start_stage is PipelineStage.INTENT
    errors = [event for event in emitted if isinstance(event, ErrorEvent)]
    assert [(e.code, e.stage) for e in errors] == [(ErrorCode.INTENT_UNAVAILABLE, PipelineStage.INTENT)]
    for event in emitted:
        decoded = PipelineEvent.from_dict(json.loads(json.dumps(event.to_dict(), ensure_ascii=False)))
        assert decoded == event
        assert dataclasses.asdict(decoded) == dataclasses.asdict(event)
