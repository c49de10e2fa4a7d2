"""Status messages queued in the dossier's own transaction, on SQLite and PostgreSQL: consent after a
verified look-up, one message per agreed channel and status change, what a message says, opt-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.models import Dossier, NotifyConsent, OutboxMessage
from backend.notify.messages import NOTIFY_STATUSES
from backend.notify.providers import HttpProviderSettings, NotifySettings, configured_providers
from backend.notify.worker import Worker
from backend.schemas import DossierUpsert
from backend.services import dossiers
from tests.backend.notify_support import (
    API,
    CODE,
    EMAIL,
    NAME,
    PHONE,
    dossier,
    messages,
    opt_in,
    put_status,
    subscribed,
    token,
)
from tests.backend.test_content_pages import log_in
from tests.support.assertions import assert_error
from tests.support.recorders import http_recorder


def test_opt_in_needs_the_phone_s_last_four_digits(client, content, staff, device, database):
    put_status(client, staff, "dang_xu_ly")
    assert_error(opt_in(client, device, ["sms"], verify="1234"), 403, "verify_mismatch")
    assert_error(
        client.post(f"{API}/dossiers/{CODE}/notifications", json={"verify": "5678", "channels": ["sms"]}), 401
    )
    assert_error(opt_in(client, device, ["email"]), 422, "email_missing")
    assert_error(opt_in(client, device, ["fax"]), 422)
    with database.factory() as session:
        assert session.scalars(select(NotifyConsent)).all() == []
    answer = opt_in(client, device, ["sms", "email", "sms"], email=EMAIL)
    assert answer.status_code == 200, answer.text
    assert [c["channel"] for c in answer.json()["consents"]] == ["sms", "email"]


def test_wrong_digits_count_towards_the_look_up_limit(client, content, staff, device):
    put_status(client, staff, "dang_xu_ly")
    for _ in range(5):  # the tests' limit
        assert_error(opt_in(client, device, ["sms"], verify="0000"), 403, "verify_mismatch")
    assert_error(opt_in(client, device, ["sms"]), 429, "too_many_lookups")


def test_each_status_change_queues_one_message_per_agreed_channel(client, content, staff, device, database):
    subscribed(client, staff, device, ["sms", "email"])
    assert messages(database) == []  # consent alone sends nothing
    put_status(client, staff, "da_tiep_nhan")
    put_status(client, staff, "da_tiep_nhan")  # the integration sends the same status again
    put_status(client, staff, "dang_xu_ly")  # not one to act on or wait for
    put_status(client, staff, "yeu_cau_bo_sung")
    rows = messages(database)
    assert [(m.dossier_status, m.channel) for m in rows] == [
        ("da_tiep_nhan", "sms"),
        ("da_tiep_nhan", "email"),
        ("yeu_cau_bo_sung", "sms"),
        ("yeu_cau_bo_sung", "email"),
    ]
    assert {m.address for m in rows} == {PHONE, EMAIL}
    assert all(m.state == "queued" and m.attempts == 0 for m in rows)
    assert len({m.key for m in rows}) == 4


def test_a_message_says_what_where_and_next_without_the_name_phone_or_full_code(
    client, content, staff, device, database
):
    subscribed(client, staff, device, ["sms"])
    put_status(client, staff, "yeu_cau_bo_sung")
    (message,) = messages(database)
    text = message.subject + "\n" + message.text
    assert "Đăng ký khai sinh" in text
    assert "mã kết thúc bằng 0001, nộp ngày 02/03/2026" in text
    assert "cần bổ sung giấy tờ" in text  # the status in plain words
    assert "Mời ông/bà mang giấy tờ cần bổ sung đến quầy số 1" in text  # the next step
    assert "Điểm phục vụ phường Thử, Số 1 phố Thử" in text  # where to go
    assert f"/huy-nhan-tin/{token(database, 'sms')}" in text
    for secret in (NAME, "Nguyễn", PHONE, "345 678", "5678", CODE, "250701", "Trần Thị Bình"):
        assert secret not in text


def test_the_statuses_that_send_a_message():
    assert {
        "da_tiep_nhan",
        "yeu_cau_bo_sung",
        "yeu_cau_nghia_vu_tai_chinh",
        "da_xu_ly_xong",
        "khong_tiep_nhan",
        "dung_xu_ly",
    } == NOTIFY_STATUSES


def test_the_message_is_committed_with_the_status_or_not_at_all(
    client, content, staff, device, database, clock
):
    subscribed(client, staff, device, ["zalo"])
    body = DossierUpsert.model_validate(dossier(status="da_xu_ly_xong"))
    with database.factory() as session:
        dossiers.upsert(session, CODE, body, "test", clock.now())
        assert session.scalars(select(OutboxMessage)).all() != []  # in the same transaction...
        session.rollback()  # ...which dies before commit: neither the status nor the message remains
    assert messages(database) == []
    with database.factory() as session:
        assert session.get(Dossier, CODE).status == "dang_xu_ly"
        dossiers.upsert(session, CODE, body, "test", clock.now())
        session.commit()
    assert [m.dossier_status for m in messages(database)] == ["da_xu_ly_xong"]


def test_opt_out_works_once_and_cancels_what_waits(client, content, staff, device, database, clock):
    subscribed(client, staff, device, ["sms", "zalo"])
    put_status(client, staff, "da_tiep_nhan")
    sms_token = token(database, "sms")
    answer = client.post(f"{API}/notifications/opt-out", json={"token": sms_token})
    assert answer.status_code == 200 and answer.json() == {"channel": "sms", "dossier": "0001"}
    assert_error(
        client.post(f"{API}/notifications/opt-out", json={"token": sms_token}), 404, "opt_out_token_unknown"
    )
    assert {m.channel: m.state for m in messages(database)} == {"sms": "cancelled", "zalo": "queued"}
    clock.set(clock.now() + timedelta(hours=1))
    put_status(client, staff, "da_xu_ly_xong")
    assert [m.channel for m in messages(database) if m.dossier_status == "da_xu_ly_xong"] == ["zalo"]
    again = opt_in(client, device, ["sms"])  # opting in again gives a new token
    assert again.status_code == 200 and token(database, "sms") != sms_token


def test_the_opt_out_page_asks_then_revokes(client, content, staff, device, database):
    subscribed(client, staff, device, ["email"])
    link = f"/huy-nhan-tin/{token(database, 'email')}"
    asked = client.get(link)
    assert asked.status_code == 200 and "Ngừng nhận tin?" in asked.text and "0001" in asked.text
    assert token(database, "email")  # opening the link changes nothing
    done = client.post(link)
    assert done.status_code == 200 and "Đã huỷ nhận tin" in done.text
    assert client.get(link).status_code == 404 and client.post(link).status_code == 404
    with database.factory() as session:
        assert session.scalar(select(NotifyConsent)).revoked_at is not None


@pytest.fixture
def counter_page(client, database):
    return log_in(client, database, "counter")


def test_staff_see_per_dossier_what_was_sent_and_what_waits_for_a_provider(
    client, content, staff, device, database, counter_page, clock
):
    subscribed(client, staff, device, ["sms", "email"])
    put_status(client, staff, "da_xu_ly_xong")
    page = counter_page.get("/staff/notify")
    assert page.status_code == 200
    assert "chưa có kênh nào" in page.text
    assert "1 tin qua Tin nhắn SMS đang chờ vì chưa cấu hình" in page.text
    assert "1 tin qua Thư điện tử đang chờ vì chưa cấu hình" in page.text
    one = counter_page.get("/staff/notify", params={"code": CODE.lower()})
    assert one.status_code == 200 and one.text.count("Đang chờ: chưa cấu hình kênh này") == 2
    assert "Đã xử lý xong" in one.text and "Công dân đồng ý nhận tin" in one.text
    with http_recorder() as gateway:
        notify = NotifySettings(sms=HttpProviderSettings(url=gateway.url))
        assert Worker(database.factory, configured_providers(notify), notify, clock).run_once() == 1
    client.app.state.settings.notify = notify  # the backend now has the SMS gateway too
    sent = counter_page.get("/staff/notify", params={"code": CODE})
    assert "chưa có kênh nào" not in sent.text and "Kênh đang gửi được: Tin nhắn SMS" in sent.text
    assert '<span class="badge ok">Đã gửi</span>' in sent.text
    assert sent.text.count("Đang chờ: chưa cấu hình kênh này") == 1  # the email still waits
    bad = counter_page.get("/staff/notify", params={"code": "abc"})
    assert bad.status_code == 200 and "Mã hồ sơ không đúng dạng" in bad.text
