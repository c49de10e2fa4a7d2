"""Demo data for `letan kiosk --demo|--screenshots` and the bench: the kiosk without a backend.

`DemoApi` answers the backend's paths with the API's JSON shapes (`api-contract.md`), built from
the repository's content files (the ones the backend loads); tickets and dossiers are made up.
`DemoBackend` has the methods of `contract.backend_client.BackendClient` and decodes those
answers with the same `contract.resources` the client uses, so the kiosk cannot tell them apart
(`tests/kiosk/test_demo_contract.py` decodes the real API's answers and these with one code).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from typing import Any

from contract.errors import BackendError
from contract.rasa_client import BotMessage
from contract.resources import (
    BookingCheckIn,
    Channel,
    Dossier,
    Faq,
    Priority,
    Procedure,
    ProcedureSummary,
    Service,
    Site,
    Ticket,
)
from kiosk.presenters.procedures import search_procedures

DEMO_DOSSIER_CODE = "000.00.31.H26-251121-0003"
DEMO_BOOKING_CODE = "AC3F7K"  # the demo's one booking, for the window of now
DEMO_VERIFY_DIGITS = "5678"  # last four digits of the demo applicant's phone
_UPDATED_AT = "2026-01-01T00:00:00Z"


class DemoApi:
    """The backend's JSON answers, from the content files (read when the object is made)."""

    def __init__(self) -> None:
        from content.check import service_day
        from content.files import default_content_dir, read_content_dir
        from content.in_force import in_force
        from content.model import DATED_FACTS, site_answer

        content = read_content_dir(default_content_dir())
        self.site_model = content.site
        self._procedures = [
            dict(
                in_force(p, service_day()),
                periods={f: p.model_dump(mode="json")[f] for f in DATED_FACTS if p.is_dated(f)},
                version=1,
                updated_at=_UPDATED_AT,
            )
            for p in content.procedures
        ]
        self._faq: list[dict[str, Any]] = []
        for entry in content.faq:
            try:
                answer, details = site_answer(entry, content.site)
            except Exception:
                answer, details = entry.answer, None
            self._faq.append(
                {
                    "key": entry.key,
                    "question": entry.question,
                    "answer": answer,
                    "answer_details": details,
                    "variants": list(entry.variants),
                    "source_url": entry.source_url,
                    "verified_on": entry.verified_on.isoformat() if entry.verified_on else None,
                    "version": 1,
                    "updated_at": _UPDATED_AT,
                }
            )
        counters = {c.id: c.model_dump(mode="json") for c in content.services.counters}
        self._services = [
            dict(s.model_dump(mode="json"), counters=[counters[c] for c in s.counters if c in counters])
            for s in content.services.services
        ]
        self._ids = itertools.count(1)
        self._tickets: dict[str, dict[str, Any]] = {}

    # public reads
    def procedures(self, q: str | None = None, field: str | None = None) -> list[dict[str, Any]]:
        found = search_procedures([Procedure.from_dict(p) for p in self._procedures], q or "", field)
        ids = [p.id for p in found]
        return [
            {k: p[k] for k in ("id", "name", "field", "summary")}
            for p in sorted((p for p in self._procedures if p["id"] in ids), key=lambda p: ids.index(p["id"]))
        ]

    def procedure(self, procedure_id: str) -> dict[str, Any]:
        for procedure in self._procedures:
            if procedure["id"] == procedure_id:
                return dict(procedure)
        raise BackendError("procedure_not_found", "Không có thủ tục này.", 404)

    def faq(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self._faq]

    def services(self) -> list[dict[str, Any]]:
        return [dict(service) for service in self._services]

    def site(self) -> dict[str, Any]:
        return dict(self.site_model.model_dump(mode="json"))

    # device calls
    def issue_ticket(self, body: dict[str, Any]) -> dict[str, Any]:
        services = self._services
        service = next((s for s in services if s["id"] == body.get("service_id")), None)
        procedure_id = body.get("procedure_id")
        if service is None and procedure_id:
            service = next((s for s in services if procedure_id in s["procedures"]), None)
        service = service or services[0]
        ticket_id = next(self._ids)
        ticket = {
            "id": ticket_id,
            "number": f"{service['letter']}{22 + ticket_id:03d}",
            "service_id": service["id"],
            "service_name": service["name"],
            "procedure_id": procedure_id,
            "counters": [dict(c) for c in service["counters"]],
            "ahead": 4,
            "estimated_wait_minutes": 12,
            "issued_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "status": "waiting",
            "priority": body.get("priority", "none"),
            "channel": body.get("channel", "kiosk"),
            "counter": None,
            "called_at": None,
            "booked": False,
        }
        self._tickets[str(ticket_id)] = ticket
        return ticket

    def dossier(self, code: str, verify: str | None = None) -> dict[str, Any]:
        if code != DEMO_DOSSIER_CODE:
            raise BackendError("dossier_not_found", "Không tìm thấy hồ sơ.", 404)
        verified = verify == DEMO_VERIFY_DIGITS
        note = "Kết quả gồm 2 bản sao giấy khai sinh." if verified else None
        return {
            "code": code,
            "procedure_id": "khai_sinh",
            "procedure_name": "Đăng ký khai sinh",
            "status": "da_xu_ly_xong",
            "status_text": "Hồ sơ đã giải quyết xong, đang chờ bác đến nhận kết quả.",
            "received_on": (date.today() - timedelta(days=3)).isoformat(),
            "appointment_on": (date.today() + timedelta(days=1)).isoformat(),
            "next_step": "Mang giấy hẹn và căn cước đến quầy số 1 để nhận kết quả."
            + (f" {note}" if note else ""),
            "applicant": "Nguyễn V. A.",
            "verified": verified,
            "note": note,
        }


