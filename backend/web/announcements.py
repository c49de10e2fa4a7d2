"""Spoken announcements of the queue display: "Mời số A023 đến quầy số 2".

The text is composed here; the audio is synthesised on the server by the speech package's
`speech.tts.Speaker` (so every TV sounds the same and needs no voice of its own) into a WAV
file cached by the text's hash under `<data_dir>/announcements/`. Synthesis is serialised (one
Speaker worker, and a lock): two quick calls are synthesised, and served, in the order made. The display
page plays them one after the other from its own queue. Several backend workers share the cache
safely: a file lock per text makes the second worker wait and then serve the first one's file, and a
file appears under its name only once complete (written aside, then renamed).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()


class AnnouncementError(Exception):
    """Synthesis failed; `code` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def announcement_text(number: str, counter_number: int) -> str:
    """What the display shows: "Mời số A023 đến quầy số 2"."""
    return f"Mời số {number} đến quầy số {counter_number}"


def spoken_text(number: str, counter_number: int) -> str:
    """What the voice says, with the number read digit by digit: "Mời số a không hai ba, đến quầy số hai"."""
    from vntext.numbers import number_to_words
    from vntext.spoken_codes import ticket_number_to_words

    return f"Mời số {ticket_number_to_words(number)}, đến quầy số {number_to_words(counter_number)}"


def audio_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def audio_dir(data_dir: Path) -> Path:
    return data_dir / "announcements"


def synthesize(text: str, data_dir: Path) -> Path:
    """The WAV file saying `text`, synthesised once and then served from the cache."""
    target = audio_dir(data_dir) / f"{audio_key(text)}.wav"
    if target.exists() and target.stat().st_size > 44:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, open(target.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker process synthesising the same text
        if target.exists() and target.stat().st_size > 44:
            return target
        partial = target.with_name(f"{target.stem}.{os.getpid()}.part.wav")
        try:
            _synthesize_to_file(text, partial)
            if not partial.exists() or partial.stat().st_size <= 44:
                raise AnnouncementError("tts-empty", "Không tạo được âm thanh thông báo.")
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    logger.info("announcement audio synthesised (%d bytes)", target.stat().st_size)
    return target


def _synthesize_to_file(text: str, path: Path) -> None:
    """Write `text` spoken in Vietnamese to `path` (WAV) with the speech package's TTS."""
    from speech.errors import SpeechError

    try:
        _speaker().synthesize(text, path, timeout=60)
    except SpeechError as err:
        raise AnnouncementError(
            "tts-failed", "Bộ đọc tiếng Việt (espeak-ng) không tạo được âm thanh."
        ) from err


_SPEAKER: Any = None


def _speaker() -> Any:
    """One `speech.tts.Speaker` per process: its worker thread synthesises one text at a time, in order."""
    global _SPEAKER
    if _SPEAKER is None:
        from speech.tts import SilentPlayer, Speaker

        _SPEAKER = Speaker(player=SilentPlayer(realtime=False))
    return _SPEAKER
