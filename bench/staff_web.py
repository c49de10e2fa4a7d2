"""Staff pages on a real `letan serve`: page and save times, call → display latency, announcement audio.

.venv/bin/python bench/staff_web.py
"""

import json
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.backend import start_backend


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def login(client: httpx.Client, username: str, password: str) -> str:
    page = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    client.post("/staff/login", data={"username": username, "password": password, "csrf_token": token})
    return token


def main() -> None:
    backend = start_backend(Path(tempfile.mkdtemp(prefix="bench-staff-")))
    try:
        editor = backend.create_user("bench_editor", "editor")
        counter = backend.create_user("bench_counter", "counter")
        client = httpx.Client(base_url=backend.root_url, timeout=60)
        login(client, "bench_editor", editor)
        figures: dict[str, str] = {}
        for path in (
            "/staff/content",
            "/staff/content/procedures/khai_sinh",
            "/staff/content/procedure/khai_sinh/history",
        ):
            times = []
            for _ in range(15):
                start = time.perf_counter()
                client.get(path).raise_for_status()
                times.append(time.perf_counter() - start)
            figures[f"GET {path} (median)"] = f"{median_ms(times):.1f} ms"

        form_page = client.get("/staff/content/procedures/khai_sinh").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form_page).group(1)  # type: ignore[union-attr]
        procedure = httpx.get(f"{backend.base_url}/procedures/khai_sinh").json()
        times = []
        for amount in range(5):
            current = httpx.get(f"{backend.base_url}/procedures/khai_sinh").json()
            data = {
                "csrf_token": csrf,
                "version": str(current["version"]),
                "name": procedure["name"],
                "field": procedure["field"],
                "summary": procedure["summary"],
                "documents": procedure["documents"],
                "aliases": procedure["aliases"],
                "fee.text": procedure["fee"]["text"],
                "fee.amount_vnd": str(amount),
                "processing_time.text": procedure["processing_time"]["text"],
                "where.text": procedure["where"]["text"],
                "where.service_id": procedure["where"]["service_id"] or "",
                "online.available": "on" if procedure["online"]["available"] else "",
                "online.level": procedure["online"]["level"],
                "online.url": procedure["online"]["url"] or "",
                "online.text": procedure["online"]["text"],
                "legal_basis": procedure["legal_basis"],
                "source_url": procedure["source_url"],
            }
            start = time.perf_counter()
            response = client.post("/staff/content/procedures/khai_sinh", data=data)
            times.append(time.perf_counter() - start)
            assert response.status_code == 303, re.findall(r"field-error[^>]*>([^<]*)", response.text)
        figures["save a procedure (validate + content check + write, median)"] = f"{median_ms(times):.1f} ms"

        # Call → queue display: the time from call-next until the display's event stream carries the call.
        service = httpx.get(f"{backend.base_url}/services").json()[0]
        counter_id = (
            service["counters"][0]["id"]
            if isinstance(service["counters"][0], dict)
            else service["counters"][0]
        )
        staff = {"Authorization": f"Bearer {backend.staff_token('bench_counter', counter)}"}
        latencies: list[float] = []
        for _ in range(5):
            httpx.post(
                f"{backend.base_url}/tickets",
                json={"service_id": service["id"]},
                headers=backend.device_headers,
            ).raise_for_status()
            received = threading.Event()
            stop = threading.Event()

            def listen(received: threading.Event = received, stop: threading.Event = stop) -> None:
                last = httpx.get(f"{backend.root_url}/staff/display/state").json()
                after = max([c["id"] for c in last["calls"]], default=0)
                with httpx.stream(
                    "GET", f"{backend.root_url}/staff/display/events?after={after}", timeout=30
                ) as s:
                    for line in s.iter_lines():
                        if line.startswith("event: call"):
                            received.set()
                        if received.is_set() or stop.is_set():
                            return

            thread = threading.Thread(target=listen, daemon=True)
            thread.start()
            time.sleep(1.5)  # the stream is open and has sent its first board
            start = time.perf_counter()
            called = httpx.post(f"{backend.base_url}/counters/{counter_id}/call-next", headers=staff)
            called.raise_for_status()
            received.wait(10)
            latencies.append(time.perf_counter() - start)
            stop.set()
            if len(latencies) == 1:
                call = httpx.get(f"{backend.root_url}/staff/display/state").json()["calls"][-1]
                start = time.perf_counter()
                httpx.get(f"{backend.root_url}{call['audio']}", timeout=60).raise_for_status()
                figures["announcement WAV, first request (synthesis)"] = (
                    f"{(time.perf_counter() - start) * 1000:.0f} ms"
                )
                start = time.perf_counter()
                httpx.get(f"{backend.root_url}{call['audio']}", timeout=60).raise_for_status()
                figures["announcement WAV, cached"] = f"{(time.perf_counter() - start) * 1000:.1f} ms"
            # Free the counter for the next round.
            httpx.post(
                f"{backend.base_url}/tickets/{called.json()['id']}/done", headers=staff
            ).raise_for_status()
        figures["call-next → display event (median of 5; poll every 1 s)"] = f"{median_ms(latencies):.0f} ms"
        figures["call-next → display event (max)"] = f"{max(latencies) * 1000:.0f} ms"
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    finally:
        backend.stop()


if __name__ == "__main__":
    main()
