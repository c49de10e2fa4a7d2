"""A real assistant for tests: the trained Rasa model, its action server, and a backend to act on."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from nlu.serving import start_actions, start_rasa, stop, wait_ready
from nlu.training import train
from tests.support.backend import RunningBackend, free_port


@dataclass
class Assistant:
    url: str
    backend: RunningBackend
    actions: subprocess.Popen[bytes]
    actions_port: int

    def parse(self, text: str) -> dict[str, Any]:
        response = requests.post(f"{self.url}/model/parse", json={"text": text}, timeout=30)
        response.raise_for_status()
        return dict(response.json())

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
        )
        response.raise_for_status()
        return list(response.json())


def actions_env(backend_url: str, token: str) -> dict[str, str]:
    return {"LETAN_BACKEND_URL": backend_url, "LETAN_DEVICE_TOKEN": token, "LETAN_HTTP_TIMEOUT": "2"}


@contextmanager
def running_assistant(backend: RunningBackend) -> Iterator[Assistant]:
    """Train if the cached model is stale, then serve Rasa and its actions against `backend`."""
    model = train()
    actions_port, rasa_port = free_port(), free_port()
    actions = start_actions(port=actions_port, env=actions_env(backend.base_url, backend.device_token))
    rasa = start_rasa(
        model, port=rasa_port, env={"LETAN_NLU_ACTION_URL": f"http://127.0.0.1:{actions_port}/webhook"}
    )
    assistant = Assistant(f"http://127.0.0.1:{rasa_port}", backend, actions, actions_port)
    try:
        wait_ready(f"http://127.0.0.1:{actions_port}/health", actions, 90)
        wait_ready(f"{assistant.url}/status", rasa, 180)
        yield assistant
    finally:
        stop(rasa)
        stop(assistant.actions)  # a test may have replaced the action server
