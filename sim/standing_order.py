"""The standing order (常设指令): defaulted loans pass to the asset-preservation team.

As in a bank, a loan that defaults goes to the asset-preservation team (资产保全部)
without the officer having to remember it: the team sues, auctions the
collateral once it may, and sells or writes off what is left, exactly as the
late-collection baseline does (``sim.strategies.base.workout``). The team's hours
do not compete with the officers'. A player may switch the order off, or hold
single loans back (say, while a settlement is negotiated); what the order did is
recorded so the debrief can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.observation import Observation
from sim.strategies.base import Budget, workout


@dataclass(frozen=True)
class StandingOrder:
    """Whether the order stands, and the loans held back from it."""

    active: bool = True
    held: frozenset[int] = frozenset()

    def to_log(self) -> dict:
        return {"active": self.active, "held": sorted(int(i) for i in self.held)}

    @classmethod
    def from_log(cls, entry: dict | None) -> StandingOrder:
        """The order of a logged month; a month logged before the order existed had none."""
        if entry is None:
            return cls(active=False)
        return cls(active=bool(entry.get("active", True)),
                   held=frozenset(int(i) for i in entry.get("held", ())))


def team_hours(catalogue: dict) -> dict[str, float]:
    """Hours per action for the order's budget: the case's catalogue over the defaults."""
    from sim.defaults import INTERVENTIONS

    return {k: it.hours for k, it in {**INTERVENTIONS, **catalogue}.items()}


def standing_actions(obs: Observation, order: StandingOrder, hours: dict[str, float],
                     taken: set[tuple[int, str]] = frozenset()) -> list[tuple[int, str]]:
    """The workout steps the order takes this month, beside what the player queued (``taken``)."""
    if not order.active:
        return []
    steps: list = []
    workout(obs, Budget(float("inf")), steps, hours)  # the legal team's own hours
    # the player's own calls or visits on a defaulted loan do not stop the team's legal steps;
    # only the same step queued by the player replaces the team's
    return [(int(i), a) for i, a in steps if int(i) not in order.held and (int(i), a) not in taken]
