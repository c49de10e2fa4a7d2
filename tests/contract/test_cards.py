"""The bot message cards: each payload shape is read back into its class and written out the same.

The cards the real actions send are decoded in `nlu/tests/test_actions.py` (inside .venv-rasa).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from contract.cards import (
    Choice,
    DossierCard,
    DossierStepCard,
    FaqCard,
    FieldWhereCard,
    ProcedureCard,
    QueueCard,
    TicketCard,
    TicketStatusCard,
    card_from_dict,
)
from contract.resources import DossierStatus, Procedure

REPO = Path(__file__).resolve().parents[2]

PROCEDURE = {
    "id": "khai_sinh",
    "name": "Đăng ký khai sinh",
    "field": "ho_tich",
    "documents": ["Tờ khai", "Giấy chứng sinh"],
    "fee": {"text": "Miễn lệ phí", "amount_vnd": 0},
    "processing_time": {"text": "Trong ngày", "working_days": 0.5},
    "where": {"text": "Bộ phận một cửa", "service_id": "ho_tich_chung_thuc"},
    "online": {"available": True, "level": "full", "url": "https://dichvucong.gov.vn", "text": "Được"},
    "legal_basis": ["Luật Hộ tịch 2014"],
    "verification": {"fee": {"verified": True, "verified_on": "2025-11-01"}},
    "next_change": {"on": "2027-01-01", "facts": ["fee"]},
    "version": 3,
}


def test_a_procedure_card_keeps_the_backends_fact_objects() -> None:
    card = ProcedureCard.of(Procedure.from_dict(PROCEDURE), "fee", "quầy 1 hoặc quầy 2")
    payload = json.loads(json.dumps(card.to_dict()))
    assert payload["type"] == "procedure" and payload["procedure_id"] == "khai_sinh"
    assert payload["fee"] == PROCEDURE["fee"] and payload["next_change"] == PROCEDURE["next_change"]
    assert card_from_dict(payload) == card


def test_every_shape_of_the_readme_is_read_back_into_its_class() -> None:
    ticket = {
        "type": "ticket",
        "ticket_id": 7,
        "number": "A007",
        "service_id": "ho_tich_chung_thuc",
        "service_name": "Hộ tịch – Chứng thực",
        "counters": [{"id": "q1", "number": 1, "name": "Quầy 1"}],
        "counter_text": "quầy 1",
        "ahead": 2,
        "estimated_wait_minutes": 10,
        "priority": "elderly",
        "issued_at": "2026-12-02T08:00:00+07:00",
    }
    status = {"type": "ticket", "ticket_id": 7, "number": "A007", "ahead": 0, "status": "called"}
    row = {
        "service_id": "a",
        "letter": "A",
        "name": "Hộ tịch",
        "waiting": 3,
        "now_serving": [],
        "estimated_wait_minutes": 15,
    }
    dossier = {
        "type": "dossier",
        "code": "000.00.31.H26-251121-0003",
        "procedure_id": "khai_sinh",
        "procedure_name": "Đăng ký khai sinh",
        "status": "dang_xu_ly",
        "status_text": "Đang xử lý",
        "received_on": "2025-11-21",
        "appointment_on": "2025-11-28",
        "next_step": "Chờ kết quả.",
        "applicant": "N*** V*** A",
        "note": "Thiếu bản sao.",
        "detailed": True,
    }
    cards: list[tuple[type, dict[str, Any]]] = [
        (TicketCard, ticket),
        (TicketStatusCard, {**status, "estimated_wait_minutes": 0}),
        (QueueCard, {"type": "ticket", "queue": [row], "waiting": 3}),
        (DossierCard, dossier),
        (DossierStepCard, {"type": "dossier", "step": "not_found", "status": 404}),
        (FieldWhereCard, {"type": "procedure", "aspect": "where", "field": "dat_dai", "service_id": "c",
                          "counter": "quầy 4"}),
        (FaqCard, {"type": "faq", "key": "wifi", "question": "Mật khẩu wifi?", "answer": "letan2025"}),
    ]  # fmt: skip
    for kind, payload in cards:
        card = card_from_dict(payload)
        assert card is not None and isinstance(card, kind), payload
        assert card.to_dict() == payload
    read = card_from_dict(dossier)
    assert isinstance(read, DossierCard) and read.dossier.status is DossierStatus.DANG_XU_LY
    # a card not yet detailed never carries the note, whatever it was built from
    assert DossierCard(read.dossier, detailed=False).to_dict()["note"] is None
    assert card_from_dict({"type": "weather"}) is None


def test_the_cards_of_the_domain_responses_are_read_too() -> None:
    domain = yaml.safe_load((REPO / "nlu" / "domain" / "responses.yml").read_text("utf-8"))
    variations = [v for responses in domain["responses"].values() for v in responses]
    customs = [v["custom"] for v in variations if "custom" in v]
    assert customs and all(isinstance(card_from_dict(custom), DossierStepCard) for custom in customs)


def test_a_choice_sets_an_intent_with_its_entities() -> None:
    choice = Choice.intent("Khai sinh", "inform", procedure="khai_sinh")
    assert choice.to_dict() == {"title": "Khai sinh", "payload": '/inform{"procedure": "khai_sinh"}'}
    assert Choice.from_dict(choice.to_dict()) == choice
    assert Choice.intent("Gặp cán bộ", "request_human").payload == "/request_human"
