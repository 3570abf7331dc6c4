"""The compiled monthly core (sim.kernels) gives what the plain numpy steps it replaced
give, to the last bit: each step is run both ways on the same randomised state of a
real book (zero rates, matured loans, deferrals, defaults, judgements, slipped checks
included), and every column, every logged event and every tally must match exactly.

The references below are the numpy versions of the steps as they stood before the
kernels (sim/loanbook.py, sim/credit.py, sim/classification.py, sim/signals.py and
sim/checks.py of December 2026)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import checks, classification, credit, defaults, loanbook, signals
from sim.codes import BORROWER_KIND_KEYS, ON_BOOKS, CheckKind, LoanClass, SignalSource
from sim.engine import Simulation
from sim.kernels import book as book_kernels
from sim.kernels import checks as check_kernels
from sim.kernels import health as health_kernels
from sim.kernels import signals as signal_kernels
from sim.policy import MonitoringPolicy
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
ACTIVE, DEFAULTED, CLOSED = loanbook.ACTIVE, loanbook.DEFAULTED, loanbook.CLOSED


# --- the numpy references ---------------------------------------------------------------
def ref_reprice(sim, t):
    pf = sim.pf
    if not sim._rates_reset_due.any():
        return
    reset_now = sim._rates_reset_due & (sim.mob % pf.reset_months == 0)
    if reset_now.any():
        new = loanbook.base_rate(sim.lpr, pf.base_5y) + pf.spread
        old = sim.rate.copy()
        start = {"lpr_1y": sim.sc.lpr_1y, "lpr_5y": sim.sc.lpr_5y}
        conc = sim.rate0 - (loanbook.base_rate(start, pf.base_5y) + pf.spread)
        sim.rate[reset_now] = np.maximum(0.0, new[reset_now] + conc[reset_now])
        moved = reset_now & (old != sim.rate)
        sim.rec.log_many(t, np.flatnonzero(moved), "rate_reset", sim.rate[moved])
        sim._rates_reset_due &= ~reset_now


def ref_step_health(sim, t, x, shock, z_idio):
    pf = sim.pf
    burden = np.where(pf.floating, -defaults.RATE_BURDEN_HEALTH_PER_PCT *
                      (sim.rate - sim.rate0) * 100.0, 0.0)
    e = credit.factor_step(sim.e, z_idio, defaults.IDIO_PHI_MONTHLY)
    sim.e = e[pf.borrower] if sim._health_shared else e
    c = credit.barrier(sim._group_gp, sim._group_sqrt_rho, x)[sim._group_of]
    live = sim.status <= ON_BOOKS
    start_diverting = pf.diverter & ~sim.entrusted & ~sim.diverting & live & \
        (sim.d < defaults.DIVERSION_ONSET_HEALTH) & (t > 1)
    sim.diverting |= start_diverting
    sim.rec.log_many(t, np.flatnonzero(start_diverting), "diversion_started")
    sim.shift[sim.diverting & live] -= defaults.DIVERSION_DRAIN_PER_MONTH
    d = sim.e - c + sim.shift + shock + burden + sim.boost
    sim.boost[:] = 0.0
    sim.d = d
    sim.d_hist[t % defaults.HEALTH_HISTORY_MONTHS] = d
    return d


def ref_book_step(sim, t, d):
    live = sim.status <= ON_BOOKS
    can_draw = live & ~sim.frozen & (sim.undrawn > 0) & ~sim.defaulted
    tranche = np.where(sim._staged & (d > 0), sim.undrawn0 / defaults.SCHEDULED_DRAW_MONTHS, 0.0)
    tranche = np.where(d < defaults.DRAWDOWN_HEALTH, sim.undrawn, tranche)
    draw = np.where(can_draw, np.minimum(tranche, sim.undrawn), 0.0)
    sim.undrawn -= draw
    sim.balance += draw
    sim.disbursed += draw
    # _pay
    performing = (sim.status == ACTIVE) & ~sim.defaulted
    deferred = sim.deferral_until >= t
    due = performing & ~deferred & (sim.balance > 0)
    miss = due & (d < 0)
    pay = due & ~miss
    principal, interest_due = ref_scheduled_principal(sim)
    paid_principal = np.where(pay, principal, 0.0)
    scheduled = principal + interest_due
    sim._last_due = np.where(due, scheduled, 0.0)
    sim._last_paid = np.where(pay, scheduled + sim.arrears_interest, 0.0)
    cured = pay & (sim.misses > 0)
    sim.interest += np.where(pay, interest_due + sim.arrears_interest, 0.0)
    sim.arrears_interest = np.where(pay, 0.0, sim.arrears_interest + np.where(
        miss, interest_due, 0.0))
    sim.balance -= paid_principal
    sim.repaid += paid_principal
    sim.arrears_interest += np.where(deferred & performing, interest_due, 0.0)
    sim.misses += miss
    sim.misses[pay] = 0
    sim.rec.log_many(t, np.flatnonzero(cured), "cured")
    sim.rec.log_many(t, np.flatnonzero(miss & (sim.misses == 1)), "payment_missed")
    sim.mob += performing.astype(np.int32)
    paid_off = defaults.PAID_OFF_TOLERANCE_CNY
    matured = performing & (sim.balance <= paid_off) & ((sim.undrawn <= paid_off)
                                                         | (sim.mob >= sim.term))
    sim.balance[matured] = 0.0
    sim.undrawn[matured] = 0.0
    sim.status[matured] = CLOSED
    sim.rec.log_many(t, np.flatnonzero(matured), "repaid")
    # _arrears
    sim.dpd = np.where(sim.defaulted & (sim.status == DEFAULTED), sim.dpd + defaults.DAYS_PER_MONTH,
                       sim.misses * defaults.DAYS_PER_MONTH).astype(np.int32)
    new_default = ~sim.defaulted & (sim.status == ACTIVE) & \
        (sim.misses >= defaults.MISSES_TO_DEFAULT)
    ref_default_loans(sim, t, np.flatnonzero(new_default))
    # a restructured loan that misses a payment restarts its observation period
    if sim._observations_open:
        watched = sim.restructured_until >= t
        restart = watched & (sim.misses > 0) & (sim.status == ACTIVE)
        sim.restructured_until[restart] = t + int(
            (sim.catalogue.get("restructure") or defaults.INTERVENTIONS["restructure"])
            .params["observation_months"])
        sim._observations_open = bool(watched.any())
    # a cured NPL that misses a payment starts its count to an upgrade again
    if sim._upgrades_pending:
        held = sim.upgrade_from > t
        sim.upgrade_from[held & (sim.misses > 0) & (sim.status == ACTIVE)] = \
            t + defaults.NPL_UPGRADE_MONTHS
        sim._upgrades_pending = bool(held.any())
    # _cure_defaulted
    dl = np.flatnonzero(sim.status == DEFAULTED)
    if len(dl):
        chance = np.where(sim.lawsuit_month[dl] >= 0, defaults.COLLECTION_CURE_DEFAULTED,
                          defaults.SELF_CURE_DEFAULTED)
        cure = dl[(sim._u_act[dl, 0] < chance) & (d[dl] > defaults.CURE_HEALTH)
                  & (sim.floor[dl] < LoanClass.SUBSTANDARD)]
        if len(cure):
            sim.status[cure] = ACTIVE
            sim.defaulted[cure] = False
            sim.misses[cure] = 0
            sim.dpd[cure] = 0
            sim.upgrade_from[cure] = t + defaults.NPL_UPGRADE_MONTHS
            sim._upgrades_pending = True
            sim._cure_pv[cure] += sim.balance[cure] * sim.discount(t)
            sim._cured_balance += float(sim.balance[cure].sum())
            sim.rec.log_many(t, cure, "default_cured", sim.balance[cure])
    distressed = live & (d < 0)
    sim.distress_months += (distressed & ~sim.preserved)
    sim.condition[distressed] *= 1.0 - defaults.COLLATERAL_DECAY_PER_MONTH_DISTRESSED


def ref_default_loans(sim, t, idx):
    if not len(idx):
        return
    sim.defaulted[idx] = True
    sim.status[idx] = DEFAULTED
    first = idx[sim.default_month[idx] < 0]
    sim.default_month[first] = t
    sim.ead[idx] = sim.balance[idx]
    sim._ead_pv[idx] += sim.balance[idx] * sim.discount(t)
    sim._ead_total += float(sim.balance[idx].sum())
    sim.dpd[idx] = np.maximum(sim.dpd[idx], defaults.DEFAULT_DPD)
    sim.month_report.new_defaults += len(idx)
    sim.rec.log_many(t, idx, "default", sim.balance[idx])
    fresh = idx[~sim._chain_hit[idx]]
    sim._chain_hit[fresh] = True
    gone = np.zeros(sim.n + 1, dtype=bool)
    gone[fresh] = True
    hit = gone[sim.pf.guarantor]
    sim.shift[hit] -= defaults.GUARANTEE_LOST_HEALTH
    called = np.flatnonzero(gone[:sim.n] & (sim.pf.guarantor >= 0))
    np.subtract.at(sim.shift, sim.pf.guarantor[called], defaults.GUARANTEE_CLAIM_HEALTH)


def ref_scheduled_principal(sim):
    r = sim.rate / 12.0
    remaining = np.maximum(sim.term - sim.mob, 1)
    interest_due = sim.balance * r
    level = sim.balance / remaining
    principal = np.where(sim._equal_principal, level, np.where(remaining <= 1, sim.balance, 0.0))
    ei = sim._equal_instalment
    if len(ei):
        r_ei, due_ei = r[ei], interest_due[ei]
        if r_ei.min() > 0:
            annuity = due_ei / (1 - (1 + r_ei) ** (-remaining[ei]))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                annuity = np.where(r_ei > 0, due_ei / (1 - (1 + r_ei) ** (-remaining[ei])),
                                   level[ei])
        principal[ei] = annuity - due_ei
    return np.minimum(np.maximum(principal, 0.0), sim.balance), interest_due


def ref_classify(dpd, flagged, floor, balance=None, borrower=None):
    sub = int(LoanClass.SUBSTANDARD)
    cls = np.zeros(dpd.shape, dtype=np.int8)
    cls[(dpd > 0) | flagged] = LoanClass.SPECIAL_MENTION
    for days, c in classification.DAY_TRIGGERS:
        cls[dpd > days] = c
    np.maximum(cls, floor.astype(np.int8), out=cls)
    if borrower is not None and balance is not None and len(borrower):
        n = int(borrower.max()) + 1
        total = np.bincount(borrower, weights=balance, minlength=n)
        npl = np.bincount(borrower, weights=np.where(cls >= sub, balance, 0.0), minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total > 0, npl / total, 0.0)
        infected = share[borrower] > classification.CONTAGION_SHARE
        cls[infected & (cls < sub)] = sub
    return cls


def ref_reclassify(sim, t):
    flagged = sim.known_diversion | (sim.restructured_until >= t)
    old = sim.cls
    on_books = sim.status <= ON_BOOKS
    borrower = sim.borrower_of_loan if sim.multi_loan else None
    # a cured NPL before its upgrade month stays at least substandard
    floor = np.where((sim.upgrade_from > t) & on_books,
                     np.maximum(sim.floor, LoanClass.SUBSTANDARD), sim.floor).astype(np.int8)
    sim.cls_objective = ref_classify(sim.dpd, flagged & on_books, floor, sim.balance, borrower)
    sim.cls = sim.cls_objective
    judged = np.where(on_books, sim.judgement, 0).astype(np.int8)
    if judged.any():
        sim.cls = ref_classify(sim.dpd, flagged & on_books, np.maximum(floor, judged),
                               sim.balance, borrower)
    changed = np.flatnonzero((sim.cls != old) & on_books)
    sim.rec.log_many(t, changed, "class_change", sim.cls[changed])


def _ref_plan(sim, source):
    return [p for p in signals._plan(sim, source)]


def _ref_conditions(sim, plan, on):
    cond = np.empty((len(plan), sim.n), dtype=bool)
    now = sim.t - (0 if sim._ticked else 1)
    for row, p in enumerate(plan):
        if p.sig.driver == "health":
            lag_d = sim.d_hist[(now - p.lag) % defaults.HEALTH_HISTORY_MONTHS]
            np.less(lag_d, p.line, out=cond[row])
        else:
            cond[row] = signals.condition(sim, p.sig, slice(None))
    cond &= on
    return cond


def _ref_first_warnings(sim, t, hit, js):
    if not len(hit):
        return
    fresh = np.logical_or.reduce(hit, axis=0) & (sim.first_warning < 0)
    if fresh.any():
        loans = np.flatnonzero(fresh)
        sim.first_warning[loans] = t
        sim.first_warning_signal[loans] = js[hit[:, loans].argmax(axis=0)]


def _ref_applies(sim, plan, idx):
    """Where each signal of the plan can be about the loan: a borrower of a kind it
    describes, and security for the collateral signal, a guarantor for the guarantor
    signal."""
    pf = sim.pf
    n = len(np.arange(sim.n)[idx])
    can = np.ones((len(plan), n), dtype=bool)
    kinds = np.array(BORROWER_KIND_KEYS)[pf.kind[idx]]
    for row, p in enumerate(plan):
        if p.sig.driver == "collateral":
            can[row] = (~sim.collateral_sold[idx] & (pf.collateral_type[idx] != 0)) | (
                sim.extra_collateral[idx] > 0)
        elif p.sig.driver == "guarantor":
            can[row] = pf.guarantor[idx] >= 0
        can[row] &= np.isin(kinds, p.sig.kinds)
    return can


def ref_offsite_sightings(sim, t):
    on = sim.status <= ON_BOOKS
    plan = [p for p in _ref_plan(sim, "offsite")
            if p.sig.every_months <= 1 or signals.is_report_month(t, p.sig.every_months, p.lag)]
    js = np.array([p.j for p in plan], dtype=np.int64)
    keep = np.array([p.keep for p in plan], dtype=float)[:, None]
    fp = np.array([p.fp for p in plan], dtype=float)[:, None]
    warn = np.array([p.key != "payment_late" for p in plan], dtype=bool)
    if plan:
        draws = sim._u_sig.T[js]
        cond = _ref_conditions(sim, plan, on)
        for row, p in enumerate(plan):
            if p.key == "collection_bypass":
                cond[row] |= sim.diverting & on
        can = _ref_applies(sim, plan, slice(None))
        cond &= can
        seen = (cond & (draws < keep)) | (~cond & can & (draws < fp))
        seen &= on
        for row, p in enumerate(plan):
            if p.key == "statement_weak" and sim.keep_history:
                live = np.flatnonzero(on & can[row])
                signals._keep_statements(sim, t, t - p.lag, live, cond[row][live],
                                         seen[row][live], p.sig)
        rows, loans = np.divmod(np.flatnonzero(seen), sim.n)
        if len(rows):
            sim.last_seen[loans, js[rows]] = t
            if sim.warnings:
                _ref_first_warnings(sim, t, seen[warn], js[warn])
            sim.rec.sightings(t, loans, js[rows], SignalSource.OFFSITE)
    if sim.warnings:
        plan = [p for p in _ref_plan(sim, "onsite") if p.sig.driver in ("health", "diversion")]
        js = np.array([p.j for p in plan], dtype=np.int64)
        cond = _ref_conditions(sim, plan, on) & _ref_applies(sim, plan, slice(None))
        _ref_first_warnings(sim, t, cond, js)
        for row, p in enumerate(plan):
            held = np.flatnonzero(cond[row])
            if len(held):
                sim.rec.latent.append((t, held, p.j))


def ref_onsite_sightings(sim, t, idx, detect):
    u = sim._u_sig[idx]
    plan = _ref_plan(sim, "onsite")
    if plan and len(idx):
        js = np.array([p.j for p in plan], dtype=np.int64)
        keep = np.array([p.keep for p in plan], dtype=float)[:, None]
        fp = np.array([p.fp for p in plan], dtype=float)[:, None]
        cond = np.empty((len(plan), len(idx)), dtype=bool)
        now = sim.t - (0 if sim._ticked else 1)
        for row, p in enumerate(plan):
            if p.sig.driver == "health":
                lag_d = sim.d_hist[(now - p.lag) % defaults.HEALTH_HISTORY_MONTHS]
                np.less(lag_d[idx], p.line, out=cond[row])
            else:
                cond[row] = signals.condition(sim, p.sig, idx)
        draws = u[:, js].T
        can = _ref_applies(sim, plan, idx)
        cond &= can
        seen = (cond & (draws < keep * detect)) | (~cond & can & (draws < fp))
        rows, cols = np.divmod(np.flatnonzero(seen), len(idx))
        if len(rows):
            loans = idx[cols]
            sim.last_seen[loans, js[rows]] = t
            if sim.warnings:
                fresh = np.logical_or.reduce(seen, axis=0) & (sim.first_warning[idx] < 0)
                if fresh.any():
                    sim.first_warning[idx[fresh]] = t
                    sim.first_warning_signal[idx[fresh]] = js[seen[:, fresh].argmax(axis=0)]
            sim.rec.sightings(t, loans, js[rows], SignalSource.ONSITE)
    found = sim.diverting[idx] & (u[:, signals.U_DIVERSION] < defaults.DIVERSION_DETECTION * detect)
    sim.known_diversion[idx[found]] = True


def ref_run_due(sim, t):
    first_due, routine_due = checks.due_masks(sim, sim.policy, t)
    on_books = sim.status <= ON_BOOKS
    due = first_due | routine_due
    newly = due & (sim.due_since < 0)
    tally = sim.rec.checks
    sim.due_since[newly] = t
    sim.due_kind[newly & first_due] = checks.FIRST
    sim.due_kind[newly & ~first_due] = checks.ROUTINE
    tally.required += np.bincount(sim.due_kind[newly], minlength=len(tally.required))
    sim.due_since[~due & (sim.due_since >= 0) & ~on_books] = -1
    idx = np.flatnonzero(sim.due_since >= 0)
    if not len(idx):
        return
    hours = sim.check_hours[idx, sim.due_kind[idx]]
    order = np.lexsort((-sim.balance[idx], -sim.cls[idx], sim.due_since[idx]))
    idx, hours = idx[order], hours[order]
    done, quality, spent = checks._fit(hours, idx, sim._hours_left)
    sim._hours_left -= min(spent, sim._hours_left)
    slipped = len(idx) - len(done)
    tally.slipped += slipped
    sim.month_report.checks_slipped = slipped
    if len(done):
        on_time = sim.due_since[done] == t
        kinds = sim.due_kind[done]
        tally.on_time += np.bincount(kinds[on_time], minlength=len(tally.on_time))
        tally.done += np.bincount(kinds, minlength=len(tally.done))
        tally.quality_sum += quality * len(done)
        tally.quality_n += len(done)
        sim.month_report.checks_done = len(done)
        sim.month_report.check_quality = quality
        sim.due_since[done] = -1
        ref_do_checks(sim, t, done, None, quality)


def ref_do_checks(sim, t, idx, kind, quality):
    from sim.interventions.workouts import collateral_value

    if kind == CheckKind.TARGETED:
        tally = sim.rec.checks
        tally.required[kind] += len(idx)
        tally.on_time[kind] += len(idx)
        tally.done[kind] += len(idx)
        tally.quality_sum += quality * len(idx)
        tally.quality_n += len(idx)
        sim.month_report.checks_done += len(idx)
    sim.last_check[idx] = t
    sim.never_checked[idx] = False
    sim.due_since[idx] = -1
    ref_onsite_sightings(sim, t, idx, quality ** defaults.QUALITY_EXPONENT)
    true_value = collateral_value(sim, idx)
    sim.appraised[idx] = true_value * (1.0 + defaults.RUSHED_APPRAISAL_BIAS * (1.0 - quality))
    sim.appraisal_month[idx] = t
    sim.rec.log_many(t, idx, "check")


def ref_demand_table(sim, t):
    parts = checks.due_parts(sim, t)
    base = parts.routine_closer | parts.pending
    routine = sim.check_hours[:, checks.ROUTINE]
    always = (base, base | parts.first)
    hours = (routine, np.where(parts.first, sim.check_hours[:, checks.FIRST], routine))
    other = parts.routine_other & ~always[0]
    idx = np.flatnonzero(other)
    since = np.maximum(parts.since[idx], 0)
    width = int(since.max()) + 1 if len(idx) else 1
    n_cls = len(LoanClass)
    flat = np.bincount(parts.cls[idx] * width + since, weights=hours[0][idx],
                       minlength=n_cls * width).reshape(n_cls, width)
    at_least = np.cumsum(flat[:, ::-1], axis=1)[:, ::-1]
    return (float(hours[0][always[0]].sum()), float(hours[1][always[1]].sum())), at_least


# --- running a step both ways -----------------------------------------------------------
def _book(case: str, months: int = 6) -> Simulation:
    sim = Simulation(load_scenario(ROOT / "scenarios" / f"{case}.yaml"), seed=3)
    sim.advance_to(months)
    return sim


def _state(sim):
    """Everything a step may touch: the columns, the scalars, the log, the tallies."""
    rec = sim.rec
    return {
        "arrays": {k: v.copy() for k, v in vars(sim).items() if isinstance(v, np.ndarray)},
        "scalars": {k: v for k, v in vars(sim).items() if isinstance(v, (int, float, bool))},
        "report": vars(sim.month_report).copy(),
        "tally": {k: (v.copy() if isinstance(v, np.ndarray) else v)
                  for k, v in vars(rec.checks).items()},
        "log": (list(rec.events), list(rec.chunks), list(rec.signals), list(rec.latent),
                rec.n_signals, list(sim.statement_log)),
        "shift": sim.shift.copy(),
    }


def _restore(sim, state) -> None:
    for k, v in state["arrays"].items():
        setattr(sim, k, v.copy())
    for k, v in state["scalars"].items():
        setattr(sim, k, v)
    sim.month_report.__dict__.update(state["report"])
    for k, v in state["tally"].items():
        setattr(sim.rec.checks, k, v.copy() if isinstance(v, np.ndarray) else v)
    events, chunks, sigs, latent, n_signals, statements = state["log"]
    sim.rec.events[:], sim.rec.chunks[:], sim.rec.signals[:] = events, chunks, sigs
    sim.rec.latent[:], sim.rec.n_signals = latent, n_signals
    sim.statement_log[:] = statements


def _same(a, b, where: str) -> None:
    """Equal to the last bit (and in dtype and shape); lists and tuples element by element."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), f"{where}: {np.flatnonzero(a.ravel() != b.ravel())[:5]}"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)}"
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{k}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert np.float64(a).tobytes() == np.float64(b).tobytes(), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _both_ways(sim, reference, new, *args):
    """Run `reference` and `new` from the same state; the states after must be equal and
    so must the results."""
    before = _state(sim)
    want = reference(sim, *args)
    after_reference = _state(sim)
    _restore(sim, before)
    got = new(sim, *args)
    _same(_state(sim), after_reference, "state")
    _same(got, want, "result")
    return got


