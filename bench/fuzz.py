"""A longer schemathesis run against a real server (`letan serve`) on SQLite and PostgreSQL.

    .venv/bin/python bench/fuzz.py                    # both databases, 100 examples per operation and mode
    .venv/bin/python bench/fuzz.py --db sqlite --examples 300

Every operation of the OpenAPI document gets generated requests, valid and invalid, with device,
counter, editor and admin tokens in turn and with none; each answer is checked against the document
(the checks: tests/support/fuzz.py). Prints, per database, the requests sent, how many got a 5xx,
the statuses seen and every violation found. Exits 1 when there was a 5xx or a violation.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def run(kind: str, examples: int) -> bool:
    import schemathesis

    from tests.support.backend import start_backend
    from tests.support.fuzz import fuzz
    from tests.support.postgres import fresh_postgres_database

    with tempfile.TemporaryDirectory() as folder, fresh_postgres_database("letan_fuzz") as url:
        if kind == "postgres" and url is None:
            print("postgres: skipped (no server on 127.0.0.1:5432)")
            return True
        extra = {"LETAN_LOGIN_ATTEMPTS_PER_MINUTE": "1000000"}
        server = start_backend(
            Path(folder), database_url=url if kind == "postgres" else None, extra_env=extra
        )
        try:
            server.seed_demo()
            tokens = [server.device_token]
            for role in ("counter", "editor", "admin"):
                server.create_user(f"fuzz-{role}", role)
                tokens.append(server.staff_token(f"fuzz-{role}"))
            authorizations = itertools.cycle([*(f"Bearer {token}" for token in tokens), None])
            schema = schemathesis.openapi.from_url(f"{server.root_url}/openapi.json")
            started = time.monotonic()
            report = fuzz(
                schema, authorizations, examples=examples, derandomize=False, base_url=server.root_url
            )
            seconds = time.monotonic() - started
        finally:
            server.stop()
    print(f"{kind}: {report.summary()} in {seconds:.0f} s")
    for violation in report.violations:
        print(f"  - {violation}")
    return report.server_errors == 0 and not report.violations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--examples", type=int, default=100, help="per operation and per mode")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    with open("/proc/loadavg") as handle:
        print(f"load average before: {handle.read().strip()}")
    ok = all([run(kind, args.examples) for kind in kinds])
    with open("/proc/loadavg") as handle:
        print(f"load average after: {handle.read().strip()}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
