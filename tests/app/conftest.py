"""Fixtures for the app tests: a fresh attempt database per test, the shipped cases."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


@pytest.fixture(autouse=True)
def fresh_db(tmp_path, monkeypatch):
    """Each test gets its own SQLite file; DATABASE_URL would override it, so it is cleared."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BIANQUE_SCENARIO_DIR", raising=False)
    db = tmp_path / "attempts.db"
    monkeypatch.setenv("BIANQUE_DB", str(db))
    return db
