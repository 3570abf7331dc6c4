"""What the trainee did, counted from the event log, beside the references on the same seed.

Two weak plays score badly without the loan-by-loan tables saying why: the officer who
spends every hour on checks of quiet loans and never acts (a check only reveals), and the
one who recalls loans or freezes lines at the first warning (the loan defaults at once, or
a good customer repays early and stops paying interest). The debrief says both in numbers
computed here from the runs' documented frames: ``events`` (month, loan_id, event) and
``signals`` (month, loan_id, signal) and ``loans`` (loan_id, default_month, loss_cny,
interest_cny).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.defaults import INTERVENTIONS
from sim.scoring import PREVENTIVE_EVENTS

ACTING_EVENTS = PREVENTIVE_EVENTS | frozenset(
    "action_" + k for k, it in INTERVENTIONS.items() if it.stage == "collect")
"""Steps that change a borrower's course: securing, restructuring, collecting, recalling.
Checks and closer monitoring only look; lawsuits and auctions come after the default."""
HEAVY_EVENTS = frozenset("action_" + k for k, it in INTERVENTIONS.items() if it.aggressive)
"""A recall or a frozen line: the catalogue's aggressive actions."""
RECALL_EVENTS = HEAVY_EVENTS - {"action_freeze_line"}
"""The recalls alone: the debrief says what frozen lines did on their own
(training.debrief_freeze), since a freeze ends no loan and keeps exposure off the books."""


@dataclass(frozen=True)
class WorkMix:
    """A run's checks and the steps that change a borrower's course."""

    checks: int
    quiet_checks: int  # checks on loans that late collection, doing nothing early, never lost
    actions: int
    loans_acted: int


@dataclass(frozen=True)
class HeavyHand:
    """Your recalls and frozen lines against late collection, on the loans they hit."""

    loans: int  # loans you recalled or froze
    healthy: int  # of them, loans that never defaulted under late collection
    interest_lost_cny: float  # late collection's interest on them less yours
    loss_added_cny: float  # your loss on them less late collection's


def work_mix(run: Any, late: Any) -> WorkMix:
    """A run's checks and steps; its quiet checks are those on loans that never defaulted
    under late collection (``late``, the same seed), which acts only from 90 days past due:
    loans that needed nothing."""
    ev = run.events
    checks = ev[ev["event"] == "check"]
    lo = late.loans
    quiet = set(lo.loc[lo["default_month"] < 0, "loan_id"].astype(int))
    acts = ev[ev["event"].isin(ACTING_EVENTS)]
    return WorkMix(checks=len(checks), quiet_checks=int(checks["loan_id"].isin(quiet).sum()),
                   actions=len(acts), loans_acted=int(acts["loan_id"].nunique()))


def heavy_hand(you: Any, late: Any, events: frozenset[str] = HEAVY_EVENTS) -> HeavyHand | None:
    """None when you took none of ``events`` (default: neither recalled a loan nor froze a
    line)."""
    ev = you.events
    hit = sorted(set(ev.loc[ev["event"].isin(events), "loan_id"].astype(int)))
    if not hit:
        return None
    mine = you.loans.set_index("loan_id").loc[hit]
    theirs = late.loans.set_index("loan_id").loc[hit]
    return HeavyHand(loans=len(hit), healthy=int((theirs["default_month"] < 0).sum()),
                     interest_lost_cny=float(theirs["interest_cny"].sum() - mine["interest_cny"].sum()),
                     loss_added_cny=float(mine["loss_cny"].sum() - theirs["loss_cny"].sum()))
