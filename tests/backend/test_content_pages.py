"""The content editor's review and schedule features, through the staff pages on the app's clock."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.backend.conftest import FIXTURE_PREFIX

API = "/api/v1"
LOCAL = timezone(timedelta(hours=7))


@pytest.fixture
def editor_page(client, database, content, clock):
    """The TestClient logged in to the staff pages as the fixture editor, on 2 December 2026."""
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL))
    return log_in(client, database, "editor")


def log_in(client, database, role: str):
    """`client` logged in to the staff pages as the fixture user with `role`."""
    login = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf(login.text),
            "username": f"{FIXTURE_PREFIX}{role}",
            "password": database.passwords[role],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def procedure_form(page: str, body: dict, *, version: int, summary: str) -> dict:
    """The procedure editor's form as a browser posts it: `body` (GET /procedures/{id}) with a new summary."""
    return {
        "csrf_token": csrf(page),
        "version": str(version),
        "name": body["name"],
        "field": body["field"],
        "summary": summary,
        "documents": body["documents"],
        "fee.text": body["fee"]["text"],
        "processing_time.text": body["processing_time"]["text"],
        "where.text": body["where"]["text"],
        "where.service_id": body["where"]["service_id"],
        "online.level": body["online"]["level"],
        "online.text": body["online"]["text"],
        "legal_basis": body["legal_basis"],
        "source_url": body["source_url"],
        **({"online.available": "on"} if body["online"]["available"] else {}),
    }


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_scheduling_a_fee_change_shows_it_and_serves_it_from_that_day(editor_page, clock):
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    assert page.status_code == 200
    assert "Không có thay đổi nào đã lên lịch" in page.text
    form = {
        "csrf_token": csrf(page.text),
        "version": "1",
        "fact": "fee",
        "change.valid_from": "2027-01-01",
        "change.text": "Lệ phí 8.000 đồng một bản.",
        "change.amount": "8000",
        "change.source_url": "https://example.gov.vn/nghi-quyet",
        "change.verified_on": "2026-12-02",
    }
    saved = editor_page.post("/staff/content/procedures/khai_sinh/schedule", data=form)
    assert saved.status_code == 200, saved.text
    assert "Đã lên lịch: lệ phí" in saved.text and "01/01/2027" in saved.text
    assert "Lệ phí 8.000 đồng một bản." in saved.text  # in the upcoming changes table
    listing = editor_page.get("/staff/content").text
    assert 'id="upcoming"' in listing and "01/01/2027" in listing
    assert editor_page.get(f"{API}/procedures/khai_sinh").json()["fee"]["amount_vnd"] != 8000
    clock.set(datetime(2027, 1, 1, 8, 0, tzinfo=LOCAL))
    assert editor_page.get(f"{API}/procedures/khai_sinh").json()["fee"]["amount_vnd"] == 8000


def test_a_change_on_a_past_day_is_refused_beside_its_field(editor_page):
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    form = {"csrf_token": csrf(page.text), "version": "1", "fact": "fee", "change.valid_from": "2026-11-01"}
    refused = editor_page.post("/staff/content/procedures/khai_sinh/schedule", data=form)
    assert refused.status_code == 422
    assert "Hãy chọn một ngày sau hôm nay." in refused.text
    assert editor_page.get(f"{API}/procedures/khai_sinh").json()["version"] == 1


def test_the_list_shows_overdue_reviews_and_marking_verified_clears_them(editor_page):
    listing = editor_page.get("/staff/content").text
    # The sample content was verified in January 2026: 180 days have passed by December.
    assert 'id="reviews"' in listing and "Quá hạn" in listing and "khai_sinh" in listing
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    assert "Quá hạn rà soát" in page.text
    form = {
        "csrf_token": csrf(page.text),
        "version": "1",
        "verify.source_url": "https://example.gov.vn/luat-ho-tich",
    }
    done = editor_page.post("/staff/content/procedures/khai_sinh/verify", data=form)
    assert done.status_code == 200, done.text
    assert "Đã ghi nhận đối chiếu" in done.text and "Cập nhật ngày 02/12/2026" in done.text
    body = editor_page.get(f"{API}/procedures/khai_sinh").json()
    assert (body["verified_on"], body["source_url"]) == ("2026-12-02", "https://example.gov.vn/luat-ho-tich")
    assert body["review"]["status"] == "ok"
    history = editor_page.get("/staff/content/procedure/khai_sinh/history").text
    assert "Đối chiếu lại với nguồn https://example.gov.vn/luat-ho-tich" in history


