"""A fresh PostgreSQL database per test run, dropped at the end (None when no server answers)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress

ADMIN_URL = os.environ.get("LETAN_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def fresh_postgres_database(prefix: str = "letan_test") -> Iterator[str | None]:
    """Yield the SQLAlchemy URL of a new empty database, or None when PostgreSQL is absent."""
    import psycopg

    if not postgres_available():
        yield None
        return
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host_part = ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{host_part}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ThrowawayCluster:
    """A PostgreSQL server of its own (initdb + pg_ctl from /usr/lib/postgresql/*/bin) in a temporary
    folder on a free port, for tests that stop and restart the database server. The machine's
    shared server is never touched."""

    def __init__(self, folder: str, port: int, bin_dir: str, run_as: list[str]) -> None:
        self.folder = folder
        self.port = port
        self.bin_dir = bin_dir
        self.run_as = run_as
        self.data = f"{folder}/data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _pg(self, tool: str, *args: str) -> None:
        import subprocess

        command = [*self.run_as, f"{self.bin_dir}/{tool}", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
        )
        self._pg("pg_ctl", "-D", self.data, "-l", f"{self.folder}/server.log", "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")


@contextmanager
def throwaway_postgres_cluster() -> Iterator[ThrowawayCluster | None]:
    """Yield a started ThrowawayCluster (None when PostgreSQL's server programs are not installed)."""
    import glob
    import os
    import shutil
    import socket
    import tempfile

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        yield None
        return
    bin_dir = os.path.dirname(candidates[-1])
    folder = tempfile.mkdtemp(prefix="letan-pg-")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    cluster = ThrowawayCluster(folder, port, bin_dir, run_as)
    try:
        cluster._pg("initdb", "-D", cluster.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        cluster.start()
        yield cluster
    finally:
        with suppress(Exception):  # already stopped
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
