"""The loan book: schedules, payments, drawdowns, arrears, default and cure.

Each month a borrower with health below zero misses its payment; three misses
in a row (90 days past due) are a default. Staged loans draw tranches while
healthy, and a distressed borrower draws what is left of its line. Floating
rates reprice at their reset months after an LPR change. A defaulted loan
seldom cures on its own; collection helps.
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.codes import ON_BOOKS, STAGED_PRODUCTS, LoanClass, LoanStatus, Repayment


def payment_burden(balance, rate_annual, remaining_months, repayment, horizon_months: int = 12):
    """Average monthly payment due over the next `horizon_months` (principal and interest).

    The burden a borrower feels: an amortising loan's instalment, or an interest-only
    loan's interest plus its bullet when the bullet falls within the window. Works on
    one loan or on whole columns."""
    r = np.asarray(rate_annual, dtype=float) / 12.0
    n = np.maximum(np.asarray(remaining_months, dtype=float), 1.0)
    b = np.asarray(balance, dtype=float)
    br, bn = b * r, b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = np.where(r > 0, br / (1 - (1 + r) ** (-n)), bn)
    bullet_share = np.where(n <= horizon_months, 1.0 / np.minimum(n, horizon_months), 0.0)
    return np.where(repayment == _EQUAL_INSTALMENT, annuity, np.where(
        repayment == _EQUAL_PRINCIPAL, bn + br, br + b * bullet_share))


# plain ints for numpy: comparing a column with an IntEnum member is several times slower
_EQUAL_INSTALMENT = int(Repayment.EQUAL_INSTALMENT)
_EQUAL_PRINCIPAL = int(Repayment.EQUAL_PRINCIPAL)
ACTIVE, DEFAULTED, CLOSED = (LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value,
                             LoanStatus.CLOSED.value)
SUBSTANDARD = LoanClass.SUBSTANDARD.value


def payment_burden_one(balance: float, rate_annual: float, remaining_months: float,
                       repayment: int, horizon_months: int = 12) -> float:
    """`payment_burden` for one loan in plain floats: the same formula, without the
    cost of numpy's array machinery on a single value (an action on one loan)."""
    r = rate_annual / 12.0
    n = max(float(remaining_months), 1.0)
    if repayment == _EQUAL_INSTALMENT:
        return balance * r / (1 - (1 + r) ** (-n)) if r > 0 else balance / n
    if repayment == _EQUAL_PRINCIPAL:
        return balance / n + balance * r
    bullet_share = 1.0 / min(n, horizon_months) if n <= horizon_months else 0.0
    return balance * r + balance * bullet_share


def init_columns(sim) -> None:
    pf = sim.pf
    n = sim.n
    sim.status = np.zeros(n, dtype=np.int8)
    sim.balance = pf.drawn0.copy()
    sim.undrawn = pf.amount - pf.drawn0
    sim.undrawn0 = sim.undrawn.copy()
    sim.disbursed = pf.drawn0.copy()
    sim.repaid = np.zeros(n)
    sim.written_off = np.zeros(n)
    sim.rate = np.where(pf.floating, base_rate(sim.lpr, pf.base_5y) + pf.spread, pf.fixed_rate)
    sim.rate0 = sim.rate.copy()
    sim.term = pf.term.copy()
    sim.mob = pf.mob0.copy()
    sim.misses = np.zeros(n, dtype=np.int32)
    sim.dpd = np.zeros(n, dtype=np.int32)
    sim.arrears_interest = np.zeros(n)
    sim.defaulted = np.zeros(n, dtype=bool)
    sim.default_month = np.full(n, -1, dtype=np.int32)
    sim.ead = np.zeros(n)
    sim._chain_hit = np.zeros(n, dtype=bool)  # a guarantor's default hits its chain once
    sim._ead_total = 0.0
    sim._cured_balance = 0.0
    # discounted cash flows of the credit loss: exposure at default and cures
    sim._ead_pv = np.zeros(n)
    sim._cure_pv = np.zeros(n)
    sim.interest = np.zeros(n)
    sim.entrusted = pf.entrusted.copy()
    sim.frozen = np.zeros(n, dtype=bool)
    sim.restructured_until = np.full(n, -1, dtype=np.int32)
    sim.deferral_until = np.full(n, -1, dtype=np.int32)
    sim._staged = np.isin(pf.product, STAGED_PRODUCTS)
    sim._equal_instalment = np.flatnonzero(pf.repayment == _EQUAL_INSTALMENT)
    sim._equal_principal = pf.repayment == _EQUAL_PRINCIPAL
    sim._rates_reset_due = np.zeros(n, dtype=bool)
    sim._last_due = np.zeros(n)
    sim._last_paid = np.zeros(n)


def base_rate(lpr: dict, base_5y: np.ndarray) -> np.ndarray:
    """The LPR each loan's floating rate is set on."""
    return np.where(base_5y, lpr["lpr_5y"], lpr["lpr_1y"])


def reprice(sim, t: int) -> None:
    """Floating rates reprice at their next reset after an LPR change."""
    pf = sim.pf
    if not sim._rates_reset_due.any():
        return
    reset_now = sim._rates_reset_due & (sim.mob % pf.reset_months == 0)
    if reset_now.any():
        new = base_rate(sim.lpr, pf.base_5y) + pf.spread
        old = sim.rate.copy()
        start = {"lpr_1y": sim.sc.lpr_1y, "lpr_5y": sim.sc.lpr_5y}
        conc = sim.rate0 - (base_rate(start, pf.base_5y) + pf.spread)
        sim.rate[reset_now] = np.maximum(0.0, new[reset_now] + conc[reset_now])
        moved = reset_now & (old != sim.rate)
        sim.rec.log_many(t, np.flatnonzero(moved), "rate_reset", sim.rate[moved])
        sim._rates_reset_due &= ~reset_now


