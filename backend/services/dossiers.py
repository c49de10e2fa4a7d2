"""Dossiers: upsert from the one-stop system, look-up by citizens with masking and a failure limit."""

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from backend.db import begin_write
from backend.errors import InvalidError, NotFoundError, TooManyRequestsError
from backend.models import (
    DEFAULT_SITE_ID,
    CounterRecord,
    Dossier,
    FailedLookup,
    ProcedureRecord,
    ServiceRecord,
)
from backend.notify.messages import NOTIFY_STATUSES, StatusNews
from backend.notify.providers import NotifySettings
from backend.schemas import DossierUpsert
from backend.services import audit, notify
from backend.services.sites import get_site
from contract.resources import DossierStatus
from vntext.dossier_code import DossierCodeError, canonical_dossier_code, mask_dossier_code

logger = logging.getLogger(__name__)

STATUS_TEXT = {
    "moi_dang_ky": "Hồ sơ mới đăng ký, chưa được cán bộ tiếp nhận.",
    "da_tiep_nhan": "Hồ sơ đã được tiếp nhận.",
    "khong_tiep_nhan": "Hồ sơ không được tiếp nhận.",
    "dang_xu_ly": "Hồ sơ đang được xử lý.",
    "yeu_cau_bo_sung": "Hồ sơ cần bổ sung giấy tờ.",
    "yeu_cau_nghia_vu_tai_chinh": "Hồ sơ đang chờ ông/bà nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính.",
    "cong_dan_rut_ho_so": "Hồ sơ đã được rút theo yêu cầu của công dân.",
    "dung_xu_ly": "Hồ sơ đã dừng xử lý.",
    "da_xu_ly_xong": "Hồ sơ đã xử lý xong, kết quả đang chờ ông/bà đến nhận.",
    "da_tra_ket_qua": "Kết quả đã được trả cho ông/bà.",
}


def canonical_code(text: str) -> str:
    try:
        return canonical_dossier_code(text)
    except DossierCodeError as err:
        raise InvalidError(
            "dossier_code_malformed",
            "Mã hồ sơ không đúng dạng. Mã có dạng DDD.DD.DD.LDD-YYMMDD-NNNN, "
            "ví dụ 000.00.12.H26-250701-0001.",
        ) from err


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" -> "Nguyễn V. A.": the family name and initials only."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}."
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:])])


def upsert(
    session: Session,
    code_text: str,
    body: DossierUpsert,
    actor: str,
    now: datetime,
    notify_settings: NotifySettings | None = None,
) -> tuple[str, bool]:
    """Create or update a dossier; a change to a status the citizen must act on or wait for queues
    its messages in this same transaction (the caller commits)."""
    code = canonical_code(code_text)
    begin_write(session)
    if session.get(ProcedureRecord, body.procedure_id) is None:
        raise InvalidError(
            "procedure_unknown",
            f"Không có thủ tục '{body.procedure_id}'; hồ sơ phải thuộc một thủ tục đã có trong nội dung.",
        )
    dossier = session.get(Dossier, code)
    created = dossier is None
    values = body.model_dump()  # the phone is already its digits (schemas.DossierUpsert)
    previous_status = None if dossier is None else dossier.status
    if dossier is None:
        dossier = Dossier(code=code, updated_at=now, **values)
        session.add(dossier)
    else:
        for key, value in values.items():
            setattr(dossier, key, value)
        dossier.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="dossier.create" if created else "dossier.update",
        entity_type="dossier",
        entity_id=mask_dossier_code(code),
        details={"status": body.status},
    )
    if dossier.status != previous_status and dossier.status in NOTIFY_STATUSES:
        notify.queue_status_news(
            session, dossier, status_news(session, dossier), notify_settings or NotifySettings(), now
        )
    return code, created


def status_news(session: Session, dossier: Dossier) -> StatusNews:
    """The dossier's status as a message tells it (no note: it may name people or papers)."""
    procedure = session.get(ProcedureRecord, dossier.procedure_id)
    # Dossiers are city-wide; a message names the default site's counter until consents record a site.
    counter = _counter_phrase(session, procedure, DEFAULT_SITE_ID)
    site = get_site(session, DEFAULT_SITE_ID)
    place = f"{counter}, {site.name}, {site.address}" if site is not None else counter
    return StatusNews(
        code=dossier.code,
        status=DossierStatus(dossier.status).value,
        procedure_name=procedure.name if procedure else dossier.procedure_id,
        received_on=dossier.received_on,
        status_text=STATUS_TEXT[dossier.status],
        next_step=next_step(dossier.status, dossier.appointment_on, counter, None),
        place=place,
    )


