"""Helpers of the speech tests (imported by name: pytest puts this folder on sys.path)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from speech.sources import SAMPLE_RATE

# Korean words that espeak-ng says clearly enough for the small Korean model. "안녕하세요" stands
# for the wake phrase "robot ơi"; the other words of the wake grammar are decoys.
KO_WAKE_PHRASES = ("안녕하세요",)
KO_GRAMMARS = {"yes_no": ["네", "아니요"], "wake": ["안녕하세요", "네", "아니요"]}


def espeak(text: str, voice: str, path: Path, speed_wpm: int = 175) -> Path:
    assert shutil.which("espeak-ng"), "espeak-ng is installed by scripts/setup.sh"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed_wpm), "-w", str(path), text], check=True)
    return path


def speech_end_s(pcm: bytes, threshold: int = 300) -> float:
    """Where speech really ends in 16 kHz PCM (last sample above `threshold`)."""
    samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))
    loud = np.nonzero(samples > threshold)[0]
    return float(loud[-1] + 1) / SAMPLE_RATE if loud.size else 0.0


def trim_silence(pcm: bytes, threshold: int = 300) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > threshold)[0]
    if loud.size == 0:
        return b""
    return samples[loud[0] : loud[-1] + 1].tobytes()
