"""Two service points on one backend: numbering, queues and every route's scope, on both databases."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.clock import FixedClock
from backend.models import Feedback, Handoff, Ticket, UnansweredQuestion
from backend.services import auth, staff_users
from backend.services.content_files import load_content
from backend.services.tickets import issue_ticket
from content.model import ContentSet, SiteContent
from tests.backend.conftest import INBOUND_SECRET, START, Database
from tests.support.assertions import assert_error
from tests.support.sample_content import small_content

API = "/api/v1"
B = "phuong-b"
PASSWORD = "mat-khau-phuong-b"


def two_sites() -> ContentSet:
    """The small content set, plus site B with the same services and its own values."""
    content_set = small_content()
    values = content_set.site.model_copy(update={"name": "Điểm phục vụ phường B", "wifi_name": "PhuongB"})
    content_set.sites.append(SiteContent(id=B, site=values, services=content_set.services))
    return content_set


@dataclass
class City:
    """Site A (the default, with the fixture's device and staff) and site B (its own device and staff)."""

    client: TestClient
    headers: dict[str, dict[str, str]]

    def __call__(self, method: str, path: str, who: str, **kwargs: Any) -> Any:
        return self.client.request(method, f"{API}{path}", headers=self.headers[who], **kwargs)

    def issue(self, who: str, service_id: str = "ho_tich") -> dict[str, Any]:
        response = self("POST", "/tickets", who, json={"service_id": service_id})
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
def city(client: TestClient, database: Database, staff: Any) -> City:
    now = datetime.now(timezone.utc)
    with database.factory() as session:
        load_content(session, two_sites())
        device_b = auth.add_device(session, "kiosk-b", now, B)
        for role in ("counter", "editor", "admin"):
            staff_users.add_user(session, f"{role}-b", role, PASSWORD, now, B)
        session.commit()
    headers = {
        "device_a": {"Authorization": f"Bearer {database.device_token}"},
        "device_b": {"Authorization": f"Bearer {device_b}"},
        "counter_a": staff("counter"),
        "city_editor": staff("editor"),
        "city_admin": staff("admin"),
        "integration": staff("integration"),
        "provider": {"Authorization": f"Bearer {INBOUND_SECRET}"},  # the SMS/Zalo gateway
    }
    for role in ("counter", "editor", "admin"):
        response = client.post(f"{API}/auth/token", json={"username": f"{role}-b", "password": PASSWORD})
        assert response.status_code == 200, response.text
        headers[f"{role}_b"] = {"Authorization": f"Bearer {response.json()['access_token']}"}
    return City(client, headers)


def test_each_site_numbers_its_own_tickets_and_sees_only_its_own_queue(city: City) -> None:
    a1, a2 = city.issue("device_a"), city.issue("device_a")
    b1 = city.issue("device_b")
    assert (a1["number"], a2["number"], b1["number"]) == ("A001", "A002", "A001")
    assert b1["ahead"] == 0 and a2["ahead"] == 1

    def waiting(who: str) -> dict[str, int]:
        board = city("GET", "/queue", who).json()["services"]
        return {row["service_id"]: row["waiting"] for row in board}

    assert waiting("device_a") == {"ho_tich": 2, "dat_dai": 0}
    assert waiting("device_b") == {"ho_tich": 1, "dat_dai": 0}
    assert city.client.get(f"{API}/queue", params={"site": B}).json()["services"][0]["waiting"] == 1
    assert [t["number"] for t in city("GET", "/counters/quay_1/waiting", "counter_b").json()] == ["A001"]
    assert [t["id"] for t in city("GET", "/counters/quay_1/waiting", "counter_a").json()] == [
        a1["id"],
        a2["id"],
    ]

    # Site B's counter calls site B's ticket; site A's queue is untouched.
    called = city("POST", "/counters/quay_1/call-next", "counter_b").json()
    assert (called["id"], called["status"]) == (b1["id"], "called")
    assert waiting("device_a") == {"ho_tich": 2, "dat_dai": 0}
    assert city("POST", "/counters/quay_2/call-next", "counter_b").status_code == 204  # B has no more
    assert city("POST", "/counters/quay_2/call-next", "counter_a").json()["id"] == a1["id"]


def test_a_site_cannot_call_recall_or_read_the_other_sites_tickets(city: City) -> None:
    a1 = city.issue("device_a")
    city("POST", "/counters/quay_1/call-next", "counter_a")
    for who in ("device_b", "counter_b", "admin_b"):
        response = city("GET", f"/tickets/{a1['id']}", who)
        assert_error(response, 403, "site_forbidden")
        assert "điểm phục vụ khác" in response.json()["detail"]
    for action in ("recall", "start", "done", "no-show"):
        assert_error(city("POST", f"/tickets/{a1['id']}/{action}", "counter_b"), 403, "site_forbidden")
    transfer = city("POST", f"/tickets/{a1['id']}/transfer", "counter_b", json={"service_id": "dat_dai"})
    assert_error(transfer, 403, "site_forbidden")
    assert city("GET", f"/tickets/{a1['id']}", "device_a").json()["status"] == "called"  # nothing changed
    assert city("POST", f"/tickets/{a1['id']}/recall", "counter_a").status_code == 200
    assert city("GET", f"/tickets/{a1['id']}", "city_admin").status_code == 200  # city-wide staff see all


def test_numbers_stay_unique_per_site_under_concurrent_issuing(database: Database, city: City) -> None:
    clock = FixedClock(START)

    def one(site_id: str) -> str:
        with database.factory() as session:
            issued = issue_ticket(
                session,
                clock,
                site_id=site_id,
                service_id="ho_tich",
                procedure_id=None,
                priority="none",
                channel="kiosk",
                device_id=None,
                idempotency_key=None,
            )
            session.commit()
            return f"{site_id}:{issued.ticket.number}"

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(one, ["default", B] * 15))
    expected = {f"{site}:A{n:03d}" for site in ("default", B) for n in range(1, 16)}
    assert sorted(numbers) == sorted(expected)