def _counter_phrase(session: Session, procedure: ProcedureRecord | None, site_id: str) -> str:
    """Where the citizen goes at the asking device's site."""
    service_id = ((procedure.data.get("where") or {}).get("service_id")) if procedure else None
    service = session.get(ServiceRecord, (site_id, service_id)) if service_id else None
    if service is None and procedure is not None:
        services = session.scalars(select(ServiceRecord).where(ServiceRecord.site_id == site_id)).all()
        service = next((s for s in services if procedure.id in s.procedures), None) or next(
            (s for s in services if procedure.field in s.fields), None
        )
    if service is not None and service.counters:
        counter = session.get(CounterRecord, (site_id, service.counters[0]))
        if counter is not None:
            return f"quầy số {counter.number}"
    return "quầy tiếp nhận và trả kết quả"


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def next_step(status: str, appointment_on: date | None, counter: str, note: str | None) -> str:
    come_back = (
        f"Mời ông/bà quay lại nhận kết quả vào ngày {_date(appointment_on)} tại {counter}."
        if appointment_on
        else "Chưa có ngày hẹn trả kết quả; cán bộ sẽ báo cho ông/bà qua điện thoại."
    )
    extra = f" Nội dung: {note}" if note else ""
    steps = {
        "moi_dang_ky": f"Mời ông/bà mang giấy tờ gốc đến {counter} để cán bộ tiếp nhận hồ sơ.",
        "da_tiep_nhan": come_back,
        "dang_xu_ly": come_back,
        "khong_tiep_nhan": f"Mời ông/bà đến {counter} để được hướng dẫn lý do và cách làm lại hồ sơ.{extra}",
        "yeu_cau_bo_sung": f"Mời ông/bà mang giấy tờ cần bổ sung đến {counter}.{extra}",
        "yeu_cau_nghia_vu_tai_chinh": (
            f"Mời ông/bà nộp phí, lệ phí theo thông báo rồi mang biên lai đến {counter}.{extra}"
        ),
        "cong_dan_rut_ho_so": "Hồ sơ đã được rút; ông/bà không cần làm gì thêm.",
        "dung_xu_ly": f"Mời ông/bà liên hệ {counter} để biết lý do dừng xử lý.{extra}",
        "da_xu_ly_xong": f"Mời ông/bà đến {counter} nhận kết quả, nhớ mang giấy tiếp nhận hồ sơ và căn cước.",
        "da_tra_ket_qua": "Ông/bà đã nhận kết quả; không cần làm gì thêm.",
    }
    return steps[status]


def _failure_count(session: Session, device_key: str, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(FailedLookup)
            .where(FailedLookup.device_key == device_key, FailedLookup.at >= since)
        )
        or 0
    )


def _serialize_lookups(session: Session, device_key: str) -> None:
    """Make this device's look-ups wait for each other until commit, so its failures are counted
    exactly. SQLite: the write transaction (`begin_write`) already serializes every writer;
    PostgreSQL: a transaction-scoped advisory lock on the device key."""
    begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": device_key})


def _record_failure(session: Session, device_key: str, now: datetime, site_id: str) -> None:
    session.add(FailedLookup(site_id=site_id, device_key=device_key, at=now))
    # Old failures no longer count: drop them so the table stays small.
    session.execute(delete(FailedLookup).where(FailedLookup.at < now - timedelta(days=1)))
    session.commit()


def lookup(
    session: Session,
    code_text: str,
    verify: str | None,
    *,
    device_key: str,
    now: datetime,
    limit: int,
    window_seconds: int,
    site_id: str = DEFAULT_SITE_ID,
) -> dict[str, object]:
    """Look a dossier up for a citizen. Failures (malformed, unknown, wrong digits) count towards 429.

    The count, the look-up and the failure it may add are one transaction, serialized per device:
    concurrent look-ups from one device can never be evaluated more than `limit` times.
    """
    since = now - timedelta(seconds=window_seconds)
    too_many = TooManyRequestsError(
        "too_many_lookups",
        "Tra cứu sai quá nhiều lần. Xin chờ ít phút rồi thử lại, hoặc hỏi cán bộ tại quầy.",
    )
    if _failure_count(session, device_key, since) >= limit:  # the usual refusal, without any lock
        raise too_many
    _serialize_lookups(session, device_key)
    if _failure_count(session, device_key, since) >= limit:
        session.rollback()
        raise too_many
    try:
        code = canonical_code(code_text)
    except InvalidError:
        _record_failure(session, device_key, now, site_id)
        raise
    dossier = session.get(Dossier, code)
    if dossier is None:
        _record_failure(session, device_key, now, site_id)
        logger.info("dossier look-up: unknown code %s", mask_dossier_code(code))
        raise NotFoundError(
            "dossier_not_found", "Không tìm thấy hồ sơ có mã này. Xin kiểm tra lại mã trên giấy tiếp nhận."
        )
    verified = False
    if verify is not None and verify.strip():
        verified = verify.strip() == dossier.phone[-4:]
    procedure = session.get(ProcedureRecord, dossier.procedure_id)
    note = dossier.note if verified else None
    result: dict[str, object] = {
        "code": code,
        "procedure_id": dossier.procedure_id,
        "procedure_name": procedure.name if procedure else None,
        "status": dossier.status,
        "status_text": STATUS_TEXT[dossier.status],
        "received_on": dossier.received_on,
        "appointment_on": dossier.appointment_on,
        "next_step": next_step(
            dossier.status, dossier.appointment_on, _counter_phrase(session, procedure, site_id), note
        ),
        "applicant": mask_name(dossier.applicant_name),
        "verified": verified,
        "note": note,
    }
    if verify is not None and verify.strip() and not verified:
        _record_failure(session, device_key, now, site_id)
    else:
        session.commit()
    return result
