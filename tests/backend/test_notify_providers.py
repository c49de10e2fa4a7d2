"""The delivery channels: email through a real local SMTP server, SMS and Zalo through a local HTTP
gateway that records what it got (and fails when told to)."""

from __future__ import annotations

import pytest

from backend.notify.providers import (
    DeliveryError,
    HttpProvider,
    HttpProviderSettings,
    NotifySettings,
    Outgoing,
    SmtpProvider,
    SmtpSettings,
    configured_providers,
)
from tests.support.backend import free_port
from tests.support.recorders import http_recorder, smtp_recorder

MESSAGE = Outgoing(
    key="dossier-7-da_tra_ket_qua",
    channel="email",
    to="cong.dan@example.vn",
    subject="Hồ sơ của bạn đã có kết quả",
    text="Hồ sơ đăng ký khai sinh nhận ngày 21/11/2026, mã kết thúc bằng 0003: đã có kết quả.",
)


def test_an_email_arrives_at_the_smtp_server_with_its_key_as_message_id() -> None:
    with smtp_recorder() as smtp:
        provider = SmtpProvider(
            SmtpSettings(host=smtp.host, port=smtp.port, sender="letan@example.vn", security="none")
        )
        message_id = provider.send(MESSAGE)
    [received] = smtp.messages
    assert smtp.recipients == [["cong.dan@example.vn"]]
    # A long Message-ID is folded onto its own line; the folding space is not part of it.
    assert received["Subject"] == MESSAGE.subject and received["Message-ID"].strip() == message_id
    assert MESSAGE.key in message_id
    assert "mã kết thúc bằng 0003" in received.get_payload(decode=True).decode("utf-8")


def test_no_smtp_server_is_a_retryable_failure() -> None:
    provider = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=free_port(), sender="a@b.vn", security="none", timeout_s=3)
    )
    with pytest.raises(DeliveryError) as failed:
        provider.send(MESSAGE)
    assert failed.value.retryable and failed.value.code == "email-unavailable"


def test_an_sms_reaches_the_gateway_with_its_idempotency_key_and_token() -> None:
    with http_recorder() as gateway:
        provider = HttpProvider("sms", HttpProviderSettings(url=gateway.url + "/send", token="s3cret"))
        sms = Outgoing(MESSAGE.key, "sms", "0912345678", "", MESSAGE.text)
        assert provider.send(sms) == "m1"
        assert provider.send(sms) == "m1"  # sent again after a crash: the gateway delivers it once
    assert len(gateway.received) == 2 and len(gateway.delivered) == 1
    first = gateway.received[0]
    assert first.path == "/send" and first.body == {
        "to": "0912345678",
        "text": MESSAGE.text,
        "key": MESSAGE.key,
    }
    assert (
        first.headers["Idempotency-Key"] == MESSAGE.key and first.headers["Authorization"] == "Bearer s3cret"
    )


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (403, False)]
)
def test_gateway_errors_are_retryable_only_when_trying_later_may_work(status: int, retryable: bool) -> None:
    with http_recorder(failures=1, status=status) as gateway:
        provider = HttpProvider("zalo", HttpProviderSettings(url=gateway.url))
        with pytest.raises(DeliveryError) as failed:
            provider.send(Outgoing("k", "zalo", "zalo-user-1", "", "x"))
    assert failed.value.retryable is retryable
    assert failed.value.code == ("zalo-unavailable" if retryable else "zalo-refused")


def test_only_configured_channels_have_a_provider() -> None:
    assert configured_providers(NotifySettings()) == {}
    both = configured_providers(
        NotifySettings(
            sms=HttpProviderSettings(url="http://127.0.0.1:1/sms"),
            smtp=SmtpSettings(host="h", sender="a@b.vn"),
        )
    )
    assert set(both) == {"email", "sms"}