class DemoBackend:
    """`BackendClient`'s methods, answered by `DemoApi` and decoded by `contract.resources`."""

    def __init__(self, api: DemoApi | None = None) -> None:
        self.api = api or DemoApi()

    def procedures(self, q: str | None = None, field: str | None = None) -> list[ProcedureSummary]:
        return [ProcedureSummary.from_dict(row) for row in self.api.procedures(q, field)]

    def procedure(self, procedure_id: str) -> Procedure:
        return Procedure.from_dict(self.api.procedure(procedure_id))

    def faqs(self) -> list[Faq]:
        return [Faq.from_dict(row) for row in self.api.faq()]

    def services(self) -> list[Service]:
        return [Service.from_dict(row) for row in self.api.services()]

    def site(self) -> Site | None:
        return Site.from_dict(self.api.site())

    def issue_ticket(
        self,
        *,
        service_id: str | None = None,
        procedure_id: str | None = None,
        priority: Priority = Priority.NONE,
        idempotency_key: str | None = None,
    ) -> Ticket:
        body = {"service_id": service_id, "procedure_id": procedure_id, "priority": Priority(priority).value}
        return Ticket.from_dict(self.api.issue_ticket(body))

    def check_in_booking(self, code: str, channel: Channel = Channel.KIOSK) -> BookingCheckIn:
        if code != DEMO_BOOKING_CODE:
            raise BackendError("booking_not_found", "Không tìm thấy lịch hẹn này ở điểm phục vụ này.", 404)
        ticket = {**self.api.issue_ticket({"service_id": None, "channel": channel.value}), "booked": True}
        booking = {"code": code, "window_start": "08:00", "status": "checked_in"}
        return BookingCheckIn.from_dict({"kind": "on_time", "booking": booking, "ticket": ticket})

    def dossier(self, code: str, verify: str | None = None) -> Dossier:
        return Dossier.from_dict(self.api.dossier(code, verify))

    def subscribe_dossier(
        self, code: str, verify: str, channels: list[str], email: str | None = None
    ) -> list[str]:
        """The demo agrees to what is asked once the digits match (nothing is ever sent)."""
        if not self.api.dossier(code, verify).get("verified"):
            raise BackendError("verify_mismatch", "Bốn số cuối không khớp.", 403)
        return list(dict.fromkeys(channels))

    def handoff(self, reason: str, summary: str = "") -> None:
        return None

    def feedback(self, rating: int, comment: str | None = None, service_id: str | None = None) -> None:
        return None


DEMO_CONVERSATION: list[dict[str, Any]] = [
    {"text": "Dạ, để làm giấy khai sinh cho con, bác cần mang các giấy tờ sau ạ."},
    {
        "custom": {
            "type": "procedure",
            "id": "khai_sinh",
            "name": "Đăng ký khai sinh",
            "fee": {"text": "Miễn lệ phí khi đăng ký đúng hạn"},
            "processing_time": {"text": "Trong ngày"},
            "where": {"text": "Quầy số 1 hoặc 2 (Hộ tịch – Chứng thực)"},
            "documents": ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Căn cước của cha hoặc mẹ"],
        }
    },
    {
        "text": "Bác có muốn lấy số thứ tự không ạ?",
        "buttons": [
            {"title": "Có, lấy số cho tôi", "payload": "/affirm"},
            {"title": "Không, cảm ơn", "payload": "/deny"},
        ],
    },
]


class DemoRasa:
    """Answers every message with the demo conversation (screenshots only)."""

    def send(self, sender: str, message: str) -> list[BotMessage]:
        return [BotMessage.from_dict(message) for message in DEMO_CONVERSATION]
