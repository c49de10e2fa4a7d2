"""Backend test fixtures: app + TestClient on SQLite and PostgreSQL, per-test isolation."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # until pyproject's pytest config has pythonpath = ["."]
    sys.path.insert(0, str(REPO))
