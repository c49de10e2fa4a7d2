"""Ticket issuing under load: 50 concurrent clients POST /tickets over HTTP for a fixed time.

    .venv/bin/python bench/tickets.py                      # SQLite and PostgreSQL, servers started here
    .venv/bin/python bench/tickets.py --db postgres --workers 3 --seconds 20
    .venv/bin/python bench/tickets.py --url http://127.0.0.1:8000/api/v1 --token "$(cat var/device-token)"
    .venv/bin/python bench/tickets.py --city               # 3 sites, nginx, 2 backends, PostgreSQL

Prints tickets/s, p50 and p95 latency, errors, duplicates and gaps per service (one script of
about 430 lines: a benchmark is read and run as one file). The clients speak
HTTP/1.1 keep-alive over asyncio streams so that the load generator itself uses little CPU on a
small machine shared with the server. `--city` starts a city with deploy/city.py (a fresh
PostgreSQL database, `--backends` backend processes behind nginx, no Rasa) and gives each of the
3 sites (the demo's two and a copy) a device of its own. Its server CPU is the backends' own; nginx's
and PostgreSQL's (the server processes of the bench's database) are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
LETAN = Path(sys.executable).parent / "letan"
PG_ADMIN = os.environ.get("LETAN_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    numbers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[int, int] = field(default_factory=lambda: defaultdict(int))


class Connection:
    """One keep-alive HTTP/1.1 connection (what one kiosk client holds)."""

    def __init__(self, host: str, port: int, prefix: str, token: str) -> None:
        self.host, self.port, self.prefix, self.token = host, port, prefix, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = json.dumps(body).encode()
        head = (
            f"POST {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        self.writer.write(head + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, json.loads(data) if data else {}

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def client(
    url: str, token: str, services: list[str], index: int, deadline: float, result: Result, interval: float
) -> None:
    """One kiosk: as fast as it can (interval 0) or one ticket every `interval` seconds."""
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80, parts.path.rstrip("/"), token)
    turn = index
    next_at = time.perf_counter() + (interval * index / 50 if interval else 0)
    try:
        while time.perf_counter() < deadline:
            if interval:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
                if time.perf_counter() >= deadline:
                    break
            service = services[turn % len(services)]
            turn += 1
            started = time.perf_counter()
            try:
                status, body = await connection.post("/tickets", {"service_id": service, "channel": "kiosk"})
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.errors[0] += 1
                await connection.close()
                continue
            elapsed = time.perf_counter() - started
            if status == 201:
                result.latencies.append(elapsed)
                # numbered per site: a kiosk group (device) is one site in a city
                result.numbers[f"{token}:{body['service_id']}"].append(str(body["number"]))
            else:
                result.errors[status] += 1
    finally:
        await connection.close()


def run_load(
    url: str, tokens: list[str], services: list[str], clients: int, seconds: float, rate: float = 0
) -> tuple[Result, float]:
    """Closed loop (rate 0: every client sends its next request when the last one is answered)
    or open loop at `rate` tickets/s shared by the clients. Client i is a kiosk of the group
    (device) `tokens[i % len(tokens)]`."""
    result = Result()
    interval = clients / rate if rate else 0.0

    async def main() -> float:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(
                client(url, tokens[i % len(tokens)], services, i, deadline, result, interval)
                for i in range(clients)
            )
        )
        return time.perf_counter() - started

    return result, asyncio.run(main())


def process_tree_cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of `pid` and its children (uvicorn workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def report(label: str, result: Result, elapsed: float, server_cpu: float | None = None) -> dict[str, object]:
    count = len(result.latencies)
    latencies = sorted(result.latencies)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p95 = latencies[int(0.95 * (count - 1))] * 1000 if latencies else float("nan")
    duplicates = sum(len(n) - len(set(n)) for n in result.numbers.values())
    gaps = 0
    for numbers in result.numbers.values():
        sequences = sorted(int(n[1:]) for n in set(numbers))
        if sequences:
            gaps += sequences[-1] - sequences[0] + 1 - len(sequences)
    figures = {
        "label": label,
        "tickets": count,
        "tickets_per_s": round(count / elapsed, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "errors": dict(result.errors),
        "duplicates": duplicates,
        "gaps": gaps,
    }
    line = (
        f"{label:26} {figures['tickets_per_s']:7.1f} tickets/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
        f"tickets {count}   duplicates {duplicates}   gaps {gaps}   errors {dict(result.errors) or 0}"
    )
    if server_cpu is not None and count:
        per_ticket = server_cpu / count * 1000
        figures["server_cpu_ms_per_ticket"] = round(per_ticket, 2)
        line += f"   server CPU {per_ticket:.2f} ms/ticket"
    load = os.getloadavg()[0]
    print(f"{line}   (load average {load:.1f})", flush=True)
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def service_ids(url: str) -> list[str]:
    services = get_json(f"{url}/services")
    assert isinstance(services, list)
    return [str(service["id"]) for service in services]


class Server:
    """`letan serve` in a subprocess on a fresh database."""

    def __init__(self, data_dir: Path, database_url: str | None, workers: int) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LETAN_")}
        env.update({"LETAN_DATA_DIR": str(data_dir), "LETAN_LOG_LEVEL": "WARNING"})
        if database_url:
            env["LETAN_DATABASE_URL"] = database_url
        self.log = (data_dir.parent / "server.log").open("wb")
        self.process = subprocess.Popen(
            [str(LETAN), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log.name}")
            try:
                get_json(f"{self.url}/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit("the server did not start in 90 s") from None
                time.sleep(0.3)
        self.token = (data_dir / "device-token").read_text().strip()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def bench_started_server(
    label: str, database_url: str | None, args: argparse.Namespace, workers: int
) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="letan-bench-") as tmp:
        server = Server(Path(tmp) / "var", database_url, workers)
        try:
            services = service_ids(server.url)
            if args.service:
                services = [args.service]
            run_load(server.url, [server.token], services, min(args.clients, 5), 1.0)  # warm-up
            name = f"{label} ({workers} worker{'s' if workers > 1 else ''})"
            figures = []
            for rate in [0.0] if args.rate == 0 else [0.0, args.rate]:
                cpu_before = process_tree_cpu_seconds(server.process.pid)
                result, elapsed = run_load(
                    server.url, [server.token], services, args.clients, args.seconds, rate
                )
                cpu = process_tree_cpu_seconds(server.process.pid) - cpu_before
                mode = "flat out" if rate == 0 else f"at {rate:.0f}/s"
                figures.append(report(f"{name} {mode}", result, elapsed, cpu))
            return {"label": name, "runs": figures}
        finally:
            server.stop()


def postgres_database() -> tuple[str, str] | None:
    try:
        import psycopg
    except ImportError:
        return None
    name = f"letan_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    host = PG_ADMIN.split("://", 1)[1].rsplit("/", 1)[0]
    return name, f"postgresql+psycopg://{host}/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_cpu_seconds(database: str) -> float:
    """CPU seconds of the PostgreSQL server processes serving `database` (their title names it)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes()
            if not title.startswith(b"postgres: ") or f" {database} ".encode() not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def bench_city(args: argparse.Namespace) -> None:
    """Kiosks of 3 sites (a device each) through nginx to `--backends` processes on PostgreSQL."""
    sys.path.insert(0, str(REPO))
    from contract.backend_client import BackendClient
    from deploy.city import THREE_SITES, City, CityPlan, demo_content_with_a_third_site

    database = postgres_database()
    if database is None:
        print("PostgreSQL: no server on 127.0.0.1:5432, skipped")
        return
    name, url = database
    try:
        with tempfile.TemporaryDirectory(prefix="letan-bench-city-") as tmp:
            plan = CityPlan(
                database_url=url,
                directory=Path(tmp),
                backends=args.backends,
                rasa=0,
                port=free_port(),
                nginx_workers="1",
                log_level="WARNING",
                content_dir=demo_content_with_a_third_site(Path(tmp)),
            )
            with City(plan) as city:
                assert city.nginx is not None
                tokens = [city.add_device(f"kiosk-{site}", site) for site in THREE_SITES]
                # the services every site has (each kiosk issues at its own site)
                offered = [{s.id for s in BackendClient(city.api_url, token).services()} for token in tokens]
                services = [args.service] if args.service else sorted(set.intersection(*offered))
                run_load(city.api_url, tokens, services, min(args.clients, 5), 1.0)  # warm-up
                label = f"city ({args.backends} backends, nginx, {len(THREE_SITES)} sites)"
                for rate in [0.0] if args.rate == 0 else [0.0, args.rate]:
                    backend_cpu = sum(process_tree_cpu_seconds(b.pid) for b in city.backends)
                    nginx_cpu = process_tree_cpu_seconds(city.nginx.pid)
                    database_cpu = postgres_cpu_seconds(name)
                    result, elapsed = run_load(
                        city.api_url, tokens, services, args.clients, args.seconds, rate
                    )
                    backend_cpu = sum(process_tree_cpu_seconds(b.pid) for b in city.backends) - backend_cpu
                    nginx_cpu = process_tree_cpu_seconds(city.nginx.pid) - nginx_cpu
                    database_cpu = postgres_cpu_seconds(name) - database_cpu
                    mode = "flat out" if rate == 0 else f"at {rate:.0f}/s"
                    report(f"{label} {mode}", result, elapsed, backend_cpu)
                    tickets = max(1, len(result.latencies))
                    print(
                        f"{'':26} nginx CPU {nginx_cpu / tickets * 1000:.2f} ms/ticket   PostgreSQL CPU "
                        f"{database_cpu / tickets * 1000:.2f} ms/ticket   backend processes "
                        f"{' '.join(str(b.pid) for b in city.backends)}",
                        flush=True,
                    )
    finally:
        drop_postgres_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running backend's API base URL (…/api/v1); else servers are started")
    parser.add_argument("--token", help="device token for --url (default: var/device-token)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--city",
        action="store_true",
        help="3 kiosk groups through nginx to --backends processes on PostgreSQL",
    )
    parser.add_argument("--backends", type=int, default=2, help="backend processes of --city")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=None, help="uvicorn workers (default 1 SQLite, 2 PG)")
    parser.add_argument(
        "--rate",
        type=float,
        default=300.0,
        help="after the flat-out run, a second run offering this many tickets/s in total (0: skip)",
    )
    parser.add_argument(
        "--service", help="issue every ticket for this one service (default: all, round-robin)"
    )
    args = parser.parse_args()

    print(f"{args.clients} concurrent clients, {args.seconds:.0f} s, {os.cpu_count()} CPU cores")
    if args.city:
        bench_city(args)
        return
    if args.url:
        token = args.token or (REPO / "var" / "device-token").read_text().strip()
        services = [args.service] if args.service else service_ids(args.url)
        for rate in [0.0] if args.rate == 0 else [0.0, args.rate]:
            result, elapsed = run_load(args.url, [token], services, args.clients, args.seconds, rate)
            report(f"{args.url} {'flat out' if rate == 0 else f'at {rate:.0f}/s'}", result, elapsed)
        return
    if args.db in ("sqlite", "both"):
        bench_started_server("SQLite", None, args, args.workers or 1)
    if args.db in ("postgres", "both"):
        database = postgres_database()
        if database is None:
            print("PostgreSQL: no server on 127.0.0.1:5432, skipped")
            return
        name, url = database
        try:
            bench_started_server("PostgreSQL", url, args, args.workers or 2)
        finally:
            drop_postgres_database(name)


if __name__ == "__main__":
    main()
