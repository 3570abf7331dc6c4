"""Where the training data lives and how a database is brought to the current schema.

The URL: ``DATABASE_URL`` (PostgreSQL through psycopg 3; ``postgresql://`` is read as
``postgresql+psycopg://``), else a SQLite file at ``BIANQUE_DB``, else ``bianque.db``
in the user's data directory (platformdirs), outside the source tree.

``Database`` holds one engine and its session factory; ``get_database(url)`` gives
the process's one ``Database`` per URL, upgraded to head by the Alembic migrations in
``training/migrations`` the first time it is asked for. Two processes starting on one
database migrate one at a time: PostgreSQL through an advisory lock, SQLite through an
exclusive transaction around the whole upgrade (pysqlite would otherwise commit each
CREATE TABLE on its own, and a second process would see half a schema).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

APP_NAME = "bianque"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# an arbitrary 64-bit key naming Bianque's migration lock among PostgreSQL advisory locks
PG_MIGRATION_LOCK_KEY = 0x6269616E717565
WAL_SWITCH_ATTEMPTS = 40  # about 40 s of retries in all
PG_CONNECT_TIMEOUT_S = 10
"""How long a new PostgreSQL connection waits for the server unless the URL says
(``?connect_timeout=``): a server that drops packets (switched off, a firewall) left a
page turning for the operating system's TCP time-out, minutes, before it could say so."""


def default_sqlite_path() -> Path:
    """``bianque.db`` in the user's data directory (created when missing)."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "bianque.db"


def normalise_url(url: str) -> str:
    """Make PostgreSQL URLs use psycopg 3 (SQLAlchemy's plain ``postgresql://`` means psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url() -> str:
    """DATABASE_URL if set, else a SQLite file: BIANQUE_DB or the user data directory."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalise_url(url)
    path = os.environ.get("BIANQUE_DB") or str(default_sqlite_path())
    return f"sqlite:///{path}"


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every time we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    import sqlite3
    import time

    cur = dbapi_conn.cursor()
    # switching a new file to WAL needs it to itself and does not wait on the busy
    # timeout: processes opening one new file together retry for a while
    for attempt in range(WAL_SWITCH_ATTEMPTS):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_SWITCH_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_lock_for_update(state: Any) -> None:
    """A read ``with_for_update`` on SQLite: the database's write lock first.

    SQLite has no row locks and ignores FOR UPDATE, and pysqlite begins a transaction
    only at the first write, so the read ran outside any transaction: two sessions could
    both read a row and then both write it, the second undoing the first (a pair's talk
    begun twice, two instructors' changes to one class). Taking the write lock before the
    read (``BEGIN IMMEDIATE``; another session waits for it, up to the busy timeout) makes
    the read and the writes after it one transaction no other writer enters, as FOR
    UPDATE does on PostgreSQL. A session already writing holds the lock already."""
    if not state.is_select or getattr(state.statement, "_for_update_arg", None) is None:
        return
    raw = state.session.connection().connection.dbapi_connection
    if not raw.in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # a connection the server dropped (a restart, a failover) is found and replaced
        # when it is taken from the pool, so the app recovers without a restart
        kwargs["pool_pre_ping"] = True
        if url.startswith("postgresql") and "connect_timeout=" not in url:
            kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database did not answer (a server stopped or restarting,
    a dropped connection, a SQLite file locked past its time-out), as opposed to a
    mistake in what was asked: then nothing was written, and the same move can be made
    again once it answers."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def unreachable_reason(exc: BaseException) -> str:
    """The driver's own first line (``connection refused``...), without SQLAlchemy's
    statement and parameters, which can hold a trainee's data."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _sqlite_migration_engine(url: str) -> Engine:
    """An engine whose transactions are real and exclusive: the driver's own transaction
    handling is switched off and each begin takes SQLite's write lock at once, so the
    whole upgrade is one transaction and a second process waits for it (SQLAlchemy's
    documented pysqlite recipe)."""
    engine = create_engine(url, poolclass=NullPool, connect_args={
        "check_same_thread": False, "timeout": 120, "isolation_level": None})
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "begin")
    def _exclusive(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")

    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (head by default), one process at a time."""
    from alembic import command

    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        migrator = _sqlite_migration_engine(engine.url.render_as_string(hide_password=False))
        try:
            with migrator.begin() as conn:
                command.upgrade(alembic_config(conn), revision)
        finally:
            migrator.dispose()
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK_KEY})
        command.upgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Database:
    """One engine and its sessions. ``session()`` commits on success, rolls back on error."""

    def __init__(self, url: str | None = None, migrate: bool = True):
        self.url = normalise_url(url or database_url())
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "sqlite":
            event.listen(self._sessions, "do_orm_execute", _sqlite_lock_for_update)
        if migrate:
            upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def answers(self) -> bool:
        """Whether the database answers a trivial query now (a fresh connection from the
        pool, checked by pre-ping); False while it is down."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - only the database's silence is an answer
            if unreachable(exc):
                return False
            raise
        return True


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str | None = None) -> Database:
    """The process's Database for ``url`` (default: ``database_url()``), migrated to head."""
    url = normalise_url(url or database_url())
    with _lock:
        db = _databases.get(url)
        if db is None:
            db = _databases[url] = Database(url)
        return db


def forget_databases() -> None:
    """Drop the cached engines (tests that delete their files; a simulated restart)."""
    with _lock:
        for db in _databases.values():
            db.engine.dispose()
        _databases.clear()


@contextmanager
def session_scope(session_or_db: Session | Database | None) -> Iterator[Session]:
    """A session: the one given (the caller commits), or a new one of the Database given."""
    if isinstance(session_or_db, Session):
        yield session_or_db
        return
    db = session_or_db if isinstance(session_or_db, Database) else get_database()
    with db.session() as s:
        yield s


def keep_for_user(s: Session, row_type: type, user_id: int, **values: Any) -> None:
    """Keep ``values`` in the user's one row of ``row_type`` (a table keyed by user_id with
    an updated_at): made if there is none, changed (and its time moved) only if they
    differ. The author's draft and the manager's lab form are kept this way, and read
    back with ``load_for_user``."""
    row = s.get(row_type, user_id)
    if row is None:
        s.add(row_type(user_id=user_id, updated_at=now(), **values))
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = now()


def load_for_user(s: Session, row_type: type, user_id: int, column: str
                  ) -> tuple[Any, datetime] | None:
    """The ``column`` of the user's one row of ``row_type`` (kept by ``keep_for_user``)
    and when it last changed, or None if the user has none."""
    row = s.get(row_type, user_id)
    return None if row is None else (getattr(row, column), aware(row.updated_at))
