"""Content: loading, export, search, reads, and staff edits (PUT) with validation and audit."""

import unicodedata

import pytest
from sqlalchemy import select

from backend.models import AuditEntry, ProcedureRecord
from backend.services.content_files import export_content, load_content
from tests.support.assertions import assert_error
from tests.support.sample_content import small_content

API = "/api/v1"


def procedure_body(client, procedure_id="khai_sinh"):
    body = client.get(f"{API}/procedures/{procedure_id}").json()
    for key in ("version", "updated_at"):
        body.pop(key)
    return body


def test_load_then_export_round_trips_and_reloading_changes_nothing(database, content):
    expected = content.model_copy(deep=True)
    expected.procedures.sort(key=lambda p: p.id)
    expected.faq.sort(key=lambda f: f.key)
    with database.factory() as session:
        assert export_content(session) == expected
        report = load_content(session, content)
        session.commit()
    assert report.created == [] and report.updated == [] and report.conflicts == []
    assert "procedure:khai_sinh" in report.unchanged


def test_a_changed_file_updates_the_record_and_bumps_its_version(database, content):
    changed = content.model_copy(deep=True)
    changed.procedures[0].summary = "Tóm tắt mới."
    with database.factory() as session:
        report = load_content(session, changed)
        session.commit()
        record = session.get(ProcedureRecord, "khai_sinh")
    assert report.updated == ["procedure:khai_sinh"]
    assert record.version == 2 and record.data["summary"] == "Tóm tắt mới."


def test_a_load_never_overwrites_a_staff_edit_and_reports_the_conflict(client, database, content, staff):
    body = procedure_body(client)
    body["summary"] = "Cán bộ đã sửa tóm tắt."
    assert client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("editor")).status_code == 200
    changed = content.model_copy(deep=True)
    changed.procedures[0].summary = "Bản trong tệp."
    with database.factory() as session:
        report = load_content(session, changed)
        session.commit()
    assert [c.id for c in report.conflicts] == ["khai_sinh"]
    assert "fixture-editor" in report.conflicts[0].describe()
    assert client.get(f"{API}/procedures/khai_sinh").json()["summary"] == "Cán bộ đã sửa tóm tắt."


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "KHAI SINH", "khai sinh", "Đăng ký khai sinh", "  khai   sinh "]
)
def test_search_ignores_case_and_diacritics(client, content, query):
    found = client.get(f"{API}/procedures", params={"q": query}).json()
    assert [p["id"] for p in found] == ["khai_sinh"]


def test_search_matches_aliases_and_filters_by_field(client, content):
    assert [p["id"] for p in client.get(f"{API}/procedures", params={"q": "sổ đỏ"}).json()] == ["cap_so_do"]
    assert [p["id"] for p in client.get(f"{API}/procedures", params={"q": "so do"}).json()] == ["cap_so_do"]
    ho_tich = client.get(f"{API}/procedures", params={"field": "ho_tich"}).json()
    assert {p["id"] for p in ho_tich} == {"khai_sinh", "ket_hon"}
    assert client.get(f"{API}/procedures", params={"q": "100%_x"}).json() == []
    everything = client.get(f"{API}/procedures").json()
    assert len(everything) == 3
    assert set(everything[0]) == {"id", "name", "field", "summary"}


def test_procedure_detail_has_the_contract_fields(client, content):
    body = client.get(f"{API}/procedures/cap_so_do").json()
    for key in (
        "id",
        "name",
        "field",
        "aliases",
        "documents",
        "fee",
        "processing_time",
        "where",
        "online",
        "legal_basis",
        "source_url",
        "verified_on",
        "version",
        "updated_at",
        "summary",
        "notes",
    ):
        assert key in body, key
    assert (body["fee"]["text"], body["fee"]["amount_vnd"]) == ("Theo quy định của tỉnh", None)
    assert body["fee"]["verification"] == {
        "verified": True,
        "verified_on": "2026-01-05",
        "source_url": body["source_url"],
        "note": None,
    }
    assert body["next_change"] is None and body["changes"] == [] and body["periods"] == {}
    assert body["where"]["service_id"] == "dat_dai"
    assert body["verified_on"] == "2026-01-05"
    assert body["version"] == 1


def test_unknown_procedure_and_faq_are_404(client, content):
    assert_error(client.get(f"{API}/procedures/khong_co"), 404, "procedure_not_found")
    assert_error(client.get(f"{API}/faq/khong_co"), 404, "faq_not_found")


def test_faq_answers_are_rendered_with_the_site_values(client, content):
    wifi = client.get(f"{API}/faq/wifi").json()
    assert wifi["answer"] == "Mạng PhuongThu, mật khẩu matkhau-wifi-123."
    assert wifi["version"] == 1 and wifi["question"] == "Mật khẩu wifi là gì?"
    keys = [f["key"] for f in client.get(f"{API}/faq").json()]
    assert keys == ["gio_lam_viec", "wifi"]


