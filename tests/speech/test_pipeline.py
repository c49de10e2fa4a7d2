"""The voice pipeline: event sequence of whole turns, errors with stable codes, subscribers."""

from __future__ import annotations

import threading
import time

import pytest
from rest_standin import rest_standin
from speech_helpers import KO_WAKE_PHRASES

from speech.events import ErrorEvent, IntentEnd, PipelineEvent, SttEnd, TtsEnd, VadEnd
from speech.intent import RasaIntent
from speech.pipeline import PipelineConfig, VoicePipeline
from speech.sources import WavFileSource
from speech.stt_vosk import VoskRecognizer
from speech.tts import SilentPlayer, Speaker

REPLIES = {
    "네": [
        {"text": "Bạn muốn làm thủ tục nào?", "buttons": [{"title": "Khai sinh"}, {"title": "Kết hôn"}]},
    ],
    "아니요": [{"text": "Lệ phí 200.000 đ, hẹn trả ngày 28/11/2026."}],
}


@pytest.fixture
def speaker():
    with Speaker(player=SilentPlayer(realtime=False)) as speaker:
        yield speaker


def make_pipeline(recognizer, url, speaker, **config) -> tuple[VoicePipeline, list[PipelineEvent]]:
    pipeline = VoicePipeline(
        recognizer=recognizer,
        intent=RasaIntent(url, timeout_s=3),
        speaker=speaker,
        config=PipelineConfig(**config),
        wake_phrases=KO_WAKE_PHRASES,
    )
    events: list[PipelineEvent] = []
    pipeline.subscribe(events.append)
    return pipeline, events


def test_event_sequence_of_a_file_turn(ko_recognizer, synth, speaker, tmp_path) -> None:
    wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        result = pipeline.run(
            WavFileSource(wav), grammar="yes_no", sender="kiosk-1", reply_path=tmp_path / "r.wav", play=False
        )
    types = [e.type for e in events]
    # snapshot of the sequence; partial results are optional here: a file is read faster than
    # real time, and no partial is emitted once the end of speech has been decided
    assert [t for t in types if t != "stt-partial"] == [
        "run-start",
        "vad-start",
        "vad-end",
        "stt-end",
        "intent-start",
        "intent-end",
        "tts-start",
        "tts-end",
        "run-end",
    ]
    assert result.ok and result.error_code is None
    assert rasa.received == [{"sender": "kiosk-1", "message": "네"}]
    stt_end = next(e for e in events if isinstance(e, SttEnd))
    assert stt_end.text == "네" and stt_end.grammar == "yes_no" and stt_end.words[0].confidence > 0.5
    vad_end = next(e for e in events if isinstance(e, VadEnd))
    assert vad_end.reason == "silence" and vad_end.audio_s - vad_end.last_voiced_s <= 0.6
    intent_end = next(e for e in events if isinstance(e, IntentEnd))
    assert intent_end.reply == "Bạn muốn làm thủ tục nào? Bạn có thể nói: Khai sinh hoặc Kết hôn."
    assert intent_end.expects_answer and result.expects_answer
    tts_end = next(e for e in events if isinstance(e, TtsEnd))
    assert tts_end.path == str(tmp_path / "r.wav") and tts_end.duration_s > 2 and tts_end.sample_rate == 22050
    # timestamps: monotonic within the run, and every event carries the run id
    elapsed = [e.elapsed_s for e in events]
    assert elapsed == sorted(elapsed)
    assert {e.run_id for e in events} == {result.run_id}
    assert all(e.to_dict()["type"] == e.type for e in events)


def test_partial_results_stream_while_the_citizen_speaks(ko_recognizer, synth, speaker) -> None:
    wav = synth([0.4, ("ko", "아니요"), 0.2], "turn-aniyo")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker, partial_interval_s=0.0)
        # paced at real time, as a microphone delivers audio
        result = pipeline.run(
            WavFileSource(wav, realtime=True, trailing_silence_s=1.0), grammar="yes_no", play=False
        )
    types = [e.type for e in events]
    assert result.text == "아니요"
    assert "stt-partial" in types
    assert types.index("vad-start") < types.index("stt-partial") < types.index("vad-end")
    assert all(i < types.index("vad-end") for i, t in enumerate(types) if t == "stt-partial")


def test_intent_unavailable_is_an_error_with_a_spoken_apology(
    ko_recognizer, synth, speaker, tmp_path
) -> None:
    wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
    pipeline, events = make_pipeline(ko_recognizer, "http://127.0.0.1:9", speaker)
    result = pipeline.run(WavFileSource(wav), grammar="yes_no", reply_path=tmp_path / "sorry.wav", play=False)
    types = [e.type for e in events]
    assert types[-4:] == ["error", "tts-start", "tts-end", "run-end"]
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert error.code == "intent-unavailable" and error.stage == "intent"
    assert "Xin lỗi" in error.message
    assert not result.ok and result.error_code == "intent-unavailable"
    assert (tmp_path / "sorry.wav").stat().st_size > 10_000


