"""Auth (devices, staff, tokens, secret key) and the error contract for bad input of every kind."""

import hashlib
import stat
import unicodedata
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.app import create_app
from backend.models import Device, Feedback, Handoff, StaffUser, UnansweredQuestion
from backend.services import auth, staff_users
from backend.settings import Settings
from tests.support.assertions import assert_error

API = "/api/v1"


def test_staff_token_and_wrong_passwords(client, database):
    good = client.post(
        f"{API}/auth/token", json={"username": "fixture-editor", "password": database.passwords["editor"]}
    )
    assert good.status_code == 200
    body = good.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 480 * 60 and body["role"] == "editor"
    assert_error(
        client.post(f"{API}/auth/token", json={"username": "fixture-editor", "password": "sai-mat-khau"}),
        401,
        "invalid_credentials",
    )
    assert_error(
        client.post(f"{API}/auth/token", json={"username": "khong-co", "password": "x"}),
        401,
        "invalid_credentials",
    )
    assert_error(
        client.post(f"{API}/auth/token", json={"username": "fixture-editor"}), 422, "validation_error"
    )


def test_passwords_and_device_tokens_are_stored_hashed(database):
    with database.factory() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "fixture-editor"))
        device = session.scalar(select(Device).where(Device.name == "fixture-kiosk"))
    assert user.password_hash.startswith("$argon2") and database.passwords["editor"] not in user.password_hash
    assert device.token_hash == hashlib.sha256(database.device_token.encode()).hexdigest()


def test_a_tampered_or_expired_staff_token_is_refused(client, settings, staff, monkeypatch):
    import time as real_time

    import itsdangerous.timed

    headers = staff("counter")
    token = headers["Authorization"].split()[1]
    assert client.get(f"{API}/handoffs", headers=headers).status_code == 200
    assert_error(client.get(f"{API}/handoffs", headers={"Authorization": f"Bearer {token}x"}), 401)
    assert auth.TokenSigner("another-secret", max_age_seconds=3600).read(token) is None

    class Later:
        @staticmethod
        def time() -> float:
            return real_time.time() + 9 * 3600  # the tokens last 8 hours

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    assert_error(client.get(f"{API}/handoffs", headers=headers), 401, "unauthorized")


def test_a_revoked_device_is_refused(client, content, database):
    with database.factory() as session:
        token = auth.add_device(session, "robot-1", datetime.now(timezone.utc))
        session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=headers).status_code == 201
    with database.factory() as session:
        auth.revoke_device(session, "robot-1", datetime.now(timezone.utc))
        session.commit()
    assert_error(
        client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=headers), 401, "unauthorized"
    )
    with database.factory() as session:
        device = session.scalar(select(Device).where(Device.name == "robot-1"))
    assert device.last_seen_at is not None and device.revoked_at is not None


