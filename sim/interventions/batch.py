"""A month's actions applied column-wise, exactly as `act` would apply them one by one.

A strategy decides hundreds of actions a month on a large book; `act` costs a few
microseconds of Python each. `act_many` takes the month's list in order and applies
runs of routine actions (checks, collateral, relief, collection calls...) together:
preconditions, hours, costs and effects computed on columns. Everything else (legal
work, acceleration, a freeze that may drive a customer away, a meeting, an action the
case does not offer) goes through `act` at its place in the list.

The result is the same state, the same event log in the same order, the same
refusals and the same floating-point sums as calling `act` in order:

- an action's preconditions read its own loan only, and a routine action changes only
  its own loan, so a loan's second action of the month is checked after its first one
  is applied ("waves": the k-th action on each loan);
- hours are checked against the worst case (every earlier action charged): when that
  fits, no action can be refused for hours; from the first action where it may not,
  the rest of the run goes one by one through `act`;
- a (loan, action) pair twice in a run, or already taken this month, sends the run
  through `act` (the second is refused as "queued");
- sums (hours left, money spent, each loan's costs) are accumulated in list order.

`tests/test_batch_act.py` holds the two paths to this on random action lists. The scalar
precondition table and effects stay the reference: a change to one of them needs the same
change to its compiled test (kernels_act.failed_preconditions) or column version here (the
tests fail until the two agree), or its removal from kernels_act.PRECONDITION_TESTS /
EFFECT_COLUMNS, which sends the actions that need it back through `act`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np

from sim import defaults
from sim.interventions.effects import (
    EFFECTS,
    PREVENTIVE_STAGES,
    act,
)
from sim.interventions.kernels_act import (
    PRECONDITION_TESTS,
    charge_block,
    failed_preconditions,
    restructure_loans,
    run_plan,
    wave_groups,
)
from sim.observation import HOURS_TOLERANCE, TARGETED
from sim.signals import alerted_of


# --- effects on columns: each one the scalar effect of sim.interventions.effects -------
# Each takes distinct loans idx and returns the result keys: a str for all, or (keys, which):
# loan k's key is keys[which[k]].
def _closer_monitoring(sim, idx, it, t):
    sim.closer_until[idx] = t + int(it.duration_months)
    return ""


def _onsite_check(sim, idx, it, t):
    return ""  # the loans join the month's targeted checks (in list order, by act_many)


def _add_collateral(sim, idx, it, t):
    ok = sim.d[idx] > it.params["health_margin"]
    got = idx[ok]
    top = it.params["top_up_ltv_share"] * sim.balance[got]
    sim.extra_collateral[got] += top
    sim.appraised[got] += top
    sim.relationship[idx] -= defaults.RELATIONSHIP_HIT["intrusive"]
    return ("refused", "obtained"), ok.astype(np.intp)


def _entrusted_payment(sim, idx, it, t):
    sim.entrusted[idx] = True
    sim.diverting[idx] = False
    sim.relationship[idx] -= defaults.RELATIONSHIP_HIT["intrusive"]
    return ""


def _restructure(sim, idx, it, t):
    # the terms, relief and result the scalar effect gives each loan, to the last bit,
    # applied loan by loan in one compiled pass (kernels_act.restructure_loans)
    p = it.params
    stages = sorted(p["stage_factor"])
    meaningful = restructure_loans(
        idx, sim.balance, sim.rate, sim.rate0, sim.term, sim.latest_term, sim.mob,
        sim.pf.repayment, sim.dpd, sim.shift, sim.restructured_again, sim.restructured_until,
        sim.misses, float(p["rate_concession"]), float(p["term_stretch"]),
        float(p["term_add_months"]), float(p["health_per_payment_cut"]),
        float(p["max_health_boost"]), np.array(stages, dtype=np.int64),
        np.array([p["stage_factor"][s] for s in stages], dtype=float),
        defaults.DAYS_PER_MONTH, t, t + p["observation_months"], float(p["meaningful_cut"]))
    sim._observations_open = True
    return ("no_payment_cut", "payment_cut"), meaningful


def _emergency_deferral(sim, idx, it, t):
    sim.deferral_until[idx] = t + it.params["months"] - 1
    sim.misses[idx] = 0
    sim.dpd[idx] = 0
    return ""


def _collect(sim, idx, it, t):
    sim.boost[idx] += it.params["cure_boost"]
    return ""


EFFECT_COLUMNS: dict[str, tuple[Callable, Callable]] = {
    "closer_monitoring": (EFFECTS["closer_monitoring"], _closer_monitoring),
    "onsite_check": (EFFECTS["onsite_check"], _onsite_check),
    "add_collateral": (EFFECTS["add_collateral"], _add_collateral),
    "entrusted_payment": (EFFECTS["entrusted_payment"], _entrusted_payment),
    "restructure": (EFFECTS["restructure"], _restructure),
    "emergency_deferral": (EFFECTS["emergency_deferral"], _emergency_deferral),
    "collect_call": (EFFECTS["collect_call"], _collect),
    "collect_letter": (EFFECTS["collect_letter"], _collect),
    "collect_visit": (EFFECTS["collect_visit"], _collect),
}
"""Action id -> (the scalar effect it stands for, its column version). Only actions whose
effect touches its own loan and logs nothing itself are here; an action is batched only
while EFFECTS still maps it to that scalar effect."""


CHAIN_NAMES = ("arrears", "relationship")
CHAINS = {
    "restructure": 0, "emergency_deferral": 0, "collect_call": 0, "collect_letter": 0,
    "collect_visit": 0, "add_collateral": 1, "entrusted_payment": 1,
}
"""Which actions on one loan must see each other in list order: relief resets the arrears
that collection and relief require and read (chain 0); a request for collateral and one for
entrusted payment both strain the relationship (chain 1). The two chains read and write
different columns, and a check or closer monitoring neither reads nor writes what the
others do, so only the order within a chain matters."""


def _batchable(sim) -> dict[str, int]:
    """The case's actions that can go column-wise, with a code each (cached per run)."""
    got = getattr(sim, "_batchable", None)
    if got is None:
        got = {}
        for a, (scalar, _) in EFFECT_COLUMNS.items():
            it = sim.catalogue.get(a)
            if it is None or EFFECTS.get(a) is not scalar or it.stage == "workout":
                continue
            if all(r in PRECONDITION_TESTS for r in it.requires):
                got[a] = len(got)
        sim._batchable = got
    return got


