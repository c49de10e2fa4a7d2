"""`letan speech ...` and `letan robot` commands."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from speech.events import PipelineEvent

app = typer.Typer(help="Nhận dạng và tổng hợp tiếng nói.", no_args_is_help=True)
robot_app = typer.Typer(help="Vòng hội thoại bằng giọng nói của robot lễ tân (không màn hình).")
models_app = typer.Typer(help="Mô hình nhận dạng tiếng nói (Vosk).", no_args_is_help=True)
app.add_typer(models_app, name="models")


def _logging() -> None:
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )


@models_app.command("download")
def models_download(
    language: Annotated[str, typer.Argument(help="ngôn ngữ: vi")] = "vi",
    sha256: Annotated[str | None, typer.Option(help="mã SHA-256 mong đợi của tệp zip")] = None,
    url: Annotated[str | None, typer.Option(help="địa chỉ tải khác (bản sao nội bộ)")] = None,
    models_dir: Annotated[Path | None, typer.Option("--dir", help="thư mục chứa mô hình")] = None,
    progress: Annotated[bool, typer.Option(help="hiện thanh tiến trình")] = True,
) -> None:
    """Tải mô hình (kiểm tra SHA-256, tải tiếp khi bị ngắt) và giải nén vào thư mục dữ liệu."""
    _logging()
    from speech.errors import SpeechError
    from speech.models import download_model
    from speech.settings import get_settings

    target_dir = models_dir or get_settings().models_dir
    try:
        path = download_model(language, target_dir, url=url, sha256=sha256, progress=progress)
    except SpeechError as err:
        typer.echo(f"Lỗi [{err.code}]: {err.message}", err=True)
        if err.detail:
            typer.echo(err.detail, err=True)
        raise typer.Exit(1) from err
    typer.echo(f"Đã cài mô hình vào {path}")


@models_app.command("list")
def models_list(
    models_dir: Annotated[Path | None, typer.Option("--dir", help="thư mục chứa mô hình")] = None,
) -> None:
    """Liệt kê mô hình đã cài và mô hình có thể tải."""
    from speech.models import MODELS, list_models
    from speech.settings import get_settings

    settings = get_settings()
    target_dir = models_dir or settings.models_dir
    installed = list_models(target_dir)
    names = {m.name for m in installed}
    typer.echo(f"Thư mục mô hình: {target_dir}")
    typer.echo(f"Mô hình đang dùng (LETAN_SPEECH__MODEL_DIR): {settings.model_dir}")
    for model in installed:
        typer.echo(f"  [đã cài] {model.name}  {model.size_mb} MB  {model.path}")
    for info in MODELS.values():
        if info.name not in names:
            typer.echo(f"  [chưa cài] {info.name} ({info.language}, ~{info.size_mb} MB): {info.description}")
            typer.echo(f"             letan speech models download {info.language}")


@app.command("say")
def say(
    text: Annotated[str, typer.Argument(help="câu cần đọc")],
    out: Annotated[Path | None, typer.Option(help="ghi ra tệp WAV thay vì phát loa")] = None,
    voice: Annotated[str | None, typer.Option(help="north | central | south")] = None,
) -> None:
    """Đọc một câu bằng giọng tiếng Việt (espeak-ng qua pyttsx3)."""
    _logging()
    from speech.errors import SpeechError
    from speech.settings import get_settings
    from speech.tts import Speaker

    settings = get_settings()
    with Speaker(voice=voice or settings.speech.voice, rate_wpm=settings.speech.rate_wpm) as speaker:
        try:
            if out is not None:
                job = speaker.synthesize(text, out)
                typer.echo(f"{out}: {job.duration_s:.2f} s, {job.sample_rate} Hz")
            else:
                job = speaker.say(text)
                job.wait(120)
                if job.error:
                    raise job.error
        except SpeechError as err:
            typer.echo(f"Lỗi [{err.code}]: {err.message}", err=True)
            raise typer.Exit(1) from err


@app.command("transcribe")
def transcribe(
    audio: Annotated[Path, typer.Argument(help="tệp WAV")],
    grammar: Annotated[str | None, typer.Option(help="yes_no | digits | dossier_code | wake")] = None,
) -> None:
    """Nhận dạng một tệp WAV (in văn bản và độ tin cậy từng từ)."""
    _logging()
    from speech.errors import SpeechError
    from speech.settings import get_settings
    from speech.sources import WavFileSource, frame_bytes
    from speech.stt_vosk import VoskRecognizer

    try:
        stream = VoskRecognizer(get_settings().model_dir).stream(grammar)
        pcm = WavFileSource(audio).pcm
        size = frame_bytes(30)
        for offset in range(0, len(pcm), size):
            stream.accept(pcm[offset : offset + size])
        result = stream.final()
    except SpeechError as err:
        typer.echo(f"Lỗi [{err.code}]: {err.message}", err=True)
        if err.hint:
            typer.echo(err.hint, err=True)
        raise typer.Exit(1) from err
    typer.echo(result.text)
    for word in result.words:
        typer.echo(f"  {word.word}\t{word.confidence:.2f}\t{word.start_s:.2f}-{word.end_s:.2f}")
    typer.echo(f"RTF {result.real_time_factor:.3f}")


@robot_app.callback(invoke_without_command=True)
def robot(
    audio_in: Annotated[
        Path | None, typer.Option("--audio-in", help="chạy một lượt từ tệp WAV, in sự kiện dạng JSON")
    ] = None,
    audio_out: Annotated[Path | None, typer.Option("--audio-out", help="tệp WAV cho câu trả lời")] = None,
    grammar: Annotated[str | None, typer.Option(help="yes_no | digits | dossier_code")] = None,
    mode: Annotated[str, typer.Option(help="wake (gọi 'robot ơi') | push (nhấn Enter) | always")] = "wake",
    sender: Annotated[str, typer.Option(help="mã cuộc hội thoại gửi cho Rasa")] = "robot",
    greet: Annotated[bool, typer.Option(help="chào khi bắt đầu")] = True,
) -> None:
    """Robot lễ tân: chào, nghe, hỏi Rasa, trả lời bằng giọng nói."""
    _logging()
    from speech.settings import get_settings

    settings = get_settings()
    if audio_in is not None:
        from speech.robot import run_file_turn

        stream = sys.stdout

        def emit(event: PipelineEvent) -> None:
            stream.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
            stream.flush()

        result = run_file_turn(
            settings, audio_in, audio_out=audio_out, emit=emit, grammar=grammar, sender=sender
        )
        raise typer.Exit(0 if result.ok else 1)

    from speech.robot import Robot, RobotOptions, build_pipeline, robot_player

    if mode not in ("wake", "push", "always"):
        raise typer.BadParameter("mode: wake | push | always")
    pipeline, speaker = build_pipeline(settings, player=robot_player(settings))
    options = RobotOptions(mode=mode, follow_up_s=settings.speech.follow_up_s, greet=greet, sender=sender)
    try:
        code = Robot(pipeline, options, out=sys.stdout).run()
    finally:
        speaker.close()
    raise typer.Exit(code)
