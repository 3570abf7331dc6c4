"""sim.draws: the runs of one seed share their months' draws, and no figure moves."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

import sim.draws
from sim.draws import DrawTape
from sim.engine import Simulation, simulate_brief
from sim.scenario import load_scenario
from sim.strategies import make_strategy

CASES = Path(__file__).resolve().parent.parent / "scenarios"
STRATEGIES = ("late-collection", "early-warning", "oracle", "do-nothing")


def _same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name))
               for f in fields(a))


@pytest.mark.parametrize("case, months", [("guarantee_chain", 24), ("disaster", None),
                                          ("fund_diversion", 18)])
def test_runs_sharing_a_tape_end_exactly_as_runs_drawing_their_own(case, months):
    """Every figure, including the workout tail past the horizon (where only the action
    stream draws), whichever strategy records the tape and whichever replay it."""
    sc = load_scenario(CASES / f"{case}.yaml")
    tape = DrawTape()
    for name in STRATEGIES:
        own = simulate_brief(sc, seed=5, months=months, strategy=name)
        shared = simulate_brief(sc, seed=5, months=months, strategy=name, tape=tape)
        assert _same(own, shared), name
    assert len(tape.months) == (months or sc.horizon_months)


def test_a_tape_is_for_one_seed_book_and_horizon():
    sc = load_scenario(CASES / "intro.yaml")
    tape = DrawTape()
    simulate_brief(sc, seed=1, months=6, tape=tape)
    with pytest.raises(ValueError, match="seed, loans, months"):
        Simulation(sc, seed=2, months=6, tape=tape)
    with pytest.raises(ValueError, match="seed, loans, months"):
        Simulation(sc, seed=1, months=7, tape=tape)


def test_a_tape_still_being_recorded_is_not_replayed():
    sc = load_scenario(CASES / "intro.yaml")
    tape = DrawTape()
    first = Simulation(sc, seed=1, months=6, tape=tape)
    first.advance_to(3)
    with pytest.raises(ValueError, match="still being recorded"):
        Simulation(sc, seed=1, months=6, tape=tape)


def test_the_shared_draws_cannot_be_written_by_a_run():
    sc = load_scenario(CASES / "intro.yaml")
    tape = DrawTape()
    simulate_brief(sc, seed=1, months=3, tape=tape)
    with pytest.raises(ValueError, match="read-only"):
        tape.months[0].u_sig[0, 0] = 0.5
    with pytest.raises(ValueError, match="read-only"):  # the months' macro side too
        tape.macro[0].shock[0] = 0.5


@pytest.mark.parametrize("case", ["disaster", "real_estate"])
def test_a_replaying_run_moves_its_factors_as_a_run_drawing_its_own(case):
    """The macro side read off a tape (sim.draws.MonthMacro): each month's factors, and the
    shocks in force, as the run would have them itself."""
    sc = load_scenario(CASES / f"{case}.yaml")
    tape = DrawTape()
    simulate_brief(sc, seed=3, months=12, strategy="early-warning", tape=tape)
    own = Simulation(sc, seed=3, months=12)
    shared = Simulation(sc, seed=3, months=12, tape=tape)
    for month in range(1, 13):
        own.advance_to(month)
        shared.advance_to(month)
        assert own.f_econ == shared.f_econ, month
        np.testing.assert_array_equal(own.f_ind, shared.f_ind)
        np.testing.assert_array_equal(own.f_reg, shared.f_reg)
        assert own.active_shocks == shared.active_shocks, month
        np.testing.assert_array_equal(own.d, shared.d)


def test_a_replaying_run_starts_its_health_off_the_tape():
    """The factors and health at the start (sim.credit.HealthStart) are worked out once a
    seed: a replaying run starts where a run drawing its own would, without drawing, and
    the health it moves is its own."""
    sc = load_scenario(CASES / "guarantee_chain.yaml")
    tape = DrawTape()
    recording = Simulation(sc, seed=4, months=12, tape=tape)
    own = Simulation(sc, seed=4, months=12)
    recording.run_brief()
    shared = Simulation(sc, seed=4, months=12, tape=tape)
    assert tape.health_start is not None
    for name in ("f_econ", "f_ind", "f_reg", "e", "d", "d_hist", "_group_of", "_group_gp",
                 "_group_sqrt_rho", "_health_shared"):
        np.testing.assert_array_equal(getattr(own, name), getattr(shared, name), name)
    for a, b in zip(own._groups, shared._groups, strict=True):
        np.testing.assert_array_equal(a, b)
    assert shared.e is not tape.health_start.e and shared.d is not tape.health_start.d
    # its own idiosyncratic stream drew nothing (the engine's third child stream)
    untouched = np.random.default_rng(np.random.SeedSequence(4).spawn(6)[2])
    assert shared.rng_idio.bit_generator.state == untouched.bit_generator.state
    assert own.rng_idio.bit_generator.state != untouched.bit_generator.state


def test_the_runs_of_a_tape_share_one_book_that_no_run_writes_into():
    """The seed's portfolio is drawn once: a replaying run takes the recording run's, and
    after every strategy has run on it, it is still the book the seed draws."""
    sc = load_scenario(CASES / "guarantee_chain.yaml")
    tape = DrawTape()
    runs = [Simulation(sc, seed=1, months=12, decider=make_strategy(name).decide,
                       oracle=name == "oracle", tape=tape) for name in STRATEGIES[:1]]
    runs[0].run_brief()
    for name in STRATEGIES[1:]:
        runs.append(Simulation(sc, seed=1, months=12, decider=make_strategy(name).decide,
                               oracle=name == "oracle", tape=tape))
        runs[-1].run_brief()
    assert all(r.pf is runs[0].pf for r in runs)
    assert _same(runs[0].pf, Simulation(sc, seed=1, months=12).pf)


def test_a_book_too_large_for_a_tape_draws_its_own(monkeypatch):
    sc = load_scenario(CASES / "intro.yaml")
    monkeypatch.setattr(sim.draws, "TAPE_MAX_BYTES", 1)
    tape = DrawTape()
    own = simulate_brief(sc, seed=3, months=12, strategy="early-warning")
    taped = simulate_brief(sc, seed=3, months=12, strategy="early-warning", tape=tape)
    assert tape.months == [] and _same(own, taped)


def test_finished_runs_let_the_tape_go():
    """A study drops each replication's tape when the replication ends, though its
    finished runs linger as garbage in reference cycles until a full collection: the
    runs must not hold it, or a worker's memory grows by a tape (16 MB at 2,000 loans x
    60 months) a replication."""
    import weakref

    from sim.engine import Simulation
    from sim.strategies import make_strategy

    sc = load_scenario(CASES / "intro.yaml")
    tape = DrawTape()
    kept = []
    for name in ("late-collection", "early-warning"):
        s = Simulation(sc, seed=2, months=8, decider=make_strategy(name).decide, tape=tape,
                       warnings=False)
        s.run_brief()
        kept.append(s)
    gone = weakref.ref(tape)
    del tape
    assert gone() is None and all(s.t == 8 for s in kept)