class _Tables:
    """What `_run` and `_columns` read of the case's batchable actions, by action code
    (worked out once per run: the catalogue does not change)."""

    def __init__(self, sim, codes: dict[str, int]):
        cat = sim.catalogue
        self.names = list(codes)
        self.name_objects = np.array(self.names, dtype=object)
        self.events = ["action_" + a for a in self.names]
        self.chain = np.array([CHAINS.get(a, -1) for a in self.names], dtype=np.int64)
        self.hours = np.array([cat[a].hours for a in self.names])
        self.fixed = np.array([cat[a].cost_cny for a in self.names], dtype=float)
        self.share = np.array([cat[a].cost_share for a in self.names], dtype=float)
        self.preventive = np.array([cat[a].stage in PREVENTIVE_STAGES for a in self.names])
        self.check = codes.get("onsite_check", -1)
        # table[k, code]: the code's k-th precondition, as its place in PRECONDITION_TESTS
        # (-1: it has fewer)
        depth = max((len(cat[a].requires) for a in self.names), default=0)
        self.table = np.full((depth, len(self.names)), -1, dtype=np.int64)
        for c, a in enumerate(self.names):
            for k, r in enumerate(cat[a].requires):
                self.table[k, c] = PRECONDITION_TESTS.index(r)


def _tables(sim, codes: dict[str, int]) -> _Tables:
    got = getattr(sim, "_batch_tables", None)
    if got is None:
        got = sim._batch_tables = _Tables(sim, codes)
    return got


def _failed(sim, idx: np.ndarray, codes: np.ndarray, table: np.ndarray, t: int) -> np.ndarray:
    """For each action (loan idx[j], code codes[j]), the index in its `requires` of the
    first precondition that does not hold at month t (-1: all hold): the scalar table's
    tests (sim.interventions.catalogue.PRECONDITIONS), compiled (kernels_act)."""
    return failed_preconditions(
        idx, codes, table, t, alerted_of(sim.last_seen, idx, t, include_payment=True),
        sim.status, sim.defaulted, sim.dpd, sim.cls, sim.entrusted, sim.disaster_until,
        sim.pf.region, sim.extra_collateral)


def act_many(sim, actions: Sequence) -> None:
    """Take `actions` ((loan, action id) pairs) in order, as `act` on each would."""
    if not actions:
        return
    codes = _batchable(sim)
    m = len(actions)
    ids, kinds = zip(*actions, strict=True)
    li = np.array(ids, dtype=np.int64)
    loans = li.tolist()  # the loan numbers as ints, for `act`
    ci = np.array(list(map(codes.get, kinds, repeat(-1, m))), dtype=np.int64)
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
            _run(sim, li[start:p], ci[start:p], loans[start:p], kinds[start:p], codes, taken)
        act(sim, loans[p], kinds[p])
        start = p + 1
    if start < m:
        _run(sim, li[start:], ci[start:], loans[start:], kinds[start:], codes, taken)


