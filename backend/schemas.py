"""Request and response bodies of the HTTP API (families XCreate / XPublic)."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from backend.textcheck import clean_text, vietnamese_phone

# Text from clients: stored NFC; HTML and control characters rejected (422) rather than stored.
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(clean_text)]
# A row id in a path: bounded so that no database is asked about a number it cannot hold
# (PostgreSQL INTEGER), which would be a server error instead of 404/422.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
# Printable ASCII without spaces (it is stored and compared as is).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,200}$"
Priority = Literal["none", "elderly", "disabled", "pregnant", "child"]
Channel = Literal["kiosk", "robot", "counter"]
TicketStatus = Literal["waiting", "called", "serving", "done", "no_show"]
DossierStatus = Literal[
    "moi_dang_ky",
    "da_tiep_nhan",
    "khong_tiep_nhan",
    "dang_xu_ly",
    "yeu_cau_bo_sung",
    "yeu_cau_nghia_vu_tai_chinh",
    "cong_dan_rut_ho_so",
    "dung_xu_ly",
    "da_xu_ly_xong",
    "da_tra_ket_qua",
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorPublic(BaseModel):
    detail: str
    code: str


class HealthPublic(BaseModel):
    status: str
    database: str


class ProcedureSummary(BaseModel):
    id: str
    name: str
    field: str
    summary: str


class FaqPublic(BaseModel):
    key: str
    question: str
    answer: str
    answer_details: str | None = None
    variants: list[str] = []
    source_url: str | None = None
    verified_on: date | None = None
    version: int
    updated_at: datetime


class CounterPublic(BaseModel):
    id: str
    number: int
    name: str


class ServicePublic(BaseModel):
    id: str
    letter: str
    name: str
    fields: list[str]
    procedures: list[str]
    counters: list[CounterPublic]


class TokenRequest(Body):
    username: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int
    role: str
    username: str


class TicketCreate(Body):
    service_id: Annotated[str | None, Field(max_length=64)] = None
    procedure_id: Annotated[str | None, Field(max_length=64)] = None
    priority: Priority = "none"
    channel: Channel = "kiosk"


class TicketPublic(BaseModel):
    id: int
    number: str
    service_id: str
    service_name: str
    procedure_id: str | None
    counters: list[CounterPublic]
    ahead: int
    estimated_wait_minutes: int
    issued_at: datetime
    status: TicketStatus
    priority: Priority
    channel: Channel
    counter: CounterPublic | None = None
    called_at: datetime | None = None
    # issued for a booking checked in on time (called before walk-ins from its window's start)
    booked: bool = False


class WaitingTicket(BaseModel):
    id: int
    number: str
    service_id: str
    procedure_id: str | None
    priority: Priority
    issued_at: datetime


class TicketTransfer(Body):
    service_id: Annotated[str, Field(max_length=64)]


class NowServing(BaseModel):
    counter: int
    counter_id: str
    number: str
    status: str


class QueueService(BaseModel):
    service_id: str
    letter: str
    name: str
    waiting: int
    # how long a ticket taken now would wait (0 when nobody waits)
    estimated_wait_minutes: int = 0
    now_serving: list[NowServing]


class QueuePublic(BaseModel):
    services: list[QueueService]
    updated_at: datetime


class DossierUpsert(Body):
    procedure_id: Annotated[str, Field(min_length=1, max_length=64)]
    status: DossierStatus
    applicant_name: Annotated[Text, Field(min_length=1, max_length=200)]
    # Stored as its digits, +84 written as 0.
    phone: Annotated[str, Field(max_length=30), AfterValidator(vietnamese_phone)]
    received_on: date | None = None
    appointment_on: date | None = None
    note: Annotated[Text | None, Field(max_length=2000)] = None


class DossierPublic(BaseModel):
    code: str
    procedure_id: str
    procedure_name: str | None
    status: DossierStatus
    status_text: str
    received_on: date | None
    appointment_on: date | None
    next_step: str
    applicant: str
    verified: bool
    note: str | None = None


class DossierSaved(BaseModel):
    code: str
    created: bool


class HandoffCreate(Body):
    reason: Annotated[Text, Field(min_length=1, max_length=200)]
    summary: Annotated[Text, Field(max_length=2000)] = ""


class FeedbackCreate(Body):
    rating: Annotated[int, Field(ge=1, le=5, strict=True)]  # not "5", not true
    comment: Annotated[Text | None, Field(max_length=2000)] = None
    service_id: Annotated[str | None, Field(max_length=64)] = None


class UnansweredCreate(Body):
    text: Annotated[Text, Field(min_length=1, max_length=2000)]
    intent: Annotated[str | None, Field(max_length=100)] = None
    confidence: Annotated[float | None, Field(ge=0, le=1, strict=True)] = None


class Created(BaseModel):
    id: int
    created_at: datetime


class HandoffPublic(BaseModel):
    id: int
    reason: str
    summary: str
    device: str
    status: str
    created_at: datetime


NotifyChannel = Literal["sms", "zalo", "email"]
EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$"


class NotifyOptIn(Body):
    """A citizen's agreement, at the kiosk, to hear about a dossier (with the phone's last four digits)."""

    verify: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    channels: Annotated[list[NotifyChannel], Field(min_length=1, max_length=3)]
    email: Annotated[str | None, Field(max_length=254, pattern=EMAIL_PATTERN)] = None


class NotifyConsentPublic(BaseModel):
    channel: NotifyChannel
    agreed_at: datetime


class NotifyConsentsPublic(BaseModel):
    consents: list[NotifyConsentPublic]


class NotifyOptOut(Body):
    token: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class NotifyReply(BaseModel):
    """A citizen's reply to a message, as the SMS/Zalo gateway passes it on (other keys ignored)."""

    channel: Literal["sms", "zalo"]
    # The number the reply came from, as the gateway writes it (+84…, 84…, 0…).
    phone: Annotated[str, Field(min_length=1, max_length=32)]
    text: Annotated[str, Field(max_length=2000)]


class NotifyReplyHandled(BaseModel):
    """What the reply did: `opted_out` (the phone gets no more messages on the channel) or `nothing`."""

    action: Literal["opted_out", "nothing"]
    channel: Literal["sms", "zalo"]
    consents_revoked: int
    messages_cancelled: int
    detail: str


class NotifyOptedOut(BaseModel):
    channel: NotifyChannel
    # The dossier as the messages name it: the code's last four digits.
    dossier: str
