"""Assertions about the backend's HTTP answers, shared by the suites."""

from __future__ import annotations

from typing import Any


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """`response` is an error of the contract's shape: `{"detail": <Vietnamese>, "code": <stable code>}`."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    assert {"detail", "code"} <= set(body), body
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    if code is not None:
        assert body["code"] == code, body
    return body
