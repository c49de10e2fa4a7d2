"""A city on this machine: kiosks issue tickets through nginx while a backend and a Rasa server die.

deploy/city.py starts it: a fresh PostgreSQL database, Redis (its own db and key prefix), two
backend processes, two Rasa servers with their action servers, nginx in front. Three kiosks (one
device at each of three sites) issue tickets concurrently through nginx; in the middle one backend
gets `kill -9` while requests are waiting in it, and the Rasa server that answered the last turn
of a conversation in progress gets `kill -9` too. Then:
- every ticket a kiosk was given is in the database exactly once, and no other ticket is;
- numbers are gap-free per site, service and day, and every site numbers its own;
- a request that failed was repeated with its Idempotency-Key and got one ticket; repeating the
  key of a ticket the dead backend issued gets the same ticket from the other one;
- the conversation goes on on the other Rasa server and issues its ticket;
- a staff token made by one backend works on the other; no log holds a dossier code.

The kiosks stand at three service points (the demo content's two sites and a third the test adds
to a copy of the content): each numbers its own queues, so numbering is checked per site, service
and local day.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import psycopg
import pytest

from contract.backend_client import BackendClient
from contract.errors import BackendUnavailableError
from contract.rasa_client import BotMessage, RasaClient
from deploy.city import THREE_SITES, Child, City, CityPlan, RedisLocation, demo_content_with_a_third_site
from deploy.nginx_conf import nginx_binary
from tests.deploy.deploy_helpers import unread_bytes, wait_until
from tests.support.backend import free_port
from tests.support.postgres import fresh_postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

# Three service points, a kiosk at each: the demo content's two and a third added to a copy of it.
SITES = THREE_SITES
KIOSKS = ("kiosk-1", "kiosk-2", "kiosk-3")
REDIS_DB = 3  # not the db of nlu/endpoints-scaled.yml (1); the key prefix is random per run
ATTEMPTS = 5  # a kiosk repeats a failed request (same Idempotency-Key) at most this often
TICKETS_BEFORE_KILL = 5  # per kiosk
TICKETS_AFTER_KILL = 5
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<uri>\S+)" (?P<status>\d+) .* upstream=(?P<upstream>.*?) '
    r"upstream_status=(?P<upstream_status>.*?) key=(?P<key>\S+)$"
)


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (make setup)")
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    with (
        fresh_postgres_database("letan_city") as database,
        fresh_postgres_database("letan_city_rasa") as trackers,
    ):
        if database is None:
            pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
        plan = CityPlan(
            database_url=database,
            tracker_database_url=trackers,
            directory=tmp_path_factory.mktemp("city"),
            backends=2,
            rasa=2,
            port=free_port(),
            redis=RedisLocation(db=REDIS_DB),
            redis_prefix=f"letan-test-{secrets.token_hex(4)}",
            nginx_workers="1",
            content_dir=demo_content_with_a_third_site(tmp_path_factory.mktemp("content")),
        )
        with City(plan) as running:
            yield running


# ---------------------------------------------------------------------------------------- kiosks
def kiosk_device(city: City, name: str, site: str) -> str:
    """The device token of a new kiosk of a site (`letan devices add NAME --site ID`)."""
    return city.add_device(name, site)


@dataclass(frozen=True)
class Issued:
    key: str
    ticket_id: int
    number: str
    service_id: str


@dataclass
class Kiosk:
    """A kiosk issuing tickets through nginx one after the other, as fast as they come."""

    name: str
    token: str
    client: BackendClient
    services: list[str]
    issued: list[Issued] = field(default_factory=list)
    failed_attempts: int = 0  # calls that failed after the client's own retry, then repeated
    given_up: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def issue(self, service_id: str) -> None:
        key = uuid.uuid4().hex
        for _ in range(ATTEMPTS):  # the citizen presses "Thử lại": the same request, the same key
            try:
                ticket = self.client.issue_ticket(service_id=service_id, idempotency_key=key)
            except BackendUnavailableError:
                self.failed_attempts += 1
                continue
            self.issued.append(Issued(key, ticket.id, ticket.number, ticket.service_id))
            return
        self.given_up.append(key)

    def run(self, stop: threading.Event) -> None:
        turn = 0
        try:
            while not stop.is_set():
                self.issue(self.services[turn % len(self.services)])
                turn += 1
        except BaseException as err:  # a 4xx or a bug: the test reports it
            self.errors.append(err)


def new_kiosk(city: City, name: str, site: str) -> Kiosk:
    token = kiosk_device(city, name, site)
    client = BackendClient(city.api_url, token, timeout_s=10)
    return Kiosk(name, token, client, [s.id for s in client.services()])  # its own site's services


# ------------------------------------------------------------------------------------ nginx's log
@dataclass(frozen=True)
class Logged:
    method: str
    uri: str
    status: int
    upstreams: list[str]  # tried in order; the last one answered
    key: str


def access_log(city: City) -> list[Logged]:
    entries = []
    for line in city.nginx_access_log.read_text(errors="replace").splitlines():
        match = LOG_LINE.search(line)
        assert match, line
        entries.append(
            Logged(
                match["method"],
                match["uri"],
                int(match["status"]),
                [u.strip() for u in match["upstream"].split(",")],
                match["key"],
            )
        )
    return entries


def address(child: Child) -> str:
    return child.url.removeprefix("http://")


def webhook_turns(city: City, count: int) -> list[Logged]:
    """The conversation's turns in nginx's log, once `count` are there (written after the answer)."""

    def turns() -> list[Logged]:
        return [e for e in access_log(city) if e.uri == "/rasa/webhooks/rest/webhook"]

    wait_until(lambda: len(turns()) >= count, 30, f"{count} conversation turns in nginx's log")
    return turns()


# ------------------------------------------------------------------------------------ the database
def ticket_rows(city: City) -> list[dict[str, Any]]:
    url = city.plan.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        cursor = conn.execute(
            "SELECT t.id, t.site_id, t.number, t.issued_service_id, t.service_day, t.sequence,"
            " t.idempotency_key, d.name AS device"
            " FROM tickets t LEFT JOIN devices d ON d.id = t.device_id ORDER BY t.id"
        )
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def queue_of(row: dict[str, Any]) -> tuple[str, str, date]:
    """The queue a ticket is numbered in: its site, its issuing service, its local day."""
    return row["site_id"], row["issued_service_id"], row["service_day"]


def ticket_message(messages: list[BotMessage]) -> dict[str, Any]:
    cards = [m.custom for m in messages if m.custom and m.custom.get("type") == "ticket"]
    assert cards, [m.to_dict() for m in messages]
    return cards[0]


# ------------------------------------------------------------------------------------------ tests
def test_a_staff_token_from_one_backend_works_on_the_other(city: City) -> None:
    assert all(b.alive() for b in city.backends), "this test runs before the kills"
    password = secrets.token_urlsafe(12)
    city.letan("users", "add", "quay1", "--role", "counter", "--password", password)
    first, second = city.backends
    response = httpx.post(f"{first.url}/api/v1/auth/token", json={"username": "quay1", "password": password})
    assert response.status_code == 200, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    for url in (second.url, city.root_url, first.url):
        answer = httpx.get(f"{url}/api/v1/counters/quay_1/waiting", headers=headers)
        assert answer.status_code == 200, (url, answer.text)


def test_nothing_is_lost_when_a_backend_and_a_rasa_server_die(city: City) -> None:
    kiosks = [new_kiosk(city, name, site) for name, site in zip(KIOSKS, SITES, strict=True)]
    dossiers = json.loads(city.letan("demo", "seed", "--json"))[:3]
    stop = threading.Event()
    threads = [threading.Thread(target=k.run, args=(stop,), name=k.name, daemon=True) for k in kiosks]
    assistant = RasaClient(city.rasa_url, timeout_s=60)
    sender = f"city-{uuid.uuid4().hex[:8]}"
    for thread in threads:
        thread.start()
    try:
        # A conversation in progress: the ticket form has asked the service, then the priority.
        assert any(m.buttons for m in assistant.send(sender, "cho tôi lấy số"))
        asked = assistant.send(sender, "hộ tịch")
        assert any("ưu tiên" in m.text for m in asked), [m.to_dict() for m in asked]
        wait_until(
            lambda: all(len(k.issued) >= TICKETS_BEFORE_KILL for k in kiosks), 60, "tickets before the kill"
        )
        served = {e.upstreams[-1] for e in access_log(city) if e.status == 201}
        assert {address(b) for b in city.backends} <= served, "both backends issue tickets"

        # kill -9 of a backend with requests waiting in it (stopped first, so that some are).
        victim = city.backends[0]
        os.kill(victim.pid, signal.SIGSTOP)
        victim_port = int(victim.url.rsplit(":", 1)[1])
        wait_until(lambda: unread_bytes(victim_port) > 0, 30, "a request waiting at the stopped backend")
        victim.kill()
        # ... and of the Rasa server that answered the conversation's last turn.
        answered = webhook_turns(city, 2)[-1].upstreams[-1]
        dead_rasa = next(r for r in city.rasa_servers if address(r) == answered)
        dead_rasa.kill()
        other_rasa = next(r for r in city.rasa_servers if r is not dead_rasa)

        counts = [len(k.issued) for k in kiosks]
        wait_until(
            lambda: all(len(k.issued) >= n + TICKETS_AFTER_KILL for k, n in zip(kiosks, counts, strict=True)),
            60,
            "tickets after the kill",
        )
        # The conversation goes on where it was, on the other Rasa server.
        card = ticket_message(assistant.send(sender, "không"))
        assert card["service_id"] == "ho_tich_chung_thuc"
        assert webhook_turns(city, 3)[-1].upstreams[-1] == address(other_rasa)
        for row in dossiers:  # a kiosk looks dossiers up too
            found = kiosks[0].client.dossier(row["code"], row["verify"])
            assert found.code == row["code"]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    for kiosk in kiosks:
        assert not kiosk.errors, (kiosk.name, kiosk.errors)
        assert not kiosk.given_up, (kiosk.name, kiosk.given_up)

    log = access_log(city)
    # The requests waiting in the killed backend failed, and were repeated with their key.
    failed = {e.key for e in log if e.uri == "/api/v1/tickets" and e.status >= 500}
    answered_keys = {e.key for e in log if e.uri == "/api/v1/tickets" and e.status == 201}
    assert failed, "no request failed when the backend died"
    assert failed <= answered_keys

    # Repeating a ticket the dead backend issued: the same ticket, from the other backend.
    by_dead = {e.key for e in log if e.status == 201 and e.upstreams[-1] == address(victim)}
    replays = [(k, i) for k in kiosks for i in k.issued if i.key in by_dead][-3:]
    assert replays
    for kiosk, issued in replays:
        ticket = kiosk.client.issue_ticket(service_id=issued.service_id, idempotency_key=issued.key)
        assert (ticket.id, ticket.number) == (issued.ticket_id, issued.number)

    rows = ticket_rows(city)
    # Every ticket a kiosk was given, exactly once; no ticket a kiosk was not given.
    acknowledged = [i.ticket_id for k in kiosks for i in k.issued]
    assert len(acknowledged) == len(set(acknowledged))
    for kiosk in kiosks:
        stored = [(r["idempotency_key"], r["id"], r["number"]) for r in rows if r["device"] == kiosk.name]
        given = [(i.key, i.ticket_id, i.number) for i in kiosk.issued]
        assert sorted(stored) == sorted(given), kiosk.name
    others = [r for r in rows if r["device"] not in KIOSKS]
    assert [(r["id"], r["number"]) for r in others] == [(card["ticket_id"], card["number"])]
    # Numbers without a gap or a repeat, per queue.
    sequences: dict[tuple[str, str, date], list[int]] = defaultdict(list)
    for row in rows:
        assert int(row["number"][1:]) == row["sequence"]
        sequences[queue_of(row)].append(row["sequence"])
    for queue, numbers in sequences.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), queue
    assert {site for site, _service, _day in sequences} == set(SITES)  # each site numbers its own

    # No dossier code in any log of the city.
    for path in sorted(city.directory.rglob("*.log")):
        text = path.read_text(errors="replace")
        for row in dossiers:
            assert row["code"] not in text, path
        assert "verify=" not in text, path
    print(
        f"\ncity: {len(acknowledged)} tickets from {len(kiosks)} kiosks, "
        f"{len(failed)} request(s) failed and repeated, "
        f"{sum(k.failed_attempts for k in kiosks)} failed twice in the client"
    )