def test_reports_belong_to_the_devices_site_and_staff_see_their_sites(database: Database, city: City) -> None:
    for who in ("device_a", "device_b"):
        assert (
            city("POST", "/handoffs", who, json={"reason": "gặp cán bộ", "summary": who}).status_code == 201
        )
        assert city("POST", "/unanswered", who, json={"text": f"câu hỏi {who}"}).status_code == 201
        assert city("POST", "/feedback", who, json={"rating": 4, "service_id": "dat_dai"}).status_code == 201
    with database.factory() as session:
        for model in (Handoff, UnansweredQuestion, Feedback):
            sites = {(row.device_name, row.site_id) for row in session.scalars(select(model))}
            assert sites == {("fixture-kiosk", "default"), ("kiosk-b", B)}, model
    handoffs = city("GET", "/handoffs", "counter_b").json()
    assert [h["summary"] for h in handoffs] == ["device_b"]
    assert [q["text"] for q in city("GET", "/unanswered", "counter_b").json()] == ["câu hỏi device_b"]
    assert len(city("GET", "/handoffs", "city_admin").json()) == 2
    a_handoff = next(h for h in city("GET", "/handoffs", "counter_a").json() if h["summary"] == "device_a")
    assert_error(city("POST", f"/handoffs/{a_handoff['id']}/close", "counter_b"), 403, "site_forbidden")
    assert city("POST", f"/handoffs/{a_handoff['id']}/close", "counter_a").status_code == 200


def test_answers_are_said_with_the_asking_devices_site(city: City) -> None:
    assert city("GET", "/faq/wifi", "device_b").json()["answer"].startswith("Mạng PhuongB,")
    assert city("GET", "/faq/wifi", "device_a").json()["answer"].startswith("Mạng PhuongThu,")
    assert city.client.get(f"{API}/site", params={"site": B}).json()["name"] == "Điểm phục vụ phường B"
    assert city("GET", "/site", "device_b").json()["wifi_name"] == "PhuongB"
    assert_error(city.client.get(f"{API}/site", params={"site": "khong-co"}), 404, "site_not_found")
    # A procedure is city-wide; the ticket for it goes to the asking site's service.
    ticket = city("POST", "/tickets", "device_b", json={"procedure_id": "cap_so_do"}).json()
    assert (ticket["service_id"], ticket["number"]) == ("dat_dai", "B001")
    assert city("GET", f"/tickets/{ticket['id']}", "device_a").status_code == 403


