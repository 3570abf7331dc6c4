"""Attempts (练习记录): a trainee's play of one case, kept server-side and saved every turn.

An attempt is stored as the scenario's id and content hash, the seed, the
decision log of the months played and the pending decisions of the month being
played (its policy and queued actions, which the engine logs only when the month
ends); ``Game.replay`` rebuilds the exact game from them, so a browser
refresh, a lost connection or a server restart loses nothing. Storage goes
through ``training.db`` (SQLite in the user data directory or ``BIANQUE_DB``,
PostgreSQL through ``DATABASE_URL``). An attempt played on a published case
version replays on that version's frozen text, so later edits never change it.

``LiveGames`` keeps one live ``Game`` per attempt in memory so a turn does not
replay the whole log; every change goes through it, under a per-attempt lock,
and is saved before it returns. ``end_month`` takes the month the trainee saw, so
a double click cannot advance two months.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from training.db import Database, aware, database_url, get_database, now
from training.models import AssignmentRow, AttemptRow, CohortRow, UserRow

__all__ = ["ANY_OWNER", "Attempt", "AttemptError", "AttemptStore", "AttemptWithdrawn", "Live",
           "LiveGames", "OwnAttempt", "STATUS_ACTIVE", "STATUS_FINISHED", "Withdrawal",
           "database_url", "finished_recently", "unfinished", "withdrawal"]

STATUS_ACTIVE = "active"
STATUS_FINISHED = "finished"
ANY_OWNER = object()  # ``recent(user_id=ANY_OWNER)``: attempts of every owner (tools, tests)


@dataclass(frozen=True)
class Attempt:
    """A stored attempt, detached from the database session.

    ``user_id`` None is anonymous self-study; ``assignment_id`` None is practice outside
    a class; ``case_version_id`` names the published version played, if any.
    """

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
    user_id: int | None = None
    assignment_id: int | None = None
    case_version_id: int | None = None
    index_share: float | None = None
    result: dict | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status == STATUS_FINISHED

    @property
    def anonymous(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class Withdrawal:
    """The assignment an attempt was played under was taken back (撤回): when, and by whom
    (the instructor's name as the class knows it)."""

    assignment_id: int
    at: datetime
    by: str


def withdrawal(s: Session, assignment_id: int | None) -> Withdrawal | None:
    """The withdrawal of an assignment, or None while it stands (or for practice)."""
    if assignment_id is None:
        return None
    found = s.execute(select(AssignmentRow.withdrawn_at, UserRow.display_name, UserRow.username)
                      .outerjoin(UserRow, UserRow.id == AssignmentRow.withdrawn_by)
                      .where(AssignmentRow.id == int(assignment_id),
                             AssignmentRow.withdrawn_at.is_not(None))).first()
    if found is None:
        return None
    at, display_name, username = found
    return Withdrawal(int(assignment_id), aware(at), display_name or username or "—")


@dataclass(frozen=True)
class OwnAttempt:
    """An attempt of its owner's (one to go on playing, or a finished one whose debrief to
    read again); ``cohort`` names the class whose assignment it is played under (None:
    practice outside a class)."""

    attempt: Attempt
    cohort: str | None = None


def unfinished(db: Database, user_id: int | None, limit: int = 5) -> list[OwnAttempt]:
    """The owner's attempts still in play (None: anonymous self-study's), the most recently
    saved first: not finished, and not under an assignment an instructor withdrew (those
    are to read, not to continue). Storage only: the caller checked who is asking."""
    return _owned(db, user_id, STATUS_ACTIVE, limit, withdrawn_too=False)


def finished_recently(db: Database, user_id: int | None, limit: int = 5) -> list[OwnAttempt]:
    """The owner's finished attempts, the most recently saved first: the debriefs they can
    read again (under a withdrawn assignment too: its debrief opens read-only)."""
    return _owned(db, user_id, STATUS_FINISHED, limit, withdrawn_too=True)


def _owned(db: Database, user_id: int | None, status: str, limit: int,
           withdrawn_too: bool) -> list[OwnAttempt]:
    """The owner's attempts in `status`, with the class each is played in."""
    q = (select(AttemptRow, CohortRow.name)
         .outerjoin(AssignmentRow, AssignmentRow.id == AttemptRow.assignment_id)
         .outerjoin(CohortRow, CohortRow.id == AssignmentRow.cohort_id)
         .where(AttemptRow.status == status,
                AttemptRow.user_id.is_(None) if user_id is None
                else AttemptRow.user_id == int(user_id))
         .order_by(AttemptRow.updated.desc(), AttemptRow.id).limit(limit))
    if not withdrawn_too:
        q = q.where(AssignmentRow.withdrawn_at.is_(None))
    with db.session() as s:
        return [OwnAttempt(to_attempt(row), cohort) for row, cohort in s.execute(q)]


def to_attempt(row: AttemptRow) -> Attempt:
    return Attempt(
        id=row.id, scenario_id=row.scenario_id, scenario_hash=row.scenario_hash,
        seed=int(row.seed), decision_log=list(row.decision_log or []),
        pending=dict(row.pending) if row.pending else None, status=row.status,
        month=int(row.month), horizon=int(row.horizon), version=int(row.version),
        created=aware(row.created), updated=aware(row.updated), user_id=row.user_id,
        assignment_id=row.assignment_id, case_version_id=row.case_version_id,
        index_share=row.index_share, result=dict(row.result) if row.result else None,
        finished_at=aware(row.finished_at),
    )


class AttemptStore:
    """Attempts in the training database (migrated to head when first opened).

    This is storage only: it checks nobody's rights. Pages and services reach attempts
    through ``training.classroom``, which does.
    """

    def __init__(self, url: str | None = None, db: Database | None = None):
        self.db = db or get_database(url)
        self.url = self.db.url
        self.engine = self.db.engine

    def create(self, scenario: Any, seed: int | None = None, *, user_id: int | None = None,
               assignment_id: int | None = None, case_version_id: int | None = None) -> Attempt:
        ts = now()
        row = AttemptRow(
            id=uuid.uuid4().hex[:12], scenario_id=scenario.id,
            scenario_hash=scenario.content_hash(),
            seed=int(scenario.seed if seed is None else seed), decision_log=[], pending=None,
            status=STATUS_ACTIVE, month=0, horizon=int(scenario.horizon_months), version=0,
            created=ts, updated=ts, user_id=user_id, assignment_id=assignment_id,
            case_version_id=case_version_id,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            return to_attempt(row)

    def get(self, attempt_id: str) -> Attempt | None:
        if not attempt_id or len(attempt_id) > 32:
            return None
        with self.db.session() as s:
            row = s.get(AttemptRow, attempt_id)
            return to_attempt(row) if row is not None else None

    def withdrawal(self, attempt: Attempt) -> Withdrawal | None:
        """Whether the attempt's assignment was taken back since (None: it may be played)."""
        if attempt.assignment_id is None:
            return None
        with self.db.session() as s:
            return withdrawal(s, attempt.assignment_id)

    def version(self, attempt_id: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(AttemptRow.version).where(AttemptRow.id == attempt_id))

    def save(self, attempt_id: str, decision_log: list[dict], month: int, finished: bool,
             pending: dict | None = None) -> int:
        """Store the decision log and the pending decisions; returns the new version number.
        Refused (AttemptWithdrawn, nothing written) once the attempt's assignment was
        withdrawn: in the same transaction as the write, so no move lands after it."""
        with self.db.session() as s:
            row = s.get(AttemptRow, attempt_id)
            if row is None:
                raise KeyError(attempt_id)
            taken_back = withdrawal(s, row.assignment_id)
            if taken_back is not None:
                raise AttemptWithdrawn(taken_back)
            row.decision_log = list(decision_log)
            row.pending = pending
            row.month = int(month)
            if finished and row.status != STATUS_FINISHED:
                row.finished_at = now()
            row.status = STATUS_FINISHED if finished else STATUS_ACTIVE
            row.version = int(row.version) + 1
            row.updated = now()
            return row.version

    def save_result(self, attempt_id: str, index_share: float | None, result: dict) -> None:
        """Keep a finished attempt's score, for the debrief list and the cohort dashboard."""
        with self.db.session() as s:
            row = s.get(AttemptRow, attempt_id)
            if row is None:
                raise KeyError(attempt_id)
            row.index_share = None if index_share is None else float(index_share)
            row.result = result

    def recent(self, scenario_id: str | None = None, status: str | None = STATUS_ACTIVE,
               limit: int = 5, user_id: Any = None) -> list[Attempt]:
        """Most recently updated attempts of one owner (None: anonymous self-study),
        optionally of one scenario and status."""
        q = select(AttemptRow).order_by(AttemptRow.updated.desc()).limit(limit)
        if user_id is not ANY_OWNER:
            q = q.where(AttemptRow.user_id.is_(None) if user_id is None
                        else AttemptRow.user_id == user_id)
        if scenario_id is not None:
            q = q.where(AttemptRow.scenario_id == scenario_id)
        if status is not None:
            q = q.where(AttemptRow.status == status)
        with self.db.session() as s:
            return [to_attempt(r) for r in s.scalars(q)]


def result_of(debrief: Any) -> dict:
    """What the classroom keeps of a debrief: the index, the comparison table, missed warnings."""

    def records(frame: Any) -> list[dict]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    missed_cols = ["loan_id", "label", "company", "company_en", "signal", "zh", "en", "via",
                   "visible_month", "default_month"]
    missed = debrief.missed_warnings
    return {
        "index": None if debrief.index is None else float(debrief.index),
        "table": records(debrief.table),
        "missed": records(missed[[c for c in missed_cols if c in missed.columns]]),
        "saves": int(len(debrief.saves)),
        "score": json.loads(json.dumps(debrief.score, default=float)),
    }


def pending_of(game: Any) -> dict:
    """The decisions of the month being played: its policy, queued actions and meetings."""
    talks = list(getattr(game, "pending_talks", []))
    skip = sum(len(t["actions"]) for t in talks)  # a meeting's actions come first in the queue
    out = {
        "month": int(game.month),
        "policy": game.policy.model_dump(mode="json"),
        "actions": [[int(q.loan_id), q.action_id] for q in game.queued[skip:]],
        "standing_order": game.standing_order.to_log(),
        "routine_hours": game.routine_hours,
        "classify": [[int(i), int(c), r] for i, c, r in game.classify_queued],
        "resolutions": game.resolutions_pending,
    }
    if talks:
        out["talks"] = talks
    return out


def _talk_under_way(pending: dict | None, game: Any) -> dict | None:
    """The desk's meeting under way kept in ``pending``, if it is of the month being played."""
    talk = (pending or {}).get("talk")
    if not talk or game.finished or int(talk.get("month", -1)) != game.month:
        return None
    return {"loan_id": int(talk["loan_id"]), "roleplay": str(talk["roleplay"]),
            "month": int(talk["month"]), "path": [str(c) for c in talk.get("path", [])]}


def _restore_pending(game: Any, pending: dict | None) -> None:
    """Put back the policy and queue of an unfinished month (only if it is the same month)."""
    if not pending or int(pending.get("month", -1)) != game.month or game.finished:
        return
    from sim.policy import MonitoringPolicy

    policy = MonitoringPolicy.model_validate(pending["policy"])
    wanted = sum(len(t["actions"]) for t in pending.get("talks", [])) + len(
        pending.get("actions", []))
    # hours capped for the checks only free hours for actions: set them before the queue
    game.set_routine_hours(pending.get("routine_hours"))
    # the queue as the player left it, then the policy chosen afterwards; if the policy was
    # chosen first (a lighter one that freed the hours), the other order restores more
    for policy_first in (False, True):
        while game.queued:
            game.unqueue(0)
        if policy_first:
            game.set_policy(policy)
        _requeue(game, pending)
        if len(game.queued) == wanted:
            break
    game.set_policy(policy)
    if "standing_order" in pending:
        from sim.standing_order import StandingOrder

        game.set_standing_order(StandingOrder.from_log(pending["standing_order"]))
    for loan_id, cls, reason in pending.get("classify", []):
        try:
            game.classify(int(loan_id), int(cls), reason)
        except Exception:  # the floor rose past it since: drop it, as the desk would
            continue
    for record in pending.get("resolutions", []):
        game.add_resolution(record)


def _requeue(game: Any, pending: dict) -> None:
    for talk in pending.get("talks", []):
        try:
            game.meet(int(talk["loan_id"]), talk["roleplay"], talk["path"], talk["actions"],
                      logged=talk, lines=talk.get("lines"))
        except Exception:  # no longer possible: drop it, as the desk would
            continue
    for loan_id, action_id in pending.get("actions", []):
        try:
            game.queue(int(loan_id), action_id)
        except Exception:  # no longer possible (e.g. the case changed): drop it, as the desk would
            continue


class AttemptError(Exception):
    """An attempt cannot be opened; ``key`` names the catalogue message, ``detail`` says more."""

    def __init__(self, key: str, detail: str = ""):
        self.key = key
        self.detail = detail
        super().__init__(f"{key}: {detail}" if detail else key)


def _check_month(live: Live, expected_month: int | None) -> None:
    """AttemptError ``attempt.month_moved`` when the game is no longer at ``expected_month``."""
    if expected_month is not None and live.game.month != int(expected_month):
        raise AttemptError("attempt.month_moved", str(live.game.month))


class AttemptWithdrawn(AttemptError):
    """A move on an attempt whose assignment an instructor withdrew: refused, and nothing
    of what was saved before is changed (the attempt stays readable)."""

    def __init__(self, taken_back: Withdrawal):
        self.withdrawal = taken_back
        super().__init__("attempt.withdrawn", f"{taken_back.by} {taken_back.at.isoformat()}")


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
    talk: dict | None = None
    """The desk's meeting under way, not yet held: its loan, conversation, month and the
    choices made so far. Saved with the month's pending decisions, so a reload resumes it:
    losing it undid what the borrower had said, a free probe of the hidden state."""

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

    def start(self, scenario: Any, seed: int | None = None, *, user_id: int | None = None,
              assignment_id: int | None = None, case_version_id: int | None = None) -> Live:
        from training.desk import Desk as Game

        attempt = self.store.create(scenario, seed, user_id=user_id,
                                    assignment_id=assignment_id,
                                    case_version_id=case_version_id)
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
            if attempt.case_version_id is not None:
                from training.publishing import scenario_of_version

                scenario = scenario_of_version(self.store.db, attempt.case_version_id)
            else:
                scenario = self.load_scenario(attempt.scenario_id)
        except Exception as exc:  # the scenario file is gone or broken
            raise AttemptError("attempt.scenario_missing", f"{attempt.scenario_id}: {exc}") from exc
        try:
            game = Game.replay(scenario, attempt.seed, attempt.decision_log)
        except Exception as exc:
            raise AttemptError("attempt.replay_failed", str(exc)) from exc
        _restore_pending(game, attempt.pending)
        live = Live(attempt, scenario, game, attempt.version,
                    hash_changed=scenario.content_hash() != attempt.scenario_hash,
                    talk=_talk_under_way(attempt.pending, game))
        with self._lock:
            self._live[attempt_id] = live
        return live

    def _save(self, live: Live) -> None:
        g = live.game
        pending = pending_of(g)
        if _talk_under_way({"talk": live.talk}, g) is not None:
            pending["talk"] = live.talk
        try:
            live.version = self.store.save(live.attempt.id, g.decision_log, g.month,
                                           g.finished, pending)
        except BaseException:
            # not saved (withdrawn between the check and the write, or the database did
            # not answer): the game in memory is ahead of the store, so drop it; the next
            # open replays what was saved, and the move not kept can be made again
            with self._lock:
                self._live.pop(live.attempt.id, None)
            raise

    @contextmanager
    def _move(self, attempt_id: str) -> Iterator[Live]:
        """The live game, locked, for one of the trainee's moves: refused (AttemptWithdrawn)
        before anything changes once the attempt's assignment was withdrawn, as a desk left
        open since would otherwise play on under it."""
        live = self.open(attempt_id)
        with live.lock:
            taken_back = self.store.withdrawal(live.attempt)
            if taken_back is not None:
                raise AttemptWithdrawn(taken_back)
            yield live

    # --- the trainee's moves; each is saved before it returns ------------------
    def queue(self, attempt_id: str, loan_id: int, action_id: str,
              expected_month: int | None = None) -> None:
        """Queue an action; with ``expected_month`` only while the game is at that month
        (else AttemptError ``attempt.month_moved``): a tab left on a month that another
        tab has ended must not queue into the next one on what it showed."""
        with self._move(attempt_id) as live:
            _check_month(live, expected_month)
            live.game.queue(int(loan_id), action_id)
            self._save(live)

    def meet(self, attempt_id: str, loan_id: int, roleplay_id: str, path: list[str],
             lines: list[int] | None = None, expected_month: int | None = None,
             left: bool = False) -> list:
        """Hold a conversation: the meeting and its agreed terms are queued and saved.

        ``lines`` are the borrower player's lines (paired role play); with
        ``expected_month`` the meeting is held only if the game is still at that month
        (else AttemptError ``attempt.month_moved``); ``left``: the officer ended the
        meeting before the talk ended (sim.game_meetings.Meetings.meet)."""
        with self._move(attempt_id) as live:
            if expected_month is not None and live.game.month != int(expected_month):
                raise AttemptError("attempt.month_moved", str(live.game.month))
            refused = live.game.meet(int(loan_id), roleplay_id, list(path), lines=lines,
                                     left=left)
            if live.talk is not None and int(live.talk["loan_id"]) == int(loan_id):
                live.talk = None  # held: no longer under way
            self._save(live)
            return refused

    def keep_talk(self, attempt_id: str, talk: dict | None) -> None:
        """Keep (or, with None, drop) the desk's meeting under way with the attempt."""
        with self._move(attempt_id) as live:
            live.talk = None if talk is None else {
                "loan_id": int(talk["loan_id"]), "roleplay": str(talk["roleplay"]),
                "month": int(talk["month"]), "path": [str(c) for c in talk["path"]]}
            self._save(live)

    def unqueue(self, attempt_id: str, index: int, expected_month: int | None = None,
                expected: tuple[int, str] | None = None) -> None:
        """Drop the index-th queued action; with ``expected_month`` and ``expected`` (its
        loan and action as the page showed them) only if it is still that one (else
        AttemptError ``attempt.month_moved`` or ``attempt.queue_moved``): after another
        tab's change the index-th action can be another."""
        with self._move(attempt_id) as live:
            _check_month(live, expected_month)
            if expected is not None:
                queued = live.game.queued
                here = (queued[index].loan_id, queued[index].action_id) if 0 <= index < len(queued) else None
                if here != (int(expected[0]), str(expected[1])):
                    raise AttemptError("attempt.queue_moved")
            live.game.unqueue(int(index))
            self._save(live)

    def _set(self, attempt_id: str, setting: str, value: Any) -> None:
        """Change one of the game's standing settings (``game.<setting>``, set by
        ``game.set_<setting>``) and save it; nothing is saved when it is unchanged."""
        with self._move(attempt_id) as live:
            if value == getattr(live.game, setting):
                return
            getattr(live.game, f"set_{setting}")(value)
            self._save(live)

    def set_policy(self, attempt_id: str, policy: Any) -> None:
        self._set(attempt_id, "policy", policy)

    def set_routine_hours(self, attempt_id: str, hours: float | None) -> None:
        """The hours the trainee gives the checks due (None: all they need); ValueError
        below 0."""
        self._set(attempt_id, "routine_hours", hours)

    def set_standing_order(self, attempt_id: str, order: Any) -> None:
        self._set(attempt_id, "standing_order", order)

    def classify(self, attempt_id: str, loan_id: int, cls: int, reason: str) -> None:
        """Queue a judgement classification (sim.judgement) for the month to come."""
        with self._move(attempt_id) as live:
            live.game.classify(int(loan_id), int(cls), reason)
            self._save(live)

    def unclassify(self, attempt_id: str, loan_id: int) -> None:
        with self._move(attempt_id) as live:
            live.game.unclassify(int(loan_id))
            self._save(live)

    def add_resolution(self, attempt_id: str, what: str, loan_id: int | None, owner: str,
                       deadline_month: int | None) -> None:
        """Record a review-meeting resolution (training.ledger); raises LedgerError."""
        from training.ledger import make_resolution

        with self._move(attempt_id) as live:
            res = make_resolution(live.game, what, loan_id, owner, deadline_month)
            live.game.add_resolution(res.model_dump())
            self._save(live)

    def end_month(self, attempt_id: str, expected_month: int) -> Any:
        """Advance one month if the game is still at ``expected_month``; else do nothing."""
        with self._move(attempt_id) as live:
            if live.game.finished:
                return None
            report = live.game.end_month(expected_month=int(expected_month))
            if report is not None:
                self._save(live)
                if live.game.finished:
                    self._keep_result(live)
            return report

    def _keep_result(self, live: Live) -> None:
        # The score is kept with the attempt, so lists and the cohort dashboard need no replay.
        if live.debrief is None:
            live.debrief = live.game.debrief()
        self.store.save_result(live.attempt.id, live.debrief.index, result_of(live.debrief))

    def debrief(self, attempt_id: str) -> Any:
        """The debrief of a finished attempt, computed once per live game (reading it is
        no move: it opens under a withdrawn assignment too)."""
        live = self.open(attempt_id)
        with live.lock:
            if live.debrief is None:
                live.debrief = live.game.debrief()
                if self.store.get(attempt_id).result is None:
                    self.store.save_result(attempt_id, live.debrief.index,
                                           result_of(live.debrief))
            return live.debrief
