"""Tests for sim.observation: one rule for whether an action is admissible and what it
costs, shared by the engine and the desk, and a read-only view for strategies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.policy import ClassIntervals, MonitoringPolicy
from sim.scenario import load_scenario, scenario_paths
from sim.standing_order import StandingOrder
from training.desk import Desk as Game

NO_CHECKS = MonitoringPolicy(interval_months=ClassIntervals(
    normal=0, special_mention=0, substandard=0, doubtful=0, loss=0), first_check_days=0)


def _queue_one_of_each(g: Game, used: set[int]) -> dict[tuple[int, str], float]:
    """Queue every action the case offers on some loan where it is available, one loan per
    action; returns the cost each option showed."""
    shown = {}
    loans = g.loans()
    order = loans.sort_values(["dpd", "balance_cny"], ascending=False)["loan_id"].tolist()
    wanted = set(g.sim.catalogue)
    for i in order:
        if not wanted:
            break
        if i in used:
            continue
        for o in g.options(int(i)):
            if o.id in wanted and o.available:
                g.queue(int(i), o.id)
                shown[(int(i), o.id)] = o.cost_cny
                wanted.discard(o.id)
                used.add(int(i))
                break
    return shown


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(scenario_paths()), ids=lambda p: p.stem)
def test_option_queue_and_engine_charge_the_same_cost(path):
    """The cost an option shows = the cost the queued list shows = what the engine
    charges and logs, for every action, on every shipped case."""
    sc = load_scenario(path)
    g = Game(sc, seed=3)
    g.set_policy(NO_CHECKS)
    g.set_standing_order(StandingOrder(active=False))  # only the actions queued here are charged
    # let trouble build up so that workout actions become available
    while g.month < min(12, g.horizon - 4):
        g.end_month(g.month)
    covered = set()
    for _ in range(3):
        shown = _queue_one_of_each(g, set())
        queued = {(q.loan_id, q.action_id): q.cost_cny for q in g.queued}
        assert queued == shown
        month = g.month + 1
        rep = g.end_month(g.month)
        assert not rep.rejected, rep.rejected
        ev = g.sim.rec.event_frame()
        ev = ev[(ev["month"] == month) & ev["event"].str.startswith("action_")]
        charged = {(int(i), e[7:]): float(a) for i, e, a in
                   zip(ev["loan_id"], ev["event"], ev["amount_cny"], strict=True)}
        assert charged == pytest.approx(shown, rel=1e-12, abs=1e-9)
        covered |= {a for _, a in shown}
    assert {"onsite_check", "closer_monitoring"} <= covered


def test_lawsuit_cost_is_shown_in_the_queue():
    """The lawsuit fee is a share of the claim: the queue shows it, not zero."""
    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "real_estate"))
    g = Game(sc, seed=3)
    g.set_policy(NO_CHECKS)
    g.set_standing_order(StandingOrder(active=False))  # only the actions queued here are charged
    while not (g.sim.status == 1).any() and not g.finished:
        g.end_month(g.month)
    i = int(np.flatnonzero(g.sim.status == 1)[0])
    opt = {o.id: o for o in g.options(i)}["lawsuit"]
    assert opt.available and opt.cost_cny > 0
    g.queue(i, "lawsuit")
    assert g.queued[0].cost_cny == opt.cost_cny


def _small_case():
    return load_scenario(next(p for p in scenario_paths() if p.stem == "intro"))


def test_a_strategy_cannot_write_into_the_engine():
    """A strategy that tries to mark every loan as diverting, or to rewrite balances,
    gets an error and the engine's state is untouched."""
    from sim.engine import Decision, Simulation

    attempts = []

    def vandal(obs):
        for name in ("known_diversion", "balance", "status", "cls", "last_seen", "dpd"):
            arr = getattr(obs, name)
            with pytest.raises(ValueError, match="read-only"):
                arr[...] = 1
            attempts.append(name)
        with pytest.raises(AttributeError):
            obs.month = 99  # the observation itself is frozen
        return Decision()

    vandalised = Simulation(_small_case(), seed=2, months=3, decider=vandal).run()
    assert len(attempts) == 6 * 3
    plain = Simulation(_small_case(), seed=2, months=3, decider=lambda obs: Decision()).run()
    pd.testing.assert_frame_equal(vandalised.events, plain.events)
    pd.testing.assert_frame_equal(vandalised.loans, plain.loans)


