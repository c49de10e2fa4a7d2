"""Dated facts through the API: what is in force on the service day (the app's clock), what changes
next, and PUT taking back exactly what GET returned, with 409 for an edit of an older version."""

from datetime import datetime, timedelta, timezone

from tests.support.assertions import assert_error

API = "/api/v1"
LOCAL = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving time

CAN_CUOC_FEES = [
    {
        "valid_until": "2026-12-31",
        "text": "Cấp đổi 25.000 đồng, cấp lại 35.000 đồng (giảm 50% đến hết năm 2026).",
        "amount_vnd": 25000,
        "verified_on": "2026-12-02",
        "source_url": "https://example.gov.vn/thong-tu-64-2025",
    },
    {
        "valid_from": "2027-01-01",
        "text": "Cấp đổi 50.000 đồng, cấp lại 70.000 đồng.",
        "amount_vnd": 50000,
        "source_url": "https://example.gov.vn/thong-tu-73-2024",
    },
]


def dated_procedure(client, staff) -> dict:
    """khai_sinh of the sample content, given the two dated fees (as an editor would)."""
    body = client.get(f"{API}/procedures/khai_sinh").json()
    del body["fee"]  # the value in force would otherwise replace the period it falls in
    body["periods"] = {"fee": CAN_CUOC_FEES}
    response = client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("editor"))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_fee_switches_at_local_midnight(client, content, staff, clock):
    clock.set(datetime(2026, 12, 31, 23, 59, tzinfo=LOCAL))
    dated_procedure(client, staff)
    before = client.get(f"{API}/procedures/khai_sinh").json()
    assert before["service_day"] == "2026-12-31"
    assert before["fee"]["amount_vnd"] == 25000
    assert before["fee"]["verification"]["verified_on"] == "2026-12-02"
    assert before["next_change"] == {"on": "2027-01-01", "facts": ["fee"]}
    assert before["changes"][0]["value"]["amount_vnd"] == 50000
    clock.set(datetime(2027, 1, 1, 0, 1, tzinfo=LOCAL))
    after = client.get(f"{API}/procedures/khai_sinh").json()
    assert after["service_day"] == "2027-01-01"
    assert after["fee"]["amount_vnd"] == 50000
    assert after["fee"]["verification"]["source_url"] == "https://example.gov.vn/thong-tu-73-2024"
    assert after["next_change"] is None


def test_what_get_returned_can_be_put_back_unchanged(client, database, content, staff, clock):
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL))
    served = dated_procedure(client, staff)
    again = client.put(f"{API}/procedures/khai_sinh", json=served, headers=staff("editor"))
    assert again.status_code == 200, again.text
    stored_again = again.json()
    assert stored_again["version"] == served["version"] + 1
    assert stored_again["periods"] == served["periods"]
    for key in ("fee", "documents", "legal_basis", "processing_time", "verification", "changes"):
        assert stored_again[key] == served[key], key


def test_editing_the_value_in_force_keeps_the_scheduled_change(client, content, staff, clock):
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL))
    served = dated_procedure(client, staff)
    served["fee"]["text"] = "Cấp đổi 25.000 đồng (đã sửa)."
    edited = client.put(f"{API}/procedures/khai_sinh", json=served, headers=staff("editor")).json()
    assert edited["fee"]["text"] == "Cấp đổi 25.000 đồng (đã sửa)."
    assert edited["periods"]["fee"][0]["valid_until"] == "2026-12-31"
    assert edited["periods"]["fee"][1]["amount_vnd"] == 50000


def test_an_edit_from_an_older_version_is_refused_naming_who_changed_it(client, content, staff, clock):
    first = client.get(f"{API}/procedures/khai_sinh").json()
    second = dict(first)
    first["summary"] = "Biên tập viên thứ nhất sửa."
    assert client.put(f"{API}/procedures/khai_sinh", json=first, headers=staff("editor")).status_code == 200
    second["summary"] = "Biên tập viên thứ hai sửa từ bản cũ."
    error = assert_error(
        client.put(f"{API}/procedures/khai_sinh", json=second, headers=staff("admin")),
        409,
        "version_conflict",
    )
    assert "fixture-editor" in error["detail"] and "phiên bản 2" in error["detail"]
    assert client.get(f"{API}/procedures/khai_sinh").json()["summary"] == "Biên tập viên thứ nhất sửa."


def test_periods_with_a_gap_are_refused(client, content, staff):
    body = client.get(f"{API}/procedures/khai_sinh").json()
    del body["fee"]
    body["periods"] = {"fee": [CAN_CUOC_FEES[0], {**CAN_CUOC_FEES[1], "valid_from": "2027-02-01"}]}
    assert_error(client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("editor")), 422)
    body["periods"] = {"fees": CAN_CUOC_FEES}
    assert_error(
        client.put(f"{API}/procedures/khai_sinh", json=body, headers=staff("editor")), 422, "periods_invalid"
    )
    assert client.get(f"{API}/procedures/khai_sinh").json()["version"] == 1


def test_the_repository_can_cuoc_fee_is_25_000_until_new_year_and_50_000_after(client, database, clock):
    from backend.services.content_files import load_content
    from content.files import read_content_dir

    with database.factory() as session:
        load_content(session, read_content_dir())
        session.commit()
    clock.set(datetime(2026, 12, 31, 23, 59, tzinfo=LOCAL))
    before = client.get(f"{API}/procedures/can_cuoc").json()
    clock.set(datetime(2027, 1, 1, 0, 1, tzinfo=LOCAL))
    after = client.get(f"{API}/procedures/can_cuoc").json()
    assert (before["fee"]["amount_vnd"], after["fee"]["amount_vnd"]) == (25000, 50000)
    assert before["fee"]["verification"]["verified"] and after["fee"]["verification"]["verified"]
    assert before["next_change"]["on"] == "2027-01-01" and "fee" in before["next_change"]["facts"]
