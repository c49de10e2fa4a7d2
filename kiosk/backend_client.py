"""The backend HTTP API (`api-contract.md`) as the kiosk uses it. Blocking: call from a thread."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import requests

from kiosk.errors import BackendError

logger = logging.getLogger(__name__)


class BackendClient:
    def __init__(self, base_url: str, device_token: str | None, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.device_token = device_token
        self.timeout = timeout
        self.session = requests.Session()

    def _request(
        self,
        method: str,
        path: str,
        *,
        device: bool = False,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = dict(headers or {})
        if device:
            if not self.device_token:
                raise BackendError("device_token_missing", "Máy chưa được cấp mã thiết bị.")
            all_headers["Authorization"] = f"Bearer {self.device_token}"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers=all_headers,
                timeout=self.timeout,
            )
        except requests.RequestException as err:
            logger.warning("backend %s %s unreachable: %s", method, path.split("/")[1], type(err).__name__)
            raise BackendError("backend_unavailable", "Máy chủ không trả lời.") from err
        if response.status_code >= 400:
            code, detail = "backend_error", ""
            try:
                body = response.json()
                code = str(body.get("code") or code)
                detail = str(body.get("detail") or "")
            except (ValueError, AttributeError):
                pass
            if response.status_code >= 500 and code == "backend_error":
                code = "backend_unavailable"
            logger.info("backend %s %s -> %s %s", method, path.split("/")[1], response.status_code, code)
            raise BackendError(code, detail, status=response.status_code)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as err:
            raise BackendError("backend_error", "Máy chủ trả lời không hợp lệ.") from err

    # public
    def health(self) -> dict[str, Any]:
        return dict(self._request("GET", "/health"))

    def procedures(self, q: str | None = None, field: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("q", q), ("field", field)) if v}
        return list(self._request("GET", "/procedures", params=params or None))

    def procedure(self, procedure_id: str) -> dict[str, Any]:
        return dict(self._request("GET", f"/procedures/{procedure_id}"))

    def faq(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/faq"))

    def services(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/services"))

    def site(self) -> dict[str, Any] | None:
        """The service point (optional path: older backends have none)."""
        try:
            return dict(self._request("GET", "/site"))
        except BackendError as err:
            if err.status == 404:
                return None
            raise

    # device
    def create_ticket(
        self,
        *,
        service_id: str | None = None,
        procedure_id: str | None = None,
        priority: str = "none",
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"priority": priority, "channel": "kiosk"}
        if service_id:
            body["service_id"] = service_id
        if procedure_id:
            body["procedure_id"] = procedure_id
        key = idempotency_key or uuid.uuid4().hex
        return dict(
            self._request("POST", "/tickets", device=True, json=body, headers={"Idempotency-Key": key})
        )

    def ticket(self, ticket_id: str | int) -> dict[str, Any]:
        return dict(self._request("GET", f"/tickets/{ticket_id}", device=True))

    def dossier(self, code: str, verify: str | None = None) -> dict[str, Any]:
        params = {"verify": verify} if verify else None
        return dict(self._request("GET", f"/dossiers/{code}", device=True, params=params))

    def handoff(self, reason: str, summary: str) -> Any:
        return self._request("POST", "/handoffs", device=True, json={"reason": reason, "summary": summary})

    def feedback(self, rating: int, comment: str, service_id: str | None = None) -> Any:
        body: dict[str, Any] = {"rating": rating, "comment": comment}
        if service_id:
            body["service_id"] = service_id
        return self._request("POST", "/feedback", device=True, json=body)
