"""What every strategy shares: the interface, an hours budget, and the late-stage workout.

A strategy sees an Observation (only what an officer can see; the oracle also
gets the hidden state) and returns a Decision: a monitoring policy and actions
within the hours available.
"""

from __future__ import annotations

import numpy as np

from sim.codes import LoanClass, LoanStatus
from sim.observation import HOURS_TOLERANCE, Decision, Observation
from sim.policy import ClassIntervals, MonitoringPolicy
from sim.staff import by_legal_team
from sim.strategies.kernels_decide import workout_steps

LOSS = LoanClass.LOSS.value  # a plain int for the per-loan loop
DEFAULTED = LoanStatus.DEFAULTED.value  # plain ints compare with columns faster

NO_CHECKS = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)
"""A policy with no routine or first checks."""


class Budget:
    """Hours a strategy may still commit this month."""

    def __init__(self, hours: float):
        self.left = hours

    def take(self, hours: float) -> bool:
        if hours <= self.left + HOURS_TOLERANCE:
            self.left -= hours
            return True
        return False


def in_difficulty(obs: Observation) -> np.ndarray:
    """Loans whose difficulty the bank can see (the ground for relief), as the engine judges it."""
    return obs.in_difficulty()


def offered(obs: Observation, action: str) -> bool:
    """Whether the case offers this action (its own catalogue, carried by the observation)."""
    return not obs.actions or action in obs.actions


def action_hours(obs: Observation, i: int, action: str) -> float:
    """Staff hours of an action on loan i, from the case's own catalogue."""
    if action == "onsite_check":
        return float(obs.check_hours[i])
    it = obs.actions.get(action) if obs.actions else None
    if it is None:
        from sim.defaults import INTERVENTIONS

        it = INTERVENTIONS[action]
    return float(it.hours)


WORKOUT_STEPS = ("lawsuit", "auction", "claim_sale", "write_off")
"""The standing order's steps, in the order its rules are tried."""


def _book(obs: Observation, budget: Budget, actions: list, i: int, action: str) -> None:
    """Queue a workout step: legal work is the asset-preservation team's, not the officers'."""
    if not offered(obs, action):
        return
    if by_legal_team(obs.actions, action) or budget.take(action_hours(obs, i, action)):
        actions.append((i, action))


def workout(obs: Observation, budget: Budget, actions: list, hours: dict | None = None,
            sell_unsecured_after: int = 12, write_off_loss: bool = True) -> None:
    """The standing order for defaulted loans (资产保全): sue, auction the collateral,
    then sell or write off. Done by the asset-preservation team, so it never waits for
    the officers' hours and every strategy gets it the same way."""
    dl, step = obs.derived(("workout", sell_unsecured_after, write_off_loss),
                           lambda: _next_steps(obs, sell_unsecured_after, write_off_loss))
    for i, k in zip(dl, step, strict=True):
        _book(obs, budget, actions, i, WORKOUT_STEPS[k])


def _next_steps(obs: Observation, sell_unsecured_after: int,
                write_off_loss: bool) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The defaulted loans that have a next workout step, largest balance first, and the
    step of each (an index in WORKOUT_STEPS): the first of its rules that holds (compiled:
    sim.strategies.kernels_decide.workout_steps)."""
    loans, steps = workout_steps(
        obs.status, obs.balance, obs.lawsuit_month, obs.has_collateral, obs.judgment,
        obs.enforced, obs.auction_open, obs.cls, obs.month, sell_unsecured_after, bool(write_off_loss),
        DEFAULTED, LOSS)
    return tuple(loans.tolist()), tuple(steps.tolist())


class Strategy:
    """A post-loan policy: `decide` maps an Observation to a Decision."""

    name = "base"
    needs_hidden = False
    reads_signals = True
    """Whether the strategy reads the signals the bank has seen (`Observation.last_seen`),
    in its decisions or through the preconditions of the actions it takes (relief and a
    freeze need difficulty the bank can see: sim.interventions.catalogue). A run that
    keeps no warnings, of a strategy that reads none, skips the month's off-site
    monitoring, whose sightings nothing would read (sim.engine)."""

    def __init__(self, hours: dict | None = None):
        from sim.defaults import INTERVENTIONS

        self.hours = hours or {k: v.hours for k, v in INTERVENTIONS.items()}

    def decide(self, obs: Observation) -> Decision:  # pragma: no cover - interface
        raise NotImplementedError
