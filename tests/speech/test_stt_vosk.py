"""Real Vosk recognition (Korean stand-in model) on espeak-ng speech, in grammar mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from speech.errors import SpeechError
from speech.sources import WavFileSource, frame_bytes
from speech.stt_vosk import GRAMMARS, VoskRecognizer, load_model


def recognise(recognizer: VoskRecognizer, wav: Path, grammar: str | None) -> tuple[list[str], object]:
    stream = recognizer.stream(grammar)
    pcm = WavFileSource(wav).pcm
    size = frame_bytes(30)
    partials = []
    for offset in range(0, len(pcm) - size + 1, size):
        partial = stream.accept(pcm[offset : offset + size])
        if partial:
            partials.append(partial)
    return partials, stream.final()


@pytest.mark.parametrize(
    ("word", "grammar"), [("네", "yes_no"), ("아니요", "yes_no"), ("안녕하세요", "wake")]
)
def test_grammar_recognises_synthesised_word(ko_recognizer, synth, word, grammar) -> None:
    wav = synth([0.3, ("ko", word), 0.5], f"word-{word}")
    partials, result = recognise(ko_recognizer, wav, grammar)
    assert result.text == word
    assert partials and partials[-1] == word  # streamed before the end
    assert len(result.words) == 1
    assert result.words[0].word == word
    assert 0.5 <= result.confidence <= 1.0
    assert 0.2 <= result.words[0].start_s < result.words[0].end_s <= 1.6
    assert result.real_time_factor < 0.5


def test_grammar_keeps_to_its_words(ko_recognizer, synth) -> None:
    # "안녕하세요" is not a yes/no word: in yes_no mode the answer is one of the grammar or nothing,
    # while the full vocabulary hears other words.
    wav = synth([0.3, ("ko", "안녕하세요"), 0.5], "word-annyeong")
    _, constrained = recognise(ko_recognizer, wav, "yes_no")
    assert set(constrained.text.split()) <= {"네", "아니요"}
    _, free = recognise(ko_recognizer, wav, None)
    assert free.text and not set(free.text.split()) <= {"네", "아니요"}


def test_full_vocabulary_mode_gives_words_with_confidences(ko_recognizer, synth) -> None:
    wav = synth([0.3, ("ko", "네"), 0.5], "word-ne")
    _, result = recognise(ko_recognizer, wav, None)
    assert result.text  # the small Korean model hears "네" or "예"
    assert all(0.0 <= w.confidence <= 1.0 for w in result.words)


def test_unknown_grammar_is_an_error(ko_recognizer) -> None:
    with pytest.raises(SpeechError) as caught:
        ko_recognizer.stream("no-such-grammar")
    assert caught.value.code == "stt-failed"


def test_missing_model_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(SpeechError) as caught:
        load_model(tmp_path / "vosk-model-small-vn-0.4")
    assert caught.value.code == "stt-model-missing"
    assert "giọng nói" in caught.value.message
    assert "letan speech models download vi" in (caught.value.hint or "")


def test_vietnamese_grammars_cover_codes() -> None:
    # Every word a citizen needs to read a dossier code aloud is in the code grammar.
    from vntext.spoken_codes import dossier_code_to_words

    words = set(" ".join(GRAMMARS["dossier_code"]).split())
    spoken = dossier_code_to_words("000.00.31.H26-251121-0003").split()
    assert set(spoken) <= words
    assert {"có", "không", "vâng"} <= set(GRAMMARS["yes_no"])
