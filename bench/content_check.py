"""How long `letan content check`, reading and writing the content directory take (median of runs)."""

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from content.check import check_content_dir
from content.files import read_content_dir, write_content_dir


def median_ms(action: Callable[[], object], runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    content_set = read_content_dir()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        figures = {
            "check (parse + every rule)": median_ms(check_content_dir),
            "read_content_dir": median_ms(read_content_dir),
            "write_content_dir (fresh dir)": median_ms(
                lambda: write_content_dir(content_set, out / str(time.perf_counter_ns()))
            ),
        }
    print(f"content: {len(content_set.procedures)} procedures, {len(content_set.faq)} FAQ entries")
    for name, value in figures.items():
        print(f"{name:32s} {value:8.1f} ms (median of 20)")


if __name__ == "__main__":
    main()
