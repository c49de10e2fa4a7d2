"""Counter console (call, recall, no-show, done, transfer) and the public queue display with announcements."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Query, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from backend.clock import Clock
from backend.deps import ClockDep
from backend.errors import ApiError
from backend.models import DEFAULT_SITE_ID, Ticket
from backend.schemas import MAX_ROW_ID, RowId
from backend.services import calls as calls_service
from backend.services import counters as counters_service
from backend.services import queue as queue_service
from backend.services import ticket_actions
from backend.web.announcements import AnnouncementError, announcement_text, spoken_text, synthesize
from backend.web.common import (
    CounterStaff,
    DbDep,
    actor_for,
    redirect,
    refresh_site_name,
    render,
    staff_router,
)

logger = logging.getLogger(__name__)
router = staff_router()

PRIORITY_NAMES = {
    "none": "",
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "child": "Trẻ em / người bế con nhỏ",
}
CHANNEL_NAMES = {"kiosk": "Ki-ốt", "robot": "Rô-bốt", "counter": "Tại quầy"}
STATUS_NAMES = {"called": "Đã gọi, chờ công dân đến", "serving": "Đang phục vụ"}
ACTIONS = {"recall": "Gọi lại", "no_show": "Vắng mặt", "done": "Xong", "transfer": "Chuyển quầy"}
SSE_POLL_SECONDS = 1.0
# The queue display is a site's (`?site=`; the default site without it).
SiteQuery = Annotated[str, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _hm(at: datetime | None) -> str:
    return at.astimezone(TZ).strftime("%H:%M") if at else ""


def _minutes_since(at: datetime | None, now: datetime) -> int:
    return max(0, int((now - at).total_seconds() // 60)) if at else 0


# -- counter console -------------------------------------------------------------------------------
@router.get("/counter", name="staff_counter_pick")
def counter_pick(request: Request, session: DbDep, user: CounterStaff) -> Response:
    site = staff_site(user)
    rows = [
        {"counter": c, "services": [s.name for s in counters_service.counter_services(session, c.id, site)]}
        for c in counters_service.counters(session, site)
    ]
    return render(
        request, "counter_pick.html", {"page_title": "Chọn quầy", "rows": rows}, user=user, active="counter"
    )


def _console_context(session: Session, clock: Clock, site: str, counter_id: str) -> dict[str, Any] | None:
    counter = next((c for c in counters_service.counters(session, site) if c.id == counter_id), None)
    if counter is None:
        return None
    now = clock.now()
    services = counters_service.counter_services(session, counter_id, site)
    all_services = counters_service.services(session, site)
    names = {s.id: s.name for s in all_services}
    current = counters_service.current_ticket(session, clock, counter_id, site)
    waiting = [
        {
            "number": t.number,
            "service": names.get(t.service_id, t.service_id),
            "priority": PRIORITY_NAMES.get(t.priority, t.priority),
            "procedure": counters_service.procedure_name(session, t.procedure_id),
            "issued": _hm(t.issued_at),
            "waited": _minutes_since(t.queued_at, now),
            "channel": CHANNEL_NAMES.get(t.channel, t.channel),
            "booked": t.priority_rank == queue_service.BOOKED_RANK,
        }
        for t in ticket_actions.waiting_for_counter(session, counter_id, limit=200, clock=clock, site_id=site)
    ]
    details = None
    if current is not None:
        details = {
            "id": current.id,
            "number": current.number,
            "status": STATUS_NAMES.get(current.status, current.status),
            "service": names.get(current.service_id, current.service_id),
            "procedure": counters_service.procedure_name(session, current.procedure_id)
            or "(chưa chọn thủ tục)",
            "priority": PRIORITY_NAMES.get(current.priority, current.priority),
            "channel": CHANNEL_NAMES.get(current.channel, current.channel),
            "booked": current.priority_rank == queue_service.BOOKED_RANK,
            "issued": _hm(current.issued_at),
            "called": _hm(current.called_at),
            "waited": _minutes_since(current.issued_at, current.called_at or now),
            "recalls": current.recall_count,
        }
    return {
        "page_title": f"Quầy số {counter.number}",
        "counter": counter,
        "services": services,
        "all_services": all_services,
        "current": details,
        "waiting": waiting,
        "now": _hm(now),
    }


@router.get("/counter/{counter_id}", name="staff_counter")
def counter_console(
    request: Request, session: DbDep, user: CounterStaff, clock: ClockDep, counter_id: str
) -> Response:
    context = _console_context(session, clock, staff_site(user), counter_id)
    if context is None:
        return redirect(request, "/staff/counter", flash="Không có quầy này; hãy chọn lại.")
    return render(request, "counter.html", context, user=user, active="counter")


@router.get("/counter/{counter_id}/waiting", name="staff_counter_waiting")
def counter_waiting(
    request: Request, session: DbDep, user: CounterStaff, clock: ClockDep, counter_id: str
) -> Response:
    """The waiting list alone (htmx refreshes it every few seconds)."""
    context = _console_context(session, clock, staff_site(user), counter_id)
    if context is None:
        return Response(status_code=404)
    return render(request, "_waiting.html", context, user=user)


DONE_MESSAGES = {
    "recall": "Đã gọi lại số {number}.",
    "no_show": "Đã ghi số {number} vắng mặt.",
    "done": "Đã xong số {number}.",
    "transfer": "Đã chuyển số {number} sang hàng khác.",
}


def _at_counter(request: Request, session: Session, counter_id: str, act: Callable[[], str]) -> Response:
    """Run one counter action (the queue service's, committed) and go back to the console.

    `act` returns the message to show; a refusal by the service is shown instead and nothing is kept.
    """
    back = f"/staff/counter/{counter_id}"
    try:
        message = act()
        session.commit()
    except ApiError as err:
        session.rollback()
        return redirect(request, back, flash=err.detail)
    return redirect(request, back, flash=message)


@router.post("/counter/{counter_id}/call-next", name="staff_call_next")
async def counter_call_next(
    request: Request, session: DbDep, user: CounterStaff, clock: ClockDep, counter_id: str
) -> Response:
    def call() -> str:
        ticket = ticket_actions.call_next(
            session, clock, counter_id, actor_for(user.username), site_id=staff_site(user)
        )
        if ticket is None:
            return "Không còn ai đang chờ ở các dịch vụ của quầy này."
        return f"Đã gọi số {ticket.number}."

    return _at_counter(request, session, counter_id, call)


@router.post("/counter/{counter_id}/tickets/{ticket_id}/{action}", name="staff_ticket_action")
async def counter_ticket_action(
    request: Request,
    session: DbDep,
    user: CounterStaff,
    clock: ClockDep,
    counter_id: str,
    ticket_id: RowId,
    action: str,
) -> Response:
    ticket = session.get(Ticket, ticket_id)
    if (
        action not in ACTIONS
        or ticket is None
        or (ticket.site_id, ticket.counter_id) != (staff_site(user), counter_id)
    ):
        message = "Số này không còn ở quầy của bạn; trang đã được cập nhật."
        return redirect(request, f"/staff/counter/{counter_id}", flash=message)
    form = await request.form()
    target = form.get("service_id")
    number = ticket.number

    def act() -> str:
        transfer_to = target if isinstance(target, str) and target else None
        ticket_actions.act(
            session, clock, ticket_id, action, actor_for(user.username), transfer_to=transfer_to
        )
        return DONE_MESSAGES[action].format(number=number)

    return _at_counter(request, session, counter_id, act)


# -- queue display (public) ------------------------------------------------------------------------
def staff_site(user: Any) -> str:
    """The site a staff member works at (city-wide staff: the default site's counters)."""
    return str(user.site_id or DEFAULT_SITE_ID)


def _call_view(call: calls_service.Call, site: str) -> dict[str, Any]:
    return {
        "id": call["id"],
        "number": call["number"],
        "counter": call["counter"],
        "recall": call["recall"],
        "at": _hm(call["at"]),
        "text": announcement_text(call["number"], call["counter"]),
        "audio": f"/staff/display/audio/{call['id']}.wav?site={site}",
    }


def _display_state(session: Session, clock: Clock, site: str) -> dict[str, Any]:
    board = queue_service.board(session, clock, site)
    serving: dict[str, str] = {}
    for service in board:
        for item in service["now_serving"]:  # type: ignore[attr-defined]
            serving.setdefault(str(item["counter_id"]), str(item["number"]))
    counters = [
        {"id": c.id, "number": c.number, "name": c.name, "serving": serving.get(c.id, "")}
        for c in counters_service.counters(session, site)
    ]
    waiting = [{"letter": s["letter"], "name": s["name"], "waiting": s["waiting"]} for s in board]
    calls = [_call_view(c, site) for c in calls_service.recent_calls(session, limit=8, site_id=site)]
    calls.reverse()
    return {"counters": counters, "waiting": waiting, "calls": calls}


@router.get("/display", name="staff_display")
def display(request: Request, session: DbDep, clock: ClockDep, site: SiteQuery = DEFAULT_SITE_ID) -> Response:
    refresh_site_name(session)
    state = _display_state(session, clock, site)
    return render(
        request,
        "display.html",
        {
            "page_title": "Màn hình gọi số",
            "state": state,
            "last_call_id": calls_service.last_call_id(session),
            "site": site,
        },
    )


@router.get("/display/state", name="staff_display_state")
def display_state(
    request: Request, session: DbDep, clock: ClockDep, site: SiteQuery = DEFAULT_SITE_ID
) -> Response:
    return Response(
        json.dumps(_display_state(session, clock, site), ensure_ascii=False), media_type="application/json"
    )


@router.get("/display/events", name="staff_display_events")
async def display_events(
    request: Request,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    site: SiteQuery = DEFAULT_SITE_ID,
) -> Response:
    """Server-sent events: `call` for each new call or recall (in order), `board` when the board changes."""
    from sse_starlette.sse import EventSourceResponse

    factory = request.app.state.session_factory
    last_event = request.headers.get("last-event-id", "")
    cursor = int(last_event) if last_event.isdigit() and int(last_event) <= MAX_ROW_ID else after

    def poll(after_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with factory() as session:
            recent = calls_service.recent_calls(session, after_id=after_id, limit=20, site_id=site)
            return [_call_view(c, site) for c in recent], _display_state(session, clock, site)

    async def stream() -> AsyncIterator[dict[str, str]]:
        nonlocal cursor
        last_board = ""
        while True:
            if await request.is_disconnected():
                break
            try:
                calls, state = await run_in_threadpool(poll, cursor)
            except Exception:  # the database went away: say so, and keep trying
                logger.exception("queue display: could not read the board")
                yield {"event": "offline", "data": "{}"}
                await asyncio.sleep(5)
                continue
            for call in calls:
                cursor = call["id"]
                yield {"event": "call", "id": str(call["id"]), "data": json.dumps(call, ensure_ascii=False)}
            board = json.dumps(state, ensure_ascii=False)
            if board != last_board:
                last_board = board
                yield {"event": "board", "data": board}
            await asyncio.sleep(SSE_POLL_SECONDS)

    return EventSourceResponse(stream(), ping=15)


@router.get("/display/audio/{call_id}.wav", name="staff_display_audio")
async def display_audio(
    request: Request, session: DbDep, call_id: RowId, site: SiteQuery = DEFAULT_SITE_ID
) -> Response:
    """The spoken announcement of one call, synthesised on the server (cached)."""
    call = calls_service.call(session, call_id, site)
    if call is None:
        return Response("Không có lượt gọi này.", status_code=404, media_type="text/plain; charset=utf-8")
    text = spoken_text(call["number"], call["counter"])
    try:
        path = await run_in_threadpool(synthesize, text, request.app.state.settings.data_dir)
    except AnnouncementError as err:
        logger.error("announcement audio failed: %s", err.code)
        return Response(str(err), status_code=503, media_type="text/plain; charset=utf-8")
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"})
