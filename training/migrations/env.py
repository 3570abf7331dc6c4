"""Alembic environment: migrations run on the connection ``training.db.upgrade`` passes in.

Run from the command line (``alembic``) it falls back to ``training.db.database_url()``.
SQLite cannot alter a table in place, so migrations use batch mode there.
"""

from alembic import context

from training.models import Base

target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from training.db import database_url, make_engine

    engine = make_engine(database_url())
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `bianque db upgrade`")
run_migrations_online()