# Every route that needs a token, with who may and who may not act there (status, code).
SCOPES: list[tuple[str, str, str, int, str | None]] = [
    ("PUT", "/procedures/khai_sinh", "city_editor", 200, None),
    ("PUT", "/procedures/khai_sinh", "editor_b", 403, "city_scope_required"),
    ("PUT", "/procedures/khai_sinh", "admin_b", 403, "city_scope_required"),
    ("PUT", "/procedures/khai_sinh", "counter_b", 403, "forbidden"),
    ("PUT", "/faq/wifi", "city_editor", 200, None),
    ("PUT", "/faq/wifi", "editor_b", 403, "city_scope_required"),
    ("PUT", "/faq/wifi", "device_b", 403, "forbidden"),
    ("POST", "/tickets", "device_b", 201, None),
    ("GET", "/tickets/{a_ticket}", "device_a", 200, None),
    ("GET", "/tickets/{a_ticket}", "device_b", 403, "site_forbidden"),
    ("GET", "/counters/quay_1/waiting", "counter_b", 200, None),
    ("GET", "/counters/quay_1/waiting", "device_b", 403, "forbidden"),
    ("POST", "/counters/quay_1/call-next", "editor_b", 403, "forbidden"),
    ("POST", "/counters/quay_3/call-next", "counter_b", 204, None),
    ("POST", "/tickets/{a_ticket}/recall", "counter_b", 403, "site_forbidden"),
    ("POST", "/tickets/{a_ticket}/no-show", "counter_b", 403, "site_forbidden"),
    ("POST", "/tickets/{a_ticket}/done", "admin_b", 403, "site_forbidden"),
    ("POST", "/tickets/{a_ticket}/start", "counter_b", 403, "site_forbidden"),
    ("POST", "/tickets/{a_ticket}/transfer", "counter_b", 403, "site_forbidden"),
    ("POST", "/tickets/{a_ticket}/start", "counter_a", 200, None),
    ("PUT", "/dossiers/000.00.12.H26-250701-0001", "counter_b", 403, "forbidden"),
    ("PUT", "/dossiers/000.00.12.H26-250701-0001", "integration", 201, None),
    ("GET", "/dossiers/000.00.12.H26-250701-0001", "device_b", 200, None),
    # dossiers are city-wide: a device of any site may take its citizen's agreement to messages
    ("POST", "/dossiers/000.00.12.H26-250701-0001/notifications", "device_b", 200, None),
    ("POST", "/dossiers/000.00.12.H26-250701-0001/notifications", "counter_b", 200, None),  # at the counter
    # the gateway passes citizens' replies on with its shared secret; no token opens it
    ("POST", "/notifications/replies", "provider", 200, None),
    ("POST", "/notifications/replies", "device_b", 401, "provider_secret_wrong"),
    ("POST", "/notifications/replies", "city_admin", 401, "provider_secret_wrong"),
    ("POST", "/handoffs", "device_b", 201, None),
    ("GET", "/handoffs", "counter_b", 200, None),
    ("GET", "/handoffs", "device_b", 403, "forbidden"),
    ("POST", "/handoffs/{a_handoff}/close", "counter_b", 403, "site_forbidden"),
    ("POST", "/handoffs/{a_handoff}/close", "city_admin", 200, None),
    ("POST", "/feedback", "device_b", 201, None),
    ("POST", "/unanswered", "device_b", 201, None),
    ("GET", "/unanswered", "editor_b", 200, None),
    ("GET", "/unanswered", "device_a", 403, "forbidden"),
    ("POST", "/publish/claim", "device_b", 204, None),
    ("POST", "/publish/9/progress", "device_b", 404, "publish_job_not_found"),
    ("POST", "/bookings/check-in", "device_b", 404, "booking_not_found"),
    ("POST", "/bookings/check-in", "counter_b", 422, "device_required"),
    ("GET", "/bookings/day", "counter_b", 200, None),
    ("GET", "/bookings/day", "device_b", 403, "forbidden"),
    ("POST", "/bookings/close-window", "counter_b", 200, None),  # its own site's window
    ("POST", "/bookings/close-window", "device_b", 403, "forbidden"),
    ("GET", "/city/figures", "counter_b", 200, None),
    ("GET", "/city/figures", "device_b", 403, "forbidden"),
    ("GET", "/city/figures.csv", "city_admin", 200, None),
    ("POST", "/auth/logout", "editor_b", 204, None),
]
BODIES = {
    "/procedures/khai_sinh": None,  # what GET returned
    "/faq/wifi": None,
    "/tickets": {"service_id": "ho_tich"},
    "/transfer": {"service_id": "dat_dai"},
    "/replies": {"channel": "sms", "phone": "+84 912 345 678", "text": "TU CHOI"},  # before its prefix
    "/notifications": {"verify": "5678", "channels": ["sms"]},
    "/check-in": {"code": "AC3F7K"},
    "/close-window": {
        "service_id": "ho_tich",
        "day": "2026-03-10",
        "window_start": "09:00",
        "reason": "Mất điện",
    },
    "/dossiers/": {
        "procedure_id": "khai_sinh",
        "status": "dang_xu_ly",
        "applicant_name": "Nguyễn Văn An",
        "phone": "0912345678",
    },
    "/handoffs": {"reason": "gặp cán bộ", "summary": ""},
    "/feedback": {"rating": 5},
    "/unanswered": {"text": "hỏi gì đó"},
    "/progress": {"step": "x", "progress": 1},
}


