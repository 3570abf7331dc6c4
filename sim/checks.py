"""Post-loan checks (贷后检查): which fall due, what they cost, what overload does.

A monitoring policy sets a routine interval per class and a first check after
disbursement. Checks due take the officers' hours first; when the hours run
short some slip to next month and the rest are rushed, with lower quality
(checks that become a formality, 流于形式), unless the officer gives them a set
number of hours (Decision.routine_hours): then the oldest that fit are done in
full and the rest slip. Compliance counts the checks done on time against those
required, and the loan-months up to the case's own policy (`against_bank_policy`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim import defaults
from sim.codes import ON_BOOKS, CheckKind, LoanClass, Product
from sim.interventions.workouts import collateral_value
from sim.kernels import checks as kernels
from sim.policy import MonitoringPolicy
from sim.signals import onsite_sightings

FIRST, ROUTINE = CheckKind.FIRST.value, CheckKind.ROUTINE.value  # plain ints for numpy
CHECK_HOURS_BY_PRODUCT = np.array([defaults.CHECK_HOURS[p.name.lower()] for p in Product])
"""(product, CheckKind) -> hours of one check."""


def init_columns(sim, rng_b: np.random.Generator) -> None:
    n = sim.n
    # seasoned loans were last checked within one routine interval, spread over it
    sim.never_checked = sim.pf.mob0 == 0
    spread = sim.sc.monitoring.interval_months.normal or defaults.SEASONED_CHECK_SPREAD_MONTHS
    sim.last_check = np.where(sim.never_checked, -1,
                              -rng_b.integers(0, spread, n)).astype(np.int32)
    sim.due_since = np.full(n, -1, dtype=np.int32)
    sim.due_kind = np.zeros(n, dtype=np.int8)
    sim.closer_until = np.full(n, -1, dtype=np.int32)
    sim.check_hours = CHECK_HOURS_BY_PRODUCT[sim.pf.product]
    sim.appraisal_month = np.zeros(n, dtype=np.int32)


def interval_list(policy: MonitoringPolicy) -> tuple[int, ...]:
    """Routine interval in months per LoanClass, in class order (0 = no routine checks)."""
    iv = policy.interval_months
    return iv.normal, iv.special_mention, iv.substandard, iv.doubtful, iv.loss


def class_intervals(policy: MonitoringPolicy) -> np.ndarray:
    """`interval_list` as an array, to index by a column of classes."""
    return np.array(interval_list(policy))


def intervals(sim, policy: MonitoringPolicy, t: int) -> np.ndarray:
    """Routine interval per loan at month t: its class's, or monthly under closer monitoring."""
    return np.where(sim.closer_until >= t, 1, class_intervals(policy)[sim.cls])


def first_check_month(policy: MonitoringPolicy) -> int:
    """The month a new loan's first check falls due (days rounded up to months)."""
    return max(1, math.ceil(policy.first_check_days / defaults.DAYS_PER_MONTH))


def next_check_month(sim, policy: MonitoringPolicy, month: int) -> np.ndarray:
    """Month of each loan's next required check under a policy, seen from decision month
    `month` (-1: none required). A check already overdue is due at `month`."""
    interval = intervals(sim, policy, month)
    routine = np.where(interval > 0, np.maximum(sim.last_check + interval, month), -1)
    first = max(first_check_month(policy), month) if policy.first_check_days > 0 else -1
    nxt = np.where(sim.never_checked, first, routine)
    return np.where(sim.status <= ON_BOOKS, nxt, -1)


class DueParts(NamedTuple):
    """What the checks due at month t depend on, apart from the policy: computed once when
    several candidate policies are costed at the same decision point."""

    first: np.ndarray  # on the books and never checked
    routine_closer: np.ndarray  # checked before, under closer monitoring, a month or more ago
    routine_other: np.ndarray  # checked before, not under closer monitoring
    since: np.ndarray  # months since the last check
    cls: np.ndarray
    pending: np.ndarray  # fell due earlier and slipped


