"""What the status-message tests share: a dossier, a citizen's consent, the outbox's rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from backend.models import DeliveryAttempt, NotifyConsent, OutboxMessage

API = "/api/v1"
CODE = "000.00.12.H26-250701-0001"
PHONE = "0912345678"
NAME = "Nguyễn Văn An"
EMAIL = "cong.dan@example.vn"


def dossier(**changes: Any) -> dict[str, Any]:
    body = {
        "procedure_id": "khai_sinh",
        "status": "dang_xu_ly",
        "applicant_name": NAME,
        "phone": "0912 345 678",
        "received_on": "2026-03-02",
        "appointment_on": "2026-03-12",
        "note": "Thiếu bản sao giấy chứng sinh của bà Trần Thị Bình.",
    }
    body.update(changes)
    return body


def put_status(client: Any, staff: Any, status: str) -> None:
    response = client.put(f"{API}/dossiers/{CODE}", json=dossier(status=status), headers=staff("integration"))
    assert response.status_code in (200, 201), response.text


def opt_in(
    client: Any, device: dict[str, str], channels: list[str], verify: str = "5678", **extra: Any
) -> Any:
    body = {"verify": verify, "channels": channels, **extra}
    return client.post(f"{API}/dossiers/{CODE}/notifications", json=body, headers=device)


def subscribed(client: Any, staff: Any, device: dict[str, str], channels: list[str]) -> None:
    """The dossier exists and its citizen agreed to `channels` (email to EMAIL)."""
    put_status(client, staff, "dang_xu_ly")
    extra = {"email": EMAIL} if "email" in channels else {}
    response = opt_in(client, device, channels, **extra)
    assert response.status_code == 200, response.text


def messages(database: Any) -> list[OutboxMessage]:
    with database.factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def attempts(database: Any, message_id: int) -> list[DeliveryAttempt]:
    with database.factory() as session:
        return list(
            session.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.message_id == message_id)
                .order_by(DeliveryAttempt.number)
            )
        )


def token(database: Any, channel: str) -> str:
    with database.factory() as session:
        consent = session.scalar(select(NotifyConsent).where(NotifyConsent.channel == channel))
        assert consent is not None and consent.opt_out_token
        return consent.opt_out_token
