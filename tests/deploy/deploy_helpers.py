"""Helpers of the deployment tests: nginx run from the configuration deploy/ writes, and sockets."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.nginx_conf import NginxSite, nginx_command, write_prefix


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Proxy:
    url: str
    prefix: Path
    process: subprocess.Popen[bytes]

    def access_log(self) -> str:
        return (self.prefix / "logs" / "access.log").read_text(errors="replace")

    def error_log(self) -> str:
        return (self.prefix / "logs" / "error.log").read_text(errors="replace")


@contextmanager
def running_nginx(prefix: Path, site: NginxSite) -> Iterator[Proxy]:
    """nginx (one worker) in the foreground with `site`, until the context ends."""
    write_prefix(site, prefix, worker_processes="1")
    log = (prefix / "nginx.out").open("wb")
    process = subprocess.Popen(nginx_command(prefix), stdout=log, stderr=subprocess.STDOUT)
    log.close()
    port = int(site.listen.rsplit(":", 1)[1])
    try:
        wait_until(lambda: process.poll() is not None or port_open(port), 30, "nginx to listen")
        assert process.poll() is None, (prefix / "nginx.out").read_text()
        yield Proxy(f"http://{site.listen}", prefix, process)
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def tcp_sockets(port: int, state: str) -> int:
    """IPv4 sockets on this machine with `port` at either end in `state` (hex code of /proc/net/tcp,
    "01" established, "06" TIME_WAIT)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, current = fields[1], fields[2], fields[3]
        ports = {int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)}
        if port in ports and current == state:
            count += 1
    return count


def unread_bytes(port: int) -> int:
    """Bytes received on sockets listening-side at `port` that the process has not read yet."""
    total = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            total += int(fields[4].split(":")[1], 16)
    return total
