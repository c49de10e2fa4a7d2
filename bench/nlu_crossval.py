"""k-fold cross-validation of the NLU training data: `rasa test nlu --cross-validation`.

    .venv/bin/python bench/nlu_crossval.py            # 5 folds (trains 5 models: ~20 min on 2 cores)
    .venv/bin/python bench/nlu_crossval.py --folds 3

Runs in .venv-rasa with cwd nlu/ on the training data of nlu/data (hand-written, lookups and
generated from content), and prints the test-fold intent accuracy / F1 / precision, the FAQ
response selection figures, and the entity figures when the data carries entity annotations.
The training data has none (procedure and field ids come from the lookup tables, matched by the
VietnameseEntityExtractor, which folds do not change), so entity F1 is measured on the dev and
held-out sets by bench/nlu_eval.py instead.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# "test Accuracy: 0.981 (0.004)": the mean and standard deviation over the folds
_FIGURE = re.compile(r"\b(train|test) (Accuracy|F1-score|Precision): ([0-9.]+) \(([0-9.]+)\)")
_SECTIONS = (
    "Intent evaluation results",
    "Entity evaluation results",
    "Response Selection evaluation results",
)


def figures(log: str) -> dict[str, dict[str, tuple[float, float]]]:
    """{section: {"Accuracy": (mean, std), ...}} of the test folds, from Rasa's log."""
    result: dict[str, dict[str, tuple[float, float]]] = {}
    section = ""
    for line in log.splitlines():
        named = next((name for name in _SECTIONS if name in line), None)
        if named:
            section = named
            continue
        match = _FIGURE.search(line)
        if match and section and match.group(1) == "test":
            result.setdefault(section, {})[match.group(2)] = (float(match.group(3)), float(match.group(4)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from nlu.settings import NLU_DIR, get_settings
    from nlu.training import rasa_env

    out = Path(tempfile.mkdtemp(prefix="nlu-crossval-"))
    command = [
        str(get_settings().rasa_bin), "test", "nlu", "--nlu", "data", "--config", "config.yml",
        "--cross-validation", "--folds", str(args.folds), "--out", str(out), "--no-plot",
    ]  # fmt: skip
    started = time.monotonic()
    result = subprocess.run(command, cwd=NLU_DIR, env=rasa_env(), capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    log = result.stdout + result.stderr
    (out / "crossval.log").write_text(log, "utf-8")
    if result.returncode != 0:
        print(log[-3000:])
        print(f"rasa test nlu failed (code {result.returncode}); log in {out / 'crossval.log'}")
        return 1
    found = figures(log)
    print(f"{args.folds}-fold cross-validation of nlu/data in {elapsed / 60:.1f} min")
    print(f"log: {out / 'crossval.log'}")
    names = {"Intent evaluation results": "intent", "Response Selection evaluation results": "faq key"}
    for section, label in names.items():
        for metric, (mean, std) in found.get(section, {}).items():
            print(f"{label} {metric}: {mean:.3f} (± {std:.3f} over the folds)")
    entities = found.get("Entity evaluation results", {})
    if entities and any(
        re.search(r'\]\{"entity"|\]\(\w+\)', p.read_text("utf-8")) for p in (NLU_DIR / "data").rglob("*.yml")
    ):
        for metric, (mean, std) in entities.items():
            print(f"entity {metric}: {mean:.3f} (± {std:.3f})")
    else:
        print("entity F1: not measured by folds (no entity annotations in the training data; the ids")
        print("  come from the lookup tables, which every fold keeps): see bench/nlu_eval.py")
    with open("/proc/loadavg", encoding="ascii") as load:
        print(f"load average at the end: {load.read().split()[:3]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
