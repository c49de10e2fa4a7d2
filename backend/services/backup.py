"""Backups of the whole database, safe while the server runs.

SQLite: the online backup API copies a consistent snapshot page by page (a read transaction: the
server goes on writing, in WAL mode nothing waits); a restore copies the file back the same way
under the write lock, so the server's requests wait for it (busy_timeout) and then see the
restored data. PostgreSQL: `pg_dump` (a snapshot, custom format) and `pg_restore --clean` in one
transaction. Either way the schema is then upgraded, so an older backup fits the newer code.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from backend.db import is_sqlite, upgrade_database
from backend.files import PRIVATE_FILE

logger = logging.getLogger(__name__)


class BackupError(Exception):
    """A backup or restore that could not be done; the message is Vietnamese, for the operator."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


def _libpq_url(url: str) -> str:
    """The URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"Không tìm thấy lệnh {command[0]} (gói Debian postgresql-client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} báo lỗi: {result.stderr.strip()[-500:]}")


def backup(url: str, target: Path) -> None:
    """Write a backup of the database at `url` to `target` (mode 0600), replacing it atomically."""
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    try:
        if is_sqlite(url):
            source = sqlite3.connect(_sqlite_path(url), timeout=30)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one consistent snapshot
            finally:
                copy.close()
                source.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), _libpq_url(url)])
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    logger.info("database backed up to %s", target)


def restore(url: str, source: Path) -> None:
    """Replace everything in the database at `url` by the backup `source`, then upgrade its schema."""
    if not source.is_file():
        raise BackupError(f"Không có tệp sao lưu {source}.")
    if is_sqlite(url):
        try:
            backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup_file.execute("SELECT count(*) FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as err:
            raise BackupError(f"{source} không phải bản sao lưu SQLite của letan.") from err
        live = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            backup_file.backup(live)
        finally:
            live.close()
            backup_file.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                _libpq_url(url),
                str(source),
            ]
        )
    upgrade_database(url)
    logger.info("database restored from %s", source)