def test_disabled_staff_lose_access(client, database, content):
    with database.factory() as session:
        staff_users.add_user(session, "tam", "counter", "mat-khau-tam-1", datetime.now(timezone.utc))
        session.commit()
    token = client.post(f"{API}/auth/token", json={"username": "tam", "password": "mat-khau-tam-1"}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.post(f"{API}/counters/quay_1/call-next", headers=headers).status_code == 204
    with database.factory() as session:
        session.scalar(select(StaffUser).where(StaffUser.username == "tam")).disabled = True
        session.commit()
    assert_error(client.post(f"{API}/counters/quay_1/call-next", headers=headers), 401)


def test_the_secret_key_is_generated_once_private_and_random(tmp_path):
    settings = Settings.for_data_dir(tmp_path, secret_key=None)
    first = auth.load_secret_key(settings)
    assert len(first) >= 40
    assert stat.S_IMODE((tmp_path / "secret-key").stat().st_mode) == 0o600
    assert auth.load_secret_key(settings) == first
    assert auth.load_secret_key(Settings.for_data_dir(tmp_path / "other")) != first
    assert auth.load_secret_key(Settings.for_data_dir(tmp_path, secret_key="from-env")) == "from-env"


def test_users_need_a_real_password_and_a_known_role(database):
    from backend.errors import ApiError

    now = datetime.now(timezone.utc)
    with database.factory() as session:
        with pytest.raises(ApiError) as short:
            staff_users.add_user(session, "ngan", "editor", "1234567", now)
        assert short.value.code == "password_too_short"
        with pytest.raises(ApiError) as role:
            staff_users.add_user(session, "ngan", "boss", "mat-khau-dai", now)
        assert role.value.code == "role_invalid"
        with pytest.raises(ApiError) as duplicate:
            staff_users.add_user(session, "fixture-editor", "editor", "mat-khau-dai", now)
        assert duplicate.value.code == "user_exists"


def test_device_reports_are_stored_nfc_and_html_is_refused(client, database, content, device, staff):
    decomposed = unicodedata.normalize("NFD", "Tôi muốn gặp cán bộ hộ tịch")
    created = client.post(
        f"{API}/handoffs", json={"reason": "hỏi thêm", "summary": decomposed}, headers=device
    )
    assert created.status_code == 201, created.text
    assert (
        client.post(
            f"{API}/feedback",
            json={"rating": 5, "comment": "Rất tốt", "service_id": "ho_tich"},
            headers=device,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{API}/unanswered",
            json={"text": "Phí công chứng?", "intent": "hoi_phi", "confidence": 0.31},
            headers=device,
        ).status_code
        == 201
    )
    with database.factory() as session:
        handoff = session.scalar(select(Handoff))
        assert handoff.summary == unicodedata.normalize("NFC", decomposed)
        assert handoff.device_name == "fixture-kiosk" and handoff.status == "open"
        assert session.scalar(select(Feedback)).rating == 5
        assert session.scalar(select(UnansweredQuestion)).intent == "hoi_phi"
    error = assert_error(
        client.post(f"{API}/handoffs", json={"reason": "<img src=x onerror=alert(1)>"}, headers=device),
        422,
        "validation_error",
    )
    assert "HTML" in error["detail"]
    assert_error(client.post(f"{API}/feedback", json={"rating": 6}, headers=device), 422, "validation_error")
    assert_error(
        client.post(f"{API}/feedback", json={"rating": 4, "service_id": "khong_co"}, headers=device), 404
    )
    assert_error(client.post(f"{API}/unanswered", json={"text": "x", "confidence": 2}, headers=device), 422)
    assert_error(client.post(f"{API}/unanswered", json={"text": ""}, headers=device), 422)
    assert_error(client.post(f"{API}/feedback", json={"rating": 4}), 401)
    # Staff see the open hand-offs and close them.
    listed = client.get(f"{API}/handoffs", headers=staff("counter")).json()
    assert [h["summary"] for h in listed] == [unicodedata.normalize("NFC", decomposed)]
    closed = client.post(f"{API}/handoffs/{listed[0]['id']}/close", headers=staff("counter")).json()
    assert closed["status"] == "closed"
    assert client.get(f"{API}/handoffs", headers=staff("counter")).json() == []
    assert [q["text"] for q in client.get(f"{API}/unanswered", headers=staff("editor")).json()] == [
        "Phí công chứng?"
    ]
    assert_error(client.get(f"{API}/handoffs", headers=device), 403)


def test_unknown_routes_methods_and_bad_bodies_get_json_errors(client, content, device):
    assert_error(client.get(f"{API}/khong-co"), 404, "not_found")
    assert_error(client.get("/khong-co"), 404, "not_found")
    assert_error(client.delete(f"{API}/procedures/khai_sinh"), 405, "method_not_allowed")
    broken = client.post(
        f"{API}/tickets", content=b'{"service_id": ', headers={**device, "Content-Type": "application/json"}
    )
    assert "JSON" in assert_error(broken, 422, "validation_error")["detail"]
    assert_error(client.post(f"{API}/tickets", json=["ho_tich"], headers=device), 422)
    assert_error(
        client.post(f"{API}/tickets", json={"service_id": "ho_tich", "extra": 1}, headers=device), 422
    )


def test_oversized_bodies_are_refused_before_reading(client, device):
    big = {"reason": "x", "summary": "a" * 30_000}  # the test settings allow 20 kB
    assert_error(client.post(f"{API}/handoffs", json=big, headers=device), 413, "body_too_large")

    def chunks():
        for _ in range(30):
            yield b"a" * 1000

    streamed = client.post(
        f"{API}/handoffs", content=chunks(), headers={**device, "Content-Type": "application/json"}
    )
    assert_error(streamed, 413, "body_too_large")


def test_openapi_is_published(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/health",
        "/api/v1/tickets",
        "/api/v1/dossiers/{code}",
        "/api/v1/queue",
        "/api/v1/counters/{counter_id}/call-next",
        "/api/v1/tickets/{ticket_id}/no-show",
    ):
        assert path in paths


def test_health_is_ok_with_a_database(client):
    assert client.get(f"{API}/health").json() == {"status": "ok", "database": "ok"}


def test_an_unreachable_database_gives_503_not_500(tmp_path):
    settings = Settings.for_data_dir(
        tmp_path, database_url="postgresql+psycopg://postgres@127.0.0.1:1/none", secret_key="k" * 40
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        health = client.get(f"{API}/health")
        assert health.status_code == 503 and health.json()["database"] == "unavailable"
        assert_error(client.get(f"{API}/procedures"), 503, "database_unavailable")
        assert_error(
            client.post(f"{API}/tickets", json={"service_id": "a"}, headers={"Authorization": "Bearer x"}),
            503,
        )


def test_wrong_passwords_lock_the_account_for_a_while(client, database, clock):
    with database.factory() as session:
        staff_users.add_user(session, "khoa", "editor", "mat-khau-khoa-1", datetime.now(timezone.utc))
        session.commit()
    wrong = {"username": "khoa", "password": "sai-roi"}
    for _ in range(staff_users.LOCKOUT_FAILURES - 1):
        assert_error(client.post(f"{API}/auth/token", json=wrong), 401, "invalid_credentials")
    assert_error(client.post(f"{API}/auth/token", json=wrong), 429, "account_locked")
    right = {"username": "khoa", "password": "mat-khau-khoa-1"}
    locked = assert_error(client.post(f"{API}/auth/token", json=right), 429, "account_locked")
    assert "phút" in locked["detail"]
    from datetime import timedelta

    clock.set(clock.now() + timedelta(minutes=staff_users.LOCKOUT_MINUTES + 1))
    assert client.post(f"{API}/auth/token", json=right).status_code == 200
    # A success starts the count again.
    assert_error(client.post(f"{API}/auth/token", json=wrong), 401, "invalid_credentials")
