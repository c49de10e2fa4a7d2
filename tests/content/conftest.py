"""Content test fixtures: a writable copy of the repository's content directory."""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # so that `tests.content.content_helpers` imports
    sys.path.insert(0, str(REPO))

from tests.content.content_helpers import copy_content  # noqa: E402


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    return copy_content(tmp_path)