def _scramble(sim, rng, t: int, zero_rates: bool = False) -> None:
    """A month's state with the awkward cases in it: defaults and cures, matured and
    repaid loans, deferrals, frozen lines, slipped checks, judgements, warnings."""
    n = sim.n
    pick = rng.random
    sim.t = t
    sim.status = rng.choice(np.array([ACTIVE, ACTIVE, ACTIVE, DEFAULTED, CLOSED],
                                     dtype=np.int8), n)
    sim.defaulted = (sim.status == DEFAULTED) ^ (pick(n) < 0.05)
    sim.balance = np.where(pick(n) < 0.1, rng.choice([0.0, 0.3, 0.5, 0.7], n),
                           rng.lognormal(12, 2, n))
    sim.undrawn = np.where(pick(n) < 0.5, 0.0, rng.lognormal(11, 2, n))
    sim.undrawn0 = sim.undrawn + np.where(pick(n) < 0.5, 0.0, rng.lognormal(10, 1, n))
    sim.rate = np.where(zero_rates | (pick(n) < 0.1), 0.0, rng.uniform(0.001, 0.15, n))
    sim.rate0 = np.where(pick(n) < 0.5, sim.rate, rng.uniform(0.001, 0.15, n))
    sim.term = rng.integers(1, 120, n).astype(np.int32)
    sim.mob = np.minimum(sim.term + rng.integers(-12, 3, n), 200).clip(0).astype(np.int32)
    sim.deferral_until = np.where(pick(n) < 0.15, t + rng.integers(0, 4, n), -1).astype(np.int32)
    sim.frozen = pick(n) < 0.1
    sim._staged = pick(n) < 0.3
    kind = rng.integers(0, 3, n)
    sim._equal_instalment = np.flatnonzero(kind == 0)
    sim._equal_principal = kind == 1
    sim.misses = rng.integers(0, 4, n).astype(np.int32)
    sim.dpd = (sim.misses * 30 + np.where(sim.defaulted, rng.integers(0, 400, n), 0)).astype(
        np.int32)
    sim.arrears_interest = np.where(pick(n) < 0.3, rng.lognormal(8, 1, n), 0.0)
    sim.lawsuit_month = np.where(pick(n) < 0.3, rng.integers(0, t + 1, n), -1).astype(np.int32)
    sim._u_act = pick((n, 2))
    sim._u_act[:, 0] = np.where(pick(n) < 0.3, pick(n) * 0.1, sim._u_act[:, 0])
    sim.floor = rng.choice(np.array([0, 0, 0, 1, 2, 3, 4], dtype=np.int8), n)
    sim.upgrade_from = np.where(pick(n) < 0.1, rng.integers(t - 3, t + 7, n), -1).astype(np.int32)
    sim._upgrades_pending = bool((sim.upgrade_from > t).any())
    sim.judgement = np.where(pick(n) < 0.1, rng.integers(0, 5, n), 0).astype(np.int8)
    sim.preserved = pick(n) < 0.2
    sim.distress_months = rng.integers(0, 10, n).astype(float)
    sim.d = rng.normal(0.3, 1.2, n)
    sim.d_hist = rng.normal(0.5, 1.2, sim.d_hist.shape)
    sim.diverting = pick(n) < 0.1
    sim.entrusted = pick(n) < 0.1
    sim.known_diversion = sim.diverting & (pick(n) < 0.5)
    sim.restructured_until = np.where(pick(n) < 0.1, t + rng.integers(-2, 6, n), -1).astype(
        np.int32)
    sim._observations_open = bool((sim.restructured_until >= t).any())
    sim.shift = rng.normal(0, 0.2, n)
    sim.boost = np.where(pick(n) < 0.2, rng.uniform(0, 0.5, n), 0.0)
    sim._u_sig = pick(sim._u_sig.shape)
    sim.last_seen = np.where(pick(sim.last_seen.shape) < 0.2,
                             rng.integers(0, t + 1, sim.last_seen.shape),
                             signals.NEVER).astype(np.int32)
    sim.first_warning = np.where(pick(n) < 0.3, rng.integers(0, t + 1, n), -1).astype(np.int32)
    sim.collateral_sold = pick(n) < 0.1
    sim.extra_collateral = np.where(pick(n) < 0.1, rng.lognormal(11, 1, n), 0.0)
    sim.appraised = sim.appraised * rng.uniform(0.5, 1.5, n)
    sim.condition = rng.uniform(0.4, 1.0, n)
    sim.never_checked = pick(n) < 0.2
    sim.last_check = rng.integers(-12, t + 1, n).astype(np.int32)
    sim.closer_until = np.where(pick(n) < 0.1, t + rng.integers(-2, 4, n), -1).astype(np.int32)
    sim.cls = rng.integers(0, 5, n).astype(np.int8)
    sim.due_since = np.where(pick(n) < 0.2, rng.integers(0, t + 1, n), -1).astype(np.int32)
    sim.due_kind = rng.integers(0, 2, n).astype(np.int8)


