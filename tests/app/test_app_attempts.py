"""Attempts are stored, listed and versioned; the store works without Streamlit."""


from pathlib import Path

from sim.scenario import load_scenario
from training.attempts import STATUS_FINISHED, AttemptStore, database_url

ROOT = Path(__file__).resolve().parents[2]


def intro():
    return load_scenario(ROOT / "scenarios" / "intro.yaml")


def test_database_url_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BIANQUE_DB", str(tmp_path / "x.db"))
    assert database_url() == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"


def test_create_get_save_recent(fresh_db):
    store = AttemptStore()
    sc = intro()
    a = store.create(sc)
    assert a.scenario_id == "intro" and a.seed == sc.seed and a.month == 0
    assert a.scenario_hash == sc.content_hash()
    assert a.horizon == sc.horizon_months and a.version == 0
    log = [{"month": 0, "kind": "queue", "loan": 3, "action": "collect_call"}]
    assert store.save(a.id, log, month=1, finished=False) == 1
    back = store.get(a.id)
    assert back.decision_log == log and back.month == 1 and back.version == 1
    assert [r.id for r in store.recent("intro")] == [a.id]
    store.save(a.id, log, month=12, finished=True)
    assert store.get(a.id).status == STATUS_FINISHED
    assert store.recent("intro") == []  # only unfinished attempts are offered to continue
    assert store.get("nope") is None


def test_a_second_store_sees_the_same_file(fresh_db):
    """A server restart opens the same file and finds the attempt."""
    a = AttemptStore().create(intro())
    assert AttemptStore().get(a.id) is not None
