"""Database engine, sessions and migrations. Nothing here connects at import time."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from backend.files import PRIVATE_DIR, private_file

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Connection execution option asking SQLite for a write transaction from the start (BEGIN IMMEDIATE),
# so two writers wait for each other (busy_timeout) instead of failing on a lock upgrade.
WRITE_OPTION = "letan_write"


def is_sqlite(url_or_engine: "str | Engine") -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else make_url(url_or_engine)
    return url.get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    """The SQLite file's folder, and the file itself created 0600 before SQLite opens it (its -wal
    and -shm files take the same mode)."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        private_file(Path(database))


# A request never needs a second connection, so waiting for one only means the pool is too small for
# the load: answer 503 after this long rather than keep the client waiting.
POOL_TIMEOUT_S = 10


def create_db_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create the engine: SQLite in WAL mode with a busy timeout and foreign keys, or PostgreSQL."""
    pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": POOL_TIMEOUT_S}
    if is_sqlite(url):
        if make_url(url).database in (None, "", ":memory:"):
            pool = {}  # one connection per thread, no queue
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite would defer it).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            if connection.get_execution_options().get(WRITE_OPTION):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN")

        return engine
    # No pre-ping (it costs a round trip per request): a connection lost while the server restarts
    # fails that one request with 503 and is then replaced by the pool; old connections are recycled.
    return create_engine(url, pool_recycle=1800, **pool)


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT of the session's database dialect (for `on_conflict_do_update`, on both databases)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a write transaction.

    Call it inside the endpoint (the thread that will also commit), never in a dependency: on SQLite
    the write lock is held until commit, and a dependency's thread is not the endpoint's thread, so a
    lock taken there could wait for a free worker thread while every worker thread waits for the lock.
    A read-only transaction already open (authentication) is ended first.
    """
    if session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL locks rows, not the database: nothing to do
    if session.in_transaction():
        if session.connection().get_execution_options().get(WRITE_OPTION):
            return  # already a write transaction
        if session.new or session.dirty or session.deleted:
            logger.warning("begin_write() after changes in a read transaction; keeping it")
            return
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A short write transaction of its own, committed on success, rolled back on error."""
    session = factory()
    try:
        begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Bring the database at `url` to the newest schema (creating it when empty)."""
    from alembic import command

    if is_sqlite(url):
        _prepare_sqlite_file(url)
    logger.info("migrating the database to the newest schema")
    command.upgrade(alembic_config(url), "head")


def database_is_empty(engine: Engine) -> bool:
    from sqlalchemy import inspect

    return "procedures" not in inspect(engine).get_table_names()
