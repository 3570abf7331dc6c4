"""What each intervention does to a loan: one small function per action.

`act` checks admissibility (sim.observation.admissible, the same rule the desk
shows), charges hours and money (sim.observation.action_cost), then looks the
action up in EFFECTS. An effect returns the result text key the event log keeps.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim import defaults
from sim.codes import LoanClass
from sim.conversation import learn_at_meeting
from sim.interventions import workouts
from sim.interventions.kernels_act import BURDEN_HORIZON_MONTHS, cut_from_power, cut_power_inputs
from sim.loanbook import (
    default_loans,
    longest_remaining,
    payment_burden,
    payment_burden_one,
    repay_in_full,
)
from sim.observation import action_cost, why_not
from sim.staff import charge_to

PREVENTIVE_STAGES = ("monitor", "prevent", "restructure")


def act(sim, i: int, action: str) -> str | None:
    """Take an action on loan i now; returns a reason code if it could not be taken."""
    taken = sim._done_this_month
    why, legal, hours = why_not(sim, i, action, taken, sim._hours_left)  # `admissible`'s rule
    if why is not None:
        sim.month_report.rejected.append((i, action, why))
        return why
    it = sim.catalogue[action]
    taken.add((i, action))
    charge_to(sim, legal, hours)
    t = sim.t
    cost = action_cost(sim, i, action)
    sim.costs[i] += cost
    sim.money_spent += cost
    if it.stage in PREVENTIVE_STAGES or action == "accelerate":
        if sim.first_action[i] < 0:
            sim.first_action[i] = t
        sim.acted[i] = t
    result = EFFECTS[action](sim, i, it, t)
    sim.rec.log(t, i, "action_" + action, cost, result)
    return None


def _closer_monitoring(sim, i, it, t) -> str:
    sim.closer_until[i] = t + int(it.duration_months)
    return ""


def _onsite_check(sim, i, it, t) -> str:
    sim._targeted.append(i)  # done together after the month's actions
    return ""


def _add_collateral(sim, i, it, t) -> str:
    result = "refused"
    if sim.d[i] > it.params["health_margin"]:
        top = it.params["top_up_ltv_share"] * sim.balance[i]
        sim.extra_collateral[i] += top
        sim.appraised[i] += top
        result = "obtained"
    sim.relationship[i] -= defaults.RELATIONSHIP_HIT["intrusive"]
    return result


def _freeze_line(sim, i, it, t) -> str:
    healthy = sim.d[i] > defaults.HEALTHY_BORROWER
    sim.frozen[i] = True
    return _damage(sim, t, i) if healthy else "frozen"


def _entrusted_payment(sim, i, it, t) -> str:
    sim.entrusted[i] = True
    sim.diverting[i] = False
    sim.relationship[i] -= defaults.RELATIONSHIP_HIT["intrusive"]
    return ""


def payment_cut(balance, rate, remaining, longest, repayment, params: dict):
    """The cut in the average payment due over the next year that a restructuring brings
    (columns in, columns out): the term stretched (up to `longest` months to go, the
    extension limit: sim.loanbook.longest_remaining), the rate lowered."""
    new_rate = np.maximum(0.0, np.asarray(rate, dtype=float) - params["rate_concession"])
    new_remaining = np.minimum(np.ceil(np.asarray(remaining) * params["term_stretch"]) +
                               params["term_add_months"], longest)
    if new_rate.ndim == 1:
        return new_rate, new_remaining, cut_of(np.arange(len(new_rate)), balance, rate,
                                               remaining, longest, repayment, params)
    before = payment_burden(balance, rate, remaining, repayment)
    after = payment_burden(balance, new_rate, new_remaining, repayment)
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = np.where(before > 0, 1.0 - after / before, 0.0)
    return new_rate, new_remaining, np.maximum(cut, 0.0)


def cut_of(idx: np.ndarray, balance, rate, remaining, longest, repayment,
           params: dict) -> np.ndarray:
    """`payment_cut`'s cut for loans idx of the columns: sim.loanbook.payment_burden before
    and after, compiled around numpy's own power (kernels_act), so the same figures in
    three calls instead of forty."""
    args = (float(params["rate_concession"]), float(params["term_stretch"]),
            float(params["term_add_months"]))
    idx = np.asarray(idx, dtype=np.int64)
    rate = np.asarray(rate, dtype=float)
    remaining = np.asarray(remaining)
    longest = np.asarray(longest)  # months, read as floats loan by loan (not the whole book)
    base, expo = cut_power_inputs(idx, rate, remaining, longest, *args)
    return cut_from_power(idx, np.asarray(balance, dtype=float), rate, remaining, longest,
                          np.asarray(repayment), *args, base ** expo, BURDEN_HORIZON_MONTHS)


def restructure_terms(balance: float, rate: float, remaining: int, longest: int,
                      repayment: int, params: dict) -> tuple[float, int, float]:
    """New rate, new remaining term and the cut in the monthly burden a restructuring
    gives: `payment_cut` for one loan, in plain floats (the engine restructures one loan
    at a time). The term stretches up to `longest` months to go (the extension limit)."""
    new_rate = max(0.0, rate - params["rate_concession"])
    new_remaining = min(math.ceil(remaining * params["term_stretch"]) +
                        params["term_add_months"], longest)
    before = payment_burden_one(balance, rate, remaining, repayment)
    after = payment_burden_one(balance, new_rate, new_remaining, repayment)
    cut = 1.0 - after / before if before > 0 else 0.0
    return new_rate, int(new_remaining), max(cut, 0.0)


def relief_health(params: dict, cut: float, dpd: int) -> float:
    """Health a restructuring gives: in proportion to the real cut in the payment, less
    once arrears have built up (re-default is likelier when relief comes late)."""
    step = defaults.DAYS_PER_MONTH
    stage = min(int(dpd) // step * step, max(params["stage_factor"]))
    return min(params["health_per_payment_cut"] * cut, params["max_health_boost"]) * \
        params["stage_factor"][stage]


def restructure_inputs(sim, i: int) -> tuple[float, float, int, int, int]:
    """Balance, rate, remaining months, the most months to go the extension limit allows
    (sim.loanbook.longest_remaining) and repayment code of loan i, as a restructuring now
    reads them (the engine when it acts, the desk when it shows the terms)."""
    term, mob = int(sim.term[i]), int(sim.mob[i])
    return (float(sim.balance[i]), float(sim.rate[i]), max(term - mob, 1),
            int(longest_remaining(int(sim.latest_term[i]), term, mob)),
            int(sim.pf.repayment[i]))


def _restructure(sim, i, it, t) -> str:
    p = it.params
    new_rate, new_remaining, cut = restructure_terms(*restructure_inputs(sim, i), p)
    sim.shift[i] += relief_health(p, cut, int(sim.dpd[i]))
    concession = sim.rate[i] - new_rate
    sim.rate[i] = new_rate
    sim.rate0[i] = max(0.0, sim.rate0[i] - concession)
    # a loan at or past its maturity counts one month to go; the limit still holds there
    sim.term[i] = min(sim.mob[i] + new_remaining, max(sim.latest_term[i], sim.term[i]))
    sim.restructured_again[i] = sim.restructured_until[i] >= t  # still under observation
    sim.restructured_until[i] = t + p["observation_months"]
    sim._observations_open = True
    sim.misses[i] = 0
    sim.dpd[i] = 0
    return "payment_cut" if cut >= p["meaningful_cut"] else "no_payment_cut"


def _emergency_deferral(sim, i, it, t) -> str:
    sim.deferral_until[i] = t + it.params["months"] - 1
    sim.misses[i] = 0
    sim.dpd[i] = 0
    return ""


def _accelerate(sim, i, it, t) -> str:
    if sim.d[i] > it.params["repay_health"] and not sim.defaulted[i]:
        repay_in_full(sim, i)
        sim.relationship[i] = 0.0
        return "repaid"
    if not sim.defaulted[i]:
        default_loans(sim, t, np.array([i]))
    sim.floor[i] = max(sim.floor[i], LoanClass.SUBSTANDARD.value)
    sim.frozen[i] = True
    return "defaulted"


def _collect(sim, i, it, t) -> str:
    sim.boost[i] += it.params["cure_boost"]
    return ""


def _lawsuit(sim, i, it, t) -> str:
    sim.lawsuit_month[i] = t
    sim.preserved[i] = True
    sim.start(workouts.lawsuit(sim, i, it.duration_months))
    return ""


def _auction(sim, i, it, t) -> str:
    sim.start(workouts.auction(sim, i))
    return ""


def _write_off(sim, i, it, t) -> str:
    amt = sim.balance[i]
    sim.written_off[i] += amt
    sim.balance[i] = 0.0
    sim.status[i] = workouts.WRITTEN_OFF
    return f"{amt:.0f}"


def _claim_sale(sim, i, it, t) -> str:
    claim = workouts.balance_or_claim(sim, i)
    on_books = sim.status[i] in workouts.ON_BOOKS_STATUSES
    if on_books:
        value = workouts.recovery_value(sim)[i]
    else:
        bal = sim.balance[i]
        sim.balance[i] = claim
        value = workouts.recovery_value(sim)[i]
        sim.balance[i] = bal
    price = min(claim, defaults.CLAIM_SALE_VALUE_FACTOR * value)
    workouts.recover(sim, t, i, price, "claim_sold")
    if on_books:
        sim.written_off[i] += sim.balance[i]
        sim.balance[i] = 0.0
    sim.status[i] = workouts.SOLD
    return ""


def _damage(sim, t: int, i: int) -> str:
    """An aggressive action on a healthy borrower: the relationship suffers, it may leave."""
    sim.relationship[i] -= defaults.RELATIONSHIP_HIT["aggressive_on_healthy"]
    if sim._u_act[i, 1] < defaults.EARLY_REPAYMENT_ON_DAMAGE:
        sim.rec.log(t, i, "customer_left", repay_in_full(sim, i))
        return "customer_left"
    return "relationship_damaged"


def _meet_borrower(sim, i, it, t) -> str:
    # what a meeting achieves comes from its conversation: what it found is known from now,
    # the relationship moves at the decision's end (sim.conversation.apply_talk)
    learn_at_meeting(sim, i)
    return ""


EFFECTS: dict[str, Callable] = {
    "closer_monitoring": _closer_monitoring,
    "meet_borrower": _meet_borrower,  # and held by phone or at the branch (MEETING_ACTIONS)
    "meet_borrower_call": _meet_borrower,
    "meet_borrower_branch": _meet_borrower,
    "onsite_check": _onsite_check,
    "add_collateral": _add_collateral,
    "freeze_line": _freeze_line,
    "entrusted_payment": _entrusted_payment,
    "restructure": _restructure,
    "emergency_deferral": _emergency_deferral,
    "accelerate": _accelerate,
    "collect_call": _collect,
    "collect_letter": _collect,
    "collect_visit": _collect,
    "lawsuit": _lawsuit,
    "auction": _auction,
    "write_off": _write_off,
    "claim_sale": _claim_sale,
}
"""Action id -> effect(sim, loan, intervention type, month) -> result key."""
