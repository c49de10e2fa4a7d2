"""Opting out by replying: the SMS/Zalo gateway passes a citizen's reply on with its shared secret;
"từ chối" (and the other stop words, with or without marks) stops that phone's messages on that
channel, any other reply changes nothing, a wrong or missing secret is refused, on both databases."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from backend.app import create_app
from backend.notify.replies import is_stop_reply
from tests.backend.conftest import INBOUND_SECRET
from tests.backend.notify_support import API, PHONE, messages, put_status, subscribed
from tests.support.assertions import assert_error

GATEWAY = {"Authorization": f"Bearer {INBOUND_SECRET}"}


def reply(client, text, channel="sms", phone="+84 912 345 678", headers=GATEWAY):
    return client.post(
        f"{API}/notifications/replies",
        json={"channel": channel, "phone": phone, "text": text},
        headers=headers,
    )


@pytest.mark.parametrize(
    "text",
    [
        "TU CHOI",
        "tu choi",
        "từ chối",
        "Từ chối.",
        "hủy",
        "huỷ",
        "HUY",
        "dung",
        "dừng",
        "Stop",
        "STOP!",
        "huy nhan tin",
        "Dừng nhận tin",
        "  tu   choi  ",
    ],
)
def test_the_words_citizens_use_to_say_stop(text):
    assert is_stop_reply(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "đúng",
        "Đúng rồi",
        "cảm ơn",
        "ok",
        "khong tu choi",
        "tôi không muốn hủy",
        "huy bo lich hen 3",
        "DUNG ROI",
        "stopp",
        "📵",
    ],
)
def test_other_replies_are_not_stop(text):
    assert not is_stop_reply(text)


def test_a_reply_opts_the_phone_out_of_that_channel_only(client, content, staff, device, database, caplog):
    subscribed(client, staff, device, ["sms", "zalo"])
    put_status(client, staff, "da_tiep_nhan")  # two messages wait (no provider configured)
    with caplog.at_level(logging.DEBUG):
        answer = reply(client, "TU CHOI")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "action": "opted_out",
        "channel": "sms",
        "consents_revoked": 1,
        "messages_cancelled": 1,
        "detail": "Số điện thoại này không nhận tin qua Tin nhắn SMS nữa.",
    }
    logged = caplog.text
    for phone in (PHONE, "912345678", "912 345 678"):
        assert phone not in logged and phone not in answer.text
    # The next status change sends nothing to SMS; Zalo, not refused, still gets its message.
    put_status(client, staff, "yeu_cau_bo_sung")
    rows = [(m.dossier_status, m.channel, m.state) for m in messages(database)]
    assert rows == [
        ("da_tiep_nhan", "sms", "cancelled"),
        ("da_tiep_nhan", "zalo", "queued"),
        ("yeu_cau_bo_sung", "zalo", "queued"),
    ]
    again = reply(client, "từ chối")  # said twice: nothing more to do, still 200
    assert again.status_code == 200
    assert (again.json()["action"], again.json()["consents_revoked"]) == ("opted_out", 0)


def test_a_reply_that_is_not_stop_changes_nothing(client, content, staff, device, database):
    subscribed(client, staff, device, ["sms"])
    for text in ("Đúng rồi", "cam on", "tôi muốn hỏi hồ sơ"):
        answer = reply(client, text)
        assert answer.status_code == 200
        assert answer.json()["action"] == "nothing"
    # a stop from a number that is not the dossier's, or not a phone number at all, changes nothing
    assert reply(client, "TU CHOI", phone="0987654321").json()["consents_revoked"] == 0
    assert reply(client, "TU CHOI", phone="not a phone").json()["action"] == "nothing"
    assert reply(client, "TU CHOI", channel="zalo").json()["consents_revoked"] == 0  # not agreed to
    put_status(client, staff, "da_tiep_nhan")
    assert [(m.channel, m.state) for m in messages(database)] == [("sms", "queued")]


def test_a_wrong_or_missing_secret_is_refused(client, content, staff, device, database):
    subscribed(client, staff, device, ["sms"])
    assert_error(reply(client, "TU CHOI", headers={}), 401, "provider_secret_wrong")
    assert_error(
        reply(client, "TU CHOI", headers={"Authorization": "Bearer not-the-gateway-secret"}),
        401,
        "provider_secret_wrong",
    )
    assert_error(reply(client, "TU CHOI", headers=device), 401, "provider_secret_wrong")  # a device token
    put_status(client, staff, "da_tiep_nhan")
    assert [(m.channel, m.state) for m in messages(database)] == [("sms", "queued")]


def test_without_a_configured_secret_the_route_is_closed(settings, clock, content):
    closed = settings.model_copy(
        update={"notify": settings.notify.model_copy(update={"inbound_secret": None})}
    )
    closed._shared = settings.shared
    with TestClient(create_app(closed, clock=clock), raise_server_exceptions=False) as client:
        assert_error(reply(client, "TU CHOI"), 403, "notify_inbound_disabled")
        assert_error(reply(client, "TU CHOI", headers={}), 403, "notify_inbound_disabled")


@pytest.mark.parametrize(
    "body",
    [
        {"channel": "email", "phone": PHONE, "text": "stop"},
        {"channel": "sms", "phone": "", "text": "stop"},
        {"channel": "sms", "phone": PHONE},
        {"channel": "sms", "phone": PHONE, "text": "x" * 2001},
        {"channel": "sms", "phone": 912345678, "text": "stop"},
        [],
    ],
)
def test_malformed_replies_are_422_never_5xx(client, body):
    response = client.post(f"{API}/notifications/replies", json=body, headers=GATEWAY)
    assert response.status_code == 422, response.text
