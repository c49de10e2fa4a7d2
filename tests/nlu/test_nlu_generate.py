"""The generated training data: deterministic, never stale, covering content, free of the dev set."""

from pathlib import Path

import pytest
import yaml

from content.files import read_content_dir
from nlu.generate import GENERATED_DIR, LifeEventClashError, collect_aliases, generate
from vntext.normalize import fold

REPO = Path(__file__).resolve().parents[2]


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


def test_every_life_event_names_its_procedure_with_and_without_diacritics() -> None:
    tables = _lookups()
    for procedure in read_content_dir().procedures:
        assert procedure.life_events, f"{procedure.id} has no life events"
        entries = tables[f"procedure:{procedure.id}"]
        for event in procedure.life_events:
            surface = " ".join(event.lower().split())
            assert surface in entries and fold(surface) in entries, (procedure.id, event)


def test_a_life_event_that_names_another_procedure_is_refused() -> None:
    content = read_content_dir()
    khai_tu = next(p for p in content.procedures if p.id == "khai_tu")
    clash = khai_tu.model_copy(update={"life_events": ["Giấy khai sinh"]})
    procedures = [clash if p.id == "khai_tu" else p for p in content.procedures]
    with pytest.raises(LifeEventClashError, match="khai_sinh"):
        collect_aliases(content.model_copy(update={"procedures": procedures}))


def test_every_faq_key_and_variant_is_trained() -> None:
    content = read_content_dir()
    data = yaml.safe_load((GENERATED_DIR / "faq.yml").read_text("utf-8"))
    intents = {item["intent"]: item["examples"] for item in data["nlu"]}
    for entry in content.faq:
        assert f"faq/{entry.key}" in intents
        for variant in entry.variants:
            assert variant in intents[f"faq/{entry.key}"]


def _shared(relative: str) -> Path:
    """A file of the shared folder beside the repository (or beside its worktrees' folder)."""
    for folder in REPO.parents:
        if (folder / "shared" / relative).is_file():
            return folder / "shared" / relative
    return REPO.parent / "shared" / relative


DEV_SET = _shared("data/nlu-dev.yml")
HELD_OUT = REPO / "nlu" / "tests" / "heldout.yml"


def _trained_sentences() -> set[str]:
    """Every training sentence, normalised: hand-written examples and the questions generated from
    content/, FAQ wording included (lookups.yml holds procedure names, a vocabulary)."""
    trained = set()
    generated = [path for path in GENERATED_DIR.glob("*.yml") if path.name != "lookups.yml"]
    for path in [*(REPO / "nlu" / "data" / "nlu").glob("*.yml"), *generated]:
        for line in path.read_text("utf-8").splitlines():
            if line.strip().startswith("- "):
                trained.add(fold(line.strip()[2:]).strip(" .?!"))
    return trained


def _evaluation_sentences(path: Path) -> set[str]:
    texts = {fold(item["text"]).strip(" .?!") for item in yaml.safe_load(path.read_text("utf-8"))["items"]}
    return {text for text in texts if len(text.split()) > 2}


@pytest.mark.parametrize("path", [DEV_SET, HELD_OUT], ids=["dev", "held-out"])
def test_no_evaluation_sentence_is_in_the_training_data(path: Path) -> None:
    """Neither evaluation set is trained on. The held-out sentences are never printed: only how
    many are found, so that nobody tunes on them."""
    if not path.is_file():
        pytest.skip(f"no evaluation set at {path}")
    found = len(_evaluation_sentences(path) & _trained_sentences())
    assert found == 0, f"{found} sentence(s) of {path.name} are in the training data"
