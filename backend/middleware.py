"""The two ASGI layers around every request: the input guard and the last-resort error answer."""

import json
import logging
from html import escape
from urllib.parse import parse_qsl, unquote

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.errors import error_response
from backend.textcheck import (
    CONTROL_MESSAGE,
    DEPTH_MESSAGE,
    has_forbidden_character,
    json_too_deep,
    strings_in,
)

logger = logging.getLogger(__name__)

BODY_TOO_LARGE = "Nội dung gửi lên quá lớn."
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _refusal(scope: Scope, status: int, code: str, detail: str) -> Response:
    """JSON for the API; a small page for the staff pages (their forms post here)."""
    if scope.get("path", "").startswith("/staff"):
        page = (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không gửi được</title>'
            f"<h1>Không gửi được</h1><p>{escape(detail)}</p>"
            '<p><a href="javascript:history.back()">Quay lại</a></p></html>'
        )
        return HTMLResponse(page, status_code=status)
    return error_response(status, code, detail)


class RequestGuardMiddleware:
    """Checks every request before the app sees it: body size (413), and no control or bidi-override
    character in the path, the query string, a JSON or form body (422), and JSON no deeper than
    the limit (422, checked before any parser recurses). A body is read whole (it is small: at most
    `limit` bytes) and handed on to the app unchanged."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._too_large(scope, receive, send)
            return
        query = unquote(scope.get("query_string", b"").decode("latin-1"), errors="replace")
        if has_forbidden_character(scope.get("path", "")) or has_forbidden_character(query):
            detail = f"Địa chỉ hoặc tham số truy vấn {CONTROL_MESSAGE}."
            await _refusal(scope, 422, "control_character", detail)(scope, receive, send)
            return
        if scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self._too_large(scope, receive, send)
                return
        refused = _check_body(headers.get(b"content-type", b"").decode("latin-1").lower(), body)
        if refused is not None:
            await _refusal(scope, 422, *refused)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"{BODY_TOO_LARGE} Tối đa {self.limit // 1000} kB."
        await _refusal(scope, 413, "body_too_large", detail)(scope, receive, send)


def _check_body(content_type: str, body: bytes) -> tuple[str, str] | None:
    """(code, detail) when the body is refused; None to let the app read it."""
    texts: list[str] = []
    if "json" in content_type:
        if json_too_deep(body):
            return "json_too_deep", DEPTH_MESSAGE
        try:
            texts.extend(strings_in(json.loads(body)))
        except ValueError:
            return None  # not JSON: the app answers 422 json_invalid
    elif content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        texts.extend(text for pair in pairs for text in pair)
    if any(has_forbidden_character(text) for text in texts):
        return "control_character", f"Nội dung gửi lên {CONTROL_MESSAGE}."
    return None


class UnexpectedErrorMiddleware:
    """Answers 500 with the contract's JSON body when a request fails unexpectedly, and ends that
    response cleanly so the client's keep-alive connection goes on working. (Starlette's own
    last-resort handler re-raises after answering, and the server then closes the connection.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # half an answer is out: only closing the connection is honest now
                raise
            logger.exception("unexpected error: %s", type(exc).__name__)
            response = error_response(
                500, "internal_error", "Máy chủ gặp lỗi không mong muốn; xin thử lại hoặc báo cán bộ."
            )
            await response(scope, receive, send)
