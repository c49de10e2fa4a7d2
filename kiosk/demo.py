"""Demo data for `letan kiosk --screenshots` and for trying the kiosk without a backend.

Reads the repository's content files (the same ones the backend loads) and answers with the
shapes of the backend API; tickets and dossiers are made up and marked as demo.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from kiosk.errors import BackendError

DEMO_DOSSIER_CODE = "000.00.31.H26-251121-0003"
DEMO_VERIFY_DIGITS = "5678"  # last four digits of the demo applicant's phone


class DemoBackend:
    """The backend API methods of `BackendClient`, answered from the content files."""

    def __init__(self) -> None:
        from content.files import default_content_dir, read_content_dir

        content = read_content_dir(default_content_dir())
        self.site_model = content.site
        from content.check import service_day
        from content.in_force import in_force
        from content.model import site_answer

        today = service_day()
        self._procedures = [in_force(p, today) for p in content.procedures]
        self._faq = []
        for entry in content.faq:
            try:
                answer = site_answer(entry, content.site)[0]
            except Exception:
                answer = entry.answer
            self._faq.append({"key": entry.key, "question": entry.question, "answer": answer, "version": 1})
        self._services = [
            {
                "id": s.id,
                "letter": s.letter,
                "name": s.name,
                "fields": list(s.fields),
                "counters": [c for c in s.counters],
            }
            for s in content.services.services
        ]
        self._counter_numbers = {c.id: str(c.number) for c in content.services.counters}
        self._ids = itertools.count(1)
        self.tickets: dict[str, dict[str, Any]] = {}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "database": "ok"}

    def procedures(self, q: str | None = None, field: str | None = None) -> list[dict[str, Any]]:
        from kiosk.presenters.procedures import search_procedures

        found = search_procedures(self._procedures, q or "", field)
        return [{k: p[k] for k in ("id", "name", "field", "summary")} for p in found]

    def procedure(self, procedure_id: str) -> dict[str, Any]:
        for procedure in self._procedures:
            if procedure["id"] == procedure_id:
                return dict(procedure, version=1)
        raise BackendError("procedure_not_found", "Không có thủ tục này.", status=404)

    def faq(self) -> list[dict[str, Any]]:
        return list(self._faq)

    def services(self) -> list[dict[str, Any]]:
        return [
            dict(s, counters=[self._counter_numbers.get(c, c) for c in s["counters"]]) for s in self._services
        ]

    def site(self) -> dict[str, Any]:
        return dict(self.site_model.model_dump(mode="json"))

    def create_ticket(
        self,
        *,
        service_id: str | None = None,
        procedure_id: str | None = None,
        priority: str = "none",
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        services = self.services()
        service = next((s for s in services if s["id"] == service_id), None)
        if service is None and procedure_id:
            field = next((p["field"] for p in self._procedures if p["id"] == procedure_id), None)
            service = next((s for s in services if field in s["fields"]), None)
        service = service or services[0]
        ticket_id = str(next(self._ids))
        ticket = {
            "id": ticket_id,
            "number": f"{service['letter']}{22 + int(ticket_id):03d}",
            "service_id": service["id"],
            "counters": service["counters"],
            "ahead": 4,
            "estimated_wait_minutes": 12,
            "issued_at": datetime.now().isoformat(timespec="seconds"),
            "status": "waiting",
            "priority": priority,
        }
        self.tickets[ticket_id] = ticket
        return ticket

    def ticket(self, ticket_id: str | int) -> dict[str, Any]:
        return self.tickets[str(ticket_id)]

    def dossier(self, code: str, verify: str | None = None) -> dict[str, Any]:
        if code != DEMO_DOSSIER_CODE:
            raise BackendError("dossier_not_found", "Không tìm thấy hồ sơ.", status=404)
        verified = verify == DEMO_VERIFY_DIGITS
        note = "Kết quả gồm 2 bản sao giấy khai sinh." if verified else None
        return {
            "verified": verified,
            "note": note,
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
        }

    def handoff(self, reason: str, summary: str) -> dict[str, Any]:
        return {"id": 1}

    def feedback(self, rating: int, comment: str, service_id: str | None = None) -> dict[str, Any]:
        return {"id": 1}


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

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        return DEMO_CONVERSATION