def _act(sim, i: int, a: str, codes: dict[str, int], taken: np.ndarray) -> None:
    """`act`, marking a batchable action in `taken` when it is taken."""
    if act(sim, i, a) is None:
        taken[i * len(codes) + codes[a]] = True


def _run(sim, li: np.ndarray, ci: np.ndarray, loans: list[int], kinds: Sequence[str],
         codes: dict[str, int], taken: np.ndarray) -> None:
    """A run of batchable actions (loans li, codes ci; the same as lists): column-wise as
    far as that is exact, then one by one."""
    m = len(loans)
    if m == 1:
        _act(sim, loans[0], kinds[0], codes, taken)
        return
    tab = _tables(sim, codes)
    # every pair new? each action's hours; and the worst case, every earlier action
    # charged: from the first that may not fit, the run goes one by one (kernels_act)
    fresh, hours, k = run_plan(li, ci, len(codes), taken, tab.check,
                               sim.check_hours[:, TARGETED], tab.hours,
                               float(sim._hours_left), HOURS_TOLERANCE)
    if not fresh:
        for i, a in zip(loans, kinds, strict=True):
            _act(sim, i, a, codes, taken)
        return
    if k > 1:
        _columns(sim, li[:k], ci[:k], hours[:k], loans[:k], kinds[:k], codes, taken)
    elif k == 1:
        _act(sim, loans[0], kinds[0], codes, taken)
    for i, a in zip(loans[k:], kinds[k:], strict=True):
        _act(sim, i, a, codes, taken)


def _columns(sim, li, ci, hours, loans, kinds, codes, taken) -> None:
    """Apply actions known to be free of hour refusals and repeated pairs, column-wise."""
    t = sim.t
    m = len(li)
    tab = _tables(sim, codes)
    names = tab.names
    cat = sim.catalogue
    # the k-th action of a chain on a loan sees the effects of its (k-1)-th: it goes in
    # wave k; within a wave, each action's loans together (kernels_act.wave_groups). The
    # actions are taken in that order here (g: by group) and put back in list order after.
    order, bounds = wave_groups(li, ci, tab.chain, sim.n, len(CHAIN_NAMES), len(names))
    gli, gci = li[order], ci[order]
    gwhy = np.empty(m, dtype=np.int64)  # index of the failed precondition in `requires`
    gdetail = np.zeros(m, dtype=np.intp)  # result key of each action, as a code in `results`
    results: dict[str, int] = {"": 0}
    for wb in bounds.tolist():
        start, end = wb[0], wb[-1]
        widx = gli[start:end]
        wwhy = gwhy[start:end] = _failed(sim, widx, gci[start:end], tab.table, t)
        for c in range(len(names)):
            a, b = wb[c], wb[c + 1]
            if a == b:
                continue
            ok = wwhy[a - start:b - start] < 0
            got = EFFECT_COLUMNS[names[c]][1](sim, gli[a:b][ok], cat[names[c]], t)
            if isinstance(got, str):
                if got:
                    gdetail[a:b][ok] = results.setdefault(got, len(results))
            else:
                keys, which = got
                gdetail[a:b][ok] = np.array(
                    [results.setdefault(x, len(results)) for x in keys], dtype=np.intp)[which]
    why, detail = np.empty_like(gwhy), np.empty_like(gdetail)  # back in list order
    why[order], detail[order] = gwhy, gdetail
    refused = np.flatnonzero(why >= 0)
    if len(refused):
        sim.month_report.rejected.extend(
            (loans[p], kinds[p], cat[kinds[p]].requires[why[p]]) for p in refused.tolist())
    pos = np.flatnonzero(why < 0)
    if not len(pos):
        return
    tl, tc = li[pos], ci[pos]
    # hours (no action here is the legal team's), money (the fixed cost plus a share of
    # the balance: routine actions do not move it) and the months of preventive action,
    # booked in list order (kernels_act.charge_block)
    sim._hours_left, sim.money_spent, cost = charge_block(
        float(sim._hours_left), float(sim.money_spent), tl, tc, hours[pos], tab.fixed,
        tab.share, tab.preventive, sim.status, sim.balance, sim.written_off, sim.costs,
        sim.first_action, sim.acted, t, taken, len(codes))
    sim._done_this_month.update(zip(tl.tolist(), tab.name_objects[tc].tolist(), strict=True))
    sim.rec.log_block(t, tl, tab.events, tc, cost, list(results), detail[pos])
    if tab.check >= 0:
        sim._targeted.extend(tl[tc == tab.check].tolist())
