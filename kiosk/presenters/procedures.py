"""Finding procedures and turning one into what its card shows and what "Đọc to" says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from content.model import FIELD_NAMES
from contract.resources import Procedure
from kiosk.presenters.formatting import vn_date
from kiosk.strings import t
from vntext.normalize import expand_abbreviations, fold


class Listed(Protocol):
    """What a procedure list shows: `ProcedureSummary` and `Procedure` both have it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def summary(self) -> str: ...


P = TypeVar("P", bound=Listed)


def _haystack(procedure: Listed) -> str:
    raw = getattr(procedure, "raw", None) or {}  # a full Procedure carries its aliases
    parts = [
        procedure.name,
        procedure.summary,
        procedure.id.replace("_", " "),
        *[str(a) for a in raw.get("aliases") or []],
    ]
    return fold(" ".join(parts))


def search_procedures(procedures: Sequence[P], query: str = "", field_id: str | None = None) -> list[P]:
    """Procedures whose name, aliases or summary hold every word of `query`, with or without diacritics."""
    words = fold(expand_abbreviations(query)).split() if query.strip() else []
    found = []
    for procedure in procedures:
        if field_id and procedure.field != field_id:
            continue
        haystack = _haystack(procedure)
        if all(word in haystack for word in words):
            found.append(procedure)
    return rank_procedures(found, query)


def rank_procedures(procedures: Sequence[P], query: str) -> list[P]:
    """Procedures whose name holds the query first ("khai sinh" -> "Đăng ký khai sinh" before
    "Cấp bản sao trích lục hộ tịch"), the order of the rest kept."""
    words = fold(expand_abbreviations(query)).split() if query.strip() else []
    if not words:
        return list(procedures)
    phrase = " ".join(words)

    def key(procedure: P) -> int:
        name = fold(procedure.name)
        if phrase in name:
            return 0
        if all(word in name for word in words):
            return 1
        return 2

    return sorted(procedures, key=key)


def fields_of(procedures: Sequence[Listed]) -> list[tuple[str, str]]:
    seen: list[str] = []
    for procedure in procedures:
        if procedure.field and procedure.field not in seen:
            seen.append(procedure.field)
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


def _next_change(procedure: Procedure) -> str:
    """ "Từ 01/01/2027 thay đổi: lệ phí" from the backend's `next_change`, or ""."""
    change = procedure.raw.get("next_change") or {}
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


def procedure_card(procedure: Procedure) -> ProcedureCard:
    return ProcedureCard(
        id=procedure.id,
        name=procedure.name,
        field_name=FIELD_NAMES.get(procedure.field, procedure.field),
        documents=list(procedure.documents),
        fee=procedure.fee_text,
        time=procedure.time_text,
        where=procedure.where_text,
        online_available=procedure.online_available,
        online_text=procedure.online_text,
        online_url=procedure.online_url,
        legal_basis=list(procedure.legal_basis),
        verified_on=vn_date(procedure.verified_on),
        service_id=procedure.service_id,
        notes=[str(x) for x in procedure.raw.get("notes") or []],
        unconfirmed=[f for f in ("documents", "fee", "processing_time") if not procedure.is_verified(f)],
        next_change=_next_change(procedure),
    )
