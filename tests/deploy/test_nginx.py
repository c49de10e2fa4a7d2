"""The city's nginx configuration, run by Debian's nginx against a real backend and dead servers.

Each upstream holds a server nobody listens on and (for the backends) a live `letan serve`; failure
accounting is off (`max_fails=0`) so that nginx tries the dead one in every round. Requests fail
over (a POST too: a refused connection sent nothing), bodies over the backend's limit stop at
nginx with the backend's message, Rasa's management API is not exposed, nothing answering gives
a Vietnamese JSON 503, upstream connections are kept alive, and no log holds a dossier code or a
query string.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.nginx_conf import NginxSite, nginx_binary, nginx_command, write_prefix
from tests.deploy.deploy_helpers import Proxy, running_nginx, tcp_sockets, wait_until
from tests.support.backend import RunningBackend, free_port, running_backend

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed (make setup)")

TIME_WAIT = "06"


def address(port: int) -> str:
    return f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBackend]:
    with running_backend(tmp_path_factory.mktemp("nginx-backend")) as backend:
        yield backend


@pytest.fixture(scope="module")
def proxy(backend: RunningBackend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    live = backend.root_url.removeprefix("http://")
    site = NginxSite(
        address(free_port()),
        (address(free_port()), live),
        (address(free_port()),),
        max_fails=0,
    )
    with running_nginx(tmp_path_factory.mktemp("nginx"), site) as proxy:
        yield proxy


def log_lines(proxy: Proxy, needle: str, count: int) -> list[str]:
    """The access log's lines containing `needle`, once there are `count` of them (nginx writes a
    line after the answer has gone out)."""
    wait_until(
        lambda: proxy.access_log().count(needle) >= count, 10, f"{count} access log lines with {needle}"
    )
    return [line for line in proxy.access_log().splitlines() if needle in line]


@pytest.mark.parametrize(("backends", "rasa"), [(1, 0), (2, 2), (4, 3)])
def test_the_rendered_configuration_is_valid_for_nginx(tmp_path: Path, backends: int, rasa: int) -> None:
    site = NginxSite(
        address(18080),
        tuple(address(18000 + i) for i in range(backends)),
        tuple(address(15000 + i) for i in range(rasa)),
    )
    write_prefix(site, tmp_path)
    command = [*nginx_command(tmp_path)[:-2], "-t"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "letan.conf").read_text()
    assert text.count("max_fails=1 fail_timeout=10s;") == backends + rasa
    assert ("upstream letan_rasa" in text) == bool(rasa)


def test_an_address_without_a_port_is_refused() -> None:
    with pytest.raises(ValueError, match="máy:cổng"):
        NginxSite("127.0.0.1:8080", ("127.0.0.1",))
    with pytest.raises(ValueError, match="backend"):
        NginxSite("127.0.0.1:8080", ())


def test_reads_and_ticket_posts_fail_over_from_the_dead_backend(
    proxy: Proxy, backend: RunningBackend
) -> None:
    with httpx.Client(base_url=f"{proxy.url}/api/v1", headers=backend.device_headers) as client:
        for _ in range(4):
            assert client.get("/services").status_code == 200
        numbers = []
        for _ in range(4):
            response = client.post(
                "/tickets",
                json={"service_id": "ho_tich_chung_thuc"},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            assert response.status_code == 201, response.text
            numbers.append(response.json()["number"])
    assert len(set(numbers)) == 4
    posts = log_lines(proxy, '"POST /api/v1/tickets" 201', 4)
    # Every other request met the dead server first, then went on to the live one.
    assert sum(", " in line.split("upstream=")[1] for line in posts) >= 2, posts
    assert "connect() failed (111: Connection refused)" in proxy.error_log()


def test_no_dossier_code_or_query_string_is_logged(proxy: Proxy, backend: RunningBackend) -> None:
    dossiers = backend.seed_demo()[:3]
    with httpx.Client(base_url=f"{proxy.url}/api/v1", headers=backend.device_headers) as client:
        for code, verify in dossiers:
            response = client.get(f"/dossiers/{code}", params={"verify": verify})
            assert response.status_code == 200, response.text
            assert response.json()["code"] == code
    lines = log_lines(proxy, '"GET /api/v1/dossiers/***" 200', len(dossiers))
    assert any(", " in line.split("upstream=")[1] for line in lines), "no look-up met the dead server"
    logs = proxy.access_log() + proxy.error_log()
    for code, _verify in dossiers:
        assert code not in logs
        assert code.rsplit("-", 1)[0] not in logs
    assert "verify" not in logs
    assert "?" not in proxy.access_log()


def test_a_body_over_the_backend_limit_stops_at_nginx(proxy: Proxy, backend: RunningBackend) -> None:
    key = uuid.uuid4().hex
    body = json.dumps({"service_id": "x" * 300_000})
    response = httpx.post(
        f"{proxy.url}/api/v1/tickets",
        content=body,
        headers={**backend.device_headers, "Content-Type": "application/json", "Idempotency-Key": key},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Nội dung gửi lên quá lớn. Tối đa 256 kB.", "code": "body_too_large"}
    (line,) = log_lines(proxy, f"key={key}", 1)
    assert "upstream=-" in line  # no backend saw it

    under = json.dumps({"service_id": "x" * 200_000})
    response = httpx.post(
        f"{proxy.url}/api/v1/tickets",
        content=under,
        headers={**backend.device_headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (404, 422), response.text  # the backend answered: the body went through


def test_rasa_management_api_is_not_exposed(proxy: Proxy) -> None:
    for method, path in (("PUT", "/rasa/model"), ("GET", "/rasa/conversations/x/tracker"), ("GET", "/rasa/")):
        response = httpx.request(method, f"{proxy.url}{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_nothing_answering_is_a_vietnamese_503(proxy: Proxy, tmp_path: Path) -> None:
    response = httpx.post(
        f"{proxy.url}/rasa/webhooks/rest/webhook", json={"sender": "s", "message": "xin chào"}
    )
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Trợ lý trò chuyện đang không trả lời.",
        "code": "assistant_unavailable",
    }
    site = NginxSite(address(free_port()), (address(free_port()),))
    with running_nginx(tmp_path, site) as alone:
        response = httpx.get(f"{alone.url}/api/v1/services")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "Máy chủ của điểm phục vụ đang không trả lời.",
        "code": "backend_unavailable",
    }


def test_connections_to_the_backend_are_kept_alive(proxy: Proxy, backend: RunningBackend) -> None:
    port = int(backend.root_url.rsplit(":", 1)[1])
    before = tcp_sockets(port, TIME_WAIT)
    with httpx.Client(base_url=f"{proxy.url}/api/v1") as client:
        for _ in range(20):
            assert client.get("/health").status_code == 200
    # Without keep-alive each request would leave a closed connection behind (TIME_WAIT); a
    # stall of the machine longer than the idle timeout (4 s) may close one or two.
    assert tcp_sockets(port, TIME_WAIT) - before <= 2
