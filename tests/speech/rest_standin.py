"""A stand-in for the Rasa server's REST channel (same protocol), for the pipeline's unit tests.

It answers `POST /webhooks/rest/webhook {"sender", "message"}` with a list of bot messages, from a
table of replies keyed by the message; it records what it received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RestStandIn:
    url: str
    replies: dict[str, list[dict[str, Any]]]
    received: list[dict[str, Any]] = field(default_factory=list)
    default: list[dict[str, Any]] = field(default_factory=lambda: [{"text": "Xin lỗi, tôi chưa hiểu ý bạn."}])


@contextmanager
def rest_standin(replies: dict[str, list[dict[str, Any]]] | None = None) -> Iterator[RestStandIn]:
    state = RestStandIn(url="", replies=replies or {})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/webhooks/rest/webhook":
                self.send_error(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.received.append(body)
            messages = state.replies.get(body["message"], state.default)
            data = json.dumps(
                [{"recipient_id": body["sender"], **m} for m in messages], ensure_ascii=False
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