CASES = ("review_meeting", "guarantee_chain", "fund_diversion", "real_estate")



def _step_health(sim, t, x, shock, z_idio):
    """The engine's health step from the groups' factor values: their barriers
    (credit.group_barrier), then credit.step_health."""
    return credit.step_health(sim, t, credit.group_barrier(sim, x), shock, z_idio)


@pytest.mark.parametrize("case", CASES)
def test_the_tick_matches_numpy_on_scrambled_books(case):
    sim = _book(case)
    rng = np.random.default_rng(len(case))
    for t, zero_rates in ((2, False), (7, True), (13, False)):
        _scramble(sim, rng, t, zero_rates)
        n, groups = sim.n, len(sim._group_gp)
        x, shock, z = rng.normal(0, 1, groups), rng.normal(0, 0.1, n), rng.normal(0, 1, n)
        sim._rates_reset_due = rng.random(n) < 0.5
        sim.lpr = {"lpr_1y": sim.sc.lpr_1y + rng.choice([-0.04, 0.0025, 0.01]),
                   "lpr_5y": sim.sc.lpr_5y + rng.choice([-0.05, -0.0025, 0.01])}
        _both_ways(sim, ref_reprice, loanbook.reprice, t)
        d = _both_ways(sim, ref_step_health, _step_health, t, x, shock, z)
        _both_ways(sim, ref_book_step, loanbook.step, t, d)
        _both_ways(sim, ref_reclassify, classification.reclassify, t)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("warnings,history", [(True, True), (False, False)])
