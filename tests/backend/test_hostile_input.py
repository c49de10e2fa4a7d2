"""Hostile input of every kind gets a 4xx with the contract's error body, never a 5xx (both databases)."""

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from backend.models import Dossier, Feedback, Handoff, Ticket
from tests.support.assertions import assert_error

API = "/api/v1"
HUGE_IDS = [2**31, 2**63, 10**30]
CODE = "000.00.12.H26-250701-0001"


def dossier_body(**changes):
    body = {
        "procedure_id": "khai_sinh",
        "status": "dang_xu_ly",
        "applicant_name": "Nguyễn Văn An",
        "phone": "0912 345 678",
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_ids_in_paths_are_refused_not_a_server_error(client, content, device, staff, huge):
    counter = staff("counter")
    for method, path, headers in (
        ("GET", f"/tickets/{huge}", device),
        ("POST", f"/tickets/{huge}/recall", counter),
        ("POST", f"/tickets/{huge}/done", counter),
        ("POST", f"/handoffs/{huge}/close", counter),
    ):
        response = client.request(method, f"{API}{path}", headers=headers)
        assert response.status_code in (404, 422), (path, response.status_code, response.text)
        assert_error(response, response.status_code)
    transfer = client.post(f"{API}/tickets/{huge}/transfer", json={"service_id": "ho_tich"}, headers=counter)
    assert transfer.status_code in (404, 422), transfer.text


CONTROL_CHARACTERS = ["\x00", "\x07", "\x1b", "\x7f", "\u202e", "\u2066"]


@pytest.mark.parametrize("char", CONTROL_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_control_and_bidi_characters_are_refused_everywhere(client, content, device, staff, database, char):
    # Query strings and paths of public reads, before any database sees them.
    for path, params in (
        ("/procedures", {"q": f"khai{char}sinh"}),
        ("/procedures", {"field": f"ho{char}tich"}),
        (f"/procedures/khai{quote(char)}sinh", None),
        (f"/faq/wifi{quote(char)}", None),
    ):
        error = assert_error(client.get(f"{API}{path}", params=params), 422)
        assert "ký tự điều khiển" in error["detail"]
    assert_error(client.get(f"{API}/dossiers/{CODE}{quote(char)}", headers=device), 422)
    # Bodies: free text, identifiers, object keys, the login form.
    for path, body in (
        ("/handoffs", {"reason": f"gặp{char} cán bộ"}),
        ("/feedback", {"rating": 4, "comment": f"tốt{char}"}),
        ("/unanswered", {"text": f"hỏi{char}"}),
        ("/tickets", {"service_id": f"ho_tich{char}"}),
        ("/tickets", {"procedure_id": f"khai_sinh{char}"}),
    ):
        error = assert_error(client.post(f"{API}{path}", json=body, headers=device), 422)
        assert "ký tự điều khiển" in error["detail"], error
    assert_error(client.post(f"{API}/auth/token", json={"username": f"ad{char}min", "password": "x"}), 422)
    assert_error(
        client.put(
            f"{API}/dossiers/{CODE}", json=dossier_body(note=f"ghi{char}chú"), headers=staff("integration")
        ),
        422,
    )
    assert_error(
        client.put(
            f"{API}/faq/wifi",
            json={"key": "wifi", "question": "Wifi?", "answer": "Có", f"x{char}": 1},
            headers=staff("editor"),
        ),
        422,
    )
    with database.factory() as session:
        assert session.scalar(select(func.count()).select_from(Handoff)) == 0
        assert session.scalar(select(func.count()).select_from(Feedback)) == 0
        assert session.scalar(select(func.count()).select_from(Ticket)) == 0
        assert session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_tabs_and_line_breaks_stay_allowed_in_free_text(client, content, device):
    response = client.post(
        f"{API}/handoffs", json={"reason": "hỏi", "summary": "dòng 1\ndòng 2\tcột"}, headers=device
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/faq/wifi", "/procedures/khai_sinh"])
def test_deeply_nested_json_is_refused(client, content, staff, path):
    for depth in (500, 9_000):  # the test settings allow 20 kB
        nested = "[" * depth + "]" * depth
        body = '{"key": "wifi", "id": "khai_sinh", "answer": ' + nested + "}"
        response = client.put(
            f"{API}{path}",
            content=body.encode(),
            headers={**staff("editor"), "Content-Type": "application/json"},
        )
        assert "sâu" in assert_error(response, 422, "json_too_deep")["detail"]
    # Brackets inside strings are text, not nesting.
    text = {"reason": "[" * 200, "summary": "{" * 200}
    assert client.post(f"{API}/handoffs", json=text, headers=staff("counter")).status_code == 201


@pytest.mark.parametrize("rating", ["5", True, 4.0, "năm"])
def test_rating_must_be_a_real_integer(client, content, device, rating):
    assert_error(
        client.post(f"{API}/feedback", json={"rating": rating}, headers=device), 422, "validation_error"
    )


def test_confidence_must_be_a_number(client, content, device):
    for confidence in ("0.5", True):
        body = {"text": "hỏi", "confidence": confidence}
        assert_error(client.post(f"{API}/unanswered", json=body, headers=device), 422)
    assert (
        client.post(f"{API}/unanswered", json={"text": "hỏi", "confidence": 1}, headers=device).status_code
        == 201
    )


def test_a_dossier_needs_a_known_procedure_and_a_vietnamese_phone(client, content, staff, database):
    headers = staff("integration")
    unknown = client.put(
        f"{API}/dossiers/{CODE}", json=dossier_body(procedure_id="khong_co"), headers=headers
    )
    assert "thủ tục" in assert_error(unknown, 422, "procedure_unknown")["detail"]
    for phone in ("1", "0", "0 . . . . . . . 1", "12345678", "0912", "+1 415 555 0100", "0112345678"):
        response = client.put(f"{API}/dossiers/{CODE}", json=dossier_body(phone=phone), headers=headers)
        assert "điện thoại" in assert_error(response, 422, "validation_error")["detail"], phone
    with database.factory() as session:
        assert session.scalar(select(func.count()).select_from(Dossier)) == 0
    for phone, stored in (
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("024 3825 1234", "02438251234"),
    ):
        response = client.put(f"{API}/dossiers/{CODE}", json=dossier_body(phone=phone), headers=headers)
        assert response.status_code in (200, 201), response.text
        with database.factory() as session:
            assert session.get(Dossier, CODE).phone == stored


def test_the_same_idempotency_key_with_another_body_is_refused(client, content, device, database):
    first = client.post(
        f"{API}/tickets", json={"service_id": "ho_tich"}, headers={**device, "Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201
    again = client.post(
        f"{API}/tickets", json={"service_id": "ho_tich"}, headers={**device, "Idempotency-Key": "k-1"}
    )
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post(
        f"{API}/tickets",
        json={"service_id": "ho_tich", "priority": "elderly"},
        headers={**device, "Idempotency-Key": "k-1"},
    )
    assert "Idempotency-Key" in assert_error(other, 422, "idempotency_key_reused")["detail"]
    for bad in ("x" * 201, "a b", b"kho\xe1"):
        response = client.post(
            f"{API}/tickets", json={"service_id": "ho_tich"}, headers={**device, "Idempotency-Key": bad}
        )
        assert_error(response, 422)
    with database.factory() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_a_query_parameter_the_route_does_not_take_is_refused(client, content, device):
    error = assert_error(client.get(f"{API}/procedures", params={"q": "khai", "qq": "x"}), 422)
    assert error["code"] == "query_parameter_unknown" and "qq" in error["detail"]
    assert_error(client.get(f"{API}/queue", params={"cache": "1"}), 422, "query_parameter_unknown")
    assert client.get(f"{API}/procedures", params={"q": "khai", "field": "ho_tich"}).status_code == 200
    verified = client.get(f"{API}/dossiers/{CODE}", params={"verify": "5678"}, headers=device)
    assert verified.status_code == 404  # a parameter of the route (the dossier is unknown here)
