"""Attempts (练习记录): a trainee's play of one case, kept server-side and saved every turn.

An attempt is stored as the scenario's id and content hash, the seed, the
decision log of the months played and the pending decisions of the month being
played (its policy and queued actions, which the engine logs only when the month
ends); ``Game.replay`` rebuilds the exact game from them, so a browser
refresh, a lost connection or a server restart loses nothing. Storage goes
through SQLAlchemy 2: a SQLite file by default (``bianque.db`` in the repository,
or ``BIANQUE_DB``), PostgreSQL through ``DATABASE_URL``.

``LiveGames`` keeps one live ``Game`` per attempt in memory so a turn does not
replay the whole log; every change goes through it, under a per-attempt lock,
and is saved before it returns. ``end_month`` takes the month the trainee saw, so
a double click cannot advance two months.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

REPO_DIR = Path(__file__).resolve().parent.parent
STATUS_ACTIVE = "active"
STATUS_FINISHED = "finished"


def database_url() -> str:
    """DATABASE_URL if set, else a SQLite file: BIANQUE_DB or bianque.db in the repository."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    path = os.environ.get("BIANQUE_DB") or str(REPO_DIR / "bianque.db")
    return f"sqlite:///{path}"


class Base(DeclarativeBase):
    pass


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    scenario_hash: Mapped[str] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)
    decision_log: Mapped[list] = mapped_column(JSON, default=list)
    pending: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_ACTIVE, index=True)
    month: Mapped[int] = mapped_column(Integer, default=0)
    horizon: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Attempt:
    """A stored attempt, detached from the database session."""

    id: str
    scenario_id: str
    scenario_hash: str
    seed: int
    decision_log: list[dict]
    pending: dict | None
    status: str
    month: int
    horizon: int
    version: int
    created: datetime
    updated: datetime

    @property
    def finished(self) -> bool:
        return self.status == STATUS_FINISHED


def _to_attempt(row: AttemptRow) -> Attempt:
    return Attempt(
        id=row.id, scenario_id=row.scenario_id, scenario_hash=row.scenario_hash,
        seed=int(row.seed), decision_log=list(row.decision_log or []),
        pending=dict(row.pending) if row.pending else None, status=row.status,
        month=int(row.month), horizon=int(row.horizon), version=int(row.version),
        created=row.created, updated=row.updated,
    )


def _now() -> datetime:
    return datetime.now(UTC)


class AttemptStore:
    """Attempts in a SQL database (one table, created when missing)."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        kwargs: dict[str, Any] = {}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)

    def create(self, scenario: Any, seed: int | None = None) -> Attempt:
        now = _now()
        row = AttemptRow(
            id=uuid.uuid4().hex[:12], scenario_id=scenario.id,
            scenario_hash=scenario.content_hash(),
            seed=int(scenario.seed if seed is None else seed), decision_log=[], pending=None,
            status=STATUS_ACTIVE, month=0, horizon=int(scenario.horizon_months), version=0,
            created=now, updated=now,
        )
        with Session(self.engine) as s, s.begin():
            s.add(row)
            s.flush()
            return _to_attempt(row)

    def get(self, attempt_id: str) -> Attempt | None:
        if not attempt_id or len(attempt_id) > 32:
            return None
        with Session(self.engine) as s:
            row = s.get(AttemptRow, attempt_id)
            return _to_attempt(row) if row is not None else None

    def version(self, attempt_id: str) -> int | None:
        with Session(self.engine) as s:
            return s.scalar(select(AttemptRow.version).where(AttemptRow.id == attempt_id))

    def save(self, attempt_id: str, decision_log: list[dict], month: int, finished: bool,
             pending: dict | None = None) -> int:
        """Store the decision log and the pending decisions; returns the new version number."""
        with Session(self.engine) as s, s.begin():
            row = s.get(AttemptRow, attempt_id)
            if row is None:
                raise KeyError(attempt_id)
            row.decision_log = list(decision_log)
            row.pending = pending
            row.month = int(month)
            row.status = STATUS_FINISHED if finished else STATUS_ACTIVE
            row.version = int(row.version) + 1
            row.updated = _now()
            return row.version

    def recent(self, scenario_id: str | None = None, status: str | None = STATUS_ACTIVE,
               limit: int = 5) -> list[Attempt]:
        """Most recently updated attempts, optionally of one scenario and status."""
        q = select(AttemptRow).order_by(AttemptRow.updated.desc()).limit(limit)
        if scenario_id is not None:
            q = q.where(AttemptRow.scenario_id == scenario_id)
        if status is not None:
            q = q.where(AttemptRow.status == status)
        with Session(self.engine) as s:
            return [_to_attempt(r) for r in s.scalars(q)]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def pending_of(game: Any) -> dict:
    """The decisions of the month being played: its policy and queued actions."""
    return {
        "month": int(game.month),
        "policy": game.policy.model_dump(mode="json"),
        "actions": [[int(q.loan_id), q.action_id] for q in game.queued],
        "standing_order": game.standing_order.to_log(),
    }


def _restore_pending(game: Any, pending: dict | None) -> None:
    """Put back the policy and queue of an unfinished month (only if it is the same month)."""
    if not pending or int(pending.get("month", -1)) != game.month or game.finished:
        return
    from sim.scenario import MonitoringPolicy

    # actions first, as the player queued them, then the policy they chose afterwards
    for loan_id, action_id in pending.get("actions", []):
        try:
            game.queue(int(loan_id), action_id)
        except Exception:  # no longer possible (e.g. the case changed): drop it, as the desk would
            continue
    game.set_policy(MonitoringPolicy.model_validate(pending["policy"]))
    if "standing_order" in pending:
        from sim.standing_order import StandingOrder

        game.set_standing_order(StandingOrder.from_log(pending["standing_order"]))


class AttemptError(Exception):
    """An attempt cannot be opened; ``key`` names the catalogue message, ``detail`` says more."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if detail else key)


