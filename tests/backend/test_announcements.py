"""Queue announcements synthesised by several backend worker processes at once into one cache."""

import multiprocessing
import wave
from pathlib import Path

from backend.web.announcements import spoken_text, synthesize


def _say(args: tuple[str, str]) -> str:
    text, data_dir = args
    return str(synthesize(text, Path(data_dir)))


def test_workers_synthesising_the_same_call_at_once_share_one_complete_file(tmp_path: Path) -> None:
    text = spoken_text("A023", 2)
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        paths = pool.map(_say, [(text, str(tmp_path))] * 3)
    assert len(set(paths)) == 1
    with wave.open(paths[0]) as audio:
        assert audio.getnframes() > audio.getframerate() // 2  # more than half a second of speech
    leftovers = [p.name for p in (tmp_path / "announcements").iterdir() if ".part" in p.name]
    assert leftovers == []
