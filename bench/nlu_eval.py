"""Evaluate a running Rasa server on the NLU development set, and measure serving figures.

    .venv/bin/python bench/nlu_eval.py --url http://127.0.0.1:5005
    .venv/bin/python bench/nlu_eval.py --start        # trains if needed, starts Rasa + actions + backend

Prints intent accuracy overall and per kind (s, n, a, c), procedure / field / dossier_code entity
F1, the worst confusions, and with --start: time to ready, resident memory, /model/parse p50/p95
and webhook p50/p95 for a turn that calls the backend.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
# The shared folder sits beside the repository (or beside the folder of its worktrees).
DEV_SET = next(
    (
        folder / "shared/data/nlu-dev.yml"
        for folder in REPO.parents
        if (folder / "shared/data/nlu-dev.yml").is_file()
    ),
    REPO.parent / "shared/data/nlu-dev.yml",
)
ENTITIES = ("procedure", "field", "dossier_code")


def load_items(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text("utf-8"))["items"])


def predicted_intent(result: dict[str, Any]) -> str:
    intent = str((result.get("intent") or {}).get("name"))
    if intent == "faq":
        key = (
            ((result.get("response_selector") or {}).get("faq") or {})
            .get("response", {})
            .get("intent_response_key")
        )
        return str(key or "faq")
    return intent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def evaluate(url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    session = requests.Session()
    by_kind: dict[str, list[bool]] = defaultdict(list)
    confusions: Counter[tuple[str, str]] = Counter()
    counts = {name: {"tp": 0, "fp": 0, "fn": 0} for name in ENTITIES}
    typed_codes = [0, 0]
    latencies = []
    errors = []
    for item in items:
        start = time.perf_counter()
        result = session.post(f"{url}/model/parse", json={"text": item["text"]}, timeout=30).json()
        latencies.append((time.perf_counter() - start) * 1000)
        intent = predicted_intent(result)
        ok = intent == item["intent"]
        by_kind[item["kind"]].append(ok)
        if not ok:
            confusions[(item["intent"], intent)] += 1
            errors.append((item["intent"], intent, item["text"]))
        found = {e["entity"]: str(e["value"]) for e in result.get("entities", [])}
        for name in ENTITIES:
            gold = item.get(name)
            got = found.get(name)
            if gold is not None and got == str(gold):
                counts[name]["tp"] += 1
            else:
                if gold is not None:
                    counts[name]["fn"] += 1
                if got is not None:
                    counts[name]["fp"] += 1
        if item.get("dossier_code") and any(ch.isdigit() for ch in item["text"]):
            typed_codes[1] += 1
            typed_codes[0] += int(found.get("dossier_code") == item["dossier_code"])
    f1 = {}
    for name, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1[name] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    every = [ok for oks in by_kind.values() for ok in oks]
    return {
        "accuracy": sum(every) / len(every),
        "by_kind": {kind: (sum(oks) / len(oks), len(oks)) for kind, oks in sorted(by_kind.items())},
        "f1": f1,
        "counts": counts,
        "typed_codes": typed_codes,
        "confusions": confusions.most_common(8),
        "errors": errors,
        "parse_ms": latencies,
    }


def report(result: dict[str, Any], show_errors: bool) -> None:
    print(
        f"intent accuracy: {result['accuracy']:.1%} "
        f"over {sum(n for _, n in result['by_kind'].values())} items"
    )
    for kind, (accuracy, n) in result["by_kind"].items():
        print(f"  kind {kind}: {accuracy:.1%} ({n})")
    for name, value in result["f1"].items():
        c = result["counts"][name]
        print(f"entity {name}: F1 {value:.3f} (tp {c['tp']}, fp {c['fp']}, fn {c['fn']})")
    ok, total = result["typed_codes"]
    print(f"typed dossier codes: {ok}/{total}")
    print("worst confusions (gold -> predicted: count):")
    for (gold, got), count in result["confusions"]:
        print(f"  {gold} -> {got}: {count}")
    if show_errors:
        for gold, got, text in result["errors"]:
            print(f"  [{gold} -> {got}] {text}")
    ms = result["parse_ms"]
    print(f"/model/parse: p50 {percentile(ms, 0.5):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms")


def webhook_latency(url: str, text: str, turns: int = 40) -> list[float]:
    """A turn that calls the backend (an FAQ or procedure answer), each in a new conversation."""
    session = requests.Session()
    values = []
    for _ in range(turns):
        sender = f"bench-{uuid.uuid4().hex[:8]}"
        start = time.perf_counter()
        response = session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
        )
        values.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return values


def start_everything(args: argparse.Namespace) -> tuple[str, list[Any]]:
    """Backend (tests/support), action server and Rasa on free ports; prints serving figures."""
    import tempfile

    sys.path.insert(0, str(REPO))
    from nlu.serving import resident_memory_mb, start_actions, start_rasa, wait_ready
    from nlu.training import train
    from tests.support.backend import free_port, running_backend

    model = train()
    tmp = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
    backend = running_backend(tmp).__enter__()
    env = {"LETAN_BACKEND_URL": backend.base_url, "LETAN_DEVICE_TOKEN": backend.device_token}
    actions_port, rasa_port = free_port(), free_port()
    actions = start_actions(port=actions_port, env=env)
    wait_ready(f"http://127.0.0.1:{actions_port}/health", actions, 60)
    started = time.monotonic()
    rasa = start_rasa(
        model, port=rasa_port, env={"LETAN_NLU_ACTION_URL": f"http://127.0.0.1:{actions_port}/webhook"}
    )
    url = f"http://127.0.0.1:{rasa_port}"
    wait_ready(f"{url}/status", rasa, 180)
    ready = time.monotonic() - started
    print(f"server ready in {ready:.1f} s, resident memory {resident_memory_mb(rasa.pid):.0f} MB")
    return url, [rasa, actions, backend]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--data", type=Path, default=DEV_SET)
    parser.add_argument("--start", action="store_true", help="start backend, actions and Rasa here")
    parser.add_argument("--errors", action="store_true", help="list every misclassified item")
    args = parser.parse_args()
    handles: list[Any] = []
    url = args.url
    if args.start:
        url, handles = start_everything(args)
    try:
        result = evaluate(url, load_items(args.data))
        report(result, args.errors)
        if args.start:
            from nlu.serving import resident_memory_mb

            ms = webhook_latency(url, "lệ phí đăng ký kết hôn bao nhiêu")
            print(
                f"webhook (backend-calling turn): p50 {percentile(ms, 0.5):.1f} ms, "
                f"p95 {percentile(ms, 0.95):.1f} ms"
            )
            print(f"resident memory after the run: {resident_memory_mb(handles[0].pid):.0f} MB")
    finally:
        from contextlib import suppress

        for handle in handles:
            with suppress(Exception):
                if hasattr(handle, "pid"):
                    from nlu.serving import stop

                    stop(handle)
                else:
                    handle.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
