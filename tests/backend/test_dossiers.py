"""Dossiers: upsert by the integration role, look-up with code validation, masking, verify digits, 429."""

import logging

import pytest

from backend.services.dossiers import STATUS_TEXT, mask_name
from tests.support.assertions import assert_error

API = "/api/v1"
CODE = "000.00.12.H26-250701-0001"
PHONE = "0912 345 678"


def dossier(**changes):
    body = {
        "procedure_id": "khai_sinh",
        "status": "dang_xu_ly",
        "applicant_name": "Nguyễn Văn An",
        "phone": PHONE,
        "received_on": "2026-03-02",
        "appointment_on": "2026-03-12",
        "note": "Thiếu bản sao giấy chứng sinh.",
    }
    body.update(changes)
    return body


@pytest.fixture
def saved(client, content, staff):
    response = client.put(f"{API}/dossiers/{CODE}", json=dossier(), headers=staff("integration"))
    assert response.status_code == 201, response.text
    return response.json()


def test_upsert_creates_then_updates(client, content, staff):
    headers = staff("integration")
    created = client.put(f"{API}/dossiers/{CODE.lower()}", json=dossier(), headers=headers)
    assert created.status_code == 201 and created.json() == {"code": CODE, "created": True}
    updated = client.put(f"{API}/dossiers/{CODE}", json=dossier(status="da_xu_ly_xong"), headers=headers)
    assert updated.status_code == 200 and updated.json()["created"] is False


def test_upsert_needs_the_integration_role_and_a_valid_body(client, content, staff, device):
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier()), 401)
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier(), headers=device), 403, "forbidden")
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier(), headers=staff("editor")), 403)
    headers = staff("integration")
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier(status="dang_lam"), headers=headers), 422)
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier(phone="abc"), headers=headers), 422)
    assert_error(
        client.put(f"{API}/dossiers/{CODE}", json=dossier(received_on="hôm qua"), headers=headers), 422
    )
    assert_error(client.put(f"{API}/dossiers/{CODE}", json=dossier(note="<b>x</b>"), headers=headers), 422)
    assert_error(
        client.put(f"{API}/dossiers/000.00.12-xyz", json=dossier(), headers=headers),
        422,
        "dossier_code_malformed",
    )


@pytest.mark.parametrize("typed", [CODE, CODE.lower(), " 000 . 00 . 12 . h26 - 250701 - 0001 "])
def test_lookup_accepts_lower_case_and_stray_spaces(client, saved, device, typed):
    response = client.get(f"{API}/dossiers/{typed}", headers=device)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == CODE
    assert body["applicant"] == "Nguyễn V. A."
    assert body["procedure_name"] == "Đăng ký khai sinh"
    assert body["status_text"] == STATUS_TEXT["dang_xu_ly"]
    assert "12/03/2026" in body["next_step"] and "quầy số 1" in body["next_step"]
    assert body["verified"] is False and body["note"] is None
    assert "Nguyễn Văn An" not in response.text and "345" not in response.text


def test_note_only_with_the_right_verify_digits(client, saved, device):
    right = client.get(f"{API}/dossiers/{CODE}", params={"verify": "5678"}, headers=device).json()
    assert right["verified"] is True and right["note"] == "Thiếu bản sao giấy chứng sinh."
    wrong = client.get(f"{API}/dossiers/{CODE}", params={"verify": "1234"}, headers=device).json()
    assert wrong["verified"] is False and wrong["note"] is None
    assert "Thiếu" not in wrong["next_step"]


def test_lookup_errors(client, saved, device):
    assert_error(client.get(f"{API}/dossiers/{CODE}"), 401)
    assert_error(client.get(f"{API}/dossiers/12345", headers=device), 422, "dossier_code_malformed")
    assert_error(
        client.get(f"{API}/dossiers/000.00.12.H26-250701-9999", headers=device), 404, "dossier_not_found"
    )


def test_too_many_failed_lookups_from_one_device_are_refused(client, saved, device, database, clock):
    from datetime import timedelta

    for index in range(5):  # the test settings allow 5 failures per window
        code = f"000.00.12.H26-250701-{9000 + index}"
        assert_error(client.get(f"{API}/dossiers/{code}", headers=device), 404)
    error = assert_error(client.get(f"{API}/dossiers/{CODE}", headers=device), 429, "too_many_lookups")
    assert "thử lại" in error["detail"]
    # Another device is not affected.
    from datetime import datetime, timezone

    from backend.services import auth

    with database.factory() as session:
        other = auth.add_device(session, "kiosk-2", datetime.now(timezone.utc))
        session.commit()
    assert (
        client.get(f"{API}/dossiers/{CODE}", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    )
    # After the window the device may try again.
    clock.set(clock.now() + timedelta(minutes=11))
    assert client.get(f"{API}/dossiers/{CODE}", headers=device).status_code == 200


def test_wrong_verify_digits_count_as_failures(client, saved, device):
    for _ in range(5):
        client.get(f"{API}/dossiers/{CODE}", params={"verify": "0000"}, headers=device)
    assert_error(client.get(f"{API}/dossiers/{CODE}", params={"verify": "5678"}, headers=device), 429)


@pytest.mark.parametrize("status", sorted(STATUS_TEXT))
def test_every_status_has_plain_text_and_a_next_step(client, content, staff, device, status):
    client.put(f"{API}/dossiers/{CODE}", json=dossier(status=status), headers=staff("integration"))
    body = client.get(f"{API}/dossiers/{CODE}", params={"verify": "5678"}, headers=device).json()
    assert body["status"] == status and body["status_text"] == STATUS_TEXT[status]
    assert body["next_step"].startswith(("Mời", "Hồ sơ", "Ông/bà", "Chưa"))
    if status in ("yeu_cau_bo_sung", "khong_tiep_nhan"):
        assert "Thiếu bản sao" in body["next_step"]
    if status == "da_xu_ly_xong":
        assert "nhận kết quả" in body["next_step"] and "quầy số 1" in body["next_step"]
    if status == "yeu_cau_nghia_vu_tai_chinh":
        assert "nộp phí" in body["next_step"]


def test_without_an_appointment_the_next_step_says_so(client, content, staff, device):
    client.put(f"{API}/dossiers/{CODE}", json=dossier(appointment_on=None), headers=staff("integration"))
    body = client.get(f"{API}/dossiers/{CODE}", headers=device).json()
    assert body["appointment_on"] is None and "Chưa có ngày hẹn" in body["next_step"]


def test_names_are_masked():
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert mask_name("Trần Thị Ánh Tuyết") == "Trần T. Á. T."
    assert mask_name("  Lê   bình ") == "Lê B."
    assert mask_name("An") == "A."


def test_logs_never_hold_full_codes_or_phone_numbers(client, saved, device, staff, caplog):
    caplog.set_level(logging.DEBUG)
    client.get(f"{API}/dossiers/000.00.12.H26-250701-9999", headers=device)
    client.get(f"{API}/dossiers/{CODE}", params={"verify": "5678"}, headers=device)
    client.put(f"{API}/dossiers/{CODE}", json=dossier(), headers=staff("integration"))
    # The server's own loggers (the test client's httpx log is the caller's side; the real server
    # runs uvicorn with its access log off for this reason).
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "***99" in text
    assert (
        "250701-9999" not in text and CODE not in text and "345 678" not in text and "0912345678" not in text
    )
