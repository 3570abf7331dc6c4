"""Staff hours: the officers' monthly hours and the asset-preservation team's.

Officers' hours are a level (`Hours`) refilled to the staff's capacity each month;
checks and actions draw on it. Legal work (lawsuits, auctions, write-offs, claim sales)
goes to the asset-preservation team (资产保全部): its hours are counted in the run's
total but do not compete with the officers'.
"""

from __future__ import annotations


class Hours:
    """The officers' hours left in the month: what a `simpy.Container` of them held, with
    its arithmetic (a refill adds the shortfall, a draw takes what was spent), without its
    two SimPy events a month, which nothing waited on."""

    __slots__ = ("level",)

    def __init__(self, level: float):
        self.level = level


def init(sim) -> None:
    sc = sim.sc
    sim.staff_hours = sc.staff.officers * sc.staff.hours_per_officer_month
    sim.hours = Hours(sim.staff_hours)
    sim.hours_used = 0.0
    sim.workout_hours = 0.0
    sim.hours_log = []
    sim._hours_left = 0.0


def refill(sim) -> float:
    """Top the officers' hours up for a new month; returns the hours at the month's start."""
    if sim.hours.level < sim.staff_hours:
        sim.hours.level += sim.staff_hours - sim.hours.level
    sim._hours_left = float(sim.hours.level)
    return sim._hours_left


def by_legal_team(catalogue: dict, action: str) -> bool:
    """Legal work goes to the asset-preservation team (资产保全部), not the officers."""
    it = catalogue.get(action)
    return it is not None and it.stage == "workout" and action != "accelerate"


def charge(sim, action: str, hours: float) -> None:
    """Book an action's hours to whoever does it."""
    charge_to(sim, by_legal_team(sim.catalogue, action), hours)


def charge_to(sim, legal: bool, hours: float) -> None:
    """Book hours to the legal team (legal) or the officers (`charge`, the team known)."""
    if legal:
        sim.workout_hours += hours
    elif hours > 0:
        sim._hours_left -= hours


def close_month(sim, start_hours: float) -> float:
    """Take the month's hours from the officers' level in one draw; returns hours used."""
    spent = start_hours - sim._hours_left
    if spent > 0:
        sim.hours.level -= min(spent, sim.hours.level)
    sim.hours_used += spent
    sim.hours_log.append(spent)
    return spent