def test_marking_verified_needs_a_source(editor_page):
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    form = {"csrf_token": csrf(page.text), "version": "1", "verify.source_url": ""}
    refused = editor_page.post("/staff/content/procedures/khai_sinh/verify", data=form)
    assert refused.status_code == 422 and "Hãy ghi trang nguồn đã đối chiếu." in refused.text


def test_an_unconfirmed_fee_is_marked_on_the_form_and_in_the_preview(editor_page):
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    values = {
        "csrf_token": csrf(page.text),
        "version": "1",
        "name": "Đăng ký khai sinh",
        "field": "ho_tich",
        "summary": "Đăng ký khai sinh cho trẻ.",
        "documents": ["Tờ khai đăng ký khai sinh"],
        "fee.text": "Theo nghị quyết của thành phố.",
        "fee.unconfirmed": "Chưa tìm được nghị quyết.",
        "processing_time.text": "Trong ngày.",
        "where.text": "Quầy 1",
        "where.service_id": "ho_tich",
        "online.level": "none",
        "online.text": "Không.",
        "legal_basis": ["Luật Hộ tịch 2014"],
        "source_url": "https://example.gov.vn/khai-sinh",
    }
    saved = editor_page.post("/staff/content/procedures/khai_sinh", data=values)
    assert saved.status_code == 200, saved.text
    assert "chưa xác nhận" in saved.text
    assert "Theo nghị quyết của thành phố. (chưa được xác nhận)" in saved.text
    body = editor_page.get(f"{API}/procedures/khai_sinh").json()
    assert body["fee"]["verification"] == {
        "verified": False,
        "verified_on": None,
        "source_url": "https://example.gov.vn/khai-sinh",
        "note": "Chưa tìm được nghị quyết.",
    }


def test_a_form_save_keeps_what_the_form_does_not_show(editor_page, database):
    from backend.models import ProcedureRecord

    with database.factory() as session:
        record = session.get(ProcedureRecord, "khai_sinh")
        record.data = {
            **record.data,
            "life_events": ["nhà mới sinh em bé"],
            "reviews": [{"on": "2027-03-01", "note": "Luật mới."}],
            "review_interval_days": 90,
        }
        session.commit()
    page = editor_page.get("/staff/content/procedures/khai_sinh")
    body = editor_page.get(f"{API}/procedures/khai_sinh").json()
    form = procedure_form(page.text, body, version=body["version"], summary="Tóm tắt sửa trên trang.")
    assert editor_page.post("/staff/content/procedures/khai_sinh", data=form).status_code == 200
    saved = editor_page.get(f"{API}/procedures/khai_sinh").json()
    assert saved["summary"] == "Tóm tắt sửa trên trang."
    assert saved["life_events"] == ["nhà mới sinh em bé"]
    assert saved["reviews"] == [{"on": "2027-03-01", "note": "Luật mới."}]
    assert saved["review"]["interval_days"] == 90


def test_two_editors_on_one_procedure_the_second_sees_the_conflict_and_the_others_change(editor_page, staff):
    page = editor_page.get("/staff/content/procedures/khai_sinh")  # opened at version 1
    body = editor_page.get(f"{API}/procedures/khai_sinh").json()
    body["summary"] = "Người thứ nhất đã sửa tóm tắt."
    assert (
        editor_page.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("admin")).status_code == 200
    )
    form = procedure_form(page.text, body, version=1, summary="Người thứ hai sửa từ bản cũ.")
    refused = editor_page.post("/staff/content/procedures/khai_sinh", data=form)
    assert refused.status_code == 409
    assert "fixture-admin" in refused.text and "phiên bản 2" in refused.text
    their = refused.text[refused.text.index('id="their-change"') :]
    assert "+summary: Người thứ nhất đã sửa tóm tắt." in their
    assert "Người thứ hai sửa từ bản cũ." in refused.text  # what this editor typed is kept in the form
    assert (
        editor_page.get(f"{API}/procedures/khai_sinh").json()["summary"] == "Người thứ nhất đã sửa tóm tắt."
    )