_NEVER_DUE = np.iinfo(np.int64).max
"""An interval of 0 (no routine checks) as a threshold no loan reaches."""


def due_parts(sim, t: int) -> DueParts:
    on_books = sim.status <= ON_BOOKS
    never = sim.never_checked
    checked = on_books & ~never
    closer = sim.closer_until >= t
    since = (t - sim.last_check).astype(np.int64)
    return DueParts(first=on_books & never, routine_closer=checked & closer & (since >= 1),
                    routine_other=checked & ~closer, since=since,
                    cls=sim.cls.astype(np.intp),  # take() with intp indices is the fast path
                    pending=sim.due_since >= 0)


def _due(parts: DueParts, policy: MonitoringPolicy, t: int) -> tuple[np.ndarray, np.ndarray]:
    threshold = class_intervals(policy).astype(np.int64)
    threshold[threshold <= 0] = _NEVER_DUE
    routine_due = parts.routine_other & (parts.since >= threshold.take(parts.cls))
    routine_due |= parts.routine_closer
    if t >= first_check_month(policy) and policy.first_check_days > 0:
        return parts.first, routine_due
    return np.zeros_like(parts.first), routine_due


def due_masks(sim, policy: MonitoringPolicy, t: int) -> tuple[np.ndarray, np.ndarray]:
    """(first check due, routine check due) under a policy at month t."""
    return _due(due_parts(sim, t), policy, t)


def policy_hours(sim, policy: MonitoringPolicy, t: int, parts: DueParts | None = None) -> float:
    """Hours the checks due at month t under a policy would take, slipped ones included.
    `parts`: `due_parts(sim, t)` when the caller costs several policies on the same state."""
    first_due, routine_due = _due(parts or due_parts(sim, t), policy, t)
    due = first_due | routine_due | (parts.pending if parts else sim.due_since >= 0)
    kind = np.where(first_due, FIRST, ROUTINE)
    return float(sim.check_hours[np.flatnonzero(due), kind[due]].sum())


class _Demand(NamedTuple):
    """`policy_hours` reduced to what a policy changes: which checked loans' routine checks
    fall due. The rest is due under every policy (slipped checks, closer monitoring) or
    under every policy that books first checks."""

    parts: DueParts | None  # None where the table stands in for them
    always: tuple[np.ndarray, np.ndarray] | None  # without, with first checks
    hours: tuple[np.ndarray, np.ndarray] | None  # each loan's check hours: without, with first
    table: tuple[tuple[float, float], list[list[float]]] | None
    """Exact sums, when every check's hours are a multiple of EXACT_HOURS_UNIT: the hours
    always due (without, with first checks), and table[class][m]: the routine hours of the
    other checked loans last checked m or more months ago (sim.kernels.checks.demand_table),
    as lists: each policy costed reads five of its figures."""


EXACT_HOURS_UNIT = 2.0 ** -10
"""Hours that are whole multiples of this (and sum to well under 2**53 of it) add up
exactly in floating point, in any order: a policy's demand can then be summed from a
table of partial sums and equal the loan-by-loan sum to the last bit."""
_EXACT_HOURS_LIMIT = 2.0 ** 40


def _exact_hours(hours: np.ndarray) -> bool:
    """Whether sums of `hours` are exact whatever the order of the additions."""
    scaled = hours / EXACT_HOURS_UNIT
    return bool(np.all(scaled == np.floor(scaled))
                and float(np.abs(hours).sum()) < _EXACT_HOURS_LIMIT * EXACT_HOURS_UNIT)


def _demand_parts(sim, t: int) -> _Demand:
    exact = getattr(sim, "_check_hours_exact", None)
    if exact is None:
        exact = sim._check_hours_exact = _exact_hours(sim.check_hours)
    if exact:  # the table in one pass (sim.kernels.checks.demand_table): the same sums
        without, with_first, at_least = kernels.demand_table(
            t, ON_BOOKS, sim.status, sim.never_checked, sim.closer_until, sim.last_check,
            sim.cls, sim.due_since, sim.check_hours, FIRST, ROUTINE, len(LoanClass))
        return _Demand(None, None, None, ((without, with_first), at_least.tolist()))
    parts = due_parts(sim, t)
    base = parts.routine_closer | parts.pending
    routine = sim.check_hours[:, ROUTINE]
    always = (base, base | parts.first)
    hours = (routine, np.where(parts.first, sim.check_hours[:, FIRST], routine))
    return _Demand(parts, always, hours, None)


