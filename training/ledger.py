"""The review meeting's resolution ledger (贷后管理例会决议台账) and judgement views.

A resolution names what is to be done (an action of the case's catalogue, or
"classify" for a judgement classification), on which loan, who owns it and by
which month. It is kept with the attempt's decisions (sim.game.Game.add_resolution
logs it with the month to come and the pending decisions keep it until then), so
a reload or a replay restores the ledger.

Follow-through is read from the event log, not ticked by hand: a resolution is
done when the named action was taken on that loan after the meeting and by the
deadline month; missed when the deadline has passed without it; open before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field, ValidationError

from sim.codes import CLASS_KEYS, ON_BOOKS, LoanClass
from sim.deviation import Deviation, deviation
from sim.judgement import JUDGEMENT_EVENT, JUDGEMENT_REASONS

CLASSIFY = "classify"
"""The `what` of a resolution to classify a loan on judgement."""
OWNER_MAX_CHARS = 40
STATUSES = ("done", "open", "missed")


class Resolution(BaseModel):
    """One resolution of a review meeting."""

    what: str = Field(min_length=1)
    loan_id: int = Field(ge=0)
    owner: str = Field(min_length=1, max_length=OWNER_MAX_CHARS)
    deadline_month: int = Field(ge=1)
    made_month: int = Field(ge=0)


class LedgerError(ValueError):
    """A resolution that cannot be recorded: `field` names the input, `key` the message
    (training/locales/*/judgement.yaml under ledger.error)."""

    def __init__(self, field: str, key: str, **kw: Any):
        self.field = field
        self.key = key
        self.kw = kw
        super().__init__(f"{field}: {key}")


def what_options(game: Any) -> list[str]:
    """What a resolution may name: the case's actions, then a judgement classification."""
    return [*game.sim.catalogue, CLASSIFY]


def make_resolution(game: Any, what: str, loan_id: int | None, owner: str,
                    deadline_month: int | None) -> Resolution:
    """A checked resolution made at the current month's review meeting."""
    if what not in what_options(game):
        raise LedgerError("what", "unknown_what")
    if loan_id is None or not 0 <= int(loan_id) < game.sim.n:
        raise LedgerError("loan_id", "no_loan")
    owner = (owner or "").strip()
    if not owner:
        raise LedgerError("owner", "no_owner")
    if len(owner) > OWNER_MAX_CHARS:
        raise LedgerError("owner", "owner_too_long", max=OWNER_MAX_CHARS)
    first, last = game.month + 1, game.horizon
    if deadline_month is None or not first <= int(deadline_month) <= last:
        raise LedgerError("deadline_month", "deadline_range", first=first, last=last)
    try:
        return Resolution(what=what, loan_id=int(loan_id), owner=owner,
                          deadline_month=int(deadline_month), made_month=game.month)
    except ValidationError as exc:  # the checks above cover every field; keep it readable
        raise LedgerError("resolution", "invalid", detail=str(exc)) from exc


def _event_name(what: str) -> str:
    return JUDGEMENT_EVENT if what == CLASSIFY else "action_" + what


def ledger_frame(game: Any) -> pd.DataFrame:
    """Every resolution with its status: columns what, loan_id, label, owner, made_month,
    deadline_month, status ("done", "open", "missed") and done_month (-1 if not done)."""
    cols = ["what", "loan_id", "label", "owner", "made_month", "deadline_month", "status",
            "done_month"]
    records = [Resolution.model_validate(r) for r in game.ledger]
    if not records:
        return pd.DataFrame(columns=cols)
    ev = game.sim.rec.event_frame()
    rows = []
    for r in records:
        hit = ev[(ev["loan_id"] == r.loan_id) & (ev["event"] == _event_name(r.what))
                 & (ev["month"] > r.made_month) & (ev["month"] <= r.deadline_month)]
        if len(hit):
            status, done = "done", int(hit["month"].min())
        else:
            status, done = ("missed" if game.month >= r.deadline_month else "open"), -1
        rows.append({"what": r.what, "loan_id": r.loan_id, "label": game.sim.pf.label(r.loan_id),
                     "owner": r.owner, "made_month": r.made_month,
                     "deadline_month": r.deadline_month, "status": status, "done_month": done})
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True)
class FollowThrough:
    """Resolutions due (deadline passed or done) and the share of them done."""

    made: int
    due: int
    done: int
    share_done: float | None  # None when nothing was due
    frame: pd.DataFrame


def follow_through(game: Any) -> FollowThrough:
    frame = ledger_frame(game)
    due = frame[frame["status"] != "open"]
    done = int((due["status"] == "done").sum())
    return FollowThrough(len(frame), len(due), done, done / len(due) if len(due) else None, frame)


# --- judgement classification on the desk ---------------------------------------
@dataclass(frozen=True)
class JudgementChoice:
    """What the desk may offer on one loan: the objective floor, the booked class, the
    judgement in force and queued, and the classes it may choose (floor and worse)."""

    floor: LoanClass
    booked: LoanClass
    judgement: LoanClass | None
    queued: tuple[LoanClass, str] | None
    classes: tuple[LoanClass, ...]
    reasons: tuple[str, ...]
    open: bool  # on the books: a judgement can be recorded


def judgement_choice(game: Any, loan_id: int) -> JudgementChoice:
    s = game.sim
    i = int(loan_id)
    floor = LoanClass(int(s.cls_objective[i]))
    j = int(s.judgement[i])
    queued = next(((LoanClass(c), r) for k, c, r in game.classify_queued if k == i), None)
    return JudgementChoice(
        floor=floor, booked=LoanClass(int(s.cls[i])),
        judgement=LoanClass(j) if j > floor else None, queued=queued,
        classes=tuple(c for c in LoanClass if c >= floor), reasons=JUDGEMENT_REASONS,
        open=bool(s.status[i] <= ON_BOOKS) and not game.finished)


def judgements_frame(game: Any) -> pd.DataFrame:
    """The judgements taken so far: month, loan_id, label, cls (key), reason."""
    ev = game.sim.rec.event_frame()
    ev = ev[ev["event"] == JUDGEMENT_EVENT]
    return pd.DataFrame({
        "month": ev["month"].astype(int).to_numpy(), "loan_id": ev["loan_id"].astype(int).to_numpy(),
        "label": [game.sim.pf.label(int(i)) for i in ev["loan_id"]],
        "cls": [CLASS_KEYS[int(c)] for c in ev["amount_cny"]],
        "reason": [str(d) for d in ev["details"]]})


def classification_deviation(game: Any) -> Deviation:
    """The deviation (sim.deviation) of the months played so far."""
    return deviation(game.sim.history)


__all__ = ["CLASSIFY", "CLASS_KEYS", "FollowThrough", "JudgementChoice", "LedgerError",
           "Resolution", "STATUSES", "classification_deviation", "follow_through",
           "judgement_choice", "judgements_frame", "ledger_frame", "make_resolution",
           "what_options"]