def test_the_signals_match_numpy_on_scrambled_books(case, warnings, history):
    sim = _book(case)
    sim.warnings, sim.keep_history = warnings, history
    rng = np.random.default_rng(7)
    for t in (3, 5, 8):  # statements arrive in months 5 and 8
        _scramble(sim, rng, t)
        sim._ticked = True
        _both_ways(sim, ref_offsite_sightings, signals.offsite_sightings, t)
        sim._ticked = False
        for idx in (np.flatnonzero(rng.random(sim.n) < 0.3), np.zeros(0, dtype=np.int64),
                    np.array([3, 1, 3, 0])):  # a loan visited twice
            for detect in (1.0, 0.6):
                _both_ways(sim, ref_onsite_sightings, signals.onsite_sightings, t, idx, detect)


@pytest.mark.parametrize("case", CASES)
def test_targeted_checks_match_numpy(case):
    sim = _book(case)
    rng = np.random.default_rng(19)
    for t in (4, 10):
        _scramble(sim, rng, t)
        sim._ticked = False
        for idx, quality in ((np.flatnonzero(rng.random(sim.n) < 0.2), 1.0),
                             (np.array([5, 2, 5]), 0.7)):  # a loan checked twice, rushed
            _both_ways(sim, ref_do_checks, checks.do_checks, t, idx, CheckKind.TARGETED,
                       quality)


