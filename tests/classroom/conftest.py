"""Fixtures for the storage and classroom tests: each test gets an empty database,
SQLite and PostgreSQL in turn.

PostgreSQL needs ``BIANQUE_TEST_PG_URL`` (``.ci/run`` starts a throwaway cluster and
sets it). Without it those tests are skipped locally; with ``BIANQUE_REQUIRE_PG=1``
(set by CI) a missing URL fails them instead, so CI cannot pass without PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from training import db as dbmod

ROOT = Path(__file__).resolve().parents[2]
PG_ENV = "BIANQUE_TEST_PG_URL"


def _pg_database(base_url: str):
    """A fresh database on the test cluster; yields its URL and drops it afterwards."""
    url = make_url(dbmod.normalise_url(base_url))
    name = f"bq_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        dbmod.forget_databases()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """Cheaper argon2 parameters: the same algorithm and format, a fraction of the time.
    (The default costs about half a second a hash on these machines; tests make dozens.)"""
    from argon2 import PasswordHasher

    from training import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    """An empty database URL, set as DATABASE_URL so every layer uses it."""
    monkeypatch.delenv("BIANQUE_SCENARIO_DIR", raising=False)
    monkeypatch.delenv("BIANQUE_SELF_STUDY", raising=False)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bianque.db'}"
        monkeypatch.setenv("DATABASE_URL", url)
        yield url
        dbmod.forget_databases()
        return
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("BIANQUE_REQUIRE_PG"):
            pytest.fail(f"{PG_ENV} is not set but BIANQUE_REQUIRE_PG is: PostgreSQL must run")
        pytest.skip(f"PostgreSQL: set {PG_ENV} (as .ci/run does) to run these")
    gen = _pg_database(base)
    url = next(gen)
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    next(gen, None)


@pytest.fixture
def database(db_url):
    return dbmod.get_database(db_url)
