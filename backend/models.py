"""Database tables (SQLAlchemy 2 typed declarative models).

Every table in one module (about 480 lines, most of them column declarations): the migrations in
`backend/migrations/` and `Base.metadata` are compared against one list, and a reader finds a
table and its foreign keys in one place. Behaviour lives in `backend/services/`, not here."""

from datetime import date, datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# The site of a single-site install, and the one an older database's rows are moved into.
DEFAULT_SITE_ID = "default"
SERVICE_TIMEZONE = "Asia/Ho_Chi_Minh"


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every database, returned as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class ContentRecord:
    """Columns shared by records staff can edit: version, who and when, and the last content load.

    `loaded_version` is the version written by the last `letan content load`; when `version`
    differs from it, staff changed the record since and the next load reports a conflict.
    """

    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))
    loaded_version: Mapped[int | None] = mapped_column(default=None)


class SiteRecord(ContentRecord, Base):
    """A service point. Its values (content.model.Site: wifi, hours, amenities...) are `data`,
    empty until content is loaded; name and address are kept in columns as well for listings."""

    __tablename__ = "sites"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500), default="")
    time_zone: Mapped[str] = mapped_column(String(64), default=SERVICE_TIMEZONE)
    data: Mapped[dict[str, Any]]


def _site_column() -> Mapped[str]:
    return mapped_column(ForeignKey("sites.id"), index=True)


class ProcedureRecord(ContentRecord, Base):
    __tablename__ = "procedures"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(32), index=True)
    # Lower-case, diacritic-free name, aliases and id, for search.
    search_text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class FaqRecord(ContentRecord, Base):
    __tablename__ = "faq"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any]]


class CounterRecord(Base):
    __tablename__ = "counters"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))


class ServiceRecord(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("site_id", "letter", name="uq_services_site_letter"),)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    fields: Mapped[list[Any]]
    procedures: Mapped[list[Any]]
    counters: Mapped[list[Any]]


class TicketDayCounter(Base):
    """The last sequence number issued per site, service and local day (incremented atomically)."""

    __tablename__ = "ticket_day_counters"
    __table_args__ = (
        ForeignKeyConstraint(
            ["site_id", "service_id"],
            ["services.site_id", "services.id"],
            name="fk_ticket_day_counters_service",
        ),
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_sequence: Mapped[int]


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    site_id: Mapped[str] = _site_column()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The number's identity: unique per site, issuing service and local day, whatever happens later.
        UniqueConstraint("site_id", "issued_service_id", "service_day", "sequence", name="uq_tickets_number"),
        UniqueConstraint("device_id", "idempotency_key", name="uq_tickets_idempotency"),
        Index(
            "ix_tickets_queue", "site_id", "service_id", "status", "service_day", "priority_rank", "queued_at"
        ),
        ForeignKeyConstraint(
            ["site_id", "issued_service_id"],
            ["services.site_id", "services.id"],
            name="fk_tickets_issued_service",
        ),
        ForeignKeyConstraint(
            ["site_id", "service_id"], ["services.site_id", "services.id"], name="fk_tickets_service"
        ),
        ForeignKeyConstraint(
            ["site_id", "counter_id"], ["counters.site_id", "counters.id"], name="fk_tickets_counter"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    issued_service_id: Mapped[str] = mapped_column(String(64))
    service_day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(16))
    # The queue the ticket waits in now (changes on transfer).
    service_id: Mapped[str] = mapped_column(String(64))
    procedure_id: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16), default="none")
    # 0 = a priority group, 1 = booked ahead, 2 = walk-in (the order of `backend.services.booking`)
    priority_rank: Mapped[int] = mapped_column(default=2)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    counter_id: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # sha256 of the request that carried the key: a retry must be the same request.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    queued_at: Mapped[datetime]
    called_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    recall_count: Mapped[int] = mapped_column(default=0)


