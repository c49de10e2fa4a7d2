"""An unexpected error is answered with the contract's 500 body and the connection stays usable
(real uvicorn server in this process, since only a bug can make a real `letan serve` fail so)."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from backend.app import create_app
from backend.settings import Settings
from tests.support.backend import free_port


def test_after_an_unexpected_error_the_keep_alive_connection_still_works(tmp_path):
    settings = Settings.for_data_dir(
        tmp_path, database_url=f"sqlite:///{tmp_path / 'letan.db'}", secret_key="k" * 40
    )
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as client:
            failed = client.get("/broken")
            assert failed.status_code == 500
            assert failed.json()["code"] == "internal_error" and "lỗi" in failed.json()["detail"]
            port_used = failed.extensions["network_stream"].get_extra_info("client_addr")[1]
            assert failed.headers.get("connection") != "close"
            again = client.get("/health")
            assert again.status_code == 200
            assert again.extensions["network_stream"].get_extra_info("client_addr")[1] == port_used
    finally:
        server.should_exit = True
        thread.join(timeout=30)