def test_an_observation_built_by_of_is_the_one_init_builds():
    """Observation.of (the engine's monthly observation, built without the frozen
    dataclass's __init__) sets every field, defaults and fresh default factories
    included, to what __init__ sets, stays frozen, and refuses a missing or an unknown
    field as __init__ does."""
    import dataclasses

    from sim.engine import Simulation
    from sim.observation import Observation, observe

    sim = Simulation(_small_case(), seed=2, months=3)
    sim.advance_to(1)
    obs = observe(sim)
    given = {f.name: getattr(obs, f.name) for f in dataclasses.fields(obs)
             if f.name not in ("staff_hours", "memo", "judgement")}
    built, made = Observation.of(**given), Observation(**given)
    assert built.__dict__.keys() == made.__dict__.keys()
    for name, value in made.__dict__.items():
        if name == "memo":
            assert built.memo == {} and built.memo is not obs.memo
        else:
            assert getattr(built, name) is value or getattr(built, name) == value, name
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.month = 99
    with pytest.raises(TypeError):
        Observation.of(**{k: v for k, v in given.items() if k != "status"})
    with pytest.raises(TypeError):
        Observation.of(**given, seen=True)


def test_the_observation_carries_the_case_catalogue_and_hours():
    from sim.engine import Decision, Simulation

    seen = {}

    def spy(obs):
        seen["obs"] = obs
        return Decision()

    sc = _small_case()
    Simulation(sc, seed=1, months=1, decider=spy).run()
    obs = seen["obs"]
    assert set(obs.actions) >= {"onsite_check", "lawsuit"}
    assert obs.staff_hours == sc.staff.officers * sc.staff.hours_per_officer_month
    with pytest.raises(TypeError):
        obs.actions["lawsuit"] = None


def test_figures_kept_for_a_decision_point_are_that_months_and_read_only():
    """What the observation keeps for its next reader (recent alerts) is what the columns
    give at that month, cannot be changed by a reader, is shared with a copy of the same
    observation (the oracle's officer) and is worked out afresh the next month."""
    from dataclasses import replace

    from sim.engine import Decision, Simulation
    from sim.signals import recent_alerts

    seen = []

    def spy(obs):
        alerts = obs.recent_alerts(3)
        assert np.array_equal(alerts, recent_alerts(obs.last_seen, obs.month, 3))
        assert obs.recent_alerts(3) is alerts
        assert replace(obs, hidden=None).recent_alerts(3) is alerts
        with pytest.raises(ValueError, match="read-only"):
            alerts[...] = 0
        seen.append(alerts)
        return Decision()

    Simulation(_small_case(), seed=3, months=4, decider=spy).run()
    assert len(seen) == 4 and len({id(a) for a in seen}) == 4


def test_difficulty_and_alerts_read_together_are_the_rules_own():
    """The visible difficulty and the alert count, read off last_seen in one pass, are
    the arrears, the watch list and recent_alerts' counts (payment's signal counted for
    the difficulty only), on random sightings at several windows; an observation keeps
    both, and the count it kept for the difficulty's read is the one it then gives."""
    from sim.codes import LoanClass
    from sim.engine import Simulation
    from sim.interventions.catalogue import difficulty_and_alerts
    from sim.observation import observe
    from sim.signals import recent_alerts

    rng = np.random.default_rng(11)
    sim = Simulation(_small_case(), seed=5, months=6)
    n, k = sim.last_seen.shape
    for month in (1, 4, 9):
        last_seen = rng.choice([-99, month - 5, month - 4, month - 3, month - 1], (n, k))
        dpd = rng.choice([0, 0, 15, 45], n)
        cls = rng.integers(0, len(LoanClass), n)
        for months in (1, 3, 6):
            difficult, alerts = difficulty_and_alerts(dpd, cls, last_seen, month, months)
            assert np.array_equal(alerts, recent_alerts(last_seen, month, months))
            assert np.array_equal(difficult, (dpd > 0) | (cls >= LoanClass.SPECIAL_MENTION)
                                  | (recent_alerts(last_seen, month, include_payment=True) > 0))
    sim.advance_to(3)
    sim.last_seen[:] = rng.choice([-99, 0, 1, 2], (n, k))
    obs = observe(sim)
    difficult = obs.in_difficulty()
    assert obs.recent_alerts(3) is obs.memo[("recent_alerts", 3, None)]
    assert np.array_equal(obs.recent_alerts(3), recent_alerts(obs.last_seen, obs.month, 3))
    assert obs.in_difficulty() is difficult and not difficult.flags.writeable