class Booking(Base):
    """A queue number booked ahead for a window of a service (`backend.services.booking`)."""

    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(
            ["site_id", "service_id"], ["services.site_id", "services.id"], name="fk_bookings_service"
        ),
        Index("ix_bookings_window", "site_id", "service_id", "day", "window_start", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    service_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    window_start: Mapped[str] = mapped_column(String(5))  # local "HH:MM"
    window_minutes: Mapped[int]
    code: Mapped[str] = mapped_column(String(8), unique=True)
    phone: Mapped[str] = mapped_column(String(15), index=True)  # digits, as dossier phones
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # booked, checked_in, late, cancelled
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class BookingCapacity(Base):
    """How many bookings one window of a service takes at a site (staff set it)."""

    __tablename__ = "booking_capacity"
    __table_args__ = (
        ForeignKeyConstraint(
            ["site_id", "service_id"], ["services.site_id", "services.id"], name="fk_booking_capacity_service"
        ),
    )
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    per_window: Mapped[int]


class BookingClosure(Base):
    """A window staff closed: no new bookings, its bookings cancelled."""

    __tablename__ = "booking_closures"
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    window_start: Mapped[str] = mapped_column(String(5), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    closed_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime]


class Dossier(Base):
    __tablename__ = "dossiers"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40))
    applicant_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date | None] = mapped_column(Date)
    appointment_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class FailedLookup(Base):
    """A dossier look-up that failed (unknown code, wrong digits): counted per device for 429."""

    __tablename__ = "failed_lookups"
    __table_args__ = (Index("ix_failed_lookups_device_at", "device_key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = _site_column()
    device_key: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    # None: city-wide (a city editor edits procedures and FAQ for every site).
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Written into every staff token and web session; raised on logout, disable and password
    # reset, which ends every token and session issued before.
    token_version: Mapped[int] = mapped_column(default=0)


class LoginFailures(Base):
    """Wrong passwords per user name AND source address, counted atomically (the lock-out).

    A row is reserved (its count raised) before the password is checked and cleared by a right
    password; a stranger's guesses lock that name for the stranger's address only.
    """

    __tablename__ = "login_failures"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    last_at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = _site_column()
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    service_id: Mapped[str | None] = mapped_column(String(64))
    device_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Handoff(Base):
    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = _site_column()
    reason: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    device_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    handled_by: Mapped[str | None] = mapped_column(String(100))
    handled_at: Mapped[datetime | None]


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = _site_column()
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(100))
    confidence: Mapped[float | None] = mapped_column(Float)
    device_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)


class PublishJob(Base):
    """A staff request to retrain the assistant on the content of the database, and its progress.

    The NLU side claims a requested job, reports each step through the API, and finishes it.
    """

    __tablename__ = "publish_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # requested, running, done, failed
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    step: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    output: Mapped[list[Any]] = mapped_column(default=list)
    # What the model learned from (content.model.learned_fingerprint) once the job is done.
    fingerprint: Mapped[str | None] = mapped_column(String(64))


class NotifyConsent(Base):
    """A citizen's agreement to hear about one dossier on one channel (given after a verified look-up).

    SMS and Zalo go to the dossier's phone (read when a message is queued); email to `address`.
    `opt_out_token` is in every message's opt-out link; using it revokes the consent and clears the
    token (one use). A new opt-in gives a new token.
    """

    __tablename__ = "notify_consents"
    __table_args__ = (UniqueConstraint("dossier_code", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_code: Mapped[str] = mapped_column(ForeignKey("dossiers.code", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))  # email, sms, zalo
    address: Mapped[str | None] = mapped_column(String(254))
    opt_out_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    agreed_at: Mapped[datetime]
    agreed_by: Mapped[str] = mapped_column(String(120))  # the device
    revoked_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One status message for one channel, queued in the transaction that changed the dossier.

    state: queued → sending (claimed, `lease_until`) → sent | failed; queued again with a later
    `next_attempt_at` after a retryable failure; cancelled when the citizen opts out first.
    `key` is the same on every attempt: providers deduplicate on it.
    """

    __tablename__ = "notify_outbox"
    __table_args__ = (Index("ix_notify_outbox_state_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # what the message is about: a dossier's status, or a booking (its window cancelled by staff)
    dossier_code: Mapped[str | None] = mapped_column(
        ForeignKey("dossiers.code", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("notify_consents.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    dossier_status: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(String(300))


class DeliveryAttempt(Base):
    """One try at sending an outbox message: written when it starts, completed when it ends
    (`outcome` stays "sending" when the worker died in between; it becomes "interrupted" when the
    message is claimed again)."""

    __tablename__ = "notify_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("notify_outbox.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(12))  # sending, sent, retry, failed, interrupted
    error_code: Mapped[str | None] = mapped_column(String(60))
    detail: Mapped[str | None] = mapped_column(String(300))


__all__ = [
    "DEFAULT_SITE_ID",
    "AuditEntry",
    "Base",
    "Booking",
    "BookingCapacity",
    "BookingClosure",
    "ContentRecord",
    "CounterRecord",
    "DeliveryAttempt",
    "Device",
    "Dossier",
    "FailedLookup",
    "FaqRecord",
    "Feedback",
    "Handoff",
    "LoginFailures",
    "NotifyConsent",
    "OutboxMessage",
    "ProcedureRecord",
    "PublishJob",
    "ServiceRecord",
    "SiteRecord",
    "StaffUser",
    "Ticket",
    "TicketDayCounter",
    "UnansweredQuestion",
]
