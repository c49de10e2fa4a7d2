"""Helpers shared by the actions: saying things, buttons, the backend-down apology."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from .backend_client import BackendClient, get_settings

logger = logging.getLogger(__name__)

# The procedures offered as buttons when the citizen has not named one (most asked first).
COMMON_PROCEDURES: list[tuple[str, str]] = [
    ("khai_sinh", "Khai sinh"),
    ("chung_thuc_ban_sao", "Chứng thực bản sao"),
    ("thuong_tru", "Thường trú"),
    ("can_cuoc", "Căn cước"),
    ("cap_so_do", "Sổ đỏ lần đầu"),
    ("ket_hon", "Kết hôn"),
    ("ly_lich_tu_phap", "Lý lịch tư pháp"),
]

MAIN_OPTIONS: list[dict[str, str]] = [
    {"title": "Hỏi thủ tục", "payload": "/ask_procedure"},
    {"title": "Lấy số thứ tự", "payload": "/request_queue_number"},
    {"title": "Tra cứu hồ sơ", "payload": "/check_dossier_status"},
    {"title": "Gặp cán bộ", "payload": "/request_human"},
]


def intent_payload(intent: str, **entities: str) -> str:
    """A button payload that sets an intent with entities: /inform{"procedure": "khai_sinh"}."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def entity_value(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value is not None else None


def counters_text(service: dict[str, Any] | None) -> str:
    """ "quầy 1 hoặc 2" from a service's counters (ids, numbers or objects)."""
    if not service:
        return get_settings().help_counter
    numbers: list[str] = []
    names: list[str] = []
    for counter in service.get("counters") or []:
        if isinstance(counter, dict):
            number = counter.get("number")
            if number is not None:
                numbers.append(str(number))
            elif counter.get("name"):
                names.append(str(counter["name"]))
        else:
            digits = "".join(ch for ch in str(counter) if ch.isdigit())
            (numbers if digits else names).append(digits or str(counter))
    if numbers:
        listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} hoặc {numbers[-1]}"
        names.insert(0, f"quầy {listed}")
    return " hoặc ".join(names) if names else get_settings().help_counter


def service_for(
    client: BackendClient, *, field: str | None = None, procedure: str | None = None
) -> dict | None:
    """The queue service that handles a procedure or a field (None when unknown)."""
    services = client.services()
    if procedure:
        for service in services:
            if procedure in (service.get("procedures") or []):
                return service
        field = field or client.procedure(procedure).get("field")
    if field:
        for service in services:
            if field in (service.get("fields") or []):
                return service
    return None


def say_backend_down(dispatcher: CollectingDispatcher, what: str = "") -> None:
    """The clear apology when the backend cannot be reached, with where to go instead."""
    counter = get_settings().help_counter
    lead = (
        f"Xin lỗi, tôi chưa {what} được vì hệ thống đang gián đoạn."
        if what
        else ("Xin lỗi, hệ thống đang gián đoạn nên tôi chưa trả lời được.")
    )
    dispatcher.utter_message(text=f"{lead} Mời bạn đến {counter} để cán bộ hỗ trợ trực tiếp.")
