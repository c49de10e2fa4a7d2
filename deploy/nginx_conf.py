"""The nginx configuration of a city, rendered from `letan.conf.j2`: ports and upstreams are parameters.

For Debian's nginx (the http-level part, included by /etc/nginx/nginx.conf):

    .venv/bin/python deploy/nginx_conf.py --listen 0.0.0.0:80 --log-dir /var/log/nginx \\
        --backend 127.0.0.1:8001 --backend 127.0.0.1:8002 --rasa 127.0.0.1:5005 --rasa 127.0.0.1:5006 \\
        > /etc/nginx/conf.d/letan.conf

For nginx as an unprivileged child process with its own prefix (what deploy/city.py does):

    .venv/bin/python deploy/nginx_conf.py --listen 127.0.0.1:8080 --backend 127.0.0.1:8001 --prefix DIR
    nginx -p DIR -c nginx.conf -g 'daemon off;'
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def backend_body_limit() -> int:
    """The backend's request body limit (LETAN_MAX_BODY_BYTES): nginx refuses what the backend would."""
    from backend.settings import Settings

    return Settings().max_body_bytes


@dataclass(frozen=True)
class NginxSite:
    """What nginx serves: one listening address in front of the backends and the Rasa servers."""

    listen: str
    backends: tuple[str, ...]
    rasa: tuple[str, ...] = ()
    log_dir: str = "logs"
    max_body_bytes: int = field(default_factory=backend_body_limit)
    max_fails: int = 1
    fail_timeout_s: int = 10
    keepalive: int = 64

    def __post_init__(self) -> None:
        if not self.backends:
            raise ValueError("Cần ít nhất một máy chủ backend.")
        for address in (self.listen, *self.backends, *self.rasa):
            if not ADDRESS.match(address):
                raise ValueError(f"Địa chỉ '{address}' phải có dạng máy:cổng, ví dụ 127.0.0.1:8001.")


def _render(name: str, **values: object) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(DEPLOY_DIR),
        autoescape=False,  # noqa: S701 (an nginx configuration, not HTML)
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(name).render(**values)


def render_site(site: NginxSite) -> str:
    """The http-level configuration: log format, upstreams and the server block."""
    return _render(
        "letan.conf.j2",
        listen=site.listen,
        backends=site.backends,
        rasa=site.rasa,
        log_dir=site.log_dir,
        max_body_bytes=site.max_body_bytes,
        max_fails=site.max_fails,
        fail_timeout=site.fail_timeout_s,
        keepalive=site.keepalive,
    )


def write_prefix(site: NginxSite, prefix: Path, worker_processes: str = "auto") -> Path:
    """Write `prefix/nginx.conf` (+ letan.conf, logs/, tmp/) for `nginx -p prefix`; returns nginx.conf."""
    prefix = prefix.resolve()
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    (prefix / "tmp").mkdir(exist_ok=True)
    (prefix / "letan.conf").write_text(render_site(site), encoding="utf-8")
    path = prefix / "nginx.conf"
    path.write_text(
        _render("nginx.conf.j2", prefix=prefix, worker_processes=worker_processes), encoding="utf-8"
    )
    return path


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, which is not on every user's PATH); None when not installed."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def nginx_command(prefix: Path) -> list[str]:
    """nginx in the foreground with the configuration `write_prefix` wrote into `prefix`."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("Chưa cài nginx (gói Debian 'nginx'); chạy 'make setup'.")
    return [binary, "-p", str(prefix.resolve()), "-c", "nginx.conf", "-g", "daemon off;"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listen", default="127.0.0.1:8080", help="address nginx listens on")
    parser.add_argument("--backend", action="append", required=True, help="host:port of a backend (repeat)")
    parser.add_argument("--rasa", action="append", default=[], help="host:port of a Rasa server (repeat)")
    parser.add_argument("--log-dir", default="logs", help="directory of access.log and error.log")
    parser.add_argument("--max-fails", type=int, default=1)
    parser.add_argument("--fail-timeout", type=int, default=10, help="seconds")
    parser.add_argument("--prefix", type=Path, help="write a whole nginx.conf for `nginx -p PREFIX` here")
    parser.add_argument("--worker-processes", default="auto")
    args = parser.parse_args(argv)
    try:
        site = NginxSite(
            args.listen,
            tuple(args.backend),
            tuple(args.rasa),
            log_dir=args.log_dir,
            max_fails=args.max_fails,
            fail_timeout_s=args.fail_timeout,
        )
    except ValueError as err:
        parser.error(str(err))
    if args.prefix:
        path = write_prefix(site, args.prefix, args.worker_processes)
        print(f"Đã ghi {path}; chạy: nginx -p {path.parent} -c nginx.conf -g 'daemon off;'")
    else:
        sys.stdout.write(render_site(site))


if __name__ == "__main__":
    main()