def test_services_list_letters_and_counters(client, content):
    services = client.get(f"{API}/services").json()
    assert [(s["id"], s["letter"]) for s in services] == [("ho_tich", "A"), ("dat_dai", "B")]
    assert [c["number"] for c in services[0]["counters"]] == [1, 2]


def test_put_procedure_needs_an_editor(client, content, device, staff):
    body = procedure_body(client)
    assert_error(client.put(f"{API}/procedures/khai_sinh", json=body), 401, "unauthorized")
    assert_error(client.put(f"{API}/procedures/khai_sinh", json=body, headers=device), 403, "forbidden")
    assert_error(
        client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("counter")), 403, "forbidden"
    )
    assert client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("admin")).status_code == 200


def test_put_procedure_bumps_version_audits_and_stores_nfc(client, database, content, staff):
    body = procedure_body(client)
    decomposed = unicodedata.normalize("NFD", "Giấy tờ tùy thân")
    body["documents"] = [decomposed]
    response = client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("editor"))
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    stored = client.get(f"{API}/procedures/khai_sinh").json()
    assert stored["documents"] == [unicodedata.normalize("NFC", decomposed)]
    with database.factory() as session:
        entries = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_id == "khai_sinh", AuditEntry.action == "procedure.update"
            )
        ).all()
    assert len(entries) == 1 and entries[0].actor == "staff:fixture-editor"
    details = entries[0].details
    assert details["version"] == 2
    assert details["before"]["documents"] != details["after"]["documents"]
    assert details["after"]["documents"] == [unicodedata.normalize("NFC", decomposed)]


def test_put_procedure_creates_a_new_one(client, content, staff):
    body = procedure_body(client)
    body["id"] = "khai_sinh_lai"
    body["name"] = "Đăng ký lại khai sinh"
    response = client.put(f"{API}/procedures/khai_sinh_lai", json=body, headers=staff("editor"))
    assert response.status_code == 201
    assert [p["id"] for p in client.get(f"{API}/procedures", params={"q": "dang ky lai"}).json()] == [
        "khai_sinh_lai"
    ]


def test_put_procedure_refuses_bad_bodies_without_writing(client, content, staff):
    headers = staff("editor")
    body = procedure_body(client)
    missing = dict(body)
    missing.pop("documents")
    error = assert_error(
        client.put(f"{API}/procedures/khai_sinh", json=missing, headers=headers), 422, "validation_error"
    )
    assert "documents" in error["detail"] and "thiếu" in error["detail"]
    assert_error(
        client.put(f"{API}/procedures/khai_sinh", json={**body, "field": "khong_co"}, headers=headers),
        422,
        "validation_error",
    )
    assert_error(
        client.put(f"{API}/procedures/khai_sinh", json={**body, "id": "ket_hon"}, headers=headers),
        422,
        "id_mismatch",
    )
    html = {**body, "summary": "<script>alert(1)</script>"}
    error = assert_error(
        client.put(f"{API}/procedures/khai_sinh", json=html, headers=headers), 422, "html_not_allowed"
    )
    assert "HTML" in error["detail"]
    assert_error(client.put(f"{API}/procedures/khai_sinh", content=b"{not json", headers=headers), 422)
    assert client.get(f"{API}/procedures/khai_sinh").json()["version"] == 1


def test_put_with_a_stale_version_is_a_conflict(client, content, staff):
    headers = staff("editor")
    body = procedure_body(client)
    assert (
        client.put(f"{API}/procedures/khai_sinh", json=body, headers={**headers, "If-Match": "1"}).status_code
        == 200
    )
    stale = client.put(f"{API}/procedures/khai_sinh", json=body, headers={**headers, "If-Match": "1"})
    assert_error(stale, 409, "version_conflict")


def test_put_faq_validates_placeholders_and_audits(client, database, content, staff):
    headers = staff("editor")
    entry = {
        "key": "wifi",
        "question": "Mật khẩu wifi là gì?",
        "variants": ["wifi", "mật khẩu wifi", "pass wifi", "mạng", "internet"],
        "answer": "Wifi {wifi_name}, mật khẩu: {wifi_password}",
    }
    response = client.put(f"{API}/faq/wifi", json=entry, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["answer"] == "Wifi PhuongThu, mật khẩu: matkhau-wifi-123"
    assert response.json()["version"] == 2
    assert_error(
        client.put(f"{API}/faq/wifi", json={**entry, "answer": "Gọi {hotline_khong_co}"}, headers=headers),
        422,
        "faq_placeholder_unknown",
    )
    assert_error(client.put(f"{API}/faq/wifi", json={**entry, "variants": ["một"]}, headers=headers), 422)
    assert_error(client.put(f"{API}/faq/wifi", json=entry, headers=staff("counter")), 403)
    with database.factory() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == "wifi")).all()
    assert actions.count("faq.update") == 1


def test_site_is_public_and_404_before_any_content(client, database):
    assert_error(client.get(f"{API}/site"), 404, "content_empty")
    with database.factory() as session:
        load_content(session, small_content())
        session.commit()
    site = client.get(f"{API}/site").json()
    assert site["name"] == "Điểm phục vụ phường Thử" and site["wifi_name"] == "PhuongThu"
