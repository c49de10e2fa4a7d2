"""The generated training data: deterministic, never stale, covering content, free of the dev set."""

from pathlib import Path

import pytest
import yaml

from content.files import read_content_dir
from nlu.generate import GENERATED_DIR, generate
from vntext.normalize import fold

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO.parent / "shared" / "data" / "nlu-dev.yml"


def test_committed_generated_data_is_what_content_gives(tmp_path: Path) -> None:
    written = generate(tmp_path)
    assert written, "nothing generated"
    committed = sorted(path.name for path in GENERATED_DIR.glob("*.yml"))
    assert committed == sorted(path.name for path in written)
    for path in written:
        assert path.read_text("utf-8") == (GENERATED_DIR / path.name).read_text("utf-8"), (
            f"{path.name} is stale: run `letan nlu generate` and commit"
        )


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in generate(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in generate(tmp_path / "b")}
    assert first == second


def _lookups() -> dict[str, list[str]]:
    data = yaml.safe_load((GENERATED_DIR / "lookups.yml").read_text("utf-8"))
    return {
        item["lookup"]: [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
        for item in data["nlu"]
        if "lookup" in item
    }


def test_every_content_alias_is_a_lookup_entry_with_and_without_diacritics() -> None:
    content = read_content_dir()
    tables = _lookups()
    for procedure in content.procedures:
        entries = tables.get(f"procedure:{procedure.id}", []) + tables.get(
            f"procedure_weak:{procedure.id}", []
        )
        for alias in [procedure.name, *procedure.aliases]:
            surface = " ".join(alias.lower().split())
            owners = [name for name, items in tables.items() if surface in items]
            assert owners, f"{alias!r} of {procedure.id} is missing"
            if surface in entries:
                assert fold(surface) in entries


def test_every_faq_key_and_variant_is_trained() -> None:
    content = read_content_dir()
    data = yaml.safe_load((GENERATED_DIR / "faq.yml").read_text("utf-8"))
    intents = {item["intent"]: item["examples"] for item in data["nlu"]}
    for entry in content.faq:
        assert f"faq/{entry.key}" in intents
        for variant in entry.variants:
            assert variant in intents[f"faq/{entry.key}"]


def test_no_dev_set_sentence_is_in_the_training_data() -> None:
    if not DEV_SET.is_file():
        pytest.skip(f"no evaluation set at {DEV_SET}")
    dev = {fold(item["text"]).strip(" .?!") for item in yaml.safe_load(DEV_SET.read_text("utf-8"))["items"]}
    dev = {text for text in dev if len(text.split()) > 2}
    trained = set()
    # Hand-written examples and the questions generated from content/, FAQ wording included
    # (lookups.yml holds procedure names, a vocabulary rather than sentences).
    generated = [path for path in GENERATED_DIR.glob("*.yml") if path.name != "lookups.yml"]
    written = [*(REPO / "nlu" / "data" / "nlu").glob("*.yml"), *generated]
    for path in written:
        for line in path.read_text("utf-8").splitlines():
            if line.strip().startswith("- "):
                trained.add(fold(line.strip()[2:]).strip(" .?!"))
    assert not dev & trained
