"""The one backend client: the real API decoded into typed resources, and its retry and error policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.backend_client import BackendClient
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import DossierStatus, Priority, TicketStatus
from contract.settings import SharedSettings
from tests.support.backend import RunningBackend
from tests.support.recorders import http_recorder


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


def test_a_read_is_retried_once_after_a_5xx() -> None:
    with http_recorder(failures=1) as server:
        assert BackendClient(server.url).request("GET", "/health") == {"ok": True, "id": "m1"}
    assert [r.method for r in server.received] == ["GET", "GET"]
    with http_recorder(failures=2) as twice, pytest.raises(BackendUnavailableError) as down:
        BackendClient(twice.url).request("GET", "/health")
    assert down.value.code == "backend_unavailable" and len(twice.received) == 2


def test_a_post_is_retried_only_with_an_idempotency_key() -> None:
    with http_recorder(failures=1) as plain, pytest.raises(BackendUnavailableError):
        BackendClient(plain.url, "t").handoff("Cần gặp cán bộ")
    assert len(plain.received) == 1  # a handoff is never sent twice
    with http_recorder(failures=1) as keyed:
        client = BackendClient(keyed.url, "t")
        assert client.request("POST", "/tickets", json={}, headers={"Idempotency-Key": "a"})["ok"] is True
    assert len(keyed.received) == 2


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


def test_a_citizen_subscribes_to_a_dossier_with_the_phone_digits(
    client: BackendClient, backend_server: RunningBackend
) -> None:
    code, verify = backend_server.seed_demo()[1]
    wrong = "0000" if verify != "0000" else "1111"
    with pytest.raises(BackendError) as refused:
        client.subscribe_dossier(code, wrong, ["sms"])
    assert refused.value.status == 403 and refused.value.code == "verify_mismatch"
    assert client.subscribe_dossier(code, verify, ["zalo", "email"], email="a@example.vn") == [
        "zalo",
        "email",
    ]
