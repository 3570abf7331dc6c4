"""A month's actions taken in compiled code, exactly as `act` would take them one by one.

A strategy decides hundreds of actions a month on a large book; `act` costs several
microseconds of Python each. `act_many` takes the month's list in order and hands each
run of routine actions (checks, collateral, relief, collection calls, and the legal team's
lawsuits, auctions and write-offs) to one compiled loop (kernels_act.take_actions), which
takes them in list order as `act` takes each: its preconditions, "queued", its hours, its
cost, its effect on its own loan. Everything else (acceleration, a freeze that may drive a
customer away, a meeting, a claim sale, an action the case does not offer) goes through
`act` at its place in the list. What the loop leaves to Python is booked after each run,
in list order: the refusals, the event log entries (none in a run kept for its figures,
which keeps no log), the pairs taken this month, the lawsuits' and auctions' processes
and the targeted checks. A list of a few actions goes through `act` whole (FEW_ACTIONS):
there the loop's call costs more than it saves.

The result is the same state, the same event log in the same order, the same refusals
and the same floating-point sums as calling `act` in order. `tests/test_batch_act.py`
holds the two paths to this on random action lists. The scalar precondition table and
effects stay the reference: a change to one of them needs the same change to the compiled
loop (the tests fail until the two agree), or the action's removal from EFFECT_KINDS (or
its precondition's from kernels_act.PRECONDITION_TESTS), which sends it back through `act`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np

from sim import defaults
from sim.interventions import kernels_act as k
from sim.interventions import workouts
from sim.interventions.effects import EFFECTS, PREVENTIVE_STAGES, act
from sim.observation import (
    COURT_FEE_LOWS,
    COURT_FEE_RATES,
    HOURS_TOLERANCE,
    TARGETED,
    ActionColumns,
)
from sim.signals import alerted_of
from sim.staff import by_legal_team

NO_RESULT = ("", "")
EFFECT_KINDS: dict[str, tuple[Callable, int, tuple[str, str]]] = {
    "closer_monitoring": (EFFECTS["closer_monitoring"], k.CLOSER_MONITORING, NO_RESULT),
    "onsite_check": (EFFECTS["onsite_check"], k.ONSITE_CHECK, NO_RESULT),
    "add_collateral": (EFFECTS["add_collateral"], k.ADD_COLLATERAL, ("refused", "obtained")),
    "entrusted_payment": (EFFECTS["entrusted_payment"], k.ENTRUSTED_PAYMENT, NO_RESULT),
    "restructure": (EFFECTS["restructure"], k.RESTRUCTURE, ("no_payment_cut", "payment_cut")),
    "emergency_deferral": (EFFECTS["emergency_deferral"], k.EMERGENCY_DEFERRAL, NO_RESULT),
    "collect_call": (EFFECTS["collect_call"], k.COLLECT, NO_RESULT),
    "collect_letter": (EFFECTS["collect_letter"], k.COLLECT, NO_RESULT),
    "collect_visit": (EFFECTS["collect_visit"], k.COLLECT, NO_RESULT),
    "lawsuit": (EFFECTS["lawsuit"], k.LAWSUIT, NO_RESULT),
    "auction": (EFFECTS["auction"], k.AUCTION, NO_RESULT),
    "write_off": (EFFECTS["write_off"], k.WRITE_OFF, NO_RESULT),
}
"""Action id -> (the scalar effect it stands for, its kind in kernels_act.take_actions, the
result keys it logs by the loop's result 0, 1; a write-off logs the amount it wrote off).
Only actions whose effect touches its own loan and logs nothing itself are here (a
lawsuit's and an auction's process, started in list order after the loop, touch only
theirs, later); an action is taken in the loop only while EFFECTS still maps it to that
scalar effect."""

RESULTS = ["", "refused", "obtained", "no_payment_cut", "payment_cut"]
"""Every result key of EFFECT_KINDS: the details the event log's blocks refer to."""


def _batchable(sim) -> dict[str, int]:
    """The case's actions the compiled loop takes, with a code each (cached per run)."""
    got = getattr(sim, "_batchable", None)
    if got is None:
        got = {}
        for a, (scalar, _, _) in EFFECT_KINDS.items():
            it = sim.catalogue.get(a)
            if it is None or EFFECTS.get(a) is not scalar:
                continue
            if all(r in k.PRECONDITION_TESTS for r in it.requires):
                got[a] = len(got)
        sim._batchable = got
    return got


class _Tables:
    """What the compiled loop reads of the case's batchable actions, by action code
    (worked out once per run: the catalogue does not change)."""

    def __init__(self, sim, codes: dict[str, int]):
        cat = sim.catalogue
        self.names = list(codes)
        self.events = ["action_" + a for a in self.names]
        self.kind = np.array([EFFECT_KINDS[a][1] for a in self.names], dtype=np.int64)
        # the codes whose taking leaves Python work: a process to start, a write-off's detail
        self.process = (self.kind == k.LAWSUIT) | (self.kind == k.AUCTION)
        self.writes_off = self.kind == k.WRITE_OFF
        # the event log's detail of each code's result 0 and 1 (an index in RESULTS)
        self.detail = np.array([[RESULTS.index(r) for r in EFFECT_KINDS[a][2]]
                                for a in self.names], dtype=np.intp).reshape(-1, 2)
        self.hours = np.array([cat[a].hours for a in self.names], dtype=float)
        self.fixed = np.array([cat[a].cost_cny for a in self.names], dtype=float)
        self.share = np.array([cat[a].cost_share for a in self.names], dtype=float)
        self.preventive = np.array([cat[a].stage in PREVENTIVE_STAGES for a in self.names])
        self.legal = np.array([by_legal_team(cat, a) for a in self.names], dtype=bool)
        self.court = np.array([bool(cat[a].params.get("court_fee")) for a in self.names],
                              dtype=bool)
        self.duration = [cat[a].duration_months for a in self.names]  # a lawsuit's
        self.months = np.array([
            int(cat[a].duration_months) if a == "closer_monitoring"
            else cat[a].params["months"] if a == "emergency_deferral" else 0
            for a in self.names], dtype=np.int64)
        self.cure_boost = np.array([cat[a].params.get("cure_boost", 0.0) for a in self.names],
                                   dtype=float)
        self.check = codes.get("onsite_check", -1)
        # table[k, code]: the code's k-th precondition, as its place in PRECONDITION_TESTS
        # (-1: it has fewer)
        depth = max((len(cat[a].requires) for a in self.names), default=0)
        self.table = np.full((depth, len(self.names)), -1, dtype=np.int64)
        for c, a in enumerate(self.names):
            for n, r in enumerate(cat[a].requires):
                self.table[n, c] = k.PRECONDITION_TESTS.index(r)
        # the parameters of a restructuring and of a request for collateral (unused, and
        # the default ones, when the case does not offer the action)
        p = (cat.get("restructure") or defaults.INTERVENTIONS["restructure"]).params
        self.terms = np.array([p[t] for t in k.RESTRUCTURE_TERMS], dtype=float)
        self.stage_days = np.array(sorted(p["stage_factor"]), dtype=np.int64)
        self.stage_factors = np.array([p["stage_factor"][s] for s in sorted(p["stage_factor"])],
                                      dtype=float)
        p = (cat.get("add_collateral") or defaults.INTERVENTIONS["add_collateral"]).params
        self.health_margin = float(p["health_margin"])
        self.top_up_share = float(p["top_up_ltv_share"])


def _tables(sim, codes: dict[str, int]) -> _Tables:
    got = getattr(sim, "_batch_tables", None)
    if got is None:
        got = sim._batch_tables = _Tables(sim, codes)
    return got


FEW_ACTIONS = 12
"""A list shorter than this is taken through `act` one by one, as the same actions: handing
the book's columns to the compiled loop and marking the pairs taken costs more than a
few `act` calls (late collection's three or four legal steps a month took 6 to 10 ms of
act_many a run through the loop, 2.5 to 3.3 ms through `act`)."""


def act_many(sim, actions: Sequence) -> None:
    """Take `actions` ((loan, action id) pairs, or ActionColumns) in order, as `act` on
    each would (a short list through `act` itself: FEW_ACTIONS)."""
    if not actions:
        return
    if len(actions) < FEW_ACTIONS:
        for i, a in actions:
            act(sim, int(i), a)
        return
    codes = _batchable(sim)
    if isinstance(actions, ActionColumns):
        li, ci, kind_of = _read_columns(sim, actions, codes)
    else:
        li, ci, kind_of = _read_pairs(actions, codes)
    m = len(li)
    single = np.flatnonzero(ci < 0)  # not batchable: through `act` at its place
    # the (loan, batchable action) pairs taken this month, as marks by loan * width + code
    width = len(codes)
    taken = np.zeros(sim.n * width, dtype=bool)
    for i, a in sim._done_this_month:
        c = codes.get(a)
        if c is not None:
            taken[i * width + c] = True
    start = 0
    for p in single.tolist():
        if p > start:
            _take(sim, li[start:p], ci[start:p], codes, taken)
        act(sim, int(li[p]), kind_of(p))
        start = p + 1
    if start < m:
        _take(sim, li[start:], ci[start:], codes, taken)


def _read_pairs(actions: Sequence, codes: dict[str, int]) -> tuple[np.ndarray, np.ndarray,
                                                                   Callable[[int], str]]:
    """(loans, batchable codes (-1: through `act`), the action id at a place) of a list of
    (loan, action id) pairs."""
    ids, kinds = zip(*actions, strict=True)
    return (np.array(ids, dtype=np.int64),
            np.array(list(map(codes.get, kinds, repeat(-1, len(kinds)))), dtype=np.int64),
            kinds.__getitem__)


def _read_columns(sim, actions: ActionColumns, codes: dict[str, int]) -> tuple[
        np.ndarray, np.ndarray, Callable[[int], str]]:
    """`_read_pairs` of ActionColumns: its pairs read as a list's, then its columns, whose
    codes become batchable codes through one table per run and set of names."""
    got = getattr(sim, "_batch_codes_of", None)
    if got is None or got[0] is not actions.names:
        got = sim._batch_codes_of = (actions.names, np.array(
            [codes.get(a, -1) for a in actions.names], dtype=np.int64))
    ci = got[1][actions.codes]
    names, head = actions.names, len(actions.pairs)
    if not head:
        return actions.loans, ci, lambda p: names[actions.codes[p]]
    li0, ci0, kind0 = _read_pairs(actions.pairs, codes)
    return (np.concatenate((li0, actions.loans)), np.concatenate((ci0, ci)),
            lambda p: kind0(p) if p < head else names[actions.codes[p - head]])


def _take(sim, li: np.ndarray, ci: np.ndarray, codes: dict[str, int],
          taken: np.ndarray) -> None:
    """A run of batchable actions (loans li, codes ci) taken in the compiled loop, then
    booked in list order: refusals, log, pairs taken, checks."""
    t = sim.t
    tab = _tables(sim, codes)
    (sim._hours_left, sim.money_spent, sim.workout_hours, sim._observations_open, why, result,
     cost, written) = k.take_actions(
        li, ci, t, alerted_of(sim.last_seen, li, t, include_payment=True), tab.kind,
        tab.table, tab.hours, tab.check, tab.fixed, tab.share, tab.preventive, tab.legal,
        tab.court, tab.months, tab.cure_boost, float(sim._hours_left), HOURS_TOLERANCE,
        float(sim.money_spent), float(sim.workout_hours), bool(sim._observations_open),
        sim.check_hours[:, TARGETED], taken, len(codes),
        sim.status, sim.defaulted, sim.dpd, sim.cls, sim.entrusted, sim.disaster_until,
        sim.pf.region, sim.balance, sim.written_off, sim.costs, sim.first_action, sim.acted,
        sim.closer_until, sim.d, sim.extra_collateral, sim.appraised, sim.relationship,
        sim.diverting, sim.boost, sim.deferral_until, sim.misses, sim.rate, sim.rate0,
        sim.term, sim.latest_term, sim.mob, sim.pf.repayment, sim.shift,
        sim.restructured_again, sim.restructured_until, sim.lawsuit_month, sim.preserved,
        sim.judgment, sim.auction_open, sim.collateral_sold, sim.pf.collateral_type,
        workouts.NO_COLLATERAL, defaults.SECURITY_ENFORCEMENT_MONTHS,
        defaults.COURT_FEE_FIRST_CNY, COURT_FEE_LOWS, COURT_FEE_RATES, tab.terms,
        tab.stage_days, tab.stage_factors, defaults.DAYS_PER_MONTH, tab.health_margin,
        tab.top_up_share, defaults.RELATIONSHIP_HIT["intrusive"])
    pos = np.flatnonzero(why == k.TAKEN)
    if len(pos) < len(li):
        refused = np.flatnonzero(why != k.TAKEN)
        cat = sim.catalogue
        sim.month_report.rejected.extend(
            (i, tab.names[c], "queued" if w == k.QUEUED else "hours" if w == k.NO_HOURS
             else cat[tab.names[c]].requires[w])
            for i, c, w in zip(li[refused].tolist(), ci[refused].tolist(),
                               why[refused].tolist(), strict=True))
    if not len(pos):
        return
    if len(pos) < len(li):  # else the columns are the taken ones as they stand
        li, ci, result, cost, written = li[pos], ci[pos], result[pos], cost[pos], written[pos]
    loans, codes_taken = li.tolist(), ci.tolist()
    sim._done_this_month.update(zip(loans, map(tab.names.__getitem__, codes_taken),
                                    strict=True))
    if sim.warnings:  # a run kept for its figures keeps no event log (sim.engine)
        details, detail = RESULTS, tab.detail[ci, result]
        wrote = np.flatnonzero(tab.writes_off[ci])
        if len(wrote):  # each write-off's detail is the amount it wrote off, as `act` logs it
            details = [*RESULTS, *(f"{a:.0f}" for a in written[wrote].tolist())]
            detail[wrote] = np.arange(len(RESULTS), len(details))
        sim.rec.log_block(t, li, tab.events, ci, cost, details, detail)
    for p in np.flatnonzero(tab.process[ci]).tolist():
        i, c = loans[p], codes_taken[p]
        if tab.kind[c] == k.LAWSUIT:
            sim.start(workouts.lawsuit(sim, i, tab.duration[c]))
        else:
            sim.start(workouts.auction(sim, i))
    if tab.check >= 0:
        sim._targeted.extend(li[ci == tab.check].tolist())
