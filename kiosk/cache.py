"""The last synced content (procedures, FAQ, services) in a JSON file, for when the backend is down."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.backend_client import BackendClient

logger = logging.getLogger(__name__)


@dataclass
class ContentSnapshot:
    synced_at: str | None = None
    site: dict[str, Any] | None = None
    procedures: list[dict[str, Any]] = field(default_factory=list)
    faq: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.procedures and not self.faq

    def procedure(self, procedure_id: str) -> dict[str, Any] | None:
        return next((p for p in self.procedures if p.get("id") == procedure_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "synced_at": self.synced_at,
            "site": self.site,
            "procedures": self.procedures,
            "faq": self.faq,
            "services": self.services,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContentSnapshot:
        return cls(
            synced_at=data.get("synced_at"),
            site=data.get("site"),
            procedures=list(data.get("procedures") or []),
            faq=list(data.get("faq") or []),
            services=list(data.get("services") or []),
        )


class ContentCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> ContentSnapshot:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ContentSnapshot()
        except (OSError, ValueError) as err:
            logger.warning("kiosk cache %s unreadable: %s", self.path, err)
            return ContentSnapshot()
        return ContentSnapshot.from_json(data)

    def save(self, snapshot: ContentSnapshot) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".kiosk-cache", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(snapshot.to_json(), handle, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def sync(self, client: BackendClient) -> ContentSnapshot:
        """Fetch everything from the backend and save it; raises BackendError when it is down."""
        summaries = client.procedures()
        procedures = [client.procedure(str(p["id"])) for p in summaries]
        snapshot = ContentSnapshot(
            synced_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            site=client.site(),
            procedures=procedures,
            faq=client.faq(),
            services=client.services(),
        )
        self.save(snapshot)
        logger.info("kiosk cache synced: %d procedures, %d faq", len(procedures), len(snapshot.faq))
        return snapshot
