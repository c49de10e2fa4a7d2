"""The delivery worker against real local servers, on SQLite and PostgreSQL: email through an SMTP
server, SMS/Zalo through an HTTP gateway that fails when told to, the worker killed (kill -9)
between sending and recording, and no provider configured. Time comes from the test's clock."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from datetime import timedelta

import pytest

from backend.clock import FixedClock
from backend.notify.providers import (
    HttpProviderSettings,
    NotifySettings,
    SmtpSettings,
    configured_providers,
)
from backend.notify.worker import Worker, backoff
from tests.backend.notify_support import CODE, EMAIL, NAME, PHONE, attempts, messages, put_status, subscribed
from tests.support.backend import LETAN, REPO, backend_env
from tests.support.recorders import http_recorder, smtp_recorder


def worker(database, clock, **settings) -> Worker:
    notify = NotifySettings(**settings)
    return Worker(database.factory, configured_providers(notify), notify, clock)


def test_backoff_doubles_up_to_the_cap():
    settings = NotifySettings(first_retry_s=30, max_retry_s=600)
    assert [backoff(settings, n).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 600]


def test_an_email_reaches_the_smtp_server(client, content, staff, device, database, clock):
    subscribed(client, staff, device, ["email"])
    put_status(client, staff, "da_xu_ly_xong")
    with smtp_recorder() as smtp:
        smtp_settings = SmtpSettings(
            host=smtp.host, port=smtp.port, security="none", sender="letan@phuong.vn"
        )
        assert worker(database, clock, smtp=smtp_settings).run_once() == 1
    (mail,) = smtp.messages
    assert smtp.recipients == [[EMAIL]]
    assert (
        mail["Subject"]
        == "Hồ sơ Đăng ký khai sinh (mã kết thúc bằng 0001, nộp ngày 02/03/2026): Đã xử lý xong"
    )
    body = mail.get_content()
    assert "kết quả đang chờ ông/bà đến nhận" in body and "quầy số 1" in body
    assert NAME not in body and PHONE not in body and CODE not in body
    (message,) = messages(database)
    assert message.state == "sent" and message.sent_at == clock.now()
    assert message.key in mail["Message-ID"]
    assert [(a.number, a.outcome) for a in attempts(database, message.id)] == [(1, "sent")]


def test_the_http_provider_answering_500_is_retried_with_backoff_and_the_same_key(
    client, content, staff, device, database, clock
):
    subscribed(client, staff, device, ["sms"])
    put_status(client, staff, "yeu_cau_nghia_vu_tai_chinh")
    with http_recorder(failures=2, status=500) as gateway:
        sms = worker(database, clock, sms=HttpProviderSettings(url=gateway.url), first_retry_s=30)
        assert sms.run_once() == 1  # 500: queued again for 30 s later
        assert sms.run_once() == 0  # not due yet
        clock.set(clock.now() + timedelta(seconds=29))
        assert sms.run_once() == 0
        clock.set(clock.now() + timedelta(seconds=1))
        assert sms.run_once() == 1  # 500 again: 60 s
        (message,) = messages(database)
        assert message.state == "queued" and message.next_attempt_at == clock.now() + timedelta(seconds=60)
        assert "500" in (message.last_error or "")
        clock.set(clock.now() + timedelta(seconds=60))
        assert sms.run_once() == 1
    assert len(gateway.received) == 3 and len(gateway.delivered) == 1
    assert {r.headers["Idempotency-Key"] for r in gateway.received} == {message.key}
    assert gateway.delivered[0].body["to"] == PHONE
    (message,) = messages(database)
    assert message.state == "sent" and message.attempts == 3 and message.provider_id == "m1"
    outcomes = [(a.outcome, a.error_code) for a in attempts(database, message.id)]
    assert outcomes == [("retry", "sms-unavailable"), ("retry", "sms-unavailable"), ("sent", None)]


def test_a_refused_message_fails_at_once_and_too_many_retries_fail_too(
    client, content, staff, device, database, clock
):
    subscribed(client, staff, device, ["zalo"])
    put_status(client, staff, "da_tiep_nhan")
    with http_recorder(failures=1, status=400) as gateway:
        assert worker(database, clock, zalo=HttpProviderSettings(url=gateway.url)).run_once() == 1
    (refused,) = messages(database)
    assert refused.state == "failed" and refused.attempts == 1
    clock.set(clock.now() + timedelta(hours=1))
    put_status(client, staff, "da_xu_ly_xong")
    with http_recorder(failures=100, status=503) as gateway:
        zalo = worker(
            database, clock, zalo=HttpProviderSettings(url=gateway.url), max_attempts=2, first_retry_s=1
        )
        assert zalo.run_once() == 1
        clock.set(clock.now() + timedelta(seconds=1))
        assert zalo.run_once() == 1
        clock.set(clock.now() + timedelta(days=1))
        assert zalo.run_once() == 0
    assert [m.state for m in messages(database)] == ["failed", "failed"]


def test_with_no_provider_the_messages_wait_until_one_is_configured(
    client, content, staff, device, database, clock
):
    subscribed(client, staff, device, ["sms", "email"])
    put_status(client, staff, "da_tiep_nhan")
    assert worker(database, clock).run_once() == 0
    with http_recorder() as gateway:
        assert worker(database, clock, sms=HttpProviderSettings(url=gateway.url)).run_once() == 1
    assert {m.channel: m.state for m in messages(database)} == {"sms": "sent", "email": "queued"}
    assert [m.attempts for m in messages(database)] == [1, 0]


def test_the_command_with_no_provider_leaves_the_messages_waiting(
    client, content, staff, device, database, tmp_path
):
    subscribed(client, staff, device, ["sms"])
    put_status(client, staff, "da_tiep_nhan")
    done = subprocess.run(
        [str(LETAN), "notify", "run", "--once"],
        cwd=REPO,
        env=backend_env(tmp_path / "var", database.url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Đã thử gửi 0 tin." in done.stdout
    assert "Chưa cấu hình kênh gửi nào" in done.stderr
    assert [(m.state, m.attempts) for m in messages(database)] == [("queued", 0)]


def _wait_for(condition, what: str, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the worker exited ({process.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_between_sending_and_recording_delivers_exactly_once(
    client, content, staff, device, database, tmp_path
):
    """At-least-once with a key: the message is sent again after the lease, with the same
    Idempotency-Key, and the deduplicating gateway delivers it once."""
    subscribed(client, staff, device, ["sms"])
    put_status(client, staff, "da_xu_ly_xong")
    answer = threading.Event()
    with http_recorder(hold=answer) as gateway:
        env = backend_env(
            tmp_path / "var",
            database.url,
            LETAN_NOTIFY__SMS__URL=gateway.url,
            LETAN_NOTIFY__SMS__TIMEOUT_S="120",
            LETAN_NOTIFY__LEASE_S="600",
            LETAN_NOTIFY__POLL_S="0.2",
        )
        log = (tmp_path / "worker.log").open("wb")
        process = subprocess.Popen([str(LETAN), "notify", "run"], cwd=REPO, env=env, stdout=log, stderr=log)
        try:
            _wait_for(lambda: len(gateway.delivered) == 1, "the gateway got the message", process)
            os.kill(process.pid, signal.SIGKILL)  # the gateway has it; the worker never recorded it
            process.wait(timeout=30)
        finally:
            answer.set()
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
            log.close()
        (message,) = messages(database)
        assert message.state == "sending" and message.attempts == 1 and message.lease_until is not None
        assert [a.outcome for a in attempts(database, message.id)] == ["sending"]
        # Before the lease runs out nobody takes it; after, the next worker sends it again.
        later = FixedClock(message.lease_until - timedelta(seconds=1))
        sms = worker(database, later, sms=HttpProviderSettings(url=gateway.url))
        assert sms.run_once() == 0
        later.set(message.lease_until + timedelta(seconds=1))
        assert sms.run_once() == 1
    assert len(gateway.received) == 2 and len(gateway.delivered) == 1
    assert [r.headers["Idempotency-Key"] for r in gateway.received] == [message.key, message.key]
    (message,) = messages(database)
    assert message.state == "sent" and message.attempts == 2
    assert [a.outcome for a in attempts(database, message.id)] == ["interrupted", "sent"]
