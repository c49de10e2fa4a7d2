"""Local servers that record what they get: an HTTP API and an SMTP server (for outgoing messages)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class HttpRecorder:
    """Answers `status_for(n)` to the n-th request (1-based) and records each one.

    With `dedupe=True` a request repeating an `Idempotency-Key` already answered with 2xx is
    answered 200 again but not recorded as delivered (as a deduplicating gateway does).
    """

    url: str
    received: list[Received] = field(default_factory=list)
    delivered: list[Received] = field(default_factory=list)


@contextmanager
def http_recorder(
    failures: int = 0, *, status: int = 500, dedupe: bool = True, hold: threading.Event | None = None
) -> Iterator[HttpRecorder]:
    """A recorder that answers `status` to the first `failures` requests, then 200 `{"id": n}`.

    With `hold`, each request is recorded at once but answered only when `hold` is set (the
    caller can kill the client in between: the gateway has the message, the client never knew).
    """
    lock = threading.Lock()
    seen_keys: set[str] = set()
    recorder = HttpRecorder(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            request = Received(self.command, self.path, dict(self.headers.items()), body)
            key = self.headers.get("Idempotency-Key")
            with lock:
                recorder.received.append(request)
                failing = len(recorder.received) <= failures
                if not failing and not (dedupe and key in seen_keys):
                    recorder.delivered.append(request)
                    if key:
                        seen_keys.add(key)
                number = len(recorder.delivered)
            if hold is not None:
                hold.wait(timeout=120)
            code = status if failing else 200
            payload = json.dumps({"ok": not failing, "id": f"m{number}"}).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client is gone (killed while it waited)

        do_GET = do_POST = do_PUT = _answer  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="http-recorder", daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class SmtpRecorder:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)


@contextmanager
def smtp_recorder() -> Iterator[SmtpRecorder]:
    """A real SMTP server (aiosmtpd) on a free local port that keeps every message it accepts."""
    from aiosmtpd.controller import Controller

    from tests.support.backend import free_port

    port = free_port()
    recorder = SmtpRecorder("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            raw = envelope.original_content or envelope.content
            recorder.messages.append(message_from_bytes(raw, policy=policy.default))
            recorder.recipients.append(list(envelope.rcpt_tos))
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()
