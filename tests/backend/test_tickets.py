"""The queue: numbering per service per local day, priority, waits, idempotency, counter actions."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from backend.models import AuditEntry
from tests.support.assertions import assert_error

API = "/api/v1"


def issue(client, device, **body):
    response = client.post(f"{API}/tickets", json=body, headers=device)
    assert response.status_code == 201, response.text
    return response.json()


def test_tickets_are_numbered_per_service_with_its_letter(client, content, device):
    first = issue(client, device, service_id="ho_tich")
    second = issue(client, device, procedure_id="ket_hon")
    land = issue(client, device, procedure_id="cap_so_do", channel="robot")
    assert (first["number"], second["number"], land["number"]) == ("A001", "A002", "B001")
    assert second["service_id"] == "ho_tich" and land["service_id"] == "dat_dai"
    assert [c["number"] for c in first["counters"]] == [1, 2]
    assert first["status"] == "waiting" and land["channel"] == "robot"
    assert first["issued_at"].startswith("2026-03-10T02:00")


def test_issuing_needs_a_device_and_a_known_service(client, content, device):
    assert_error(client.post(f"{API}/tickets", json={"service_id": "ho_tich"}), 401, "unauthorized")
    bad = {"Authorization": "Bearer not-a-token"}
    assert_error(client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=bad), 401)
    assert_error(
        client.post(f"{API}/tickets", json={"service_id": "khong_co"}, headers=device),
        404,
        "service_not_found",
    )
    assert_error(
        client.post(f"{API}/tickets", json={"procedure_id": "khong_co"}, headers=device),
        404,
        "procedure_not_found",
    )
    assert_error(client.post(f"{API}/tickets", json={}, headers=device), 422, "service_required")
    assert_error(
        client.post(f"{API}/tickets", json={"service_id": "ho_tich", "priority": "vip"}, headers=device),
        422,
        "validation_error",
    )
    assert_error(
        client.post(f"{API}/tickets", json={"service_id": 5}, headers=device), 422, "validation_error"
    )
    # Nothing half-written: the failed requests consumed no number.
    assert issue(client, device, service_id="ho_tich")["number"] == "A001"


def test_numbering_restarts_at_local_midnight_not_utc(client, content, device, clock):
    # 23:59 in Hà Nội is 16:59 UTC; 00:00 local is 17:00 UTC of the same UTC day.
    clock.set(datetime(2026, 3, 10, 16, 59, tzinfo=timezone.utc))
    assert issue(client, device, service_id="ho_tich")["number"] == "A001"
    assert issue(client, device, service_id="ho_tich")["number"] == "A002"
    clock.set(datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc))
    assert issue(client, device, service_id="ho_tich")["number"] == "A001"
    clock.set(datetime(2026, 3, 10, 23, 59, tzinfo=timezone.utc))  # still 11 March locally
    assert issue(client, device, service_id="ho_tich")["number"] == "A002"


def test_idempotency_key_returns_the_same_ticket_per_device(client, database, content, device):
    headers = {**device, "Idempotency-Key": "kiosk-req-42"}
    first = client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=headers)
    again = client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.json()["number"] == "A001"
    assert again.headers.get("Idempotent-Replayed") == "true"
    # Another device may use the same key for its own request.
    from backend.services import auth

    with database.factory() as session:
        other = auth.add_device(session, "kiosk-2", clock_now())
        session.commit()
    other_headers = {"Authorization": f"Bearer {other}", "Idempotency-Key": "kiosk-req-42"}
    assert (
        client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=other_headers).json()["number"]
        == "A002"
    )
    assert issue(client, device, service_id="ho_tich")["number"] == "A003"


def clock_now():
    return datetime.now(timezone.utc)


def test_ahead_and_estimated_wait_use_priority_and_history(client, content, device, staff, clock):
    tickets = [issue(client, device, service_id="ho_tich") for _ in range(3)]
    assert [t["ahead"] for t in tickets] == [0, 1, 2]
    # Default 5 minutes per ticket, 2 counters: 2 ahead -> 5 minutes.
    assert [t["estimated_wait_minutes"] for t in tickets] == [0, 3, 5]
    elderly = issue(client, device, service_id="ho_tich", priority="elderly")
    assert elderly["ahead"] == 0
    assert client.get(f"{API}/tickets/{tickets[0]['id']}", headers=device).json()["ahead"] == 1
    # History: a ticket served in 20 minutes changes the estimate.
    counter = staff("counter")
    called = client.post(f"{API}/counters/quay_1/call-next", headers=counter).json()
    assert called["number"] == elderly["number"]
    clock.set(clock.now() + timedelta(minutes=20))
    assert client.post(f"{API}/tickets/{called['id']}/done", headers=counter).status_code == 200
    last = client.get(f"{API}/tickets/{tickets[2]['id']}", headers=device).json()
    assert last["ahead"] == 2 and last["estimated_wait_minutes"] == 20  # 2 * 20 / 2 counters


def test_call_next_takes_priority_first_then_order_of_issue(client, content, device, staff):
    counter = staff("counter")
    a1 = issue(client, device, service_id="ho_tich")
    a2 = issue(client, device, service_id="ho_tich")
    a3 = issue(client, device, service_id="ho_tich", priority="pregnant")
    issue(client, device, service_id="dat_dai")
    order = []
    for _ in range(3):
        called = client.post(f"{API}/counters/quay_1/call-next", headers=counter).json()
        order.append(called["number"])
        assert called["status"] == "called" and called["counter"]["number"] == 1
        assert client.post(f"{API}/tickets/{called['id']}/done", headers=counter).json()["status"] == "done"
    assert order == [a3["number"], a1["number"], a2["number"]]
    # Counter 1 serves only A; the B ticket stays.
    assert client.post(f"{API}/counters/quay_1/call-next", headers=counter).status_code == 204
    assert client.post(f"{API}/counters/quay_3/call-next", headers=counter).json()["number"] == "B001"


def test_state_machine_refuses_invalid_moves_with_409(client, database, content, device, staff):
    counter = staff("counter")
    ticket = issue(client, device, service_id="ho_tich")
    tid = ticket["id"]
    error = assert_error(
        client.post(f"{API}/tickets/{tid}/done", headers=counter), 409, "ticket_invalid_transition"
    )
    assert "A001" in error["detail"] and "đang chờ" in error["detail"]
    assert_error(client.post(f"{API}/tickets/{tid}/no-show", headers=counter), 409)
    assert client.post(f"{API}/counters/quay_2/call-next", headers=counter).json()["id"] == tid
    busy = assert_error(client.post(f"{API}/counters/quay_2/call-next", headers=counter), 409, "counter_busy")
    assert "A001" in busy["detail"]
    recalled = client.post(f"{API}/tickets/{tid}/recall", headers=counter).json()
    assert recalled["status"] == "called"
    assert client.post(f"{API}/tickets/{tid}/start", headers=counter).json()["status"] == "serving"
    assert client.post(f"{API}/tickets/{tid}/done", headers=counter).json()["status"] == "done"
    for action in ("recall", "done", "no-show", "start"):
        assert_error(
            client.post(f"{API}/tickets/{tid}/{action}", headers=counter), 409, "ticket_invalid_transition"
        )
    assert_error(
        client.post(f"{API}/tickets/{tid}/transfer", json={"service_id": "dat_dai"}, headers=counter), 409
    )
    # A done ticket is never called again.
    assert client.post(f"{API}/counters/quay_2/call-next", headers=counter).status_code == 204
    with database.factory() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "ticket").order_by(AuditEntry.id)
        ).all()
    assert actions == ["ticket.call", "ticket.recall", "ticket.start", "ticket.done"]


def test_no_show_then_recall_and_transfer(client, content, device, staff):
    counter = staff("counter")
    ticket = issue(client, device, service_id="ho_tich")
    client.post(f"{API}/counters/quay_1/call-next", headers=counter)
    assert client.post(f"{API}/tickets/{ticket['id']}/no-show", headers=counter).json()["status"] == "no_show"
    assert client.post(f"{API}/tickets/{ticket['id']}/recall", headers=counter).json()["status"] == "called"
    moved = client.post(
        f"{API}/tickets/{ticket['id']}/transfer", json={"service_id": "dat_dai"}, headers=counter
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "waiting" and moved.json()["service_id"] == "dat_dai"
    assert moved.json()["number"] == "A001"  # the citizen keeps the printed number
    # The land queue now has it; the next B ticket still gets B001.
    assert issue(client, device, service_id="dat_dai")["number"] == "B001"
    assert client.post(f"{API}/counters/quay_3/call-next", headers=counter).json()["number"] == "A001"
    assert_error(
        client.post(
            f"{API}/tickets/{ticket['id']}/transfer", json={"service_id": "khong_co"}, headers=counter
        ),
        404,
        "service_not_found",
    )


def test_counter_actions_need_the_counter_role(client, content, device, staff):
    ticket = issue(client, device, service_id="ho_tich")
    assert_error(client.post(f"{API}/counters/quay_1/call-next"), 401)
    assert_error(client.post(f"{API}/counters/quay_1/call-next", headers=device), 403, "forbidden")
    assert_error(client.post(f"{API}/counters/quay_1/call-next", headers=staff("editor")), 403, "forbidden")
    assert_error(client.post(f"{API}/tickets/{ticket['id']}/done", headers=device), 403)
    assert client.post(f"{API}/counters/quay_1/call-next", headers=staff("admin")).status_code == 200
    assert_error(
        client.post(f"{API}/counters/khong_co/call-next", headers=staff("counter")), 404, "counter_not_found"
    )
    assert_error(client.post(f"{API}/tickets/999999/done", headers=staff("counter")), 404, "ticket_not_found")
    assert_error(client.get(f"{API}/tickets/999999", headers=device), 404, "ticket_not_found")
    assert_error(client.get(f"{API}/tickets/abc", headers=device), 422, "validation_error")


def test_queue_board_shows_waiting_and_now_serving(client, content, device, staff):
    for _ in range(3):
        issue(client, device, service_id="ho_tich")
    issue(client, device, service_id="dat_dai")
    client.post(f"{API}/counters/quay_2/call-next", headers=staff("counter"))
    board = client.get(f"{API}/queue").json()["services"]
    by_id = {s["service_id"]: s for s in board}
    assert by_id["ho_tich"]["waiting"] == 2 and by_id["dat_dai"]["waiting"] == 1
    assert by_id["ho_tich"]["now_serving"] == [
        {"counter": 2, "counter_id": "quay_2", "number": "A001", "status": "called"}
    ]
    assert by_id["dat_dai"]["now_serving"] == []


def test_numbers_past_999_keep_every_digit(client, database, content, device):
    from backend.models import TicketDayCounter

    with database.factory() as session:
        session.add(
            TicketDayCounter(
                site_id="default",
                service_id="ho_tich",
                service_day=datetime(2026, 3, 10).date(),
                last_sequence=998,
            )
        )
        session.commit()
    assert issue(client, device, service_id="ho_tich")["number"] == "A999"
    assert issue(client, device, service_id="ho_tich")["number"] == "A1000"


def test_the_ahead_of_a_new_ticket_matches_a_later_read(client, content, device):
    issued = [
        issue(client, device, service_id="ho_tich", priority=p) for p in ("none", "child", "none", "disabled")
    ]
    assert [t["ahead"] for t in issued] == [0, 0, 2, 1]
    reread = [client.get(f"{API}/tickets/{t['id']}", headers=device).json()["ahead"] for t in issued]
    assert reread == [2, 0, 3, 1]


def test_a_counter_sees_its_waiting_list_in_call_order(client, content, device, staff):
    counter = staff("counter")
    first = issue(client, device, service_id="ho_tich")
    issue(client, device, service_id="dat_dai")
    urgent = issue(client, device, service_id="ho_tich", priority="disabled")
    waiting = client.get(f"{API}/counters/quay_1/waiting", headers=counter).json()
    assert [t["number"] for t in waiting] == [urgent["number"], first["number"]]
    assert waiting[0]["priority"] == "disabled"
    assert_error(client.get(f"{API}/counters/khong_co/waiting", headers=counter), 404, "counter_not_found")
    assert_error(client.get(f"{API}/counters/quay_1/waiting", headers=device), 403)


def test_calls_and_recalls_are_audited_with_the_counter_for_the_display(
    client, database, content, device, staff
):
    counter = staff("counter")
    issue(client, device, service_id="ho_tich")
    called = client.post(f"{API}/counters/quay_2/call-next", headers=counter).json()
    client.post(f"{API}/tickets/{called['id']}/recall", headers=counter)
    with database.factory() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(("ticket.call", "ticket.recall")))
            .order_by(AuditEntry.id)
        ).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("ticket.call", "staff:fixture-counter"),
        ("ticket.recall", "staff:fixture-counter"),
    ]
    for row in rows:
        assert row.details["number"] == "A001" and row.details["counter_number"] == 2
        assert row.details["counter_id"] == "quay_2"


def test_yesterdays_tickets_are_not_called_today(client, content, device, staff, clock):
    counter = staff("counter")
    old = issue(client, device, service_id="ho_tich")
    client.post(f"{API}/counters/quay_2/call-next", headers=counter)  # left "called" at counter 2
    issue(client, device, service_id="ho_tich")  # left waiting
    clock.set(clock.now() + timedelta(days=1))
    today = issue(client, device, service_id="ho_tich")
    assert today["number"] == "A001" and today["ahead"] == 0
    assert [t["number"] for t in client.get(f"{API}/counters/quay_1/waiting", headers=counter).json()] == [
        "A001"
    ]
    assert client.post(f"{API}/counters/quay_2/call-next", headers=counter).json()["id"] == today["id"]
    assert client.get(f"{API}/tickets/{old['id']}", headers=device).json()["status"] == "called"


def test_the_counter_console_shows_only_todays_ticket(client, content, device, staff, clock, database):
    from backend.services.counters import current_ticket

    called = issue(client, device, service_id="ho_tich")
    client.post(f"{API}/counters/quay_2/call-next", headers=staff("counter"))
    with database.factory() as session:
        shown = current_ticket(session, clock, "quay_2")
        assert shown is not None and shown.id == called["id"]
        clock.set(clock.now() + timedelta(days=1))  # left "called" overnight
        assert current_ticket(session, clock, "quay_2") is None


def test_the_board_says_how_long_a_ticket_taken_now_would_wait(client, content, device):
    for _ in range(3):
        issue(client, device, service_id="ho_tich")
    rows = {r["service_id"]: r for r in client.get(f"{API}/queue").json()["services"]}
    # three waiting × 5 minutes (no history yet) ÷ the two counters of the service
    assert rows["ho_tich"]["waiting"] == 3 and rows["ho_tich"]["estimated_wait_minutes"] == 8
    assert rows["dat_dai"]["waiting"] == 0 and rows["dat_dai"]["estimated_wait_minutes"] == 0
