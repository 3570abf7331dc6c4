"""The fixed draws of each month, and a tape that lets the runs of one seed share them.

The engine's randomness is common random numbers (docs/model.md §1): every month of a run
draws the same fixed set of numbers from its streams, whatever is decided: one normal
per loan for the idiosyncratic health, normals for the economy, the industries and the
regions, and uniforms for the signals and for the actions. So two runs of one seed,
under different strategies, draw the very same numbers month by month.

A study runs each seed under several strategies (sim.study). A `DrawTape` given to those
runs lets the first record its months' draws and the others replay them instead of
drawing again, and with them what the macro draws make of each month (`MonthMacro`: the
factors, the barriers and the shocks, which no decision moves). They share its portfolio
too (the book the seed draws) and the loans' health at the start (sim.credit.HealthStart),
and go on from the borrower stream as it was after the book. A
replaying run leaves its own streams where they were and, for the workout tail past the
horizon (sim.tail), takes the action stream as the recording run had it at the horizon,
so every figure is what it would have been without the tape.
A book too large to hold all its months' draws (`TAPE_MAX_BYTES`) draws its own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from sim.portfolio import Portfolio

TAPE_MAX_BYTES = 256 * 2**20
"""The most a tape holds: 2,000 loans x 60 months take about 17 MB."""


@dataclass(frozen=True)
class MonthDraws:
    """One month's fixed draws, in the order the engine makes them."""

    z_idio: np.ndarray  # (loans,) standard normals
    z_econ: float
    z_ind: np.ndarray  # (industries,)
    z_reg: np.ndarray  # (regions,)
    u_sig: np.ndarray  # (loans, signal columns) uniforms
    u_act: np.ndarray  # (loans, action columns) uniforms


@dataclass(frozen=True)
class MonthMacro:
    """What a month's macro draws and the case's schedule make of it, the same in every
    run of a seed whatever is decided (sim.engine's `_month_macro`): the systematic
    factors after the month's step, each (segment, industry, region) group's health
    barrier, and each loan's health shock."""

    f_econ: float
    f_ind: np.ndarray  # (industries,)
    f_reg: np.ndarray  # (regions,)
    barrier: np.ndarray  # (groups,)
    shock: np.ndarray  # (loans,)


def draw_month(sim, n_signal_columns: int, n_action_columns: int) -> MonthDraws:
    """The month's draws from the run's own streams."""
    n = sim.n
    return MonthDraws(
        z_idio=sim.rng_idio.standard_normal(n),
        z_econ=sim.rng_macro.standard_normal(),
        z_ind=sim.rng_macro.standard_normal(len(sim.pf.industries)),
        z_reg=sim.rng_macro.standard_normal(len(sim.pf.regions)),
        u_sig=sim.rng_signals.random((n, n_signal_columns)),
        u_act=sim.rng_actions.random((n, n_action_columns)))


@dataclass
class DrawTape:
    """The months' draws of one seed, recorded by the first run that is given the tape and
    replayed to the later ones (they must be runs of the same case, seed and horizon)."""

    key: tuple | None = None  # (seed, loans, months) of the recording run
    months: list[MonthDraws] = field(default_factory=list)
    macro: list[MonthMacro] = field(default_factory=list)  # month t in place t - 1
    actions_at_horizon: np.random.Generator | None = None
    portfolio: Portfolio | None = None  # the book the seed draws
    borrowers_after: np.random.Generator | None = None  # the borrower stream after drawing it
    health_start: object | None = None  # sim.credit.HealthStart, kept by sim.credit.init_health

    def role(self, sim, bytes_per_month: int) -> str | None:
        """How run `sim` uses the tape: "record" (the first run given it), "replay" (a
        later run, once the tape holds every month), or None (the book is too large to
        tape: the run draws its own). A run of another seed, book or horizon, or a tape
        still being recorded, is refused."""
        if bytes_per_month * sim.T > TAPE_MAX_BYTES:
            return None
        key = (sim.seed, sim.n, sim.T)
        if self.key is None:
            self.key = key
            return "record"
        if self.key != key:
            raise ValueError(f"a draw tape recorded for (seed, loans, months) {self.key} "
                             f"cannot be replayed to a run of {key}")
        if len(self.months) < sim.T:
            raise ValueError("the draw tape is still being recorded: run the recording "
                             "run to its horizon first")
        return "replay"

    def keep_book(self, pf: Portfolio, rng_borrowers: np.random.Generator) -> None:
        """Keep the recording run's portfolio for the later runs (a run reads its portfolio
        and never writes into it, so the runs of the seed share one) and the borrower
        stream as it stands after drawing it (the run goes on drawing from its own)."""
        self.portfolio, self.borrowers_after = pf, copy.deepcopy(rng_borrowers)

    def book(self) -> tuple[Portfolio, np.random.Generator]:
        """The seed's portfolio, and the borrower stream after it for a replaying run to
        draw on from (a copy of its own)."""
        return self.portfolio, copy.deepcopy(self.borrowers_after)

    def record(self, sim, t: int, n_signal_columns: int, n_action_columns: int) -> MonthDraws:
        """Month t's draws from the recording run's streams, kept for the later runs."""
        got = draw_month(sim, n_signal_columns, n_action_columns)
        for a in (got.z_idio, got.z_ind, got.z_reg, got.u_sig, got.u_act):
            a.flags.writeable = False  # shared by every run of the seed
        self.months.append(got)
        if t == sim.T:
            self.actions_at_horizon = copy.deepcopy(sim.rng_actions)
        return got

    def keep_macro(self, got: MonthMacro) -> None:
        """The recording run's macro side of its next month, kept for the later runs."""
        for a in (got.f_ind, got.f_reg, got.barrier, got.shock):
            a.flags.writeable = False  # shared by every run of the seed
        self.macro.append(got)
