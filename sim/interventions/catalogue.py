"""The intervention catalogue merged with a scenario's overrides, and the precondition table.

Preconditions use only what the bank can see, so the desk can say why an
action is not available. Whether an action works (a borrower still able to give
extra collateral, a weak borrower pushed into default by an acceleration) is
decided in sim.interventions.effects from hidden state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from sim import defaults
from sim.codes import LoanClass, LoanStatus
from sim.defaults import INTERVENTIONS, MEETING_ACTIONS, InterventionType
from sim.interventions.workouts import NO_COLLATERAL
from sim.kernels.alerts import difficulty_and_alerts as kernel_difficulty_and_alerts
from sim.scenario import Scenario
from sim.signals import alert_weights, alerted, recent_alerts

# plain ints for per-loan code: comparing a numpy scalar with an IntEnum member makes
# numpy probe the enum class for array attributes, which is slow in a per-action path
ACTIVE, DEFAULTED, WRITTEN_OFF = (LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value,
                                  LoanStatus.WRITTEN_OFF.value)
SPECIAL_MENTION = LoanClass.SPECIAL_MENTION.value

REASONS: tuple[str, ...] = (
    "active", "not_defaulted", "not_recalled", "has_undrawn", "self_payment", "in_difficulty", "freeze_ground",
    "disaster_hit",
    "overdue", "defaulted", "no_lawsuit", "judgment_or_security", "has_collateral",
    "unpledged_assets", "available", "hours", "queued", "conversation", "no_conversation",
    "contradicts", "clears_arrears",
)
"""Why an action cannot be taken: each precondition code, plus "available" (the case does
not offer it), "hours" (not enough officers' hours), "queued" (already this month), for
a meeting "conversation" (held through its conversation) or "no_conversation", and on the
desk "contradicts" (relief and an early recall of one loan in one month) and
"clears_arrears" (a restructuring and a collection action of one loan in one month).
Their text is in training/locales/<lang>/engine.yaml under engine.reason."""


def catalogue(sc: Scenario) -> dict[str, InterventionType]:
    """The interventions a scenario offers, with its overrides applied."""
    out = {}
    for key, it in INTERVENTIONS.items():
        if sc.interventions_available is not None and key not in sc.interventions_available \
                and key not in ("onsite_check", "closer_monitoring", *MEETING_ACTIONS.values()):
            continue
        ov = sc.intervention_overrides.get(key)
        if ov is not None:
            it = replace(
                it,
                hours=it.hours if ov.hours is None else ov.hours,
                cost_cny=it.cost_cny if ov.cost_cny is None else ov.cost_cny,
                duration_months=it.duration_months if ov.duration_months is None else ov.duration_months,
            )
        out[key] = it
    return out


def _on_books(sim, i: int, action: str, t: int) -> bool:
    st = sim.status[i]
    return st in (ACTIVE, DEFAULTED) or (action == "claim_sale" and st == WRITTEN_OFF)


def difficulty_and_alerts(dpd, cls, last_seen, month: int,
                          alert_months: int) -> tuple[np.ndarray, np.ndarray]:
    """(whether the bank can see each borrower in difficulty, the ground for relief: in
    arrears, on the watch list, or a signal seen lately, payment's included; the number
    of distinct non-payment signals seen in the `alert_months` months before decision
    month `month`, sim.signals.recent_alerts). Columns in, columns out; the two read in
    one pass over last_seen (sim.kernels.alerts), as a strategy wants both at each
    decision point."""
    counted = alert_weights(None, False)  # recent_alerts' own: the one rule
    any_weights = alert_weights(None, True)
    if last_seen.ndim != 2 or last_seen.shape[1] != len(any_weights):
        # not the engine's signals: recent_alerts reads the columns there are
        recent = recent_alerts(last_seen, month, include_payment=True) > 0
        return ((dpd > 0) | (cls >= SPECIAL_MENTION) | recent,
                recent_alerts(last_seen, month, alert_months))
    # recent_alerts' window: signals seen after month - 1 - months
    return kernel_difficulty_and_alerts(
        last_seen, month - 1 - alert_months, counted,
        month - 1 - defaults.ALERT_WINDOW_MONTHS, any_weights, dpd, cls, SPECIAL_MENTION)


def _performing(sim, i: int, action: str, t: int) -> bool:
    """Still performing: not defaulted, nor recalled (a recall either closes the loan or
    defaults it, and a recalled loan cannot cure: sim.interventions.effects._accelerate)."""
    return not sim.defaulted[i] and sim.status[i] == ACTIVE


def _in_difficulty(sim, i: int, action: str, t: int) -> bool:
    """`difficulty_and_alerts`' difficulty for one loan, without building one-element
    columns."""
    if sim.dpd[i] > 0 or sim.cls[i] >= SPECIAL_MENTION:
        return True
    return alerted(sim.last_seen[i], t, include_payment=True)


def _freeze_ground(sim, i: int, action: str, t: int) -> bool:
    """A ground to stop a line (domain: lawful when credit weakens or funds are misused,
    Civil Code Art. 673): difficulty the bank can see, or a misuse of loan money it knows
    of. The watch list says so from the month's tick (sim.classification); a finding made
    at the decision, by a meeting the borrower admitted it in, counts the same month
    (sim.conversation.learn_at_meeting)."""
    return bool(sim.known_diversion[i]) or _in_difficulty(sim, i, action, t)


def _judgment_or_security(sim, i: int, action: str, t: int) -> bool:
    return bool(sim.judgment[i] or (
        sim.lawsuit_month[i] >= 0 and t - sim.lawsuit_month[i]
        >= defaults.SECURITY_ENFORCEMENT_MONTHS)) and not sim.auction_open[i]


PRECONDITIONS: dict[str, Callable[[object, int, str, int], bool]] = {
    "active": _on_books,
    "not_defaulted": _performing,
    # a loan is called once: after a recall, or a default, the whole loan is due already,
    # and a second call would only be charged (the same test, its own text at the desk)
    "not_recalled": _performing,
    "has_undrawn": lambda sim, i, a, t: sim.undrawn[i] > 0 and not sim.frozen[i],
    "self_payment": lambda sim, i, a, t: not sim.entrusted[i],
    "in_difficulty": _in_difficulty,
    "freeze_ground": _freeze_ground,
    "disaster_hit": lambda sim, i, a, t: bool(sim.disaster_until[sim.pf.region[i]] >= t),
    "overdue": lambda sim, i, a, t: bool(sim.dpd[i] > 0),
    "defaulted": lambda sim, i, a, t: bool(sim.defaulted[i]) or sim.status[i] == WRITTEN_OFF,
    "no_lawsuit": lambda sim, i, a, t: sim.lawsuit_month[i] < 0,
    "judgment_or_security": _judgment_or_security,
    # its own collateral not yet sold or set off, or a top-up not yet sold (a deposit's
    # set-off leaves the top-up beside it to be auctioned: workouts.has_security)
    "has_collateral": lambda sim, i, a, t: (
        not sim.collateral_sold[i] and sim.pf.collateral_type[i] != NO_COLLATERAL) or (
        sim.extra_collateral[i] > 0),
    # a borrower tops up its security once: what it had free is then pledged
    "unpledged_assets": lambda sim, i, a, t: not sim.extra_collateral[i] > 0,
}
"""Precondition code -> whether it holds for loan i (what the bank can see only)."""


def precondition(sim, i: int, action: str, month: int | None = None) -> str | None:
    """The reason code an action cannot be taken on loan i at decision month `month`
    (default: the engine's current month), or None."""
    it = sim.catalogue.get(action)
    if it is None:
        return "available"
    t = sim.t if month is None else month
    for req in it.requires:
        if not PRECONDITIONS[req](sim, i, action, t):
            return req
    return None
