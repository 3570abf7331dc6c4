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
from sim.defaults import LONG_TERM_EXTENSION_MONTHS, MEDIUM_TERM_MONTHS, SHORT_TERM_MONTHS
from sim.kernels import book as kernels


def payment_burden(balance, rate_annual, remaining_months, repayment, horizon_months: int = 12):
    """Average monthly payment due over the next `horizon_months` (principal and interest).

    The burden a borrower feels: an amortising loan's instalment, or an interest-only
    loan's interest plus its bullet when the bullet falls within the window. Works on
    one loan or on whole columns."""
    r = np.asarray(rate_annual, dtype=float) / 12.0
    n = np.maximum(np.asarray(remaining_months, dtype=float), 1.0)
    b = np.asarray(balance, dtype=float)
    br, bn = b * r, b / n
    gone = 1 - (1 + r) ** (-n)  # 0 at a rate too small to discount: a level payment
    with np.errstate(divide="ignore", invalid="ignore"):
        annuity = np.where(gone > 0, br / gone, bn)
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
        gone = 1 - (1 + r) ** (-n)  # 0 at a rate too small to discount: a level payment
        return balance * r / gone if gone > 0 else balance / n
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
    sim.latest_term = pf.term + extension_limit_months(pf.term)
    sim.mob = pf.mob0.copy()
    sim.misses = np.zeros(n, dtype=np.int32)
    sim.dpd = np.zeros(n, dtype=np.int32)
    sim.arrears_interest = np.zeros(n)
    sim.defaulted = np.zeros(n, dtype=bool)
    sim.default_month = np.full(n, -1, dtype=np.int32)
    sim.ead = np.zeros(n)
    sim._chain_hit = np.zeros(n, dtype=bool)  # a loan's default hits its chain once
    sim._ead_total = 0.0
    sim._cured_balance = 0.0
    # discounted cash flows of the credit loss: exposure at default and cures
    sim._ead_pv = np.zeros(n)
    sim._cure_pv = np.zeros(n)
    sim.interest = np.zeros(n)
    sim.entrusted = pf.entrusted.copy()
    sim.frozen = np.zeros(n, dtype=bool)
    sim.restructured_until = np.full(n, -1, dtype=np.int32)
    # restructured again while an earlier restructuring's observation period ran: at least
    # 次级 until the new observation period ends (sim.classification)
    sim.restructured_again = np.zeros(n, dtype=bool)
    sim.deferral_until = np.full(n, -1, dtype=np.int32)
    sim._staged = np.isin(pf.product, STAGED_PRODUCTS)
    sim._equal_instalment = np.flatnonzero(pf.repayment == _EQUAL_INSTALMENT)
    sim._equal_principal = pf.repayment == _EQUAL_PRINCIPAL
    sim._rates_reset_due = np.zeros(n, dtype=bool)
    sim._last_due = np.zeros(n)
    sim._last_paid = np.zeros(n)
    sim._book_rules = _book_rules()


def extension_limit_months(term: np.ndarray) -> np.ndarray:
    """How many months, in all, a loan of original term `term` (months) may be extended
    (贷款通则 Art. 12): a short-term loan (up to a year) by at most its original term, a
    medium-term loan (up to five years) by at most half of it, a long-term loan by at most
    three years. Restructurings that stretch the term count against the same limit, however
    many there are (sim.interventions.effects.restructure_terms)."""
    term = np.asarray(term)
    return np.where(term <= SHORT_TERM_MONTHS, term,
                    np.where(term <= MEDIUM_TERM_MONTHS, term // 2,
                             LONG_TERM_EXTENSION_MONTHS)).astype(term.dtype)


def longest_remaining(latest_term, term, mob):
    """Months to the latest maturity an extension may still reach: never fewer than the
    months to the present maturity (at least one), which a restructuring does not shorten.
    Columns or one loan's figures alike."""
    return np.maximum(latest_term - mob, np.maximum(term - mob, 1))


def base_rate(lpr: dict, base_5y: np.ndarray) -> np.ndarray:
    """The LPR each loan's floating rate is set on."""
    return np.where(base_5y, lpr["lpr_5y"], lpr["lpr_1y"])


def reprice(sim, t: int) -> None:
    """Floating rates reprice at their next reset after an LPR change (sim.kernels.book.reprice)."""
    pf = sim.pf
    if not sim._rates_reset_due.any():
        return
    moved = kernels.reprice(sim._rates_reset_due, sim.mob, pf.reset_months, pf.base_5y,
                            pf.spread, sim.rate0, sim.lpr["lpr_1y"], sim.lpr["lpr_5y"],
                            sim.sc.lpr_1y, sim.sc.lpr_5y, sim.rate)
    sim.rec.log_many(t, moved, "rate_reset", sim.rate[moved])


