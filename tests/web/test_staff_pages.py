"""The staff pages in a real Chromium against a real backend subprocess (`letan serve`)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.slow

XSS = '<script>window.__xss = 1</script><b>đậm</b>"'


@pytest.fixture(scope="module")
def users(backend: Any) -> dict[str, str]:
    return {
        "bientap": backend.create_user("bientap", "editor"),
        "quay": backend.create_user("quay", "counter"),
        "quantri": backend.create_user("quantri", "admin"),
    }


def _procedure(backend: Any, procedure_id: str) -> dict[str, Any]:
    response = httpx.get(f"{backend.base_url}/procedures/{procedure_id}")
    response.raise_for_status()
    return dict(response.json())


@pytest.fixture(scope="module")
def assistant(backend: Any) -> Iterator[Any]:
    """The real assistant (Rasa + actions) reading the same backend as the staff pages."""
    from tests.support.assistant import running_assistant

    with running_assistant(backend) as running:
        yield running


def test_editor_changes_a_fee_sees_it_in_the_api_and_reverts_it(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    before = _procedure(backend, "khai_sinh")
    page.goto(f"{backend.root_url}/staff/login")
    shot(page, "login")
    log_in(page, backend.root_url, "bientap", users["bientap"])
    page.wait_for_url("**/staff/content")
    shot(page, "content-list")

    page.click("a[href='/staff/content/procedures/khai_sinh']")
    page.fill("#f-fee-text", "Lệ phí 12.345 đồng (thử nghiệm của cán bộ).")
    page.fill("#f-fee-amount_vnd", "12345")
    page.click("#procedure-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert "Đã lưu thủ tục" in page.inner_text(".flash")
    assert "12.345 đồng" in page.inner_text("#preview-text")
    shot(page, "procedure-edit")

    after = _procedure(backend, "khai_sinh")
    assert (after["fee"]["text"], after["fee"]["amount_vnd"]) == (
        "Lệ phí 12.345 đồng (thử nghiệm của cán bộ).",
        12345,
    )
    assert after["version"] == before["version"] + 1
    assert after["documents"] == before["documents"]  # nothing else changed

    # The preview's voice button plays a WAV synthesised on the server.
    audio = page.request.get(f"{backend.root_url}/staff/content/procedure/khai_sinh/preview.wav")
    assert audio.status == 200 and audio.body()[:4] == b"RIFF"

    # Export for review: the YAML files of content/, with the edit in them.
    export = page.request.get(f"{backend.root_url}/staff/content/export.zip")
    assert export.status == 200
    with zipfile.ZipFile(io.BytesIO(export.body())) as archive:
        assert "content/site.yml" in archive.namelist()
        exported = archive.read("content/procedures/khai_sinh.yml").decode()
    assert "amount_vnd: 12345" in exported

    page.click("text=Lịch sử phiên bản")
    entry = page.locator(".history-entry").first
    assert "12345" in entry.inner_text()  # the diff shows the new amount
    shot(page, "history")
    entry.locator("button", has_text="Khôi phục").click()
    page.wait_for_selector(".flash")
    reverted = _procedure(backend, "khai_sinh")
    assert reverted["fee"] == before["fee"]
    assert reverted["version"] == before["version"] + 2

    page.goto(f"{backend.root_url}/staff/content/audit")
    assert "bientap" in page.inner_text("table")
    shot(page, "audit")
    page.goto(f"{backend.root_url}/staff/content/publish")
    assert "Xuất bản cho trợ lý" in page.inner_text("h1")
    shot(page, "publish")


@pytest.mark.slow
def test_the_assistant_answers_with_the_fee_saved_on_the_staff_page(
    log_in: Any, page: Any, backend: Any, users: dict[str, str], assistant: Any
) -> None:
    before = _procedure(backend, "khai_sinh")
    log_in(page, backend.root_url, "bientap", users["bientap"])
    page.goto(f"{backend.root_url}/staff/content/procedures/khai_sinh")
    page.fill("#f-fee-text", "Lệ phí 54.321 đồng.")
    page.fill("#f-fee-amount_vnd", "54321")
    page.click("#procedure-form button[type=submit]")
    page.wait_for_selector(".flash")
    try:
        messages = assistant.say("web-test", "lệ phí làm giấy khai sinh bao nhiêu")
        answer = " ".join(str(message.get("text", "")) for message in messages)
        assert "54.321" in answer or "54321" in answer, answer
    finally:
        page.goto(f"{backend.root_url}/staff/content/procedure/khai_sinh/history")
        page.locator(".history-entry").first.locator("button", has_text="Khôi phục").click()
        page.wait_for_selector(".flash")
    assert _procedure(backend, "khai_sinh")["fee"] == before["fee"]


def test_invalid_fields_are_reported_beside_the_field_and_nothing_is_saved(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    before = _procedure(backend, "khai_sinh")
    log_in(page, backend.root_url, "bientap", users["bientap"])
    page.goto(f"{backend.root_url}/staff/content/procedures/khai_sinh")
    page.fill("#f-fee-amount_vnd", "năm mươi nghìn")
    page.fill("#f-source_url", "http://khong-an-toan.example")
    for field in page.locator("input[name=documents]").all():
        field.fill("")
    page.fill("#f-name", "Khai sinh mới")  # would be saved if the rest were valid
    page.click("#procedure-form button[type=submit]")
    assert "Phải là số nguyên" in page.inner_text("#err-fee-amount_vnd")
    assert "https://" in page.inner_text("#err-source_url")
    assert "ít nhất 1" in page.inner_text("#err-documents")
    assert page.input_value("#f-fee-amount_vnd") == "năm mươi nghìn"  # what was typed is kept
    shot(page, "procedure-errors")
    assert _procedure(backend, "khai_sinh") == before


def test_html_typed_into_a_field_is_shown_as_text_everywhere(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    before = _procedure(backend, "chung_thuc_ban_sao")
    # The login form shows the typed user name back as text.
    log_in(page, backend.root_url, XSS, "sai-mat-khau")
    assert page.input_value("#username") == XSS
    assert page.evaluate("window.__xss") is None
    log_in(page, backend.root_url, "bientap", users["bientap"])
    # A search is shown back as text.
    page.goto(f"{backend.root_url}/staff/content?q={quote(XSS)}")
    assert page.input_value("input[name=q]") == XSS
    assert page.evaluate("window.__xss") is None
    # HTML typed into content is refused beside the field (as the API refuses it) and shown back as text.
    page.goto(f"{backend.root_url}/staff/content/procedures/chung_thuc_ban_sao")
    page.fill("#f-name", XSS)
    page.locator("input[name=documents]").first.fill(XSS)
    page.fill("#f-summary", XSS)
    page.click("#procedure-form button[type=submit]")
    assert "HTML" in page.inner_text("#err-name")
    assert "HTML" in page.inner_text("#err-documents")
    assert page.input_value("#f-name") == XSS
    assert page.input_value("#f-summary") == XSS
    assert page.locator("input[name=documents]").first.input_value() == XSS
    assert page.evaluate("window.__xss") is None
    assert page.locator("main b", has_text="đậm").count() == 0
    assert _procedure(backend, "chung_thuc_ban_sao") == before
    # Characters that are not tags are kept and shown literally on every page.
    odd = 'Chứng thực "bản sao" & bản chính <1 ngày'
    page.goto(f"{backend.root_url}/staff/content/procedures/chung_thuc_ban_sao")
    page.fill("#f-name", odd)
    page.click("#procedure-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert _procedure(backend, "chung_thuc_ban_sao")["name"] == odd
    for path in [
        "/staff/content",
        "/staff/content/procedures/chung_thuc_ban_sao",
        "/staff/content/procedure/chung_thuc_ban_sao/history",
    ]:
        page.goto(f"{backend.root_url}{path}")
        assert odd in page.inner_text("main"), path
    page.goto(f"{backend.root_url}/staff/content/procedures/chung_thuc_ban_sao")
    page.fill("#f-name", before["name"])
    page.click("#procedure-form button[type=submit]")
    page.wait_for_selector(".flash")
    assert _procedure(backend, "chung_thuc_ban_sao")["name"] == before["name"]


def test_a_form_without_the_csrf_token_is_refused(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    before = _procedure(backend, "khai_sinh")
    log_in(page, backend.root_url, "bientap", users["bientap"])
    page.goto(f"{backend.root_url}/staff/content/procedures/khai_sinh")
    form = {"name": "Bị giả mạo", "field": "ho_tich", "version": str(before["version"])}
    missing = page.request.post(f"{backend.root_url}/staff/content/procedures/khai_sinh", form=form)
    assert missing.status == 403
    assert "Biểu mẫu không hợp lệ" in missing.text()
    wrong = page.request.post(
        f"{backend.root_url}/staff/content/procedures/khai_sinh", form={**form, "csrf_token": "x" * 43}
    )
    assert wrong.status == 403
    logout = page.request.post(f"{backend.root_url}/staff/logout", form={})
    assert logout.status == 403
    assert _procedure(backend, "khai_sinh") == before
    page.goto(f"{backend.root_url}/staff/content")
    assert page.url.endswith("/staff/content")  # still logged in: the forged logout did nothing


def test_every_staff_form_is_refused_without_the_csrf_token(
    log_in: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    """Each POST route of the staff pages, new ones included, refuses a form without the token."""
    import re as regex

    from backend.web.routes import router

    def post_paths(routes: list[Any]) -> list[str]:
        paths = []
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI ≥ 0.165 keeps sub-routers
            if included is not None:
                paths += post_paths(included.routes)
            elif "POST" in getattr(route, "methods", set()):
                paths.append(route.path)
        return paths

    posts = post_paths(router.routes)
    assert "/content/procedures/{procedure_id}" in posts and "/devices" in posts and "/login" in posts
    log_in(page, backend.root_url, "quantri", users["quantri"])
    page.wait_for_url("**/staff/needs")
    before = _procedure(backend, "khai_sinh")
    for path in posts:
        url = backend.root_url + "/staff" + regex.sub(r"\{[a-z_]+\}", "1", path)
        if "{procedure_id}" in path:
            url = f"{backend.root_url}/staff/content/procedures/khai_sinh"
        response = page.request.post(url, form={"name": "Bị giả mạo", "ids": "1"}, max_redirects=0)
        assert response.status == 403, path
        assert "Biểu mẫu không hợp lệ" in response.text(), path
    assert _procedure(backend, "khai_sinh") == before
    page.goto(f"{backend.root_url}/staff/devices")
    assert page.url.endswith("/staff/devices")  # still logged in as the admin


def test_logging_out_ends_the_session_even_for_a_copied_cookie(
    log_in: Any, shot: Any, browser: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    log_in(page, backend.root_url, "bientap", users["bientap"])
    page.wait_for_url("**/staff/content")
    copied = page.context.cookies()
    page.locator("header form button", has_text="Đăng xuất").click()
    page.wait_for_url("**/staff/login")
    assert "Bạn đã đăng xuất" in page.inner_text(".flash")
    other = browser.new_context()
    other.add_cookies(copied)
    stolen = other.new_page()
    stolen.goto(f"{backend.root_url}/staff/content")
    assert stolen.url.startswith(f"{backend.root_url}/staff/login")
    other.close()


def test_a_counter_account_cannot_open_the_editor(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    log_in(page, backend.root_url, "quay", users["quay"])
    page.wait_for_url("**/staff/counter")
    response = page.goto(f"{backend.root_url}/staff/content/procedures/khai_sinh")
    assert response.status == 403
    assert "Không có quyền" in page.inner_text("main")
    assert page.locator("#procedure-form").count() == 0
    assert page.locator("nav a", has_text="Nội dung").count() == 0
    forged = page.request.post(f"{backend.root_url}/staff/content/procedures/khai_sinh", form={"name": "x"})
    assert forged.status in (403,)


def _issue(backend: Any, service_id: str, priority: str = "none") -> str:
    response = httpx.post(
        f"{backend.base_url}/tickets",
        json={"service_id": service_id, "priority": priority, "channel": "kiosk"},
        headers=backend.device_headers,
    )
    response.raise_for_status()
    return str(response.json()["number"])


def _services(backend: Any) -> list[dict[str, Any]]:
    return list(httpx.get(f"{backend.base_url}/services").json())


def _waiting(backend: Any, service_id: str) -> int:
    board = httpx.get(f"{backend.base_url}/queue").json()
    rows = board if isinstance(board, list) else board.get("services", [])
    return int(next(row["waiting"] for row in rows if row["service_id"] == service_id))


def _counter_id(counter: Any) -> str:
    return str(counter["id"] if isinstance(counter, dict) else counter)


def test_a_counter_calls_the_next_ticket_and_the_display_shows_and_announces_it(
    log_in: Any, shot: Any, context: Any, backend: Any, users: dict[str, str]
) -> None:
    service = _services(backend)[0]
    counter_id = _counter_id(service["counters"][0])
    plain = _issue(backend, service["id"])
    elderly = _issue(backend, service["id"], "elderly")

    display = context.new_page()
    audio_requests: list[str] = []
    display.on("request", lambda r: audio_requests.append(r.url) if "/display/audio/" in r.url else None)
    display.goto(f"{backend.root_url}/staff/display")

    console = context.new_page()
    log_in(console, backend.root_url, "quay", users["quay"])
    console.goto(f"{backend.root_url}/staff/counter")
    shot(console, "counter-pick")
    console.click(f"a[href='/staff/counter/{counter_id}']")
    waiting = console.inner_text("#waiting-table")
    assert plain in waiting and elderly in waiting
    assert "Ưu tiên" in console.locator("#waiting-table tr", has_text=elderly).inner_text()
    console.keyboard.press("n")  # keyboard shortcut of "Gọi số tiếp theo"
    console.wait_for_selector(".flash")
    assert console.inner_text("#current-number") == elderly  # priority first
    shot(console, "counter")

    box = display.locator(f"[data-counter='{counter_id}'] .number")
    box.filter(has_text=elderly).wait_for(timeout=10_000)
    display.locator("#announce-log li[data-state=done]").first.wait_for(state="attached", timeout=20_000)
    log = display.eval_on_selector_all("#announce-log li", "els => els.map(e => e.textContent)")
    counter_number = next(c["number"] for c in service["counters"] if _counter_id(c) == counter_id)
    assert log == [f"Mời số {elderly} đến quầy số {counter_number}"]
    assert len(audio_requests) == 1
    shot(display, "display")

    # Gọi lại announces again; Chuyển quầy sends the citizen to another queue and frees the counter.
    console.keyboard.press("r")
    console.wait_for_selector(".flash")
    assert "Đã gọi lại" in console.inner_text(".flash")
    display.wait_for_function("document.querySelectorAll('#announce-log li').length === 2", timeout=10_000)
    other = _services(backend)[1]
    waiting_before = _waiting(backend, other["id"])
    console.keyboard.press("c")  # focuses the queue picker
    console.select_option("#transfer-to", other["id"])
    console.keyboard.press("Enter")
    console.wait_for_selector(".flash")
    assert "Đã chuyển" in console.inner_text(".flash")
    assert _waiting(backend, other["id"]) == waiting_before + 1
    assert console.inner_text("#current-number") == "Chưa gọi số nào."


def test_the_display_plays_two_quick_calls_one_after_the_other_in_order(
    log_in: Any, shot: Any, context: Any, backend: Any, users: dict[str, str]
) -> None:
    service = _services(backend)[0]
    counters = [_counter_id(c) for c in service["counters"]][:2]
    assert len(counters) == 2, "the demo content has two counters for the first service"
    _issue(backend, service["id"])
    _issue(backend, service["id"])

    display = context.new_page()
    display.goto(f"{backend.root_url}/staff/display")
    display.wait_for_function("document.getElementById('status').textContent === ''")
    token = backend.staff_token("quay", users["quay"])
    headers = {"Authorization": f"Bearer {token}"}
    called = []
    for counter_id in counters:  # two calls within a few milliseconds
        response = httpx.post(f"{backend.base_url}/counters/{counter_id}/call-next", headers=headers)
        response.raise_for_status()
        called.append(response.json()["number"])

    display.wait_for_function(
        "document.querySelectorAll('#announce-log li').length === 2 && "
        "[...document.querySelectorAll('#announce-log li')].every(e => e.dataset.state === 'done')",
        timeout=30_000,
    )
    log = display.eval_on_selector_all("#announce-log li", "els => els.map(e => e.textContent)")
    assert [re.search(r"số (\w+) đến", line).group(1) for line in log] == called  # type: ignore[union-attr]

    # The second was not started before the first had finished (one voice at a time).
    order = display.evaluate("window.letanDisplay.history")
    assert [event for event, _ in order] == ["start", "end", "start", "end"]
    assert order[0][1] == order[1][1] != order[2][1] == order[3][1]

    for counter_id in counters:
        page_response = httpx.post(f"{backend.base_url}/counters/{counter_id}/call-next", headers=headers)
        assert page_response.status_code in (200, 204, 409)


def test_wrong_passwords_lock_the_account_even_after_a_restart(
    log_in: Any, shot: Any, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.support.backend import start_backend

    folder = tmp_path_factory.mktemp("lockout")
    server = start_backend(folder)
    try:
        password = server.create_user("khoa", "editor")
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        for attempt in range(1, 6):
            log_in(page, server.root_url, "khoa", f"sai-{attempt}")
            message = page.inner_text(".error-box")
        assert "tạm khoá" in message
        log_in(page, server.root_url, "khoa", password)
        assert "tạm khoá" in page.inner_text(".error-box")  # the right password does not open it now
        api = httpx.post(f"{server.base_url}/auth/token", json={"username": "khoa", "password": password})
        assert (
            api.status_code == 429 and api.json()["code"] == "account_locked"
        )  # one count for API and pages
        shot(page, "login-locked")
        context.close()
    finally:
        server.stop()
    server = start_backend(folder)  # same data folder and database: the lock-out is stored there
    try:
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        log_in(page, server.root_url, "khoa", password)
        assert "tạm khoá" in page.inner_text(".error-box")
        context.close()
    finally:
        server.stop()


def test_citizens_needs_group_questions_create_a_faq_and_acknowledge_handoffs(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    asked = ["Xin giấy phép nuôi chó ở đâu", "xin giấy phép nuôi chó ở đâu ạ", "Xin giay phep nuoi cho o dau"]
    for text in [*asked, "Phường có chỗ sạc xe điện không"]:
        response = httpx.post(
            f"{backend.base_url}/unanswered",
            json={"text": text, "intent": "nlu_fallback", "confidence": 0.3},
            headers=backend.device_headers,
        )
        assert response.status_code == 201
    handoff = httpx.post(
        f"{backend.base_url}/handoffs",
        json={"reason": "gap_can_bo", "summary": "Công dân cần hỏi về tranh chấp đất đai"},
        headers=backend.device_headers,
    )
    assert handoff.status_code == 201
    for rating, comment in [(5, "Nhanh và dễ dùng"), (2, "Chờ hơi lâu")]:
        httpx.post(
            f"{backend.base_url}/feedback",
            json={"rating": rating, "comment": comment},
            headers=backend.device_headers,
        ).raise_for_status()

    log_in(page, backend.root_url, "quantri", users["quantri"])
    page.goto(f"{backend.root_url}/staff/needs")
    group = page.locator("#unanswered tr", has_text="nuôi chó").first
    assert group.locator(".badge").inner_text() == "3"  # the three wordings are one group
    assert page.evaluate("() => Chart.getChart('chart-ratings').data.datasets[0].data") == [0, 1, 0, 0, 1]
    shot(page, "needs")

    page.locator("#handoffs + table button", has_text="Đã tiếp nhận").first.click()
    page.wait_for_selector(".flash")
    assert "Đã tiếp nhận yêu cầu" in page.inner_text(".flash")

    group = page.locator("#unanswered tr", has_text="nuôi chó").first
    group.locator("a", has_text="Tạo câu hỏi thường gặp").click()
    assert page.input_value("#f-question") == asked[0]
    page.fill("#f-key", "nuoi_cho")
    prefilled = page.eval_on_selector_all(
        "input[name=variants]", "els => els.map(e => e.value).filter(v => v)"
    )
    assert prefilled == [asked[1]], page.url  # the other wordings (the unaccented one folds to the question)
    variants = [
        "nuôi chó có phải đăng ký không",
        "đăng ký nuôi chó ở đâu",
        "giấy phép nuôi chó",
        "xin phép nuôi chó",
        "nuôi chó cần giấy tờ gì",
    ]
    for i, text in enumerate(variants):
        if i:
            page.click("[data-add-row=variants]")
        page.locator("input[name=variants]").last.fill(text)  # the form keeps one empty row at the end
    page.fill("#f-answer", "Nuôi chó không cần giấy phép của phường; hãy tiêm phòng dại hằng năm.")
    shot(page, "faq-new")
    page.click("#faq-form button[type=submit]")
    page.wait_for_selector(".flash, .error-box")
    assert page.locator(".error-box").count() == 0, page.inner_text("#faq-form")
    faq = httpx.get(f"{backend.base_url}/faq/nuoi_cho")
    assert faq.status_code == 200 and "tiêm phòng dại" in faq.json()["answer"]
    page.goto(f"{backend.root_url}/staff/needs")
    assert page.locator("#unanswered tr", has_text="nuôi chó").count() == 0  # marked handled
    page.locator("#unanswered tr", has_text="sạc xe điện").locator("button", has_text="Đã xử lý").click()
    page.wait_for_selector(".flash")
    assert page.locator("#unanswered tr", has_text="sạc xe điện").count() == 0


def test_an_admin_adds_a_device_sees_its_token_once_and_revokes_it(
    log_in: Any, shot: Any, page: Any, backend: Any, users: dict[str, str]
) -> None:
    log_in(page, backend.root_url, "quantri", users["quantri"])
    page.goto(f"{backend.root_url}/staff/devices")
    page.fill("#device-name", "kiosk-sanh-2")
    page.click("form[action='/staff/devices'] button")
    token = page.inner_text("#token-value").strip()
    shot(page, "devices")
    feedback = {"rating": 4, "comment": "thử thiết bị"}
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{backend.base_url}/feedback", json=feedback, headers=headers).status_code == 201
    page.goto(f"{backend.root_url}/staff/devices")
    assert token not in page.content()  # shown once only
    row = page.locator("#devices tr", has_text="kiosk-sanh-2")
    assert "chưa liên lạc" not in row.inner_text()  # its last contact is shown
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="Thu hồi").click()
    page.wait_for_selector(".flash")
    assert "Đã thu hồi" in page.locator("#devices tr", has_text="kiosk-sanh-2").inner_text()
    assert httpx.post(f"{backend.base_url}/feedback", json=feedback, headers=headers).status_code == 401
    # An editor cannot open the devices page.
    context = page.context.browser.new_context()
    other = context.new_page()
    log_in(other, backend.root_url, "bientap", users["bientap"])
    assert other.goto(f"{backend.root_url}/staff/devices").status == 403
    context.close()