def test_the_columns_an_observation_works_out_are_the_engines_as_an_officer_sees_them():
    """Undrawn lines (none once frozen), restructured, secured, topped up, hit by a
    disaster and months to maturity, worked out in one pass, are the engine's columns."""
    from sim.engine import Simulation
    from sim.interventions.workouts import NO_COLLATERAL
    from sim.observation import observe

    sim = Simulation(_small_case(), seed=5, months=6)
    sim.advance_to(3)
    rng = np.random.default_rng(5)
    n, t = sim.n, sim.t
    sim.frozen[:] = rng.random(n) < 0.3
    sim.undrawn[:] = rng.choice([0.0, 1e5], n)
    sim.restructured_until[:] = rng.choice([-1, t - 1, t, t + 5], n)
    sim.collateral_sold[:] = rng.random(n) < 0.2
    sim.extra_collateral[:] = rng.choice([0.0, 5e4], n)
    sim.disaster_until[:] = rng.choice([-1, t, t + 3], len(sim.disaster_until))
    sim.term[:] = sim.mob + rng.integers(-2, 30, n)
    obs = observe(sim)
    pf = sim.pf
    assert np.array_equal(obs.undrawn, np.where(sim.frozen, 0.0, sim.undrawn))
    assert np.array_equal(obs.restructured, sim.restructured_until >= t)
    assert np.array_equal(obs.has_collateral, (
        ~sim.collateral_sold & (pf.collateral_type != NO_COLLATERAL)) | (sim.extra_collateral > 0))
    assert np.array_equal(obs.pledged, sim.extra_collateral > 0)
    assert np.array_equal(obs.disaster_region, sim.disaster_until[pf.region] >= t)
    remaining = np.maximum(sim.term - sim.mob, 1)
    assert obs.remaining_months.dtype == remaining.dtype
    assert np.array_equal(obs.remaining_months, remaining)


def test_each_months_observation_shows_the_engines_columns_as_they_stand_read_only():
    """The views an observation shows are kept between decision points: every month they
    show the engine's values as they stand, a column the engine replaces is shown anew,
    and a strategy that makes a view writeable gets a read-only one the next month."""
    from sim.engine import Decision, Simulation
    from sim.observation import TARGETED

    names = ("status", "balance", "dpd", "cls", "last_seen", "lawsuit_month", "acted")
    seen = []

    def spy(obs):
        sim = run[0]
        for name in names:
            assert np.array_equal(getattr(obs, name), getattr(sim, name))
            assert not getattr(obs, name).flags.writeable
        assert np.array_equal(obs.product, sim.pf.product)
        assert np.array_equal(obs.check_hours, sim.check_hours[:, TARGETED])
        seen.append(obs)
        if obs.month == 2:
            sim.balance = sim.balance.copy()  # the engine replaces a column
        if obs.month == 3:
            obs.dpd.flags.writeable = True  # a strategy that takes the lock off
        return Decision()

    sim = Simulation(_small_case(), seed=4, months=5, decider=spy)
    run = [sim]
    sim.run()
    assert len(seen) == 5
    assert not seen[-1].dpd.flags.writeable
    assert seen[-1].balance.base is sim.balance


def test_what_act_reads_on_the_way_is_the_one_rule_and_the_actions_own_hours():
    """The engine's act reads the reason code `admissible` gives, and for an action it may
    take, who does it (the legal team or the officers) and its hours, on every action of
    the case, with and without hours left and after the action is queued."""
    from sim.engine import Simulation
    from sim.observation import action_hours, admissible, why_not
    from sim.staff import by_legal_team

    sim = Simulation(_small_case(), seed=6, months=12)
    sim.advance_to(8)
    loans = np.concatenate([np.flatnonzero(sim.defaulted)[:3], np.arange(4)])
    actions = [*sim.catalogue, "no_such_action"]
    outcomes = set()
    for i in loans.tolist():
        for a in actions:
            for taken, hours_left in ((set(), 1e6), (set(), 0.0), ({(i, a)}, 1e6)):
                why, legal, hours = why_not(sim, i, a, taken, hours_left)
                assert why == admissible(sim, i, a, taken, hours_left)
                outcomes.add(why)
                if why is None or why == "hours":
                    assert legal == by_legal_team(sim.catalogue, a)
                    assert hours == action_hours(sim, i, a)
    assert {None, "hours", "queued", "available"} <= outcomes


def test_the_observation_shows_how_far_an_extension_may_still_reach():
    """The contract's terms are the bank's own: the observation carries the months to the
    latest maturity the extension limit allows, the rule sim.loanbook applies."""
    from sim.engine import Simulation
    from sim.loanbook import longest_remaining
    from sim.scenario import load_scenario

    sim = Simulation(load_scenario("scenarios/intro.yaml"), seed=4)
    sim.advance_to(5)
    sim.term[:3] = sim.mob[:3]  # at maturity: one month to go, the limit beyond
    obs = sim.observe()
    assert np.array_equal(obs.longest_remaining,
                          longest_remaining(sim.latest_term, sim.term, sim.mob))
    assert (obs.longest_remaining >= obs.remaining_months).all()