POLICIES = (
    MonitoringPolicy(),
    MonitoringPolicy(first_check_days=0),
    MonitoringPolicy(first_check_days=200,
                     interval_months={"normal": 0, "special_mention": 1, "substandard": 2,
                                      "doubtful": 0, "loss": 0}),
    MonitoringPolicy(first_check_days=0,  # no checks: only slipped ones and closer monitoring
                     interval_months={"normal": 0, "special_mention": 0, "substandard": 0,
                                      "doubtful": 0, "loss": 0}),
)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("policy", POLICIES)
def test_the_checks_due_match_numpy(case, policy):
    sim = _book(case)
    sim.policy = policy
    rng = np.random.default_rng(11)
    for t, hours in ((2, 1e9), (9, 40.0), (12, 0.0)):  # ample, short and no hours
        _scramble(sim, rng, t)
        sim._ticked = False
        sim._hours_left = hours
        _both_ways(sim, ref_run_due, checks.run_due, t)


@pytest.mark.parametrize("case", CASES)
def test_the_check_demand_table_matches_numpy(case):
    sim = _book(case)
    rng = np.random.default_rng(17)
    assert checks._exact_hours(sim.check_hours)  # the shipped hours add up exactly
    for t in (2, 9, 30):
        _scramble(sim, rng, t)
        got = checks._demand_parts(sim, t).table
        want = ref_demand_table(sim, t)
        _same(got[0], want[0], "always")
        _same(got[1], np.ascontiguousarray(want[1]), "table")