def _demand_hours(d: _Demand, policy: MonitoringPolicy, t: int) -> float:
    """`policy_hours` on parts: the same loans' hours, summed alike (or, when the hours
    add up exactly, from the table of partial sums: the same figure)."""
    first = int(t >= first_check_month(policy) and policy.first_check_days > 0)
    if d.table is not None:
        always, at_least = d.table
        total = always[first]
        for by_months, interval in zip(at_least, interval_list(policy), strict=True):
            if 0 < interval < len(by_months):  # 0: no routine checks; wider: none that late
                total += by_months[interval]
        return total
    threshold = class_intervals(policy).astype(np.int64)
    threshold[threshold <= 0] = _NEVER_DUE
    due = d.parts.routine_other & (d.parts.since >= threshold.take(d.parts.cls))
    due |= d.always[first]
    return float(d.hours[first][due].sum())


def policy_load(sim, policy: MonitoringPolicy, t: int) -> float:
    """Hours a month the policy's routine checks take on average on the book as it stands:
    each on-book loan's routine check over its class's interval (monthly under closer
    monitoring), whatever is overdue now. What keeping the policy costs once any backlog
    is cleared (`policy_hours` is this month's demand, backlog included). The terms in one
    compiled pass (sim.kernels.checks.routine_load), summed by numpy."""
    return float(kernels.routine_load(t, ON_BOOKS, sim.status, sim.closer_until, sim.cls,
                                      class_intervals(policy), sim.check_hours, ROUTINE).sum())


def policy_demand(sim, t: int):
    """`policy_hours` at month t as a function of the policy, for one decision point: the
    parts that do not depend on the policy are computed once, at the first call, and each
    policy's hours once (the state does not move while a strategy decides)."""
    parts: list[_Demand] = []
    known: dict[int, tuple[MonitoringPolicy, float]] = {}  # holding the policy keeps its id

    def demand(policy: MonitoringPolicy) -> float:
        got = known.get(id(policy))
        if got is not None and got[0] is policy:
            return got[1]
        if not parts:
            parts.append(_demand_parts(sim, t))
        hours = _demand_hours(parts[0], policy, t)
        known[id(policy)] = (policy, hours)
        return hours

    return demand


def _books_no_checks(policy: MonitoringPolicy) -> bool:
    """Whether a policy asks for no routine and no first checks (closer monitoring and
    slipped checks still fall due under it)."""
    iv = policy.interval_months
    return policy.first_check_days <= 0 and max(
        iv.normal, iv.special_mention, iv.substandard, iv.doubtful, iv.loss) <= 0


def run_due(sim, t: int, routine_hours: float | None = None) -> None:
    """Routine and first checks the policy requires; overload makes them slip or rush.

    routine_hours: the hours the officer gives the checks due this month (Decision.
    routine_hours). Checks beyond them are not rushed: the oldest that fit are done in
    full, the rest slip to next month, first in its queue.

    The due checks and the queue come from sim.kernels.checks.checks_due (the rule of
    `due_masks`); the queue is sorted (oldest first, then worse class, then larger
    balance) and fitted to the hours here."""
    policy = sim.policy
    if _books_no_checks(policy) and not (sim.due_since >= 0).any() \
            and not (sim.closer_until >= t).any():
        return  # nothing falls due, nothing slipped: no check this month
    tally = sim.rec.checks
    required, idx, hours, neg_balance, neg_cls, since = kernels.checks_due(
        t, ON_BOOKS, class_intervals(policy),
        bool(t >= first_check_month(policy) and policy.first_check_days > 0), FIRST, ROUTINE,
        len(tally.required), sim.status, sim.never_checked, sim.closer_until, sim.last_check,
        sim.cls, sim.due_since, sim.due_kind, sim.check_hours, sim.balance)
    tally.required += required
    if not len(idx):
        return
    order = np.lexsort((neg_balance, neg_cls, since))
    idx, hours = idx[order], hours[order]
    done, quality, spent = _fit(hours, idx, sim._hours_left, routine_hours)
    sim._hours_left -= min(spent, sim._hours_left)
    slipped = len(idx) - len(done)
    tally.slipped += slipped
    sim.month_report.checks_slipped = slipped
    if len(done):
        on_time, count = kernels.checks_done(t, done, sim.due_since, sim.due_kind,
                                             len(tally.done))
        tally.on_time += on_time
        tally.done += count
        tally.quality_sum += quality * len(done)
        tally.quality_n += len(done)
        sim.month_report.checks_done = len(done)
        sim.month_report.check_quality = quality
        do_checks(sim, t, done, None, quality)


