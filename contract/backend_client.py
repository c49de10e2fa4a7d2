"""The one client of the backend's HTTP API (`api-contract.md`), for the kiosk, the robot and the actions.

Blocking (`requests`): call it from a worker thread in a UI. One policy for every caller:
- a connection failure, a timeout or a 5xx is retried once when repeating is safe (GET, or a
  POST with an `Idempotency-Key`), then raised as `BackendUnavailableError`;
- a 4xx is raised at once as `BackendError` with the backend's code and Vietnamese detail;
- answers are decoded into `contract.resources` values.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

from contract.errors import (
    BACKEND_DOWN_MESSAGE,
    NO_DEVICE_TOKEN_MESSAGE,
    BackendError,
    BackendUnavailableError,
)
from contract.resources import (
    BookingCheckIn,
    Channel,
    Dossier,
    Faq,
    Priority,
    Procedure,
    ProcedureSummary,
    QueueRow,
    Service,
    Site,
    Ticket,
    queue_rows,
)
from contract.settings import SharedSettings, shared_settings

logger = logging.getLogger(__name__)


class BackendClient:
    def __init__(
        self,
        base_url: str,
        device_token: Callable[[], str | None] | str | None = None,
        *,
        timeout_s: float = 5.0,
        cache_seconds: float = 0.0,
    ) -> None:
        """`device_token` may be a function, read at each device call (a token created later is found).

        `cache_seconds` keeps services and the procedure list that long (they change rarely).
        """
        self.base_url = base_url.rstrip("/")
        self._token: Callable[[], str | None] = (
            device_token if callable(device_token) else (lambda: device_token)
        )
        self.timeout_s = timeout_s
        self.cache_seconds = cache_seconds
        self._local = threading.local()
        self._cache: dict[str, tuple[float, Any]] = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: SharedSettings | None = None, **options: Any) -> BackendClient:
        settings = settings or shared_settings()
        return cls(settings.backend_url, settings.device_token, timeout_s=settings.http_timeout_s, **options)

    # ------------------------------------------------------------------ transport
    @property
    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session

    def request(
        self,
        method: str,
        path: str,
        *,
        device: bool = False,
        site_of_device: bool = False,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One call with the client's policy; returns the decoded JSON (None for an empty answer).

        `device` calls need the device token; `site_of_device` (public reads of per-site values)
        send it when there is one, so the backend answers with the device's own site."""
        all_headers = dict(headers or {})
        token = self._token() if device or site_of_device else None
        if device and not token:
            raise BackendError("device_token_missing", NO_DEVICE_TOKEN_MESSAGE)
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        repeatable = method == "GET" or "Idempotency-Key" in all_headers
        resource = path.split("/")[1] if "/" in path else path  # never log codes or ids
        last: str = ""
        for attempt in (1, 2) if repeatable else (1,):
            try:
                response = self._session.request(
                    method,
                    self.base_url + path,
                    params=params,
                    json=json,
                    headers=all_headers,
                    timeout=self.timeout_s,
                )
            except requests.RequestException as err:
                last = type(err).__name__
                logger.warning("backend %s /%s failed (attempt %d): %s", method, resource, attempt, last)
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                logger.warning("backend %s /%s answered %s (attempt %d)", method, resource, last, attempt)
                continue
            return self._decode(response, method, resource)
        raise BackendUnavailableError("backend_unavailable", BACKEND_DOWN_MESSAGE)

    @staticmethod
    def _decode(response: requests.Response, method: str, resource: str) -> Any:
        try:
            body = response.json() if response.content else None
        except ValueError as err:
            raise BackendUnavailableError(
                "backend_bad_reply", BACKEND_DOWN_MESSAGE, response.status_code
            ) from err
        if response.status_code >= 400:
            details = body if isinstance(body, dict) else {}
            code = str(details.get("code") or f"http_{response.status_code}")
            logger.info("backend %s /%s -> %s %s", method, resource, response.status_code, code)
            raise BackendError(code, str(details.get("detail") or ""), response.status_code)
        return body

    def _cached(self, key: str, fetch: Callable[[], Any]) -> Any:
        if self.cache_seconds <= 0:
            return fetch()
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.cache_seconds:
            return hit[1]
        value = fetch()
        with self._cache_lock:
            self._cache[key] = (now, value)
        return value

    # ------------------------------------------------------------------ public reads
    def health(self) -> dict[str, Any]:
        return dict(self.request("GET", "/health"))

    def procedures(self, q: str | None = None, field: str | None = None) -> list[ProcedureSummary]:
        params = {k: v for k, v in (("q", q), ("field", field)) if v}
        rows = self._cached(
            f"procedures?{q}&{field}", lambda: self.request("GET", "/procedures", params=params)
        )
        return [ProcedureSummary.from_dict(row) for row in rows or []]

    def procedure(self, procedure_id: str) -> Procedure:
        return Procedure.from_dict(self.request("GET", f"/procedures/{procedure_id}"))

    def faqs(self) -> list[Faq]:
        return [Faq.from_dict(row) for row in self.request("GET", "/faq", site_of_device=True) or []]

    def faq(self, key: str) -> Faq:
        return Faq.from_dict(self.request("GET", f"/faq/{key}", site_of_device=True))

    def services(self) -> list[Service]:
        rows = self._cached("services", lambda: self.request("GET", "/services", site_of_device=True))
        return [Service.from_dict(row) for row in rows or []]

    def queue(self) -> list[QueueRow]:
        return queue_rows(self.request("GET", "/queue", site_of_device=True))

    def site(self) -> Site | None:
        """The service point (None when the backend has no content yet)."""
        try:
            return Site.from_dict(self.request("GET", "/site", site_of_device=True))
        except BackendError as err:
            if err.status == 404:
                return None
            raise

    # ------------------------------------------------------------------ device calls
    def issue_ticket(
        self,
        *,
        service_id: str | None = None,
        procedure_id: str | None = None,
        priority: Priority = Priority.NONE,
        channel: Channel = Channel.KIOSK,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """A new ticket; a retry with the same `idempotency_key` returns the same ticket."""
        body: dict[str, Any] = {"priority": Priority(priority).value, "channel": Channel(channel).value}
        if service_id:
            body["service_id"] = service_id
        if procedure_id:
            body["procedure_id"] = procedure_id
        key = idempotency_key or uuid.uuid4().hex
        answer = self.request("POST", "/tickets", device=True, json=body, headers={"Idempotency-Key": key})
        return Ticket.from_dict(answer)

    def ticket(self, ticket_id: int | str) -> Ticket:
        return Ticket.from_dict(self.request("GET", f"/tickets/{ticket_id}", device=True))

    def dossier(self, code: str, verify: str | None = None) -> Dossier:
        params = {"verify": verify} if verify else None
        return Dossier.from_dict(self.request("GET", f"/dossiers/{code}", device=True, params=params))

    def handoff(self, reason: str, summary: str = "") -> None:
        self.request("POST", "/handoffs", device=True, json={"reason": reason, "summary": summary})

    def feedback(self, rating: int, comment: str | None = None, service_id: str | None = None) -> None:
        body: dict[str, Any] = {"rating": int(rating)}
        if comment:
            body["comment"] = comment
        if service_id:
            body["service_id"] = service_id
        self.request("POST", "/feedback", device=True, json=body)

    def unanswered(self, text: str, intent: str | None = None, confidence: float | None = None) -> None:
        body: dict[str, Any] = {"text": text, "intent": intent, "confidence": confidence}
        self.request("POST", "/unanswered", device=True, json=body)

    # ------------------------------------------------------------------ publishing (the NLU side)
    def claim_publish(self) -> dict[str, Any] | None:
        """The oldest publish staff requested, now this device's job (`{id, force, content}`), or None."""
        work = self.request("POST", "/publish/claim", device=True)
        return dict(work) if work else None

    def report_publish(self, job_id: int, **report: Any) -> None:
        """A step of a publish job: `step`, `progress`, `message`, `output`, `status`, `fingerprint`."""
        self.request("POST", f"/publish/{job_id}/progress", device=True, json=report)

    # ------------------------------------------------------------------ status messages (the kiosk)
    def subscribe_dossier(
        self, code: str, verify: str, channels: list[str], email: str | None = None
    ) -> list[str]:
        """Agree to messages about a dossier on `channels` ("sms", "zalo", "email"; email needs
        `email`), with the phone's last four digits; returns the channels now agreed to. A wrong
        `verify` is a BackendError `verify_mismatch` (403) and counts as a failed look-up."""
        body: dict[str, Any] = {"verify": verify, "channels": list(channels)}
        if email:
            body["email"] = email
        answer = self.request("POST", f"/dossiers/{code}/notifications", device=True, json=body)
        return [str(c.get("channel")) for c in (answer or {}).get("consents", []) if isinstance(c, dict)]

    # ------------------------------------------------------------------ booking ahead
    def check_in_booking(self, code: str, channel: Channel = Channel.KIOSK) -> BookingCheckIn:
        """The ticket of a booking at this device's site (a retry returns the same ticket)."""
        answer = self.request(
            "POST", "/bookings/check-in", device=True, json={"code": code, "channel": channel.value}
        )
        return BookingCheckIn.from_dict(answer)

    def book(
        self, service_id: str, day: str, window_start: str, phone: str, channel: Channel = Channel.KIOSK
    ) -> dict[str, Any]:
        """Book a window (`day` ISO, `window_start` "08:30") at this device's site; what a citizen
        sees of the booking: `code`, `day`, `window_start`, the phone's last two digits. A full
        window is a BackendError `booking_window_full` (409), too many bookings `booking_limit_reached`."""
        body = {
            "service_id": service_id,
            "day": day,
            "window_start": window_start,
            "phone": phone,
            "channel": channel.value,
        }
        return dict(self.request("POST", "/bookings", device=True, json=body) or {})

    def booking_windows(
        self, service_id: str, *, days_from_today: int = 1, day: str | None = None
    ) -> list[dict[str, Any]]:
        """The windows of a coming day (`day` ISO, else 0 today, 1 tomorrow…, by the backend's
        clock) for a service at this device's site, with the places left."""
        params: dict[str, Any] = {"service_id": service_id}
        params.update({"day": day} if day else {"days_from_today": days_from_today})
        answer = self.request("GET", "/booking/windows", device=True, params=params)
        return [dict(w) for w in answer or [] if isinstance(w, dict)]