@pytest.mark.parametrize("case", ("guarantee_chain", "disaster"))
def test_defaults_match_numpy_and_reach_the_guarantee_chain(case):
    sim = _book(case)
    rng = np.random.default_rng(13)
    _scramble(sim, rng, 9)
    sim.default_month = np.where(rng.random(sim.n) < 0.2, 3, -1).astype(np.int32)
    sim._chain_hit = rng.random(sim.n) < 0.2
    guarantors, backed = np.unique(sim.pf.guarantor[sim.pf.guarantor >= 0], return_counts=True)
    assert len(guarantors)
    # the loans of guarantors that back several: their guarantor takes several claims
    claims = np.flatnonzero(np.isin(sim.pf.guarantor, guarantors[backed > 1]))
    assert len(claims) > 1 or case != "guarantee_chain"
    for idx in (guarantors[::2], np.concatenate([guarantors[:3], guarantors[:2]]),
                np.flatnonzero(rng.random(sim.n) < 0.3),  # the second with repeats
                claims):
        _both_ways(sim, ref_default_loans, loanbook.default_loans, 9, idx)


def test_classify_matches_numpy_with_and_without_borrowers():
    rng = np.random.default_rng(5)
    n = 3000
    dpd = np.where(rng.random(n) < 0.5, 0, rng.integers(0, 500, n)).astype(np.int32)
    flagged = rng.random(n) < 0.1
    floor = rng.choice(np.array([0, 0, 0, 1, 2, 3, 4], dtype=np.int8), n)
    balance = np.where(rng.random(n) < 0.05, 0.0, rng.lognormal(12, 2, n))
    borrower = rng.integers(0, 900, n)
    for b, bal in ((None, None), (borrower, balance), (borrower[:0], balance[:0])):
        k = n if b is None or len(b) else 0
        _same(classification.classify(dpd[:k], flagged[:k], floor[:k], bal, b),
              ref_classify(dpd[:k], flagged[:k], floor[:k], bal, b), "classify")