def routine_budget(avail: float, cap: float) -> float:
    """The most the checks due may take when the officer gives them `cap` hours of the
    `avail` left: never more than the month has, so they are never rushed."""
    return min(cap, avail)


def _fit(hours: np.ndarray, idx: np.ndarray, avail: float, cap: float | None = None):
    """(checks done, their quality, hours spent) when checks needing `hours` meet `avail`,
    or, with a cap on the hours they may take, as many in order as fit it unrushed."""
    demand = float(hours.sum())
    if demand <= avail and (cap is None or demand <= cap):
        return idx, 1.0, demand
    cum = np.cumsum(hours)
    if cap is not None:  # the officer's hours for them: the rest slip, none is rushed
        k = int(np.searchsorted(cum, routine_budget(avail, cap), side="right"))
        return idx[:k], 1.0, float(cum[k - 1]) if k else 0.0
    k = int(np.searchsorted(cum, avail * defaults.RUSH_FACTOR, side="right"))
    spent = avail if k else 0.0  # nothing fits: the hours stay for other work
    quality = min(1.0, avail / float(cum[k - 1])) if k else 1.0
    return idx[:k], quality, spent


def against_bank_policy(sim, t: int) -> None:
    """After month t's checks, hold the book to the case's own monitoring policy (the
    bank's rules), whatever policy the officer runs: loans it holds to a check, and those
    up to date, added to the run's tally (CheckTally.policy_share). An officer who runs a
    lighter policy, or whose checks slip, falls behind the bank's rules although every
    check its own policy asked was done on time."""
    bank = sim.sc.monitoring
    held, current = kernels.up_to_policy(
        t, ON_BOOKS, sim.status, sim.never_checked, sim.last_check, sim.cls,
        class_intervals(bank), bool(t >= first_check_month(bank) and bank.first_check_days > 0))
    sim.rec.checks.policy_held += held
    sim.rec.checks.policy_current += current


def do_checks(sim, t: int, idx: np.ndarray, kind: CheckKind | None, quality: float) -> None:
    """On-site checks on loans idx: reveal on-site signals, diversion and collateral.

    kind TARGETED counts the checks as required and done; routine and first checks
    (kind None) were counted when they fell due."""
    if kind == CheckKind.TARGETED:
        tally = sim.rec.checks
        tally.required[kind] += len(idx)
        tally.on_time[kind] += len(idx)
        tally.done[kind] += len(idx)
        tally.quality_sum += quality * len(idx)
        tally.quality_n += len(idx)
        sim.month_report.checks_done += len(idx)  # the month's report counts them too
    idx = np.asarray(idx, dtype=np.int64)
    true_value = collateral_value(sim, idx)  # the findings below do not move it
    onsite_sightings(sim, t, idx, quality ** defaults.QUALITY_EXPONENT, true_value)
    kernels.record_checks(
        t, idx, true_value, 1.0 + defaults.RUSHED_APPRAISAL_BIAS * (1.0 - quality),
        sim.last_check, sim.never_checked, sim.due_since, sim.appraised, sim.appraisal_month)
    sim.rec.log_many(t, idx, "check")
