"""The staff pages of citizens' needs, the counter and devices, on the domain services and the
app's fixed clock (the browser tests in tests/web cover the same pages end to end)."""

import io
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from backend.models import AuditEntry, Handoff, Ticket
from tests.backend.conftest import FIXTURE_PREFIX
from tests.backend.test_content_pages import csrf, log_in

API = "/api/v1"
LOCAL = timezone(timedelta(hours=7))
MORNING = datetime(2026, 12, 2, 9, 30, tzinfo=LOCAL)


@pytest.fixture
def admin_page(client, database, content, clock):
    clock.set(MORNING)
    return log_in(client, database, "admin")


def audit_rows(database, action: str) -> list[AuditEntry]:
    with database.factory() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_closing_a_handoff_on_the_page_and_through_the_api_is_one_close_on_the_apps_clock(
    admin_page, device, staff, database, clock
):
    first = admin_page.post(
        f"{API}/handoffs", json={"reason": "complex", "summary": "Hỏi về đất"}, headers=device
    )
    second = admin_page.post(
        f"{API}/handoffs", json={"reason": "complex", "summary": "Hỏi hộ tịch"}, headers=device
    )
    page = admin_page.get("/staff/needs")
    assert "Hỏi về đất" in page.text and "Hỏi hộ tịch" in page.text
    clock.set(MORNING + timedelta(minutes=7))
    closed = admin_page.post(
        f"/staff/needs/handoffs/{first.json()['id']}/close", data={"csrf_token": csrf(page.text)}
    )
    assert "Đã tiếp nhận yêu cầu gặp cán bộ." in closed.text
    by_api = admin_page.post(f"{API}/handoffs/{second.json()['id']}/close", headers=staff("admin"))
    assert by_api.status_code == 200 and by_api.json()["status"] == "closed"
    with database.factory() as session:
        rows = {h.summary: h for h in session.scalars(select(Handoff))}
    assert rows["Hỏi về đất"].handled_at == MORNING + timedelta(minutes=7)
    assert rows["Hỏi về đất"].handled_by == f"{FIXTURE_PREFIX}admin"
    closes = audit_rows(database, "handoff.close")
    assert sorted(e.entity_id for e in closes) == sorted([str(first.json()["id"]), str(second.json()["id"])])
    assert {e.at for e in closes} == {MORNING + timedelta(minutes=7)}
    missing = admin_page.post("/staff/needs/handoffs/999999/close", data={"csrf_token": csrf(page.text)})
    assert "Không có yêu cầu gặp cán bộ này." in missing.text


def test_the_needs_page_shows_the_last_30_days_of_feedback_by_the_apps_clock(admin_page, device, clock):
    assert (
        admin_page.post(
            f"{API}/feedback", json={"rating": 2, "comment": "Chờ lâu quá"}, headers=device
        ).status_code
        == 201
    )
    assert "Chờ lâu quá" in admin_page.get("/staff/needs").text
    clock.set(MORNING + timedelta(days=31))
    assert "Chờ lâu quá" not in admin_page.get("/staff/needs").text


def test_marking_unanswered_questions_handled_records_who_and_when(admin_page, device, database):
    asked = admin_page.post(f"{API}/unanswered", json={"text": "có chỗ sạc xe điện không"}, headers=device)
    page = admin_page.get("/staff/needs")
    assert "có chỗ sạc xe điện không" in page.text
    done = admin_page.post(
        "/staff/needs/unanswered/handled",
        data={"csrf_token": csrf(page.text), "ids": str(asked.json()["id"])},
    )
    assert "Đã đánh dấu 1 câu hỏi là đã xử lý." in done.text
    assert "có chỗ sạc xe điện không" not in admin_page.get("/staff/needs").text
    [entry] = audit_rows(database, "unanswered.handled")
    assert entry.actor == f"staff:{FIXTURE_PREFIX}admin" and entry.at == MORNING


def test_calling_from_the_console_uses_the_apps_clock_and_feeds_the_display(
    client, database, content, device, clock
):
    clock.set(MORNING)
    ticket = client.post(f"{API}/tickets", json={"service_id": "ho_tich"}, headers=device).json()
    page = log_in(client, database, "counter").get("/staff/counter/quay_2")
    assert ticket["number"] in page.text
    clock.set(MORNING + timedelta(minutes=12))
    called = client.post("/staff/counter/quay_2/call-next", data={"csrf_token": csrf(page.text)})
    assert f"Đã gọi số {ticket['number']}." in called.text
    with database.factory() as session:
        row = session.get(Ticket, ticket["id"])
        assert row is not None and row.called_at == MORNING + timedelta(minutes=12)
    state = client.get("/staff/display/state").json()
    assert [c["number"] for c in state["calls"]] == [ticket["number"]]
    assert state["calls"][0]["at"] == "09:42"
    call_id = state["calls"][0]["id"]
    assert client.get(f"/staff/display/audio/{call_id + 1000}.wav").status_code == 404


def test_device_changes_on_the_page_are_audited_at_the_apps_clock(admin_page, database):
    page = admin_page.get("/staff/devices")
    added = admin_page.post("/staff/devices", data={"csrf_token": csrf(page.text), "name": "kiosk-sanh-2"})
    assert added.status_code == 200 and "kiosk-sanh-2" in added.text
    revoked = admin_page.post(
        "/staff/devices/revoke", data={"csrf_token": csrf(page.text), "name": "kiosk-sanh-2"}
    )
    assert "Đã thu hồi mã của thiết bị “kiosk-sanh-2”." in revoked.text
    assert [e.at for e in audit_rows(database, "device.add")] == [MORNING]
    assert [e.entity_id for e in audit_rows(database, "device.revoke")] == ["kiosk-sanh-2"]


def test_the_content_export_is_named_by_the_apps_local_time(client, database, content, clock):
    clock.set(MORNING)
    export = log_in(client, database, "editor").get("/staff/content/export.zip")
    assert export.status_code == 200
    assert 'filename="letan-noi-dung-20261202-0930.zip"' in export.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    assert "content/procedures/khai_sinh.yml" in names
