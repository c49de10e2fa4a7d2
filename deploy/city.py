"""A city on one machine: backends on PostgreSQL, Rasa servers, their action servers, nginx in front.

    .venv/bin/python deploy/city.py up --backends 2 --rasa 2 --db postgresql+psycopg://postgres@127.0.0.1/letan

prints the addresses (nginx's, then each process's own) and runs until Ctrl-C, which stops all.
One `letan prepare` migrates the database and loads content/, then every backend runs
`letan serve --skip-prepare` with the same LETAN_SECRET_KEY (a staff token works on any of
them). The Rasa servers share conversations through the SQL tracker store and the Redis lock
store (nlu/endpoints-scaled.yml); each has its own action server, which reaches the backends
through nginx. nginx runs unprivileged with its own prefix (`nginx -p DIR`). Logs: DIR/logs/.
The test (tests/deploy/test_city.py) and bench/tickets.py --city use `City` directly.
One module (about 490 lines) because it is one tool: the plan, the processes it starts in order
and their stopping belong together, and nothing in the product imports it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as `python deploy/city.py`
    sys.path.insert(0, str(REPO))

from deploy.nginx_conf import NginxSite, nginx_command, write_prefix  # noqa: E402

LETAN = Path(sys.executable).parent / "letan"


class CityError(Exception):
    """The city could not start; the message is for the operator (Vietnamese)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_ok(url: str, timeout: float = 2.0) -> bool:
    import requests

    try:
        return requests.get(url, timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


def demo_content_with_a_third_site(folder: Path) -> Path:
    """A copy of the demo content with a third service point `phuong-mau-ba` (a copy of the second
    under its own id, name and wifi), for a city of three sites on this machine (tests, bench)."""
    import shutil

    from content.files import default_content_dir

    content = folder / "content"
    shutil.copytree(default_content_dir(), content)
    second = (content / "sites" / "phuong-mau-hai.yml").read_text("utf-8")
    third = second.replace("phuong-mau-hai", "phuong-mau-ba").replace("Mẫu Hai", "Mẫu Ba")
    (content / "sites" / "phuong-mau-ba.yml").write_text(third.replace("MauHai", "MauBa"), "utf-8")
    return content


THREE_SITES = ("default", "phuong-mau-hai", "phuong-mau-ba")


@dataclass
class Child:
    """One process of the city, with its own address and a log file."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    ready_url: str
    log_path: Path
    stop_signal: int = signal.SIGTERM

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """`kill -9`: what a crash looks like."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> None:
        if self.alive():
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""


@dataclass(frozen=True)
class RedisLocation:
    host: str = "127.0.0.1"
    port: int = 6379
    db: int = 1

    @classmethod
    def from_url(cls, url: str) -> RedisLocation:
        parts = urlsplit(url)
        if parts.scheme != "redis" or not parts.hostname:
            raise CityError(f"Địa chỉ Redis '{url}' phải có dạng redis://máy:cổng/số-db.")
        db = parts.path.strip("/")
        return cls(parts.hostname, parts.port or 6379, int(db) if db else 1)


@dataclass(frozen=True)
class CityPlan:
    """What to run. Ports of the processes behind nginx are free ports unless given."""

    database_url: str
    directory: Path
    backends: int = 2
    rasa: int = 2
    host: str = "127.0.0.1"
    port: int = 8080
    tracker_database_url: str | None = None  # default: the backend's database
    redis: RedisLocation = field(default_factory=RedisLocation)
    redis_prefix: str = "letan"
    secret_key: str | None = None  # default: LETAN_SECRET_KEY, else a new random key
    nginx_workers: str = "auto"
    log_level: str = "INFO"
    ready_timeout_s: float = 240.0
    content_dir: Path | None = None  # the city's content (procedures, FAQ, its sites); default content/

    def __post_init__(self) -> None:
        if not self.database_url.startswith("postgresql"):
            raise CityError("Một thành phố chạy trên PostgreSQL: --db postgresql+psycopg://người@máy/csdl.")
        if self.backends < 1 or self.rasa < 0:
            raise CityError("Cần ít nhất một backend (--backends) và không âm máy chủ Rasa (--rasa).")


def tracker_store_env(database_url: str) -> dict[str, str]:
    """The LETAN_NLU_TRACKER_DB_* variables of nlu/endpoints-scaled.yml for a database URL."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return {
        "LETAN_NLU_TRACKER_DB_HOST": url.host or "127.0.0.1",
        "LETAN_NLU_TRACKER_DB_PORT": str(url.port or 5432),
        "LETAN_NLU_TRACKER_DB": url.database or "",
        "LETAN_NLU_TRACKER_DB_USER": url.username or "",
        "LETAN_NLU_TRACKER_DB_PASSWORD": url.password or "",
    }


def scaled_endpoints(directory: Path, redis: RedisLocation, prefix: str) -> str:
    """nlu/endpoints-scaled.yml, or a copy of it in `directory` with another Redis db and key prefix."""
    import yaml

    from nlu.settings import NLU_DIR

    source = NLU_DIR / "endpoints-scaled.yml"
    endpoints = yaml.safe_load(source.read_text(encoding="utf-8"))
    lock_store = endpoints["lock_store"]
    if lock_store.get("db") == redis.db and lock_store.get("key_prefix") == prefix:
        return source.name
    lock_store.update(db=redis.db, key_prefix=prefix)
    copy = directory / "endpoints-scaled.yml"
    copy.write_text(
        f"# {source} with Redis db {redis.db} and key prefix {prefix!r} (written by deploy/city.py)\n"
        + yaml.safe_dump(endpoints, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return str(copy)


class City:
    """Start with `with City(plan) as city:`; `city.api_url` is nginx's API address."""

    def __init__(self, plan: CityPlan) -> None:
        self.plan = plan
        self.directory = plan.directory.resolve()
        self.logs = self.directory / "logs"
        self.data_dir = self.directory / "var"
        self.secret_key = plan.secret_key or os.environ.get("LETAN_SECRET_KEY") or secrets.token_urlsafe(32)
        self.root_url = f"http://{plan.host}:{plan.port}"
        self.backends: list[Child] = []
        self.action_servers: list[Child] = []
        self.rasa_servers: list[Child] = []
        self.nginx: Child | None = None

    # ------------------------------------------------------------------ addresses
    @property
    def api_url(self) -> str:
        return f"{self.root_url}/api/v1"

    @property
    def rasa_url(self) -> str:
        """What kiosks use as LETAN_RASA_URL."""
        return f"{self.root_url}/rasa"

    @property
    def nginx_access_log(self) -> Path:
        return self.directory / "nginx" / "logs" / "access.log"

    @property
    def nginx_error_log(self) -> Path:
        return self.directory / "nginx" / "logs" / "error.log"

    def children(self) -> list[Child]:
        return [
            *self.backends,
            *self.action_servers,
            *self.rasa_servers,
            *([self.nginx] if self.nginx else []),
        ]

    # ------------------------------------------------------------------ environment
    def backend_env(self) -> dict[str, str]:
        """The environment of every backend process and `letan` command of this city."""
        env = dict(os.environ)
        env.update(
            LETAN_DATABASE_URL=self.plan.database_url,
            LETAN_SECRET_KEY=self.secret_key,
            LETAN_DATA_DIR=str(self.data_dir),
            LETAN_LOG_LEVEL=self.plan.log_level,
        )
        if self.plan.content_dir is not None:
            env["LETAN_CONTENT_DIR"] = str(self.plan.content_dir)
        return env

    def letan(self, *args: str) -> str:
        """Run `letan ARGS...` on the city's database; returns its output."""
        result = subprocess.run(  # noqa: S603
            [str(LETAN), *args],
            env=self.backend_env(),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise CityError(f"letan {' '.join(args)} thất bại ({result.returncode}): {result.stderr[-2000:]}")
        return result.stdout

    def add_device(self, name: str, site: str | None = None) -> str:
        """A new device (a kiosk, a robot) of a site and its token (printed alone on the last line)."""
        return (
            self.letan("devices", "add", name, *(["--site", site] if site else [])).strip().splitlines()[-1]
        )

    # ------------------------------------------------------------------ start and stop
    def _spawn(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        url: str,
        ready_url: str,
        cwd: Path = REPO,
        stop_signal: int = signal.SIGTERM,
    ) -> Child:
        log_path = self.logs / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603
                command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return Child(name, process, url, ready_url, log_path, stop_signal)

    def start_backend(self, index: int) -> Child:
        port = free_port()
        url = f"http://{self.plan.host}:{port}"
        command = [str(LETAN), "serve", "--skip-prepare", "--host", self.plan.host, "--port", str(port)]
        return self._spawn(f"backend-{index}", command, self.backend_env(), url, f"{url}/api/v1/health")

    def start(self) -> None:
        from nlu.serving import actions_command, rasa_server_command
        from nlu.settings import NLU_DIR
        from nlu.training import rasa_env, train

        self.logs.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.letan("prepare")  # migrations and content once, before any backend serves
        model = train() if self.plan.rasa else None
        self.backends = [self.start_backend(i + 1) for i in range(self.plan.backends)]
        if model is not None:
            endpoints = scaled_endpoints(self.directory, self.plan.redis, self.plan.redis_prefix)
            for i in range(1, self.plan.rasa + 1):
                actions_port, rasa_port = free_port(), free_port()
                actions_url = f"http://{self.plan.host}:{actions_port}"
                actions_env = {
                    **rasa_env(),
                    "SANIC_HOST": self.plan.host,
                    "LETAN_BACKEND_URL": self.api_url,  # through nginx: any backend will do
                    # the token of the device 'local', written by `letan prepare`
                    "LETAN_DEVICE_TOKEN_FILE": str(self.data_dir / "device-token"),
                }
                self.action_servers.append(
                    self._spawn(
                        f"actions-{i}",
                        actions_command(self.plan.host, actions_port),
                        actions_env,
                        actions_url,
                        f"{actions_url}/health",
                        cwd=NLU_DIR,
                        stop_signal=signal.SIGINT,
                    )
                )
                rasa_env_i = {
                    **rasa_env(),
                    **tracker_store_env(self.plan.tracker_database_url or self.plan.database_url),
                    "LETAN_NLU_ACTION_URL": f"{actions_url}/webhook",
                    "LETAN_NLU_LOCK_REDIS_HOST": self.plan.redis.host,
                    "LETAN_NLU_LOCK_REDIS_PORT": str(self.plan.redis.port),
                }
                rasa_url = f"http://{self.plan.host}:{rasa_port}"
                self.rasa_servers.append(
                    self._spawn(
                        f"rasa-{i}",
                        rasa_server_command(model, self.plan.host, rasa_port, endpoints),
                        rasa_env_i,
                        rasa_url,
                        f"{rasa_url}/status",
                        cwd=NLU_DIR,
                        stop_signal=signal.SIGINT,
                    )
                )
        self.wait_ready([*self.backends, *self.action_servers, *self.rasa_servers])
        self.nginx = self.start_nginx()
        self.wait_ready([self.nginx])

    def start_nginx(self) -> Child:
        site = NginxSite(
            f"{self.plan.host}:{self.plan.port}",
            tuple(urlsplit(b.url).netloc for b in self.backends),
            tuple(urlsplit(r.url).netloc for r in self.rasa_servers),
        )
        prefix = self.directory / "nginx"
        write_prefix(site, prefix, self.plan.nginx_workers)
        try:
            command = nginx_command(prefix)
        except FileNotFoundError as err:
            raise CityError(str(err)) from err
        ready = f"{self.rasa_url}/status" if self.rasa_servers else f"{self.api_url}/health"
        return self._spawn(
            "nginx", command, dict(os.environ), self.root_url, ready, stop_signal=signal.SIGQUIT
        )

    def wait_ready(self, children: list[Child]) -> None:
        """Until every child answers 200 on its ready address; CityError when one exits or time runs out."""
        deadline = time.monotonic() + self.plan.ready_timeout_s
        waiting = list(children)
        while waiting:
            for child in list(waiting):
                if not child.alive():
                    raise CityError(
                        f"{child.name} đã dừng (mã {child.process.returncode}); nhật ký {child.log_path}:\n"
                        f"{child.log_tail()}"
                    )
                if http_ok(child.ready_url):
                    waiting.remove(child)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(c.name for c in waiting)
                raise CityError(f"{names} chưa sẵn sàng sau {self.plan.ready_timeout_s:.0f} giây.")
            if waiting:
                time.sleep(0.3)

    def stop(self) -> None:
        """nginx first (no new requests), then Rasa, the action servers and the backends."""
        for child in reversed(self.children()):
            child.stop()

    def __enter__(self) -> City:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ report
    def describe(self) -> str:
        lines = [
            f"  API (qua nginx)       {self.api_url}",
            f"  trang cán bộ          {self.root_url}/staff/",
        ]
        if self.rasa_servers:
            lines.append(f"  trợ lý (qua nginx)    {self.rasa_url}   (LETAN_RASA_URL của ki-ốt)")
        lines += [f"  {c.name:21} {c.url}   (pid {c.pid})" for c in self.children() if c is not self.nginx]
        lines.append(f"  nhật ký               {self.logs}/ và {self.nginx_access_log.parent}/")
        return "\n".join(lines)


def watch(city: City) -> None:
    """Say when a process of the city stops (nginx carries on with the others)."""
    reported: set[str] = set()
    while True:
        for child in city.children():
            if not child.alive() and child.name not in reported:
                reported.add(child.name)
                print(f"Cảnh báo: {child.name} đã dừng (mã {child.process.returncode}); xem {child.log_path}")
        time.sleep(1)


def up(args: argparse.Namespace) -> None:
    directory = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="letan-city-"))
    plan = CityPlan(
        database_url=args.db,
        directory=directory,
        backends=args.backends,
        rasa=args.rasa,
        host=args.host,
        port=args.port,
        tracker_database_url=args.tracker_db,
        redis=RedisLocation.from_url(args.redis),
        redis_prefix=args.redis_prefix,
        nginx_workers=args.nginx_workers,
    )
    started = time.monotonic()
    city = City(plan)
    # Ctrl-C reaches this process only (the children have sessions of their own): stop in order.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with city:
            print(f"Thành phố sẵn sàng sau {time.monotonic() - started:.0f} giây:", flush=True)
            print(city.describe(), flush=True)
            print("Ctrl-C để dừng tất cả.", flush=True)
            try:
                watch(city)
            except KeyboardInterrupt:
                print("Đang dừng…", flush=True)
    except KeyboardInterrupt:  # while starting
        print("Đã dừng.", flush=True)
    finally:
        if not args.dir:
            shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start the city in the foreground (Ctrl-C stops all)")
    start.add_argument("--db", default=os.environ.get("LETAN_DATABASE_URL"), help="backend database URL")
    start.add_argument("--backends", type=int, default=2)
    start.add_argument("--rasa", type=int, default=2, help="Rasa servers (each with its action server)")
    start.add_argument("--tracker-db", help="database of Rasa's conversations (default: --db)")
    start.add_argument("--redis", default="redis://127.0.0.1:6379/1", help="Redis of the conversation locks")
    start.add_argument("--redis-prefix", default="letan", help="key prefix of the conversation locks")
    start.add_argument("--host", default="127.0.0.1")
    start.add_argument("--port", type=int, default=8080, help="nginx's port")
    start.add_argument("--dir", help="directory of logs, nginx prefix, data (default: a temporary one)")
    start.add_argument("--nginx-workers", default="auto")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("--db (or LETAN_DATABASE_URL) is required: postgresql+psycopg://user@host/db")
    if not LETAN.exists():
        parser.error(f"{LETAN} not found: run with the project's Python, .venv/bin/python deploy/city.py")
    try:
        up(args)
    except CityError as err:
        print(f"Lỗi: {err}", file=sys.stderr)
        raise SystemExit(1) from err


if __name__ == "__main__":
    main()