def _body(city: City, method: str, path: str) -> Any:
    if method == "PUT" and path.startswith("/procedures/"):
        return city.client.get(f"{API}{path}").json()  # PUT takes what GET returned
    if method == "PUT" and path.startswith("/faq/"):
        return small_content().faq[0].model_dump(mode="json")
    if method == "GET":
        return None
    return next((body for key, body in BODIES.items() if key in path), None)


def test_every_route_acts_for_its_callers_site_only(city: City) -> None:
    a_ticket = city.issue("device_a")["id"]
    city.issue("device_b")
    city("POST", "/handoffs", "device_a", json={"reason": "gặp cán bộ", "summary": "A"})
    a_handoff = city("GET", "/handoffs", "counter_a").json()[0]["id"]
    city("POST", "/counters/quay_1/call-next", "counter_a")
    # Every operation with a token in the OpenAPI document has a row above.
    rows = [(m, t.format(a_ticket=a_ticket, a_handoff=a_handoff)) for m, t, *_ in SCOPES]
    paths = city.client.get("/openapi.json").json()["paths"]
    missing = [
        (method.upper(), path)
        for path, item in paths.items()
        for method, operation in item.items()
        if operation.get("security")
        and not any(
            m == method.upper() and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path.removeprefix(API)), p)
            for m, p in rows
        )
    ]
    assert missing == []
    for method, template, who, status, code in SCOPES:
        path = template.format(a_ticket=a_ticket, a_handoff=a_handoff)
        response = city(method, path, who, json=_body(city, method, path))
        assert response.status_code == status, (method, path, who, response.text)
        if code is not None:
            assert response.json()["code"] == code, (method, path, who)
            assert response.json()["detail"]  # a Vietnamese message
    with pytest.raises(AssertionError):  # the table is checked: a wrong row would fail
        assert_error(city("GET", f"/tickets/{a_ticket}", "device_a"), 403)


def test_tickets_of_both_sites_are_kept_apart_in_the_database(database: Database, city: City) -> None:
    city.issue("device_a")
    city.issue("device_b")
    with database.factory() as session:
        rows = session.execute(select(Ticket.site_id, Ticket.number, Ticket.issued_service_id)).all()
    assert sorted(tuple(r) for r in rows) == [("default", "A001", "ho_tich"), (B, "A001", "ho_tich")]


def _page_login(client: TestClient, username: str, password: str) -> None:
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token})


