"""Shared by the actions: the backend client, the action server's settings, where to go, failures.

The backend is reached only through `contract.backend_client.BackendClient` (one retry and error
policy for every letan process) with the shared settings (`LETAN_BACKEND_URL`, the device token,
`LETAN_HTTP_TIMEOUT`); the action server adds two of its own: `LETAN_NLU_CHANNEL` (the channel of
its tickets when a message does not say) and `LETAN_NLU_HELP_COUNTER` (where to send a citizen when
the backend fails). Fixed wording is in the domain's responses (`nlu/domain/responses.yml`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from contract.backend_client import BackendClient
from contract.cards import Choice, DossierStepCard, choices
from contract.errors import BackendError, BackendUnavailableError
from contract.resources import Channel, Service, counters_text, service_for

logger = logging.getLogger(__name__)

CHANNEL = "LETAN_NLU_CHANNEL"
HELP_COUNTER = "LETAN_NLU_HELP_COUNTER"
# Services and the procedure list change rarely: kept this long by the client.
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class ActionSettings:
    channel: Channel
    help_counter: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ActionSettings:
        env = os.environ if environ is None else environ
        try:
            channel = Channel(env.get(CHANNEL) or Channel.KIOSK.value)
        except ValueError as err:
            raise ValueError(f"{CHANNEL} phải là một trong: {', '.join(c.value for c in Channel)}") from err
        return cls(channel=channel, help_counter=env.get(HELP_COUNTER) or "quầy hướng dẫn")


@lru_cache(maxsize=1)
def action_settings() -> ActionSettings:
    return ActionSettings.from_env()


@lru_cache(maxsize=1)
def backend() -> BackendClient:
    """The action server's one backend client (created at the first call, never at import)."""
    return BackendClient.from_settings(cache_seconds=CACHE_SECONDS)


# The procedures offered as buttons when the citizen has not named one (most asked first).
COMMON_PROCEDURES: list[tuple[str, str]] = [
    ("khai_sinh", "Khai sinh"),
    ("chung_thuc_ban_sao", "Chứng thực bản sao"),
    ("thuong_tru", "Thường trú"),
    ("can_cuoc", "Căn cước"),
    ("cap_so_do", "Sổ đỏ lần đầu"),
    ("ket_hon", "Kết hôn"),
    ("ly_lich_tu_phap", "Lý lịch tư pháp"),
]
YES_NO = choices([Choice("Có", "/affirm"), Choice("Không", "/deny")])


def entity_value(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value is not None else None


def where_to_go(service: Service | None) -> str:
    """ "quầy 1 hoặc quầy 2" for a service, else the help counter."""
    help_counter = action_settings().help_counter
    return counters_text(service.counters, help_counter) if service else help_counter


def service_of(
    client: BackendClient, *, procedure: str | None = None, field: str | None = None
) -> Service | None:
    """The queue service that handles a procedure (or, failing that, its field) or a field."""
    services = client.services()
    found = service_for(services, procedure=procedure, field=field)
    if found is None and procedure and not field:
        found = service_for(services, field=client.procedure(procedure).field)
    return found


# What failed, for the apology: each topic has its response `utter_unavailable_<topic>`.
TOPICS = ("answer", "procedure", "counter", "ticket", "queue", "dossier", "feedback")


def say_failure(
    dispatcher: CollectingDispatcher,
    err: BackendError,
    topic: str,
    refused: str | None = None,
    card: DossierStepCard | None = None,
) -> None:
    """The one answer to a failed backend call, in the domain's words, with where to go instead.

    The backend unreachable, or this device without a token (an administrator's matter, not the
    citizen's): the topic's apology. The backend refusing the request: the `refused` response
    when the topic has one (with its `card`), else the apology.
    """
    counter = action_settings().help_counter
    if refused is None or isinstance(err, BackendUnavailableError) or not err.status:
        logger.warning("backend failed for the %s: %s", topic, err.code)
        dispatcher.utter_message(response=f"utter_unavailable_{topic}", counter=counter)
        return
    logger.info("backend refused the %s: %s", topic, err.code)
    json_message = card.to_dict() if card else None
    dispatcher.utter_message(response=refused, counter=counter, json_message=json_message)