def step(sim, t: int, d: np.ndarray) -> None:
    """The month's cash flows and arrears for health d."""
    live = sim.status <= ON_BOOKS
    _draw(sim, live, d)
    _pay(sim, t, d)
    _arrears(sim, t)
    _cure_defaulted(sim, t, d)
    # distress wears down free assets and collateral
    distressed = live & (d < 0)
    sim.distress_months += (distressed & ~sim.preserved)
    sim.condition[distressed] *= 1.0 - defaults.COLLATERAL_DECAY_PER_MONTH_DISTRESSED


def _draw(sim, live: np.ndarray, d: np.ndarray) -> None:
    """Drawdowns: staged tranches while healthy, the whole line when distressed."""
    can_draw = live & ~sim.frozen & (sim.undrawn > 0) & ~sim.defaulted
    tranche = np.where(sim._staged & (d > 0), sim.undrawn0 / defaults.SCHEDULED_DRAW_MONTHS, 0.0)
    tranche = np.where(d < defaults.DRAWDOWN_HEALTH, sim.undrawn, tranche)
    draw = np.where(can_draw, np.minimum(tranche, sim.undrawn), 0.0)
    sim.undrawn -= draw
    sim.balance += draw
    sim.disbursed += draw


def scheduled_principal(sim) -> tuple[np.ndarray, np.ndarray]:
    """(principal, interest) due this month on each loan's schedule."""
    r = sim.rate / 12.0
    remaining = np.maximum(sim.term - sim.mob, 1)
    interest_due = sim.balance * r
    level = sim.balance / remaining
    principal = np.where(sim._equal_principal, level, np.where(remaining <= 1, sim.balance, 0.0))
    # the annuity only where it is used: the same elementwise formula on fewer loans
    ei = sim._equal_instalment
    if len(ei):
        r_ei, due_ei = r[ei], interest_due[ei]
        if r_ei.min() > 0:  # no zero rate: every annuity is the formula's (no 0/0 to mask)
            annuity = due_ei / (1 - (1 + r_ei) ** (-remaining[ei]))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                annuity = np.where(r_ei > 0, due_ei / (1 - (1 + r_ei) ** (-remaining[ei])),
                                   level[ei])
        principal[ei] = annuity - due_ei
    return np.minimum(np.maximum(principal, 0.0), sim.balance), interest_due  # clipped


def _pay(sim, t: int, d: np.ndarray) -> None:
    """Payments: a borrower with health below zero misses; the rest pay, with arrears."""
    performing = (sim.status == ACTIVE) & ~sim.defaulted
    deferred = sim.deferral_until >= t
    due = performing & ~deferred & (sim.balance > 0)
    miss = due & (d < 0)
    pay = due & ~miss
    principal, interest_due = scheduled_principal(sim)
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
    sim.misses += miss  # a miss counts; a payment resets the count
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


def _arrears(sim, t: int) -> None:
    """Days past due, and default at MISSES_TO_DEFAULT consecutive misses (90+ days)."""
    sim.dpd = np.where(sim.defaulted & (sim.status == DEFAULTED), sim.dpd + defaults.DAYS_PER_MONTH,
                       sim.misses * defaults.DAYS_PER_MONTH).astype(np.int32)
    new_default = ~sim.defaulted & (sim.status == ACTIVE) & \
        (sim.misses >= defaults.MISSES_TO_DEFAULT)
    default_loans(sim, t, np.flatnonzero(new_default))


def _cure_defaulted(sim, t: int, d: np.ndarray) -> None:
    """Defaulted loans: self-cure is rare, collection helps."""
    dl = np.flatnonzero(sim.status == DEFAULTED)
    if not len(dl):
        return
    chance = np.where(sim.lawsuit_month[dl] >= 0, defaults.COLLECTION_CURE_DEFAULTED,
                      defaults.SELF_CURE_DEFAULTED)
    cure = dl[(sim._u_act[dl, 0] < chance) & (d[dl] > defaults.CURE_HEALTH)
              & (sim.floor[dl] < SUBSTANDARD)]
    if len(cure):
        sim.status[cure] = ACTIVE
        sim.defaulted[cure] = False
        sim.misses[cure] = 0
        sim.dpd[cure] = 0
        sim._cure_pv[cure] += sim.balance[cure] * sim.discount(t)
        sim._cured_balance += float(sim.balance[cure].sum())
        sim.rec.log_many(t, cure, "default_cured", sim.balance[cure])


def default_loans(sim, t: int, idx: np.ndarray) -> None:
    """Loans idx default in month t; the guarantee chain feels it."""
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
    # the guarantee chain: borrowers this one guaranteed lose its support
    fresh = idx[~sim._chain_hit[idx]]
    sim._chain_hit[fresh] = True
    gone = np.zeros(sim.n + 1, dtype=bool)  # the last place stands for "no guarantor" (-1)
    gone[fresh] = True
    hit = gone[sim.pf.guarantor]  # borrowers whose guarantor is among `fresh`
    sim.shift[hit] -= defaults.GUARANTEE_CONTAGION_HEALTH


def repay_in_full(sim, i: int) -> float:
    """The borrower pays off the whole balance now and the line closes."""
    amt = float(sim.balance[i])
    sim.repaid[i] += amt
    sim.balance[i] = 0.0
    sim.undrawn[i] = 0.0
    sim.status[i] = LoanStatus.CLOSED.value
    return amt
