"""Post-loan checks (贷后检查): which fall due, what they cost, what overload does.

A monitoring policy sets a routine interval per class and a first check after
disbursement. Checks due take the officers' hours first; when the hours run
short some slip to next month and the rest are rushed, with lower quality
(checks that become a formality, 流于形式). Compliance counts the checks done
on time against those required.
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.codes import ON_BOOKS, CheckKind, Product
from sim.policy import MonitoringPolicy

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


def class_intervals(policy: MonitoringPolicy) -> np.ndarray:
    """Routine interval in months per LoanClass (0 = no routine checks)."""
    iv = policy.interval_months
    return np.array([iv.normal, iv.special_mention, iv.substandard, iv.doubtful, iv.loss])


def intervals(sim, policy: MonitoringPolicy, t: int) -> np.ndarray:
    """Routine interval per loan at month t: its class's, or monthly under closer monitoring."""
    return np.where(sim.closer_until >= t, 1, class_intervals(policy)[sim.cls])


def first_check_month(policy: MonitoringPolicy) -> int:
    """The month a new loan's first check falls due (days rounded up to months)."""
    return max(1, int(np.ceil(policy.first_check_days / defaults.DAYS_PER_MONTH)))


def next_check_month(sim, policy: MonitoringPolicy, month: int) -> np.ndarray:
    """Month of each loan's next required check under a policy, seen from decision month
    `month` (-1: none required). A check already overdue is due at `month`."""
    interval = intervals(sim, policy, month)
    routine = np.where(interval > 0, np.maximum(sim.last_check + interval, month), -1)
    first = max(first_check_month(policy), month) if policy.first_check_days > 0 else -1
    nxt = np.where(sim.never_checked, first, routine)
    return np.where(sim.status <= ON_BOOKS, nxt, -1)


def due_masks(sim, policy: MonitoringPolicy, t: int) -> tuple[np.ndarray, np.ndarray]:
    """(first check due, routine check due) under a policy at month t."""
    interval = intervals(sim, policy, t)
    on_books = sim.status <= ON_BOOKS
    first_month = first_check_month(policy)
    never = sim.never_checked
    first_due = on_books & never & (t >= first_month) & (policy.first_check_days > 0)
    routine_due = on_books & ~never & (interval > 0) & (t - sim.last_check >= interval)
    return first_due, routine_due


def policy_hours(sim, policy: MonitoringPolicy, t: int) -> float:
    """Hours the checks due at month t under a policy would take, slipped ones included."""
    first_due, routine_due = due_masks(sim, policy, t)
    due = first_due | routine_due | (sim.due_since >= 0)
    kind = np.where(first_due, CheckKind.FIRST, CheckKind.ROUTINE)
    return float(sim.check_hours[np.flatnonzero(due), kind[due]].sum())


def run_due(sim, t: int) -> None:
    """Routine and first checks the policy requires; overload makes them slip or rush."""
    first_due, routine_due = due_masks(sim, sim.policy, t)
    on_books = sim.status <= ON_BOOKS
    due = first_due | routine_due
    newly = due & (sim.due_since < 0)
    tally = sim.rec.checks
    sim.due_since[newly] = t
    sim.due_kind[newly & first_due] = CheckKind.FIRST
    sim.due_kind[newly & ~first_due] = CheckKind.ROUTINE
    np.add.at(tally.required, sim.due_kind[newly], 1)
    sim.due_since[~due & (sim.due_since >= 0) & ~on_books] = -1
    idx = np.flatnonzero(sim.due_since >= 0)
    if not len(idx):
        return
    hours = sim.check_hours[idx, sim.due_kind[idx]]
    order = np.lexsort((-sim.balance[idx], -sim.cls[idx], sim.due_since[idx]))
    idx, hours = idx[order], hours[order]
    done, quality, spent = _fit(hours, idx, sim._hours_left)
    sim._hours_left -= min(spent, sim._hours_left)
    slipped = len(idx) - len(done)
    tally.slipped += slipped
    sim.month_report.checks_slipped = slipped
    if len(done):
        on_time = sim.due_since[done] == t
        np.add.at(tally.on_time, sim.due_kind[done][on_time], 1)
        np.add.at(tally.done, sim.due_kind[done], 1)
        tally.quality_sum += quality * len(done)
        tally.quality_n += len(done)
        sim.month_report.checks_done = len(done)
        sim.month_report.check_quality = quality
        sim.due_since[done] = -1
        do_checks(sim, t, done, None, quality)


def _fit(hours: np.ndarray, idx: np.ndarray, avail: float):
    """(checks done, their quality, hours spent) when checks needing `hours` meet `avail`."""
    demand = float(hours.sum())
    if demand <= avail:
        return idx, 1.0, demand
    cum = np.cumsum(hours)
    k = int(np.searchsorted(cum, avail * defaults.RUSH_FACTOR, side="right"))
    spent = avail if k else 0.0  # nothing fits: the hours stay for other work
    quality = min(1.0, avail / float(cum[k - 1])) if k else 1.0
    return idx[:k], quality, spent


def do_checks(sim, t: int, idx: np.ndarray, kind: CheckKind | None, quality: float) -> None:
    """On-site checks on loans idx: reveal on-site signals, diversion and collateral.

    kind TARGETED counts the checks as required and done; routine and first checks
    (kind None) were counted when they fell due."""
    from sim.interventions.workouts import collateral_value
    from sim.signals import onsite_sightings

    if kind == CheckKind.TARGETED:
        tally = sim.rec.checks
        tally.required[kind] += len(idx)
        tally.on_time[kind] += len(idx)
        tally.done[kind] += len(idx)
        tally.quality_sum += quality * len(idx)
        tally.quality_n += len(idx)
        sim.month_report.checks_done += len(idx)  # the month's report counts them too
    sim.last_check[idx] = t
    sim.never_checked[idx] = False
    sim.due_since[idx] = -1
    onsite_sightings(sim, t, idx, quality ** defaults.QUALITY_EXPONENT)
    true_value = collateral_value(sim, idx)
    sim.appraised[idx] = true_value * (1.0 + defaults.RUSHED_APPRAISAL_BIAS * (1.0 - quality))
    sim.appraisal_month[idx] = t
    sim.rec.log_many(t, idx, "check")