def test_unsure_grammar_answer_is_asked_again(ko_recognizer, synth, speaker) -> None:
    # "하나" is not a yes/no word; the grammar forces it onto one, with a low confidence: better
    # to ask again than to take a wrong "no".
    wav = synth([0.4, ("ko", "하나"), 0.2], "turn-hana")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        result = pipeline.run(WavFileSource(wav), grammar="yes_no", play=False)
    assert result.error_code == "stt-no-text"
    assert rasa.received == []
    assert [e.type for e in events][-4:] == ["error", "tts-start", "tts-end", "run-end"]  # asked again


def test_silence_gives_no_speech_and_no_request(ko_recognizer, synth, speaker) -> None:
    wav = synth([2.0], "silence-2s")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        result = pipeline.run(WavFileSource(wav, trailing_silence_s=0), no_speech_timeout_s=1.0)
    assert [e.type for e in events] == ["run-start", "error", "run-end"]
    assert result.error_code == "stt-no-speech"
    assert rasa.received == []


def test_missing_model_is_an_event_not_a_crash(synth, speaker, tmp_path) -> None:
    wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(VoskRecognizer(tmp_path / "none"), rasa.url, speaker)
        result = pipeline.run(WavFileSource(wav))
        # touch/typed input still works through the same pipeline
        typed = pipeline.run(text="아니요")
    error = next(e for e in events if isinstance(e, ErrorEvent))
    assert error.code == "stt-model-missing"
    assert result.error_code == "stt-model-missing"
    assert typed.ok and typed.reply == "Lệ phí 200.000 đ, hẹn trả ngày 28/11/2026."


def test_wake_phrase_then_question(ko_recognizer, synth, speaker) -> None:
    # "안녕하세요" stands for "robot ơi" (the wake grammar of the Korean stand-in).
    wav = synth([0.3, ("ko", "안녕하세요"), 0.8, ("ko", "아니요"), 0.2], "wake-then-no")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        result = pipeline.run(WavFileSource(wav), wake=True, grammar="yes_no", play=False)
    types = [e.type for e in events]
    assert types.index("wake-end") < types.index("vad-start") < types.index("stt-end")
    assert result.text == "아니요"
    assert rasa.received[0]["message"] == "아니요"


def test_no_wake_phrase_times_out_quietly(ko_recognizer, synth, speaker) -> None:
    wav = synth([0.3, ("ko", "아니요"), 0.5], "no-wake")
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        result = pipeline.run(WavFileSource(wav), wake=True)
    assert result.error_code == "wake-timeout"
    assert "tts-start" not in [e.type for e in events]  # not spoken: nobody called the robot
    assert rasa.received == []


def test_broken_subscriber_does_not_break_the_turn(speaker) -> None:
    with rest_standin(REPLIES) as rasa:
        pipeline, events = make_pipeline(None, rasa.url, speaker)

        def broken(event: PipelineEvent) -> None:
            raise RuntimeError("subscriber bug")

        unsubscribe = pipeline.subscribe(broken)
        result = pipeline.run(text="아니요", play=False)
        unsubscribe()
    assert result.ok
    assert [e.type for e in events][-1] == "run-end"


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        PipelineConfig(frame_ms=15)
    with pytest.raises(ValueError):
        PipelineConfig(intent_timeout_s=0)


def test_listen_once_runs_in_the_background_and_barge_in_stops_the_reply(ko_recognizer, synth) -> None:
    # The kiosk's "press to speak": one turn in a background thread, followed through events;
    # touching the screen while the reply plays stops it at once.
    wav = synth([0.4, ("ko", "아니요"), 0.2], "turn-aniyo")
    speaking = threading.Event()
    with rest_standin(REPLIES) as rasa, Speaker(player=SilentPlayer(realtime=True)) as speaker:
        pipeline, events = make_pipeline(ko_recognizer, rasa.url, speaker)
        pipeline.subscribe(lambda e: speaking.set() if e.type == "tts-start" else None)
        thread = pipeline.listen_once(WavFileSource(wav), grammar="yes_no")
        assert thread is not None
        assert pipeline.listen_once(WavFileSource(wav)) is None  # one turn at a time
        assert speaking.wait(20)
        time.sleep(0.3)  # the reply is playing now
        started = time.monotonic()
        pipeline.barge_in()
        thread.join(5)
        assert time.monotonic() - started < 0.5
    tts_end = next(e for e in events if isinstance(e, TtsEnd))
    assert tts_end.stopped and tts_end.duration_s > 3  # the reply was long, and was cut short
    assert events[-1].type == "run-end" and events[-1].data["ok"] is True
    assert rasa.received == [{"sender": "kiosk", "message": "아니요"}]
