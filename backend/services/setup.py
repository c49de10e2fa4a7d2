"""First-run preparation: migrate, load content into an empty database, create the local device."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.db import create_db_engine, create_session_factory, upgrade_database, write_session
from backend.files import private_dir, write_private_file
from backend.models import DEFAULT_SITE_ID, Device, SiteRecord
from backend.services import auth
from backend.settings import Settings

logger = logging.getLogger(__name__)

LOCAL_DEVICE = "local"


@dataclass
class PrepareReport:
    content_loaded: bool = False
    content_summary: str = ""
    device_token_written: Path | None = None
    messages: list[str] = field(default_factory=list)


def ensure_local_device(factory: sessionmaker[Session], token_file: Path) -> bool:
    """Make sure `token_file` holds a working token of the device "local"; True when (re)written."""
    now = datetime.now(timezone.utc)
    if token_file.exists():
        with factory() as session:
            if auth.device_for_token(session, token_file.read_text().strip()) is not None:
                return False
    with write_session(factory) as session:
        device = session.scalar(select(Device).where(Device.name == LOCAL_DEVICE))
        if device is None:
            token = auth.add_device(session, LOCAL_DEVICE, now)
        else:
            import secrets

            token = secrets.token_urlsafe(32)
            device.token_hash = auth.hash_token(token)
            device.revoked_at = None
    write_private_file(token_file, token + "\n")
    logger.info("wrote the local device token to %s", token_file)
    return True


def prepare(settings: Settings, *, load_content_if_empty: bool = True) -> PrepareReport:
    """Migrate the database, load `content/` when it has no content yet, create the local device token."""
    report = PrepareReport()
    url = settings.effective_database_url
    private_dir(settings.data_dir)  # it holds the database (phone numbers), the keys and tokens
    upgrade_database(url)
    engine = create_db_engine(url)
    try:
        factory = create_session_factory(engine)
        with factory() as session:
            default = session.get(SiteRecord, DEFAULT_SITE_ID)
            empty = default is None or not default.data
        if empty and load_content_if_empty:
            from backend.services.content_files import load_content
            from content.files import default_content_dir, read_content_dir

            directory = settings.content_dir or default_content_dir()
            content_set = read_content_dir(directory)
            with write_session(factory) as session:
                load = load_content(session, content_set, actor="letan-prepare")
            report.content_loaded = True
            report.content_summary = load.summary()
            report.messages.append(f"Đã nạp nội dung từ {directory}: {load.summary()}")
        if ensure_local_device(factory, settings.device_token_file):
            report.device_token_written = settings.device_token_file
            report.messages.append(f"Đã tạo mã thiết bị 'local' trong {settings.device_token_file}")
    finally:
        engine.dispose()
    return report