def test_the_staff_pages_serve_each_staff_members_own_site(city: City, database: Database) -> None:
    b_ticket = city.issue("device_b")
    _page_login(city.client, "counter-b", PASSWORD)
    picker = city.client.get("/staff/counter")
    assert picker.status_code == 200 and picker.text.count("/staff/counter/quay_1") == 1
    console = city.client.get("/staff/counter/quay_1")
    assert b_ticket["number"] in console.text
    token = csrf_of(console.text)
    called = city.client.post("/staff/counter/quay_1/call-next", data={"csrf_token": token})
    assert f"Đã gọi số {b_ticket['number']}." in called.text
    assert b_ticket["number"] in city.client.get("/staff/display/state", params={"site": B}).text
    assert b_ticket["number"] not in city.client.get("/staff/display/state").text  # the default site's
    city.client.post("/staff/logout", data={"csrf_token": token})
    _page_login(city.client, "editor-b", PASSWORD)
    refused = city.client.get("/staff/content")  # procedures are the city's
    assert refused.status_code == 403 and "cấp thành phố" in refused.text
    assert city.client.get("/staff/needs").status_code == 200
    city.client.post("/staff/logout", data={"csrf_token": csrf_of(refused.text)})
    _page_login(city.client, "fixture-counter", database.passwords["counter"])  # type: ignore[index]
    picker = city.client.get("/staff/counter")
    assert picker.status_code == 200
    assert picker.text.count("/staff/counter/quay_1") == 1  # site B's counters are not listed
    assert b_ticket["number"] not in city.client.get("/staff/counter/quay_1").text  # B's ticket is B's


def csrf_of(html: str) -> str:
    return re.search(r'csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_the_city_view_gives_each_sites_daily_figures_and_a_csv(city: City, clock: FixedClock) -> None:
    first = city.issue("device_a")
    city.issue("device_a")
    city.issue("device_b")
    clock.set(START + timedelta(minutes=12))
    assert city("POST", "/counters/quay_1/call-next", "counter_a").json()["id"] == first["id"]
    city("POST", f"/tickets/{first['id']}/done", "counter_a")
    rows = city("GET", "/city/figures", "city_admin").json()
    assert [(r["site_id"], r["day"], r["issued"], r["served"], r["waiting"]) for r in rows] == [
        ("default", "2026-03-10", 2, 1, 1),
        (B, "2026-03-10", 1, 0, 1),
    ]
    assert rows[0]["average_wait_minutes"] == 12.0 and rows[1]["average_wait_minutes"] is None
    # A site's staff see their own site only.
    assert [r["site_id"] for r in city("GET", "/city/figures", "counter_b").json()] == [B]
    exported = city("GET", "/city/figures.csv", "city_admin")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines() == [
        "site_id,site_name,day,issued,served,no_show,waiting,average_wait_minutes",
        "default,Điểm phục vụ phường Thử,2026-03-10,2,1,0,1,12.0",
        f"{B},Điểm phục vụ phường B,2026-03-10,1,0,0,1,",
    ]
    bad = city("GET", "/city/figures", "city_admin", params={"first": "2026-03-10", "last": "2026-01-01"})
    assert_error(bad, 422, "period_invalid")


def test_the_city_page_shows_each_sites_figures_and_needs_and_a_csv(city: City, database: Database) -> None:
    city.issue("device_a")
    city.issue("device_b")
    city.issue("device_b")
    city("POST", "/unanswered", "device_b", json={"text": "có chỗ gửi xe đạp không"})
    _page_login(city.client, "fixture-admin", database.passwords["admin"])  # type: ignore[index]
    page = city.client.get("/staff/city")
    assert page.status_code == 200
    table = page.text[page.text.index('id="city-figures"') :]
    row_b = table[table.index(f"({B})") :].split("</tr>")[0]
    assert [int(n) for n in re.findall(r"<td>(\d+)</td>", row_b)][:1] == [2]  # B issued 2 tickets
    assert "Cả thành phố" in table and "<th>3</th>" in table
    csv_text = city.client.get("/staff/city.csv").text
    assert csv_text.splitlines()[0].startswith("site_id,site_name,day,issued")
    assert sum(1 for line in csv_text.splitlines() if line.startswith(f"{B},")) == 1
    # another browser, not a logout: logging out would end the fixture admin's API tokens too
    city.client.cookies.clear()
    _page_login(city.client, "editor-b", PASSWORD)
    own = city.client.get("/staff/city").text
    assert f"({B})" in own and "(default)" not in own  # a site's staff see their own site
