"""The backend's resources (`api-contract.md`) as typed values, decoded once for every client.

`from_dict` reads an API answer (or the kiosk's demo data, which answers in the same shapes) and
ignores keys it does not know, so the backend may add fields; `to_dict` gives the API shape back.
One module (about 430 lines) on purpose: it is the contract's vocabulary, read beside
`api-contract.md` resource by resource, and its small decoding helpers are shared by all of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from enum import Enum
from typing import Any


class DossierStatus(str, Enum):
    """The dossier statuses of the one-stop system, with what each means to the citizen."""

    MOI_DANG_KY = "moi_dang_ky"
    DA_TIEP_NHAN = "da_tiep_nhan"
    KHONG_TIEP_NHAN = "khong_tiep_nhan"
    DANG_XU_LY = "dang_xu_ly"
    YEU_CAU_BO_SUNG = "yeu_cau_bo_sung"
    YEU_CAU_NGHIA_VU_TAI_CHINH = "yeu_cau_nghia_vu_tai_chinh"
    CONG_DAN_RUT_HO_SO = "cong_dan_rut_ho_so"
    DUNG_XU_LY = "dung_xu_ly"
    DA_XU_LY_XONG = "da_xu_ly_xong"
    DA_TRA_KET_QUA = "da_tra_ket_qua"

    @property
    def label(self) -> str:
        """The status as the one-stop system names it ("Đã tiếp nhận")."""
        return DOSSIER_STATUS_LABELS[self]


DOSSIER_STATUS_LABELS: dict[DossierStatus, str] = {
    DossierStatus.MOI_DANG_KY: "Mới đăng ký",
    DossierStatus.DA_TIEP_NHAN: "Đã tiếp nhận",
    DossierStatus.KHONG_TIEP_NHAN: "Không được tiếp nhận",
    DossierStatus.DANG_XU_LY: "Đang xử lý",
    DossierStatus.YEU_CAU_BO_SUNG: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.CONG_DAN_RUT_HO_SO: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.DUNG_XU_LY: "Dừng xử lý",
    DossierStatus.DA_XU_LY_XONG: "Đã xử lý xong",
    DossierStatus.DA_TRA_KET_QUA: "Đã trả kết quả",
}


class TicketStatus(str, Enum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"


class Priority(str, Enum):
    NONE = "none"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    CHILD = "child"


class Channel(str, Enum):
    KIOSK = "kiosk"
    ROBOT = "robot"
    COUNTER = "counter"


def _text(data: dict[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def _optional(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None or value == "" else str(value)


def _texts(data: dict[str, Any], key: str) -> list[str]:
    return [str(item) for item in data.get(key) or []]


@dataclass(frozen=True)
class Counter:
    id: str
    number: int
    name: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counter:
        return cls(id=_text(data, "id"), number=int(data.get("number") or 0), name=_text(data, "name"))

    @property
    def spoken(self) -> str:
        return f"quầy {self.number}"


def counters_text(counters: list[Counter], fallback: str) -> str:
    """ "quầy 1 hoặc quầy 2": where a citizen goes (the fallback when there is no counter)."""
    return " hoặc ".join(c.spoken for c in counters) or fallback


@dataclass(frozen=True)
class Service:
    id: str
    letter: str
    name: str
    fields: list[str]
    procedures: list[str]
    counters: list[Counter]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Service:
        return cls(
            id=_text(data, "id"),
            letter=_text(data, "letter"),
            name=_text(data, "name"),
            fields=_texts(data, "fields"),
            procedures=_texts(data, "procedures"),
            counters=[Counter.from_dict(c) for c in data.get("counters") or [] if isinstance(c, dict)],
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def service_for(
    services: list[Service], *, procedure: str | None = None, field: str | None = None
) -> Service | None:
    """The queue service that handles a procedure (first) or a field, if any."""
    if procedure:
        for service in services:
            if procedure in service.procedures:
                return service
    if field:
        for service in services:
            if field in service.fields:
                return service
    return None


@dataclass(frozen=True)
class Verification:
    """Whether a fact may be said as certain, on what evidence; unknown means not verified."""

    verified: bool = False
    verified_on: str | None = None
    source_url: str | None = None
    note: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Verification:
        data = data or {}
        return cls(
            verified=bool(data.get("verified")),
            verified_on=_optional(data, "verified_on"),
            source_url=_optional(data, "source_url"),
            note=_optional(data, "note"),
        )


@dataclass(frozen=True)
class Change:
    """A dated fact taking a new value (None: ending with nothing after) on a later day."""

    on: str
    fact: str
    text: str | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        value = data.get("value")
        if isinstance(value, dict):
            text: str | None = _optional(value, "text")
        elif isinstance(value, list):
            text = "; ".join(str(v) for v in value)
        else:
            text = None
        return cls(on=_text(data, "on"), fact=_text(data, "fact"), text=text)


@dataclass(frozen=True)
class Procedure:
    """A procedure as in force on the backend's service day (`GET /procedures/{id}`)."""

    id: str
    name: str
    field: str
    summary: str
    documents: list[str]
    fee_text: str
    fee_vnd: int | None
    time_text: str
    working_days: float | None
    where_text: str
    service_id: str | None
    online_available: bool
    online_level: str
    online_url: str | None
    online_text: str
    legal_basis: list[str]
    source_url: str | None
    verified_on: str | None
    verification: dict[str, Verification]
    changes: list[Change]
    service_day: str | None
    version: int | None
    raw: dict[str, Any] = dataclass_field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        fee = data.get("fee") or {}
        time = data.get("processing_time") or {}
        where = data.get("where") or {}
        online = data.get("online") or {}
        amount = fee.get("amount_vnd")
        days = time.get("working_days")
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name"),
            field=_text(data, "field"),
            summary=_text(data, "summary"),
            documents=_texts(data, "documents"),
            fee_text=_text(fee, "text"),
            fee_vnd=None if amount is None else int(amount),
            time_text=_text(time, "text"),
            working_days=None if days is None else float(days),
            where_text=_text(where, "text"),
            service_id=_optional(where, "service_id"),
            online_available=bool(online.get("available")),
            online_level=_text(online, "level", "none"),
            online_url=_optional(online, "url"),
            online_text=_text(online, "text"),
            legal_basis=_texts(data, "legal_basis"),
            source_url=_optional(data, "source_url"),
            verified_on=_optional(data, "verified_on"),
            verification={
                fact: Verification.from_dict(value)
                for fact, value in (data.get("verification") or {}).items()
                if isinstance(value, dict)
            },
            changes=[Change.from_dict(c) for c in data.get("changes") or [] if isinstance(c, dict)],
            service_day=_optional(data, "service_day"),
            version=None if data.get("version") is None else int(data["version"]),
            raw=dict(data),
        )

    def is_verified(self, fact: str) -> bool:
        """Whether the backend says `fact` (documents, fee, processing_time, legal_basis) is confirmed."""
        return self.verification.get(fact, Verification()).verified

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


