"""The demo backend answers like the real API: the same JSON shapes, decoded by the same code.

The real answers come from a real backend process (tests/support/backend.py) over HTTP; the
demo's from `kiosk.demo.DemoApi`. Both go through `contract.resources`, as in the kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from contract.backend_client import BackendClient
from contract.resources import Counter, Dossier, Faq, Procedure, ProcedureSummary, Service, Site, Ticket
from kiosk.demo import DEMO_DOSSIER_CODE, DEMO_VERIFY_DIGITS, DemoApi, DemoBackend
from tests.support.backend import RunningBackend


def shape(value: Any) -> Any:
    """The JSON's structure: every key at every depth, the type of every value (lists: their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def differences(api: Any, demo: Any, path: str = "") -> list[str]:
    """Where the demo's shape is not the API's (a null on either side matches any type)."""
    if isinstance(api, dict) and isinstance(demo, dict):
        found = [f"{path}.{key}: only in the API" for key in api.keys() - demo.keys()]
        found += [f"{path}.{key}: only in the demo" for key in demo.keys() - api.keys()]
        for key in api.keys() & demo.keys():
            found += differences(api[key], demo[key], f"{path}.{key}")
        return found
    if isinstance(api, list) and isinstance(demo, list):
        return differences(api[0], demo[0], f"{path}[]") if api and demo else []
    if api != demo and "NoneType" not in (api, demo) and {api, demo} != {"int", "float"}:
        return [f"{path}: {api} in the API, {demo} in the demo"]
    return []


@pytest.fixture(scope="module")
def demo() -> DemoApi:
    return DemoApi()


def _answers(backend: RunningBackend, demo: DemoApi) -> dict[str, tuple[Any, Any, Callable[[Any], Any]]]:
    url, device = backend.base_url, backend.device_headers
    code, _verify = backend.seed_demo()[0]
    ticket_body = {"priority": "elderly", "channel": "kiosk", "procedure_id": "khai_sinh"}
    issued = requests.post(
        f"{url}/tickets", json=ticket_body, headers={**device, "Idempotency-Key": "demo-contract"}, timeout=10
    )
    assert issued.status_code == 201, issued.text

    def each(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda rows: [decode(row) for row in rows]

    return {
        "services": (
            requests.get(f"{url}/services", timeout=10).json(),
            demo.services(),
            each(Service.from_dict),
        ),
        "procedures": (
            requests.get(f"{url}/procedures", timeout=10).json(),
            demo.procedures(),
            each(ProcedureSummary.from_dict),
        ),
        "procedure": (
            requests.get(f"{url}/procedures/khai_sinh", timeout=10).json(),
            demo.procedure("khai_sinh"),
            Procedure.from_dict,
        ),
        "faq": (requests.get(f"{url}/faq", timeout=10).json(), demo.faq(), each(Faq.from_dict)),
        "site": (requests.get(f"{url}/site", timeout=10).json(), demo.site(), Site.from_dict),
        "ticket": (issued.json(), demo.issue_ticket(ticket_body), Ticket.from_dict),
        "dossier": (
            requests.get(f"{url}/dossiers/{code}", headers=device, timeout=10).json(),
            demo.dossier(DEMO_DOSSIER_CODE),
            Dossier.from_dict,
        ),
    }


def test_the_demo_answers_in_the_api_shapes(backend_server: RunningBackend, demo: DemoApi) -> None:
    for name, (api, ours, decode) in _answers(backend_server, demo).items():
        assert differences(shape(api), shape(ours)) == [], name
        # One decoder for both; what the kiosk reads is there in both.
        decoded_api, decoded_demo = decode(api), decode(ours)
        assert type(decoded_api) is type(decoded_demo), name


def test_counters_are_objects_in_both(backend_server: RunningBackend, demo: DemoApi) -> None:
    answers = _answers(backend_server, demo)
    for api, ours in (answers["services"][:2], ([answers["ticket"][0]], [answers["ticket"][1]])):
        for row in (*api, *ours):
            counters = Service.from_dict(row).counters
            assert counters and all(isinstance(c, Counter) and c.number >= 1 and c.name for c in counters)


def test_the_demo_backend_has_the_clients_methods(backend_server: RunningBackend) -> None:
    """Each method the kiosk calls, on the real client and on the demo: the same resource types."""
    client = BackendClient(backend_server.base_url, backend_server.device_token, timeout_s=10)
    code, verify = backend_server.seed_demo()[0]
    ours = DemoBackend()
    calls: list[Callable[[Any], Any]] = [
        lambda b: b.procedures(q="khai sinh"),
        lambda b: b.procedure("khai_sinh"),
        lambda b: b.faqs(),
        lambda b: b.services(),
        lambda b: b.site(),
        lambda b: b.issue_ticket(procedure_id="khai_sinh"),
    ]
    for call in calls:
        real, demo = call(client), call(ours)
        assert type(real) is type(demo)
        if isinstance(real, list):
            assert real and demo and type(real[0]) is type(demo[0])
    assert type(client.dossier(code, verify=verify)) is type(
        ours.dossier(DEMO_DOSSIER_CODE, DEMO_VERIFY_DIGITS)
    )
    assert ours.dossier(DEMO_DOSSIER_CODE, DEMO_VERIFY_DIGITS).verified
    found = [{p.id for p in b.procedures(q="khai sinh")} for b in (client, ours)]
    assert "khai_sinh" in found[0] and "khai_sinh" in found[1]
