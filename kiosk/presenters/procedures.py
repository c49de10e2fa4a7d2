"""Finding procedures and turning one into what its card shows and what "Đọc to" says."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content.model import FIELD_NAMES
from kiosk.presenters.formatting import vn_date
from kiosk.strings import t
from vntext.normalize import expand_abbreviations, fold


def _haystack(procedure: dict[str, Any]) -> str:
    parts = [
        str(procedure.get("name", "")),
        str(procedure.get("summary", "")),
        str(procedure.get("id", "")).replace("_", " "),
        *[str(a) for a in procedure.get("aliases") or []],
    ]
    return fold(" ".join(parts))


def search_procedures(
    procedures: list[dict[str, Any]], query: str = "", field_id: str | None = None
) -> list[dict[str, Any]]:
    """Procedures whose name, aliases or summary hold every word of `query`, with or without diacritics."""
    words = fold(expand_abbreviations(query)).split() if query.strip() else []
    found = []
    for procedure in procedures:
        if field_id and procedure.get("field") != field_id:
            continue
        haystack = _haystack(procedure)
        if all(word in haystack for word in words):
            found.append(procedure)
    return rank_procedures(found, query)


def rank_procedures(procedures: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Procedures whose name holds the query first ("khai sinh" -> "Đăng ký khai sinh" before
    "Cấp bản sao trích lục hộ tịch"), the order of the rest kept."""
    words = fold(expand_abbreviations(query)).split() if query.strip() else []
    if not words:
        return list(procedures)
    phrase = " ".join(words)

    def key(procedure: dict[str, Any]) -> int:
        name = fold(str(procedure.get("name", "")))
        if phrase in name:
            return 0
        if all(word in name for word in words):
            return 1
        return 2

    return sorted(procedures, key=key)


def fields_of(procedures: list[dict[str, Any]]) -> list[tuple[str, str]]:
    seen: list[str] = []
    for procedure in procedures:
        field_id = str(procedure.get("field", ""))
        if field_id and field_id not in seen:
            seen.append(field_id)
    order = list(FIELD_NAMES)
    seen.sort(key=lambda f: order.index(f) if f in order else len(order))
    return [(f, FIELD_NAMES.get(f, f)) for f in seen]


@dataclass
class ProcedureCard:
    id: str
    name: str
    field_name: str
    documents: list[str]
    fee: str
    time: str
    where: str
    online_available: bool
    online_text: str
    online_url: str | None
    legal_basis: list[str]
    verified_on: str
    service_id: str | None
    notes: list[str] = field(default_factory=list)
    # The facts the backend does not mark as confirmed: "documents", "fee", "processing_time".
    unconfirmed: list[str] = field(default_factory=list)
    next_change: str = ""

    def stated(self, fact: str, text: str) -> str:
        """A fact's text, with the unconfirmed mark when the backend does not confirm it."""
        return f"{text} ({t('procedures.unconfirmed')})" if fact in self.unconfirmed else text

    @property
    def fee_text(self) -> str:
        return self.stated("fee", self.fee)

    @property
    def time_text(self) -> str:
        return self.stated("processing_time", self.time)

    @property
    def speech_text(self) -> str:
        docs = self.stated("documents", "; ".join(self.documents))
        return (
            f"{self.name}. {t('procedures.documents')}: {docs}. {t('procedures.fee')}: {self.fee_text}. "
            f"{t('procedures.time')}: {self.time_text}. {t('procedures.where')}: {self.where}. "
            f"{self.online_text} {self.next_change}"
        ).strip()


def _next_change(detail: dict[str, Any]) -> str:
    """ "Từ 01/01/2027 thay đổi: lệ phí" from the backend's `next_change`, or ""."""
    change = detail.get("next_change") or {}
    facts = [FACT_LABELS.get(str(f), str(f)) for f in change.get("facts") or []]
    if not change.get("on") or not facts:
        return ""
    return t("procedures.next_change", date=vn_date(change["on"]), facts=", ".join(facts))


FACT_LABELS = {
    "documents": "giấy tờ",
    "fee": "lệ phí",
    "processing_time": "thời gian giải quyết",
    "legal_basis": "căn cứ pháp lý",
}


def procedure_card(detail: dict[str, Any]) -> ProcedureCard:
    fee = detail.get("fee") or {}
    time = detail.get("processing_time") or {}
    where = detail.get("where") or {}
    online = detail.get("online") or {}
    verification = detail.get("verification") or {}
    return ProcedureCard(
        id=str(detail.get("id", "")),
        name=str(detail.get("name", "")),
        field_name=FIELD_NAMES.get(str(detail.get("field", "")), str(detail.get("field", ""))),
        documents=[str(d) for d in detail.get("documents") or []],
        fee=str(fee.get("text", "")),
        time=str(time.get("text", "")),
        where=str(where.get("text", "")),
        online_available=bool(online.get("available")),
        online_text=str(online.get("text", "")),
        online_url=online.get("url") or None,
        legal_basis=[str(x) for x in detail.get("legal_basis") or []],
        verified_on=vn_date(detail.get("verified_on")),
        service_id=where.get("service_id") or None,
        notes=[str(x) for x in detail.get("notes") or []],
        unconfirmed=[
            fact
            for fact in ("documents", "fee", "processing_time")
            if not (verification.get(fact) or {}).get("verified")
        ],
        next_change=_next_change(detail),
    )