@dataclass(frozen=True)
class ProcedureSummary:
    id: str
    name: str
    field: str
    summary: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcedureSummary:
        return cls(_text(data, "id"), _text(data, "name"), _text(data, "field"), _text(data, "summary"))


@dataclass(frozen=True)
class Faq:
    key: str
    question: str
    answer: str
    answer_details: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faq:
        return cls(
            key=_text(data, "key"),
            question=_text(data, "question"),
            answer=_text(data, "answer"),
            answer_details=_optional(data, "answer_details"),
        )


@dataclass(frozen=True)
class Ticket:
    id: int
    number: str
    service_id: str
    service_name: str
    counters: list[Counter]
    ahead: int
    estimated_wait_minutes: int
    issued_at: str
    status: TicketStatus
    priority: Priority
    procedure_id: str | None = None
    counter: Counter | None = None
    booked: bool = False  # a booking's ticket, called before walk-ins from its window's start

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ticket:
        counter = data.get("counter")
        return cls(
            id=int(data.get("id") or 0),
            number=_text(data, "number"),
            service_id=_text(data, "service_id"),
            service_name=_text(data, "service_name"),
            counters=[Counter.from_dict(c) for c in data.get("counters") or [] if isinstance(c, dict)],
            ahead=int(data.get("ahead") or 0),
            estimated_wait_minutes=int(data.get("estimated_wait_minutes") or 0),
            issued_at=_text(data, "issued_at"),
            status=TicketStatus(_text(data, "status", "waiting")),
            priority=Priority(_text(data, "priority", "none")),
            procedure_id=_optional(data, "procedure_id"),
            counter=Counter.from_dict(counter) if isinstance(counter, dict) else None,
            booked=bool(data.get("booked")),
        )


