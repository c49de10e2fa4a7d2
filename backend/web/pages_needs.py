"""Citizens' needs (unanswered questions, handoffs, feedback, queue figures) and devices."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.deps import ClockDep
from backend.errors import ApiError
from backend.models import DEFAULT_SITE_ID, Device
from backend.schemas import RowId
from backend.services import audit, counters
from backend.services import auth as auth_service
from backend.services import needs as needs_service
from backend.web.common import Admin, DbDep, NeedsReader, actor_for, redirect, render, row_ids, staff_router
from vntext.normalize import fold

router = staff_router()
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATS_DAYS = 14
SIMILARITY = 0.5


def _fmt(at: Any) -> str:
    return at.astimezone(TZ).strftime("%d/%m %H:%M") if at else ""


def _tokens(text: str) -> set[str]:
    return {t for t in fold(text).split() if len(t) > 1}


def group_questions(rows: list[Any]) -> list[dict[str, Any]]:
    """Questions grouped by word overlap (Jaccard ≥ 0.5 with the group's first question), biggest first."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        words = _tokens(row.text)
        for group in groups:
            union = words | group["words"]
            if union and len(words & group["words"]) / len(union) >= SIMILARITY:
                group["rows"].append(row)
                break
        else:
            groups.append({"words": words, "rows": [row]})
    result = []
    for group in groups:
        items = group["rows"]
        intents = sorted({r.intent for r in items if r.intent})
        result.append(
            {
                "text": items[-1].text,  # the oldest wording asked
                "examples": [r.text for r in items[:5]],
                "count": len(items),
                "ids": ",".join(str(r.id) for r in items),
                "intents": ", ".join(intents),
                "last": _fmt(max(r.created_at for r in items)),
            }
        )
    result.sort(key=lambda g: -g["count"])
    return result


def _stats(session: Session, today: date, site_id: str | None) -> dict[str, Any]:
    first = today - timedelta(days=STATS_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(STATS_DAYS)]
    names = {s.id: f"{s.letter} – {s.name}" for s in counters.services(session, site_id or DEFAULT_SITE_ID)}
    per_day: dict[date, dict[str, list[float]]] = {d: defaultdict(list) for d in days}
    per_service: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for t in counters.tickets_since(session, first, site_id):
        for bucket in (per_day.get(t.service_day), per_service[t.issued_service_id]):
            if bucket is None:
                continue
            bucket["tickets"].append(1)
            if t.status == "no_show":
                bucket["no_show"].append(1)
            if t.called_at is not None:
                bucket["wait"].append((t.called_at - t.issued_at).total_seconds() / 60)
            if t.status == "done" and t.finished_at is not None and t.called_at is not None:
                bucket["service"].append((t.finished_at - t.called_at).total_seconds() / 60)

    def avg(values: list[float]) -> float:
        return round(sum(values) / len(values), 1) if values else 0.0

    return {
        "labels": [d.strftime("%d/%m") for d in days],
        "tickets": [len(per_day[d]["tickets"]) for d in days],
        "no_show": [len(per_day[d]["no_show"]) for d in days],
        "wait": [avg(per_day[d]["wait"]) for d in days],
        "service": [avg(per_day[d]["service"]) for d in days],
        "services": [
            {
                "name": names.get(sid, sid),
                "tickets": len(b["tickets"]),
                "no_show": len(b["no_show"]),
                "wait": avg(b["wait"]),
                "service": avg(b["service"]),
            }
            for sid, b in sorted(per_service.items(), key=lambda item: names.get(item[0], item[0]))
        ],
    }


def faq_link(group: dict[str, Any]) -> str:
    """The new-FAQ form filled from a group: its first wording as the question, the others as variants."""
    seen = {fold(group["text"])}
    variants = []
    for text in group["examples"]:
        if fold(text) not in seen:
            seen.add(fold(text))
            variants.append(text)
    query = [("question", group["text"]), ("from_unanswered", group["ids"])] + [
        ("variant", v) for v in variants
    ]
    return "/staff/content/faq/new?" + urlencode(query)


@router.get("/needs", name="staff_needs")
def needs(request: Request, session: DbDep, user: NeedsReader, clock: ClockDep) -> Response:
    """Citizens' needs at the staff member's site (city-wide staff: every site's)."""
    site = user.site_id
    feedback = needs_service.feedback_since(session, clock.now() - timedelta(days=30), site)
    ratings = [f.rating for f in feedback]
    context = {
        "page_title": "Nhu cầu công dân",
        "groups": group_questions(needs_service.unanswered(session, site_id=site)),
        "handoffs": [
            {
                "id": h.id,
                "reason": h.reason,
                "summary": h.summary,
                "device": h.device_name,
                "at": _fmt(h.created_at),
                "open": h.status == "open",
                "handled": f"{h.handled_by or ''} {_fmt(h.handled_at)}".strip(),
            }
            for h in needs_service.handoffs(session, limit=50, site_id=site)
        ],
        "feedback": [
            {
                "rating": f.rating,
                "comment": f.comment or "",
                "at": _fmt(f.created_at),
                "device": f.device_name,
            }
            for f in feedback[:30]
        ],
        "rating_avg": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "rating_counts": [ratings.count(i) for i in range(1, 6)],
        "stats": _stats(session, clock.local_day(), site),
        "days": STATS_DAYS,
        "faq_link": faq_link,
    }
    return render(request, "needs.html", context, user=user, active="needs")


@router.post("/needs/unanswered/handled", name="staff_unanswered_handled")
async def unanswered_handled(
    request: Request, session: DbDep, user: NeedsReader, clock: ClockDep, ids: Annotated[str, Form()] = ""
) -> Response:
    count = needs_service.mark_unanswered_handled(
        session, row_ids(ids), actor=actor_for(user.username), now=clock.now(), site_id=user.site_id
    )
    session.commit()
    return redirect(request, "/staff/needs", flash=f"Đã đánh dấu {count} câu hỏi là đã xử lý.")


@router.post("/needs/handoffs/{handoff_id}/close", name="staff_handoff_close")
async def handoff_close(
    request: Request, session: DbDep, user: NeedsReader, clock: ClockDep, handoff_id: RowId
) -> Response:
    try:
        needs_service.close_handoff(
            session,
            handoff_id,
            staff=user.username,
            actor=actor_for(user.username),
            now=clock.now(),
            site_id=user.site_id,
        )
    except ApiError as err:
        session.rollback()
        return redirect(request, "/staff/needs#handoffs", flash=err.detail)
    session.commit()
    return redirect(request, "/staff/needs#handoffs", flash="Đã tiếp nhận yêu cầu gặp cán bộ.")


# -- devices ---------------------------------------------------------------------------------------
def _devices_page(
    request: Request,
    session: Session,
    user: Any,
    token: str = "",
    name: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    rows = [
        {
            "name": d.name,
            "created": _fmt(d.created_at),
            "seen": _fmt(d.last_seen_at),
            "revoked": _fmt(d.revoked_at),
        }
        for d in session.scalars(select(Device).order_by(Device.revoked_at.is_not(None), Device.name))
    ]
    return render(
        request,
        "devices.html",
        {"page_title": "Thiết bị", "rows": rows, "new_token": token, "new_name": name, "error": error},
        user=user,
        status_code=status,
        active="devices",
    )


def _audit_device(session: Session, action: str, name: str, username: str, now: datetime) -> None:
    """Write a device change into the audit log and commit it."""
    audit.record(
        session, at=now, actor=actor_for(username), action=action, entity_type="device", entity_id=name[:120]
    )
    session.commit()


@router.get("/devices", name="staff_devices")
def devices(request: Request, session: DbDep, user: Admin) -> Response:
    return _devices_page(request, session, user)


@router.post("/devices", name="staff_device_add")
async def device_add(
    request: Request, session: DbDep, user: Admin, clock: ClockDep, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        token = auth_service.add_device(session, name, clock.now())
        _audit_device(session, "device.add", name.strip(), user.username, clock.now())
    except ApiError as err:
        session.rollback()
        return _devices_page(request, session, user, name=name, error=err.detail, status=422)
    # The token is shown on this response only; it is never stored in clear.
    return _devices_page(request, session, user, token=token, name=name.strip())


@router.post("/devices/revoke", name="staff_device_revoke")
async def device_revoke(
    request: Request, session: DbDep, user: Admin, clock: ClockDep, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        auth_service.revoke_device(session, name, clock.now())
        _audit_device(session, "device.revoke", name, user.username, clock.now())
    except ApiError as err:
        session.rollback()
        return redirect(request, "/staff/devices", flash=err.detail)
    return redirect(request, "/staff/devices", flash=f"Đã thu hồi mã của thiết bị “{name}”.")
