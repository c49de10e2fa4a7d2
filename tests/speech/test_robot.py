"""`letan robot`: one turn from a file as JSON lines, the voice loop, the typed fallback, and one
end-to-end turn against a real Rasa server (trained first when the cached model is stale)."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from rest_standin import rest_standin
from speech_helpers import KO_WAKE_PHRASES

from speech.intent import RasaIntent
from speech.pipeline import VoicePipeline
from speech.robot import GOODBYE, GREETING, Robot, RobotOptions
from speech.sources import WavFileSource
from speech.tts import SilentPlayer, Speaker

REPO = Path(__file__).resolve().parents[2]
LETAN = Path(sys.executable).parent / "letan"
TICKET = {
    "type": "ticket",
    "number": "A023",
    "counters": ["Quầy 2"],
    "ahead": 3,
    "estimated_wait_minutes": 15,
}
FULL_TURN = [
    *("run-start", "vad-start", "vad-end", "stt-end"),
    *("intent-start", "intent-end", "tts-start", "tts-end", "run-end"),
]
REPLIES = {
    "네": [{"text": "Bạn muốn lấy số cho thủ tục nào?"}],
    "아니요": [{"text": "Đây là số của bạn: A023, mời đến quầy 2."}, {"custom": TICKET}],
    "lấy số": [{"text": "Đây là số của bạn: A023, mời đến quầy 2."}, {"custom": TICKET}],
}


def robot_env(tmp_path: Path, rasa_url: str, model_dir: Path, grammar_file: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LETAN_RASA_URL": rasa_url,
        "LETAN_SPEECH__MODEL_DIR": str(model_dir),
        "LETAN_SPEECH__GRAMMAR_FILE": str(grammar_file),
        "LETAN_DATA_DIR": str(tmp_path / "var"),
    }


def test_audio_in_prints_the_turn_as_json_lines(tmp_path, synth, ko_model_dir, ko_grammar_file) -> None:
    wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
    reply = tmp_path / "reply.wav"
    with rest_standin(REPLIES) as rasa:
        done = subprocess.run(
            [str(LETAN), "robot", "--audio-in", str(wav), "--audio-out", str(reply), "--grammar", "yes_no"],
            capture_output=True,
            text=True,
            timeout=120,
            env=robot_env(tmp_path, rasa.url, ko_model_dir, ko_grammar_file),
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types[0] == "run-start" and types[-1] == "run-end" and events[-1]["ok"] is True
    assert [t for t in types if t != "stt-partial"] == FULL_TURN
    assert all(isinstance(e["timestamp"], float) and e["elapsed_s"] >= 0 for e in events)
    stt_end = events[types.index("stt-end")]
    assert stt_end["text"] == "네" and stt_end["words"][0]["word"] == "네"
    assert events[types.index("intent-end")]["reply"] == "Bạn muốn lấy số cho thủ tục nào?"
    with wave.open(str(reply), "rb") as out:
        assert out.getframerate() == 22050 and out.getnframes() > 22050


def test_audio_in_without_model_reports_it(tmp_path, synth, ko_grammar_file) -> None:
    wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
    with rest_standin(REPLIES) as rasa:
        done = subprocess.run(
            [str(LETAN), "robot", "--audio-in", str(wav), "--audio-out", str(tmp_path / "r.wav")],
            capture_output=True,
            text=True,
            timeout=120,
            env=robot_env(tmp_path, rasa.url, tmp_path / "no-model", ko_grammar_file),
            cwd=tmp_path,
        )
    assert done.returncode == 1
    events = [json.loads(line) for line in done.stdout.splitlines()]
    error = next(e for e in events if e["type"] == "error")
    assert error["code"] == "stt-model-missing"
    assert "màn hình cảm ứng" in error["message"]
    assert rasa.received == []


def make_robot(pipeline_recognizer, url, *, inputs, sources=None, microphone=True, mode="wake"):
    speaker = Speaker(player=SilentPlayer(realtime=False))
    pipeline = VoicePipeline(
        recognizer=pipeline_recognizer, intent=RasaIntent(url), speaker=speaker, wake_phrases=KO_WAKE_PHRASES
    )
    out = io.StringIO()
    feed = iter(inputs)

    def input_fn(prompt: str) -> str:
        out.write(prompt + "\n")
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    queue = list(sources or [])

    def source_factory():
        if not queue:
            raise EOFError
        return WavFileSource(queue.pop(0), trailing_silence_s=1.0)

    robot = Robot(
        pipeline,
        RobotOptions(mode=mode, follow_up_s=0.8),
        input_fn=input_fn,
        out=out,
        microphone=microphone,
        source_factory=source_factory,
    )
    return robot, out, speaker


def test_voice_loop_wake_answer_follow_up(ko_recognizer, synth) -> None:
    wake_and_ask = synth([0.3, ("ko", "안녕하세요"), 0.8, ("ko", "네"), 0.2], "wake-then-yes")
    follow_up = synth([0.3, ("ko", "아니요"), 0.2], "follow-no")
    silence = synth([1.5], "silence-1-5")
    not_woken = synth([0.3, ("ko", "네"), 0.2], "plain-yes")
    with rest_standin(REPLIES) as rasa:
        rasa.default = REPLIES["아니요"]  # the follow-up may be heard as "아니 에 요"
        robot, out, speaker = make_robot(
            ko_recognizer, rasa.url, inputs=[], sources=[wake_and_ask, follow_up, silence, not_woken]
        )
        assert robot.run() == 0
        speaker.close()
    text = out.getvalue()
    # wake phrase, question; follow-up heard without the wake phrase; silence ends the follow-up
    # window; then "네" without the wake phrase is not sent.
    messages = [r["message"] for r in rasa.received]
    assert len(messages) == 2 and messages[0] == "네"
    assert messages[1].startswith("아니")  # full vocabulary: "아니요" or "아니 에 요"
    assert text.index(GREETING) < text.index("Dạ, tôi nghe đây") < text.index("Bạn: 네")
    assert "│ Số: A023" in text and "│ Quầy: Quầy 2" in text
    assert text.rstrip().endswith(GOODBYE)
    assert "Không nghe thấy câu gọi robot" not in text  # silent errors stay silent


def test_no_microphone_falls_back_to_typed_input(ko_recognizer) -> None:
    with rest_standin(REPLIES) as rasa:
        robot, out, speaker = make_robot(
            ko_recognizer, rasa.url, inputs=["lấy số", "thoát"], microphone=False
        )
        assert robot.run() == 0
        speaker.close()
    text = out.getvalue()
    assert "Không tìm thấy micrô" in text
    assert rasa.received == [{"sender": "robot", "message": "lấy số"}]
    assert "Robot: Đây là số của bạn: A023, mời đến quầy 2." in text
    assert "│ Số: A023" in text


def test_no_model_falls_back_to_typed_input(tmp_path) -> None:
    with rest_standin(REPLIES) as rasa:
        robot, out, speaker = make_robot(None, rasa.url, inputs=["lấy số"], microphone=True)
        assert robot.run() == 0
        speaker.close()
    assert "Chức năng nghe giọng nói chưa sẵn sàng" in out.getvalue()
    assert "letan speech models download vi" in out.getvalue()
    assert len(rasa.received) == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_file_turn_against_real_rasa(tmp_path, synth, ko_recognizer) -> None:
    from nlu.serving import start_rasa, stop, wait_ready
    from nlu.training import train

    port = free_port()
    process = start_rasa(train(), port=port)  # trains only when the cached model is stale
    try:
        wait_ready(f"http://127.0.0.1:{port}/status", process, timeout=240)
        url = f"http://127.0.0.1:{port}"
        # typed turn: the real assistant answers in Vietnamese (a rule with a plain response, so
        # no action server is needed)
        with Speaker(player=SilentPlayer(realtime=False)) as speaker:
            pipeline = VoicePipeline(recognizer=None, intent=RasaIntent(url, timeout_s=30), speaker=speaker)
            typed = pipeline.run(text="bạn là người hay máy?", sender="speech-e2e-1", play=False)
            assert typed.ok and typed.reply, typed.error_code

            # voice turn: real Vosk, real Rasa, real espeak-ng. The Korean stand-in model cannot
            # write Vietnamese, so what it hears ("네") is replaced by the sentence the Vietnamese
            # model would write, on its way to Rasa.
            rasa = RasaIntent(url, timeout_s=30)

            class VietnameseStandIn:
                def send(self, sender: str, message: str):
                    return rasa.send(sender, {"네": "bạn là người hay máy?"}.get(message, message))

            pipeline = VoicePipeline(
                recognizer=ko_recognizer,
                intent=VietnameseStandIn(),
                speaker=speaker,
                wake_phrases=KO_WAKE_PHRASES,
            )
            wav = synth([0.4, ("ko", "네"), 0.2], "turn-ne")
            voice = pipeline.run(
                WavFileSource(wav),
                grammar="yes_no",
                sender="speech-e2e-2",
                reply_path=tmp_path / "r.wav",
                play=False,
            )
        types = [e.type for e in voice.events]
        assert voice.ok, voice.error_code
        assert [t for t in types if t != "stt-partial"] == FULL_TURN
        assert voice.reply == typed.reply  # the same answer as typed
        assert (tmp_path / "r.wav").stat().st_size > 20_000
    finally:
        stop(process)