@dataclass(frozen=True)
class BookingCheckIn:
    """A booking given at the service point: its ticket, and whether the citizen came early (the
    ticket waits for the window), on time, or late (the ticket is a walk-in's)."""

    kind: str  # early, on_time, late
    code: str
    window_start: str
    ticket: Ticket

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BookingCheckIn:
        booking = data.get("booking") or {}
        return cls(
            kind=_text(data, "kind", "on_time"),
            code=_text(booking, "code"),
            window_start=_text(booking, "window_start"),
            ticket=Ticket.from_dict(data.get("ticket") or {}),
        )


@dataclass(frozen=True)
class NowServing:
    counter: int
    number: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NowServing:
        return cls(counter=int(data.get("counter") or 0), number=_text(data, "number"))


@dataclass(frozen=True)
class QueueRow:
    """One service on the queue board (`GET /queue` → `services[]`)."""

    service_id: str
    letter: str
    name: str
    waiting: int
    now_serving: list[NowServing]
    estimated_wait_minutes: int = 0  # for a ticket taken now

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueueRow:
        return cls(
            service_id=_text(data, "service_id"),
            letter=_text(data, "letter"),
            name=_text(data, "name"),
            waiting=int(data.get("waiting") or 0),
            estimated_wait_minutes=int(data.get("estimated_wait_minutes") or 0),
            now_serving=[
                NowServing.from_dict(n) for n in data.get("now_serving") or [] if isinstance(n, dict)
            ],
        )


def queue_rows(board: Any) -> list[QueueRow]:
    """The rows of `GET /queue` (an object with `services`; a bare list is read too)."""
    rows = board.get("services") if isinstance(board, dict) else board
    return [QueueRow.from_dict(row) for row in rows or [] if isinstance(row, dict)]


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_id: str
    procedure_name: str
    status: DossierStatus
    status_text: str
    received_on: str | None
    appointment_on: str | None
    next_step: str
    applicant: str
    verified: bool
    note: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Dossier:
        status = DossierStatus(_text(data, "status", DossierStatus.MOI_DANG_KY.value))
        return cls(
            code=_text(data, "code"),
            procedure_id=_text(data, "procedure_id"),
            procedure_name=_text(data, "procedure_name"),
            status=status,
            status_text=_text(data, "status_text") or status.label,
            received_on=_optional(data, "received_on"),
            appointment_on=_optional(data, "appointment_on"),
            next_step=_text(data, "next_step"),
            applicant=_text(data, "applicant"),
            verified=bool(data.get("verified")),
            note=_optional(data, "note"),
        )


@dataclass(frozen=True)
class Site:
    name: str
    address: str
    opening_hours: str
    raw: dict[str, Any] = dataclass_field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Site:
        return cls(
            name=_text(data, "name"),
            address=_text(data, "address"),
            opening_hours=_text(data, "opening_hours"),
            raw=dict(data),
        )