def test_the_kernels_take_an_empty_book():
    """A book with no loans (every loan repaid and written off): nothing to do, no error."""
    none_f, none_i, none_b = np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=bool)
    none_8, none_64 = np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int64)
    rules = loanbook._book_rules()
    base, power = book_kernels.annuity_inputs(none_f, none_i, none_i, none_64, 12.0)
    out = book_kernels.book_step(rules, 4, none_f, none_8, none_b, none_b, none_b, none_f, none_f,
                            none_f, none_f, none_f, none_i, none_i, none_b, none_64,
                            np.power(base, power), none_i, none_f, none_f, none_f, none_i,
                            none_i, none_i, none_f, none_8, none_b, none_f, none_f)
    assert all(len(a) == 0 for a in out)
    e, d, started = health_kernels.health_step(
        credit._health_rules(), 4, none_f, none_f, none_64, False, np.zeros(1), none_64, none_b,
        none_f, none_f, 100.0, none_8, 1, none_b, none_b, none_b, none_f, none_f, none_f,
        none_f, np.zeros((13, 0)), 4)
    assert len(e) == len(d) == len(started) == 0
    assert len(classification.classify(none_i, none_b, none_8, none_f, none_64)) == 0
    k = 3
    cond = np.zeros((k, 0), dtype=bool)
    rows = np.zeros(k, dtype=bool)
    js, lines, hist = np.arange(k, dtype=np.int64), np.zeros(k), np.zeros(k, dtype=np.int64)
    last_seen, fw, fws = np.zeros((0, 16), np.int32), none_i, np.zeros(0, np.int16)
    seen, loans, sigs = signal_kernels.month_sightings(
        4, cond, cond, rows, hist, lines, np.zeros((13, 0)), none_b, -1, none_b,
        np.zeros((0, 17)),
        js, lines, lines, rows, last_seen, fw, fws, True)
    assert seen.shape == (k, 0) and len(loans) == len(sigs) == 0
    row_ends, held = signal_kernels.latent_conditions(4, cond, cond, rows, hist, lines,
                                                      np.zeros((13, 0)), none_b, js, fw, fws)
    assert list(row_ends) == [0] * k and len(held) == 0
    required, idx, *_ = check_kernels.checks_due(4, 1, np.array([12, 3, 1, 1, 1]), True, 0, 1, 3,
                                                 none_8, none_b, none_i, none_i, none_8,
                                                 none_i, none_8, np.zeros((0, 3)), none_f)
    assert required.sum() == 0 and len(idx) == 0
    without, with_first, table = check_kernels.demand_table(4, 1, none_8, none_b, none_i, none_i,
                                                      none_8, none_i, np.zeros((0, 3)), 0, 1, 5)
    assert without == with_first == 0.0 and table.shape == (5, 1)


