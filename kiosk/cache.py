"""The last synced content (site, procedures, FAQ, services) in a JSON file, for when the backend is down.

Stored in the API's own JSON shapes and decoded by `contract.resources`, like a live answer.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from contract.resources import Faq, Procedure, Service, Site
from kiosk.ports import BackendApi

logger = logging.getLogger(__name__)


@dataclass
class ContentSnapshot:
    synced_at: str | None = None
    site: Site | None = None
    procedures: list[Procedure] = field(default_factory=list)
    faq: list[Faq] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.procedures and not self.faq

    def procedure(self, procedure_id: str) -> Procedure | None:
        return next((p for p in self.procedures if p.id == procedure_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "synced_at": self.synced_at,
            "site": dict(self.site.raw) if self.site else None,
            "procedures": [p.to_dict() for p in self.procedures],
            "faq": [asdict(f) for f in self.faq],
            "services": [s.to_dict() for s in self.services],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ContentSnapshot:
        site = data.get("site")
        return cls(
            synced_at=data.get("synced_at"),
            site=Site.from_dict(site) if isinstance(site, dict) else None,
            procedures=[Procedure.from_dict(p) for p in data.get("procedures") or [] if isinstance(p, dict)],
            faq=[Faq.from_dict(f) for f in data.get("faq") or [] if isinstance(f, dict)],
            services=[Service.from_dict(s) for s in data.get("services") or [] if isinstance(s, dict)],
        )


class ContentCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> ContentSnapshot:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return ContentSnapshot.from_json(data)
        except FileNotFoundError:
            return ContentSnapshot()
        except (OSError, ValueError, TypeError, AttributeError) as err:
            logger.warning("kiosk cache %s unreadable: %s", self.path, type(err).__name__)
            return ContentSnapshot()

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

    def sync(self, client: BackendApi) -> ContentSnapshot:
        """Fetch everything from the backend and save it; raises BackendError when it is down."""
        procedures = [client.procedure(p.id) for p in client.procedures()]
        snapshot = ContentSnapshot(
            synced_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            site=client.site(),
            procedures=procedures,
            faq=client.faqs(),
            services=client.services(),
        )
        self.save(snapshot)
        logger.info("kiosk cache synced: %d procedures, %d faq", len(procedures), len(snapshot.faq))
        return snapshot
