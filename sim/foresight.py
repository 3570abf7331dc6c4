"""The oracle's foresight: each borrower's health over the months ahead, left untreated.

The engine's randomness is common random numbers (sim.engine): every month draws a fixed
number of idiosyncratic normals (one per loan) and macro normals (economy, industries,
regions), whatever is decided. So the shocks of the months ahead are fixed when a run
starts. For the oracle only, the engine draws them once from copies of its generators
(`draw_ahead`): the run's own streams are not touched, and the copies give the very
numbers the run will draw.

`look_ahead` projects each loan's hidden health d (sim.credit.step_health) over the next
months with those shocks: the AR(1) idiosyncratic health, the systematic factors and the
barrier they set, the case's policy shocks, recessions and disasters (those already active
and those scheduled), the scripted events of named borrowers, diversion's drain on a
diverting borrower (a diverter starts when its health falls below the onset level), the
payments missed and the defaults they make, and the guarantee chain's contagion when a
projected default hits it, and LPR changes with floating rates repriced at their resets.
What it leaves out is whatever the bank does. So for a loan the bank leaves alone
the projection is the run's own future (tests/test_oracle.py).
Interventions move health by persistent shifts and reset arrears, and the shocks are
exogenous, so the untreated path tells the oracle what a shift of a given size would do
(`Foresight.margin`). See docs/model.md §14.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from sim import credit, defaults, macro
from sim.codes import ON_BOOKS, LoanStatus
from sim.loanbook import base_rate
from sim.scripted import borrower_loans
from sim.storyline import Disaster, LprChange


@dataclass(frozen=True)
class ShocksAhead:
    """The random numbers every month of a run will draw for health, month m in row m - 1."""

    idio: np.ndarray  # (months, loans)
    econ: np.ndarray  # (months,)
    industry: np.ndarray  # (months, industries)
    region: np.ndarray  # (months, regions)


def draw_ahead(sim) -> ShocksAhead:
    """The draws `Simulation._month` will make, month by month in the same order, from
    copies of the run's generators (the run's own streams do not move)."""
    idio, mac = copy.deepcopy(sim.rng_idio), copy.deepcopy(sim.rng_macro)
    n, k, r, T = sim.n, len(sim.pf.industries), len(sim.pf.regions), sim.T
    z_idio, z_econ = np.empty((T, n)), np.empty(T)
    z_ind, z_reg = np.empty((T, k)), np.empty((T, r))
    for m in range(T):
        z_idio[m] = idio.standard_normal(n)
        z_econ[m] = mac.standard_normal()
        z_ind[m] = mac.standard_normal(k)
        z_reg[m] = mac.standard_normal(r)
    return ShocksAhead(z_idio, z_econ, z_ind, z_reg)


@dataclass(frozen=True)
class Foresight:
    """What the months ahead hold for each loan if nothing is done.

    health: (months, loans) projected health after each of the next months' ticks (row 0
    is the month being decided);
    margin: how far above the line of default the untreated path keeps: the loan
    defaults within the window, left alone, exactly when margin < 0, and a persistent
    shift of health s (a restructuring's relief) saves it when margin + s > 0;
    margin_fresh: the same with the arrears cleared (what relief does to them);
    +inf where the loan cannot default in the window (matured, closed, defaulted).
    """

    health: np.ndarray
    margin: np.ndarray
    margin_fresh: np.ndarray

    def defaults(self) -> np.ndarray:
        """Loans that default within the window if left untreated."""
        return self.margin < 0


def look_ahead(sim, months: int = defaults.FORESIGHT_MONTHS) -> Foresight:
    """The untreated projection from the current decision point (before month sim.t's
    tick) over `months` months, cut at the horizon."""
    t, pf = sim.t, sim.pf
    ahead: ShocksAhead = sim._ahead
    K = max(min(months, sim.T - t + 1), 0)
    n = sim.n
    path = np.empty((K, n))
    phi_s = defaults.SYSTEMATIC_PHI_MONTHLY
    f_econ, f_ind, f_reg = sim.f_econ, sim.f_ind, sim.f_reg
    we, wi, wr = sim.w
    _, g_ind, g_reg = sim._groups
    e = sim.e
    owner = pf.borrower
    shared = owner is not None and not (owner == np.arange(len(owner))).all()  # credit._shared
    shift = sim.shift.copy()
    rate, lpr, reset_due, mob = sim.rate.copy(), dict(sim.lpr), sim._rates_reset_due.copy(), \
        sim.mob.copy()
    lpr_changes = [(max(ev.month, 1), ev) for ev in sim.sc.macro
                   if isinstance(ev, LprChange) and max(ev.month, 1) > t]
    start_lpr = {"lpr_1y": sim.sc.lpr_1y, "lpr_5y": sim.sc.lpr_5y}
    concession = sim.rate0 - (base_rate(start_lpr, pf.base_5y) + pf.spread)
    live = sim.status <= ON_BOOKS
    diverting = sim.diverting.copy()
    can_divert = pf.diverter & ~sim.entrusted
    events = list(sim.active_shocks) + macro.scheduled_shocks(sim, t)
    permanent = [(s, ev) for s, _, ev in events
                 if s > t and isinstance(ev, Disaster)]
    scripted = [(max(ev.month, 1), sim.pf.named_index[b.id], ev)
                for b in sim.sc.borrowers for ev in b.events if max(ev.month, 1) > t]
    performing = (sim.status == LoanStatus.ACTIVE) & ~sim.defaulted
    remaining = np.where(performing, np.maximum(sim.term - sim.mob, 0), 0)
    going = performing.copy()  # still paying in the projection
    misses = sim.misses.copy()
    chain_hit = sim._chain_hit.copy()
    need = defaults.MISSES_TO_DEFAULT
    guaranteed = pf.guarantor >= 0 if pf.guarantor is not None else np.zeros(n, dtype=bool)
    guarantor_of = np.where(guaranteed, pf.guarantor, 0) if guaranteed.any() else None
    # what only some books need: the arrears (for the chain and the resets' months) and
    # diversion's onset; a book without them skips the work
    track_payments = guarantor_of is not None or reset_due.any() or bool(lpr_changes)
    may_divert = bool((can_divert & live).any() or diverting.any() or any(
        ev.kind == "diversion_start" for _, _, ev in scripted))
    burden = _burden(pf, rate, sim.rate0)
    d_prev = sim.d
    for k in range(K):
        m = t + k
        for when, i, ev in scripted:
            if when == m:
                if ev.kind in defaults.SCRIPTED_HEALTH_HIT:
                    shift[borrower_loans(sim, i)] -= defaults.SCRIPTED_HEALTH_HIT[ev.kind] * \
                        ev.severity
                elif ev.kind == "diversion_start" and not sim.entrusted[i]:
                    diverting[i] = True
        f_econ = credit.factor_step(f_econ, ahead.econ[m - 1], phi_s)
        f_ind = credit.factor_step(f_ind, ahead.industry[m - 1], phi_s)
        f_reg = credit.factor_step(f_reg, ahead.region[m - 1], phi_s)
        x = we * f_econ + wi * f_ind[g_ind] + wr * f_reg[g_reg]
        for start, ev in permanent:
            if start == m:  # a disaster fires before its month's decision
                hit = (pf.region == pf.regions.index(ev.region)) & \
                    (pf.disaster_u < ev.permanent_share)
                shift[hit] -= ev.severity * defaults.DISASTER_PERMANENT_HEALTH
        # LPR changes, and floating rates repriced at their resets (sim.loanbook.reprice)
        for when, ev in lpr_changes:
            if when == m:
                for key in (("lpr_1y", "lpr_5y") if ev.base == "both" else (ev.base,)):
                    lpr[key] = max(0.0, lpr[key] + ev.delta_bp / 10_000)
                reset_due |= pf.floating
        if reset_due.any():
            reset_now = reset_due & (mob % pf.reset_months == 0)
            if reset_now.any():
                new_rate = base_rate(lpr, pf.base_5y) + pf.spread
                rate[reset_now] = np.maximum(0.0, new_rate[reset_now] + concession[reset_now])
                reset_due &= ~reset_now
                burden = _burden(pf, rate, sim.rate0)
        x, shock = macro.shocks_from(sim, m, x, events)
        e = credit.factor_step(e, ahead.idio[m - 1], defaults.IDIO_PHI_MONTHLY)
        if shared:
            e = e[pf.borrower]
        c = credit.barrier(sim._group_gp, sim._group_sqrt_rho, x)[sim._group_of]
        if may_divert:
            start_div = can_divert & ~diverting & live & \
                (d_prev < defaults.DIVERSION_ONSET_HEALTH) & (m > 1)
            diverting = diverting | start_div
            shift[diverting & live] -= defaults.DIVERSION_DRAIN_PER_MONTH
        d = e - c + shift + shock + burden
        path[k] = d
        d_prev = d
        if not track_payments:
            continue
        # payments, and the guarantee chain when a guarantor defaults (sim.loanbook)
        due = going & (sim.deferral_until < m) & (k < remaining)
        miss = due & (d < 0)
        misses = np.where(due & ~miss, 0, np.where(miss, misses + 1, misses))
        mob += going
        fall = going & (misses >= need)
        going &= ~fall
        fresh = fall & ~chain_hit
        if guarantor_of is not None and fresh.any():
            chain_hit |= fresh
            shift[guaranteed & fresh[guarantor_of]] -= defaults.GUARANTEE_CONTAGION_HEALTH
    deferred = np.clip(sim.deferral_until - t + 1, 0, K)
    margin, fresh = default_margins(path, sim.misses, deferred, remaining)
    return Foresight(path, margin, fresh)


def _burden(pf, rate: np.ndarray, rate0: np.ndarray) -> np.ndarray:
    """Health a floating borrower loses to a rate above its start (sim.credit.step_health)."""
    return np.where(pf.floating, -defaults.RATE_BURDEN_HEALTH_PER_PCT * (rate - rate0) * 100.0,
                    0.0)


def default_margins(path: np.ndarray, misses: np.ndarray, deferred_months: np.ndarray,
                    due_months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(margin, margin with arrears cleared) of each loan's health path (months, loans).

    A payment is due in each month after the first `deferred_months` and before the loan
    matures, `due_months` from now; it is missed when health is below zero, and
    MISSES_TO_DEFAULT misses in a row, counting the `misses` a loan already has, are a
    default (sim.loanbook). A deferral keeps the count. So the loan defaults exactly when some run of that many due
    months all lie below zero (or, counting its misses, the first few due months do), and
    the margin is the least over those runs of the run's highest health."""
    K, n = path.shape
    need = defaults.MISSES_TO_DEFAULT
    if K == 0:  # past the horizon: nothing left to foresee
        return np.full(n, np.inf), np.full(n, np.inf)
    # the due months of each loan, shifted to the front; +inf once none is due
    j = np.arange(K)[:, None]
    src = j + deferred_months[None, :]
    due = src < np.minimum(K, due_months)[None, :]
    ahead = path if not deferred_months.any() else \
        np.take_along_axis(path, np.minimum(src, K - 1), axis=0)
    eff = np.where(due, ahead, np.inf)
    if need <= K:  # the highest health of every run of `need` months, then the least
        runs = eff[:K - need + 1].copy()
        for lag in range(1, need):
            np.maximum(runs, eff[lag:K - need + 1 + lag], out=runs)
        fresh = runs.min(axis=0)
    else:
        fresh = np.full(n, np.inf)
    margin = fresh.copy()
    for had in range(1, need):  # a loan `had` misses in already needs need - had more
        rows = need - had
        sel = misses == had
        if rows <= K and sel.any():
            margin[sel] = np.minimum(margin[sel], eff[:rows, sel].max(axis=0))
    return margin, fresh