@dataclass
class Live:
    """One attempt being played: its game, the version it matches and a lock."""

    attempt: Attempt
    scenario: Any
    game: Any
    version: int
    hash_changed: bool = False
    lock: threading.RLock = field(default_factory=threading.RLock)
    debrief: Any = None
    memo: dict = field(default_factory=dict)

    def month_memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A view of the game that only changes when a month ends (a loan file, the review)."""
        full = (*key, self.game.month)
        if full not in self.memo:
            if len(self.memo) > 64:
                self.memo.clear()
            self.memo[full] = compute()
        return self.memo[full]


class LiveGames:
    """Live games by attempt id; rebuilt by replay when missing or out of date.

    ``load_scenario(scenario_id)`` returns the Scenario (or raises); it is injected
    so the app can pass its cached loader.
    """

    def __init__(self, store: AttemptStore, load_scenario: Callable[[str], Any]):
        self.store = store
        self.load_scenario = load_scenario
        self._live: dict[str, Live] = {}
        self._lock = threading.Lock()

    def start(self, scenario: Any, seed: int | None = None) -> Live:
        from training.desk import Desk as Game

        attempt = self.store.create(scenario, seed)
        live = Live(attempt, scenario, Game(scenario, seed=attempt.seed), attempt.version)
        with self._lock:
            self._live[attempt.id] = live
        return live

    def open(self, attempt_id: str) -> Live:
        """The live game of an attempt, replayed from the store when needed."""
        version = self.store.version(attempt_id)
        if version is None:
            raise AttemptError("attempt.not_found", attempt_id)
        with self._lock:
            live = self._live.get(attempt_id)
        if live is not None and live.version == version:
            return live
        return self._rebuild(attempt_id)

    def _rebuild(self, attempt_id: str) -> Live:
        from training.desk import Desk as Game

        attempt = self.store.get(attempt_id)
        if attempt is None:
            raise AttemptError("attempt.not_found", attempt_id)
        try:
            scenario = self.load_scenario(attempt.scenario_id)
        except Exception as exc:  # the scenario file is gone or broken
            raise AttemptError("attempt.scenario_missing", f"{attempt.scenario_id}: {exc}") from exc
        try:
            game = Game.replay(scenario, attempt.seed, attempt.decision_log)
        except Exception as exc:
            raise AttemptError("attempt.replay_failed", str(exc)) from exc
        _restore_pending(game, attempt.pending)
        live = Live(attempt, scenario, game, attempt.version,
                    hash_changed=scenario.content_hash() != attempt.scenario_hash)
        with self._lock:
            self._live[attempt_id] = live
        return live

    def _save(self, live: Live) -> None:
        g = live.game
        live.version = self.store.save(live.attempt.id, g.decision_log, g.month, g.finished,
                                       pending_of(g))

    # --- the trainee's moves; each is saved before it returns ------------------
    def queue(self, attempt_id: str, loan_id: int, action_id: str) -> None:
        live = self.open(attempt_id)
        with live.lock:
            live.game.queue(int(loan_id), action_id)
            self._save(live)

    def unqueue(self, attempt_id: str, index: int) -> None:
        live = self.open(attempt_id)
        with live.lock:
            live.game.unqueue(int(index))
            self._save(live)

    def set_policy(self, attempt_id: str, policy: Any) -> None:
        live = self.open(attempt_id)
        with live.lock:
            if policy == live.game.policy:
                return
            live.game.set_policy(policy)
            self._save(live)

    def set_standing_order(self, attempt_id: str, order: Any) -> None:
        live = self.open(attempt_id)
        with live.lock:
            if order == live.game.standing_order:
                return
            live.game.set_standing_order(order)
            self._save(live)

    def end_month(self, attempt_id: str, expected_month: int) -> Any:
        """Advance one month if the game is still at ``expected_month``; else do nothing."""
        live = self.open(attempt_id)
        with live.lock:
            if live.game.finished:
                return None
            report = live.game.end_month(expected_month=int(expected_month))
            if report is not None:
                self._save(live)
            return report

    def debrief(self, attempt_id: str) -> Any:
        """The debrief of a finished attempt, computed once per live game."""
        live = self.open(attempt_id)
        with live.lock:
            if live.debrief is None:
                live.debrief = live.game.debrief()
            return live.debrief