def step(sim, t: int, d: np.ndarray) -> None:
    """The month's cash flows and arrears for health d: drawdowns (staged tranches while
    healthy, the whole line when distressed), scheduled payments (a borrower with health
    below zero misses; the rest pay, with arrears), repayment at maturity, days past due,
    default at MISSES_TO_DEFAULT consecutive misses (90+ days), the rare cure of a
    defaulted loan (collection helps), and distress wearing down free assets and
    collateral.

    One pass of sim.kernels.book.book_step; the annuity factor (a power) is worked out in
    numpy, and the event log, default_loans and the cures' sums stay here."""
    ei = sim._equal_instalment
    annuity_factor = np.power(*kernels.annuity_inputs(
        sim.rate, sim.term, sim.mob, ei, float(defaults.MONTHS_PER_YEAR)))
    (sim.arrears_interest, sim.dpd, sim._last_due, sim._last_paid, cured, missed, repaid,
     new_default, cure) = kernels.book_step(
        sim._book_rules, t, d, sim.status, sim.frozen, sim.defaulted, sim._staged, sim.undrawn,
        sim.undrawn0, sim.balance, sim.disbursed, sim.rate, sim.term, sim.mob,
        sim._equal_principal, ei, annuity_factor, sim.deferral_until, sim.arrears_interest,
        sim.interest, sim.repaid, sim.misses, sim.dpd, sim.lawsuit_month, sim._u_act[:, 0],
        sim.floor, sim.preserved, sim.distress_months, sim.condition)
    sim.rec.log_many(t, cured, "cured")
    sim.rec.log_many(t, missed, "payment_missed")
    sim.rec.log_many(t, repaid, "repaid")
    default_loans(sim, t, new_default)
    # a payment missed starts a count again: a restructuring's observation period, and a
    # cured NPL's months to its upgrade
    if sim._observations_open:  # held from month t on
        sim._observations_open = _count_again_on_miss(
            sim, t - 1, sim.restructured_until, t + observation_months(sim))
    if sim._upgrades_pending:  # held after month t
        sim._upgrades_pending = _count_again_on_miss(
            sim, t, sim.upgrade_from, t + defaults.NPL_UPGRADE_MONTHS)
    if len(cure):
        sim.status[cure] = ACTIVE
        sim.defaulted[cure] = False
        sim.misses[cure] = 0
        sim.dpd[cure] = 0
        sim.upgrade_from[cure] = t + defaults.NPL_UPGRADE_MONTHS  # still 次级 until then
        sim._upgrades_pending = True
        sim._cure_pv[cure] += sim.balance[cure] * sim.discount(t)
        sim._cured_balance += float(sim.balance[cure].sum())
        sim.rec.log_many(t, cure, "default_cured", sim.balance[cure])


def _count_again_on_miss(sim, after: int, until: np.ndarray, restart: int) -> bool:
    """Set `until` to `restart` for the loans held (`until` past month `after`) that missed
    this month's payment; whether any loan is still held (else the caller skips the work
    from now on). One pass (sim.kernels.book.count_again)."""
    return bool(kernels.count_again(until, after, sim.misses, sim.status, ACTIVE, restart))


def observation_months(sim) -> int:
    """Months a restructuring's observation period lasts in this case (the catalogue's
    restructuring, else the default one)."""
    it = sim.catalogue.get("restructure") or defaults.INTERVENTIONS["restructure"]
    return int(it.params["observation_months"])


def _book_rules() -> kernels.BookRules:
    """step's parameters from sim.defaults (read once per run, by `init_columns`:
    building them each month cost a few microseconds)."""
    return kernels.BookRules(
        active=ACTIVE, defaulted=DEFAULTED, closed=CLOSED, on_books=ON_BOOKS,
        substandard=SUBSTANDARD, months_per_year=float(defaults.MONTHS_PER_YEAR),
        draw_months=float(defaults.SCHEDULED_DRAW_MONTHS),
        drawdown_health=defaults.DRAWDOWN_HEALTH, paid_off_cny=defaults.PAID_OFF_TOLERANCE_CNY,
        days_per_month=defaults.DAYS_PER_MONTH, misses_to_default=defaults.MISSES_TO_DEFAULT,
        collection_cure=defaults.COLLECTION_CURE_DEFAULTED,
        self_cure=defaults.SELF_CURE_DEFAULTED, cure_health=defaults.CURE_HEALTH,
        condition_kept=1.0 - defaults.COLLATERAL_DECAY_PER_MONTH_DISTRESSED)


def default_loans(sim, t: int, idx: np.ndarray) -> None:
    """Loans idx default in month t; the guarantee chain feels it: each one's guarantor is
    called to pay, and the borrowers it guaranteed lose its guarantee
    (sim.kernels.book.default_loans; the exposure's sum and the log here)."""
    if not len(idx):
        return
    idx = np.asarray(idx, dtype=np.int64)
    kernels.default_loans(
        t, idx, sim.discount(t), DEFAULTED, defaults.DEFAULT_DPD,
        defaults.GUARANTEE_CLAIM_HEALTH, defaults.GUARANTEE_LOST_HEALTH, sim.defaulted,
        sim.status, sim.default_month, sim.ead, sim._ead_pv, sim.balance, sim.dpd, sim._chain_hit, sim.pf.guarantor, sim.shift)
    sim._ead_total += float(sim.balance[idx].sum())
    sim.month_report.new_defaults += len(idx)
    sim.rec.log_many(t, idx, "default", sim.balance[idx])


def repay_in_full(sim, i: int) -> float:
    """The borrower pays off the whole balance now and the line closes."""
    amt = float(sim.balance[i])
    sim.repaid[i] += amt
    sim.balance[i] = 0.0
    sim.undrawn[i] = 0.0
    sim.status[i] = LoanStatus.CLOSED.value
    return amt
