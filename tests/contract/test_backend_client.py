"""The one backend client: the real API decoded into typed resources, and its retry and error policy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contract.backend_client import BackendClient
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import DossierStatus, Priority, TicketStatus
from contract.settings import SharedSettings
from tests.support.backend import RunningBackend


@pytest.fixture
def client(backend_server: RunningBackend) -> BackendClient:
    return BackendClient(backend_server.base_url, backend_server.device_token, timeout_s=10)


def test_content_reads_decode_into_resources(client: BackendClient) -> None:
    can_cuoc = client.procedure("can_cuoc")
    assert can_cuoc.name == "Cấp, đổi thẻ căn cước" and can_cuoc.field == "cu_tru"
    assert can_cuoc.fee_text and can_cuoc.documents and can_cuoc.legal_basis
    assert can_cuoc.service_day and set(can_cuoc.verification) >= {"fee", "processing_time"}
    services = client.services()
    assert any("can_cuoc" in s.procedures for s in services)
    assert all(c.number >= 1 for s in services for c in s.counters)
    assert {p.id for p in client.procedures(q="can cuoc")} == {"can_cuoc"}
    assert client.faq("wifi").answer
    assert client.site() is not None


def test_a_ticket_and_the_board_decode(client: BackendClient) -> None:
    ticket = client.issue_ticket(procedure_id="khai_sinh", priority=Priority.ELDERLY, idempotency_key="k-1")
    assert ticket.status is TicketStatus.WAITING and ticket.priority is Priority.ELDERLY
    assert ticket.number.startswith("A") and ticket.counters
    again = client.issue_ticket(procedure_id="khai_sinh", priority=Priority.ELDERLY, idempotency_key="k-1")
    assert again.id == ticket.id  # a retry of the same request
    with pytest.raises(BackendError) as reused:  # the same key for another request
        client.issue_ticket(procedure_id="khai_sinh", idempotency_key="k-1")
    assert reused.value.status == 422 and reused.value.code == "idempotency_key_reused"
    assert client.ticket(ticket.id).number == ticket.number
    rows = {row.service_id: row for row in client.queue()}
    assert rows[ticket.service_id].waiting >= 1


def test_a_dossier_decodes_with_its_status(client: BackendClient, backend_server: RunningBackend) -> None:
    code, verify = backend_server.seed_demo()[0]
    dossier = client.dossier(code)
    assert isinstance(dossier.status, DossierStatus) and dossier.status_text and not dossier.verified
    assert client.dossier(code, verify=verify).verified


def test_a_refusal_carries_the_backends_code_and_message(client: BackendClient) -> None:
    with pytest.raises(BackendError) as refused:
        client.procedure("khong_co_thu_tuc_nay")
    assert refused.value.status == 404 and refused.value.code == "procedure_not_found"
    assert "Không tìm thấy" in refused.value.message


def test_a_device_call_without_a_token_is_explained(backend_server: RunningBackend) -> None:
    with pytest.raises(BackendError) as missing:
        BackendClient(backend_server.base_url, None).issue_ticket(service_id="x")
    assert missing.value.code == "device_token_missing" and "mã truy cập" in missing.value.message


class FlakyServer:
    """A local HTTP server answering 500 `failures` times, then 200 `{"ok": true}`; counts calls."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                owner.calls.append(self.command)
                status = 500 if len(owner.calls) <= owner.failures else 200
                body = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def flaky() -> Iterator[Any]:
    servers: list[FlakyServer] = []

    def make(failures: int) -> FlakyServer:
        servers.append(FlakyServer(failures))
        return servers[-1]

    yield make
    for server in servers:
        server.server.shutdown()


def test_a_read_is_retried_once_after_a_5xx(flaky: Any) -> None:
    server = flaky(1)
    assert BackendClient(server.url).request("GET", "/health") == {"ok": True}
    assert server.calls == ["GET", "GET"]
    twice = flaky(2)
    with pytest.raises(BackendUnavailableError) as down:
        BackendClient(twice.url).request("GET", "/health")
    assert down.value.code == "backend_unavailable" and twice.calls == ["GET", "GET"]


def test_a_post_is_retried_only_with_an_idempotency_key(flaky: Any) -> None:
    plain = flaky(1)
    with pytest.raises(BackendUnavailableError):
        BackendClient(plain.url, "t").handoff("Cần gặp cán bộ")
    assert plain.calls == ["POST"]  # a handoff is never sent twice
    keyed = flaky(1)
    client = BackendClient(keyed.url, "t")
    assert client.request("POST", "/tickets", json={}, headers={"Idempotency-Key": "a"}) == {"ok": True}
    assert keyed.calls == ["POST", "POST"]


def test_nothing_listening_is_unavailable_not_a_crash() -> None:
    from tests.support.backend import free_port

    with pytest.raises(BackendUnavailableError):
        BackendClient(f"http://127.0.0.1:{free_port()}", timeout_s=2).health()


def test_settings_resolve_the_token_file_against_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "srv" / "letan"
    data_dir.mkdir(parents=True)
    (data_dir / "device-token").write_text("tok-123\n")
    settings = SharedSettings.from_env({"LETAN_DATA_DIR": str(data_dir)})
    assert settings.device_token_file == data_dir / "device-token"
    assert settings.device_token() == "tok-123"
    relative = SharedSettings.from_env({"LETAN_DATA_DIR": str(data_dir), "LETAN_DEVICE_TOKEN_FILE": "k"})
    assert relative.device_token_file == data_dir / "k"
    assert SharedSettings.from_env({"LETAN_DEVICE_TOKEN": "env"}).device_token() == "env"
    child = settings.child_env({"PATH": "/bin"})
    assert child == {"PATH": "/bin", "LETAN_DATA_DIR": str(data_dir)}