@pytest.mark.parametrize("case", ("guarantee_chain", "review_meeting"))
def test_the_guarantor_condition_matches_numpy(case):
    """A guarantor below the trouble line or in default shows 'guarantor in trouble', loan
    by loan as the seven array operations gave it (the whole book, a selection with a loan
    twice, none)."""
    sim = _book(case)
    rng = np.random.default_rng(11)
    sig = defaults.SIGNALS["guarantor_trouble"]
    for t in (3, 9):
        _scramble(sim, rng, t)
        sim.d[rng.random(sim.n) < 0.05] = defaults.GUARANTOR_TROUBLE_HEALTH  # on the line
        for idx in (slice(None), np.array([4, 0, 4, 2]), np.zeros(0, dtype=np.int64)):
            g = sim.pf.guarantor[idx]
            gg = np.maximum(g, 0)
            want = (g >= 0) & ((sim.d[gg] < defaults.GUARANTOR_TROUBLE_HEALTH)
                               | sim.defaulted[gg])
            got = signals.condition(sim, sig, idx)
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_the_balance_by_class_matches_numpy_to_the_last_bit():
    """The month's metrics read the balance on the books and its sum by class as np.where
    and np.bincount with weights gave them, bit for bit (an empty book and a class above
    the usual five included)."""
    from sim.kernels.classes import balance_by_class

    rng = np.random.default_rng(8)
    for n, top in ((3000, 5), (17, 7), (0, 5)):
        status = rng.choice(np.array([ACTIVE, DEFAULTED, CLOSED, 3, 4], dtype=np.int8), n)
        balance = np.where(rng.random(n) < 0.1, -0.0, rng.lognormal(12, 3, n))
        cls = rng.integers(0, top, n).astype(np.int8)
        bal, by_cls = balance_by_class(status, balance, cls, ON_BOOKS, len(LoanClass))
        want_bal = np.where(status <= ON_BOOKS, balance, 0.0)
        want = np.bincount(cls, weights=want_bal, minlength=len(LoanClass))
        assert bal.tobytes() == want_bal.tobytes()
        assert by_cls.shape == want.shape and by_cls.tobytes() == want.tobytes()
