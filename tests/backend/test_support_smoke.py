"""The shared test support really starts a backend other suites can use."""

import httpx

from tests.support.backend import running_backend


def test_running_backend_serves_content_tickets_and_dossiers(tmp_path):
    with running_backend(tmp_path) as backend:
        assert httpx.get(f"{backend.base_url}/health").json() == {"status": "ok", "database": "ok"}
        procedures = httpx.get(f"{backend.base_url}/procedures").json()
        assert procedures, "content/ was loaded"
        ticket = httpx.post(
            f"{backend.base_url}/tickets",
            json={"procedure_id": procedures[0]["id"]},
            headers=backend.device_headers,
        )
        assert ticket.status_code == 201
        assert ticket.json()["number"].endswith("001")
        code, verify = backend.seed_demo()[1]
        found = httpx.get(
            f"{backend.base_url}/dossiers/{code}", params={"verify": verify}, headers=backend.device_headers
        ).json()
        assert found["verified"] is True and found["note"]
        password = backend.create_user("editor1", "editor")
        token = backend.staff_token("editor1", password)
        assert (
            httpx.get(
                f"{backend.base_url}/handoffs", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 200
        )
    assert backend.process is not None and backend.process.poll() is not None
