"""The oracle uses what only it knows, and a disaster's relief reaches every borrower it hit.

The oracle is the upper bound of the early-warning index: with perfect information it
must do what no officer can, not merely what a good officer does. It foresees each
borrower's untreated health over the months ahead (sim.foresight: the engine's shocks are
common random numbers, drawn for the oracle from copies of the run's streams), so it knows
which loans will default and acts on those alone. Recalling a loan (提前收回) is the
strongest of its actions: a borrower still able to repay leaves whole, one that cannot is
pushed into default (sim.interventions.effects). Only the oracle knows which, so only it
recalls, and only where the loss a default would bring exceeds the margin the bank gives
up (docs/model.md §14).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import defaults
from sim.codes import LoanStatus
from sim.engine import Simulation, simulate
from sim.foresight import default_margins
from sim.observation import Decision
from sim.scenario import load_scenario, parse_scenario
from sim.strategies import EarlyWarning, Oracle
from sim.strategies.base import NO_CHECKS
from sim.strategies.baselines import ORACLE_RECALL_GROUND_HEALTH

ROOT = Path(__file__).resolve().parents[1]

BOOK = """
id: oracle
title: {zh: 先知, en: Oracle}
briefing: {zh: 先知, en: Oracle}
horizon_months: 12
staff: {officers: 4, hours_per_officer_month: 120}
segments:
  - id: firms
    name: {zh: 小微, en: Small firms}
    product: small_business
    count: 40
    amount: {median_cny: 500000, sigma: 0.3}
    term_months: 36
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.06}
    pd_annual: 0.03
    industry: manufacturing
    region: zhejiang
    collateral: {type: COLLATERAL, ltv: LTV}
"""
UNSECURED = BOOK.replace("COLLATERAL", "none").replace("LTV", "0.6")
SECURED = BOOK.replace("COLLATERAL", "property").replace("LTV", "0.3")
DISASTER = UNSECURED + """macro:
  - type: disaster
    month: 1
    region: zhejiang
    severity: 0.5
    duration_months: 8
    permanent_share: 0.0
"""


class Watching:
    """A strategy that keeps the observation and decision of one month."""

    def __init__(self, inner, month: int):
        self.inner, self.month = inner, month
        self.obs = self.decision = None

    def decide(self, obs):
        decision = self.inner.decide(obs)
        if obs.month == self.month:
            self.obs, self.decision = obs, decision
        return decision


class Valuing(Oracle):
    """The oracle, keeping which loans its ranked candidates of month 3 concern."""

    valued: np.ndarray | None = None

    def candidates(self, obs):
        loans, codes, value = super().candidates(obs)
        if obs.month == 3:
            self.valued = np.zeros(len(obs.status), dtype=bool)
            self.valued[loans] = True
        return loans, codes, value


def _decide_at_month_3(text: str, strategy, set_up) -> tuple[Simulation, Watching]:
    watch = Watching(strategy, 3)
    sim = Simulation(parse_scenario(text, "oracle.yaml"), seed=3, decider=watch.decide,
                     oracle=strategy.needs_hidden)
    sim.advance_to(2)
    set_up(sim)
    sim.advance_to(3)
    return sim, watch


def _performing(sim) -> np.ndarray:
    return np.flatnonzero((sim.status == LoanStatus.ACTIVE) & ~sim.defaulted & (sim.dpd == 0))


def _future(sim, i: int, shock: float) -> None:
    """Loan i's borrower meets the same idiosyncratic shock every month from now on."""
    sim._ahead.idio[sim.t:, i] = shock


COLLAPSE, RECOVERY = -2.0, 2.0
"""Monthly shocks of a borrower whose health collapses or recovers whatever it is now."""


@pytest.fixture(scope="module")
def recall_run():
    chosen = {}

    def set_up(sim):
        live = _performing(sim)
        chosen.update(slipping=int(live[0]), sinking=int(live[1]), sound=int(live[2]),
                      recovering=int(live[3]), doomed_sound=int(live[4]))
        repay = defaults.INTERVENTIONS["accelerate"].params["repay_health"]
        # able to repay in full now, and will default within the year
        sim.d[chosen["slipping"]] = repay + 0.1
        _future(sim, chosen["slipping"], COLLAPSE)
        # will default, but a recall now would push it into default
        sim.d[chosen["sinking"]] = repay - 0.3
        _future(sim, chosen["sinking"], COLLAPSE)
        # sound, and stays so
        sim.d[chosen["sound"]] = repay + 1.5
        _future(sim, chosen["sound"], RECOVERY)
        # weak today, but will recover: the old oracle, which saw today only, recalled it
        sim.d[chosen["recovering"]] = repay + 0.1
        _future(sim, chosen["recovering"], RECOVERY)
        # sound today, so the bank has no ground to call it, though it will default
        sim.d[chosen["doomed_sound"]] = ORACLE_RECALL_GROUND_HEALTH + 0.3
        _future(sim, chosen["doomed_sound"], COLLAPSE)

    sim, watch = _decide_at_month_3(UNSECURED, Valuing(), set_up)
    return sim, watch, chosen


def test_the_oracle_recalls_a_borrower_that_will_default_while_it_can_still_repay(recall_run):
    sim, watch, chosen = recall_run
    recalled = {i for i, a in watch.decision.actions if a == "accelerate"}
    assert watch.obs.hidden.foresight.defaults()[chosen["slipping"]]
    assert chosen["slipping"] in recalled
    assert chosen["sinking"] not in recalled and chosen["sound"] not in recalled
    # it repaid in full and left: nothing of it can default any more
    assert sim.status[chosen["slipping"]] == LoanStatus.CLOSED
    assert not sim.defaulted[chosen["slipping"]]


def test_the_oracle_recalls_only_on_a_ground_the_contract_gives(recall_run):
    """Foreseeing a default is no ground to call a loan whose borrower is still sound: the
    oracle, like any bank, recalls only once the borrower's condition has turned."""
    _, watch, chosen = recall_run
    i = chosen["doomed_sound"]
    assert watch.obs.hidden.foresight.defaults()[i]
    assert watch.obs.hidden.health[i] > ORACLE_RECALL_GROUND_HEALTH
    assert (i, "accelerate") not in {tuple(a) for a in watch.decision.actions}


def test_the_oracle_spends_nothing_on_a_weak_borrower_that_will_recover(recall_run):
    _, watch, chosen = recall_run
    i = chosen["recovering"]
    assert not watch.obs.hidden.foresight.defaults()[i]
    assert not watch.inner.valued[i], "the oracle valued an action on a loan that recovers"
    assert chosen["slipping"] in np.flatnonzero(watch.inner.valued)


def test_a_recall_is_weighed_against_the_margin_given_up():
    """Where a default would cost little (the collateral covers the claim), the margin the
    bank would give up is larger than the loss avoided: no recall."""
    def set_up(sim):
        live = _performing(sim)
        sim.d[live] = defaults.INTERVENTIONS["accelerate"].params["repay_health"] + 0.1
        for i in live:
            _future(sim, int(i), COLLAPSE)

    _, watch = _decide_at_month_3(SECURED, Oracle(), set_up)
    idx, gain = Oracle().recall_values(watch.obs)
    assert len(idx) > 0 and (gain <= 0).all()
    assert not [a for _, a in watch.decision.actions if a == "accelerate"]


def test_the_oracle_takes_security_from_a_borrower_that_will_default_while_it_still_can():
    """A borrower too weak to repay a recall but still able to give security, and certain
    to default: the oracle asks for collateral at once (the officer's value of it would
    discount a refusal the oracle knows will not come)."""
    chosen = {}

    def set_up(sim):
        live = _performing(sim)
        i = int(live[sim.extra_collateral[live] == 0][0])  # not yet asked for security
        chosen["loan"] = i
        margin = defaults.INTERVENTIONS["add_collateral"].params["health_margin"]
        sim.d[i] = (margin + defaults.INTERVENTIONS["accelerate"].params["repay_health"]) / 2
        _future(sim, i, COLLAPSE)

    sim, watch = _decide_at_month_3(UNSECURED, Oracle(), set_up)
    assert watch.obs.hidden.foresight.defaults()[chosen["loan"]]
    assert (chosen["loan"], "add_collateral") in watch.decision.actions
    assert sim.extra_collateral[chosen["loan"]] > 0


def test_the_early_warning_officer_never_recalls():
    """An officer cannot tell a borrower that can still repay from one that cannot."""
    def set_up(sim):
        sim.d[_performing(sim)[:5]] = 1.1

    _, watch = _decide_at_month_3(UNSECURED, EarlyWarning(), set_up)
    assert not [a for _, a in watch.decision.actions if a == "accelerate"]


@pytest.mark.parametrize("strategy", [EarlyWarning(), Oracle()], ids=["early-warning", "oracle"])
def test_a_restructured_borrower_hit_by_a_disaster_gets_its_deferral(strategy):
    """A disaster's deferral is relief for every borrower it hit: a loan restructured
    before the disaster, now in arrears, gets it too (a second restructuring it cannot)."""
    chosen = {}

    def set_up(sim):
        i = int(_performing(sim)[0])
        chosen["loan"] = i
        sim.restructured_until[i] = 12
        sim.misses[i] = 1
        sim.dpd[i] = defaults.DAYS_PER_MONTH
        sim.d[i] = sim.e[i] = -0.5

    _, watch = _decide_at_month_3(DISASTER, strategy, set_up)
    assert watch.obs.restructured[chosen["loan"]] and watch.obs.disaster_region[chosen["loan"]]
    assert (chosen["loan"], "emergency_deferral") in watch.decision.actions


# --- foresight ------------------------------------------------------------------------
FORESEEN_CASES = ("intro", "rising_lpr", "guarantee_chain", "fund_diversion", "disaster")
"""Shipped cases between them hold scripted borrowers, LPR changes with floating rates,
guarantee chains, diversion and a disaster: every way the untreated path can move."""


class Foreseeing:
    """Does nothing, and keeps the foresight of the months it is asked about, with which
    loans were on the books then (`on_books`)."""

    needs_hidden = True

    def __init__(self, months: tuple[int, ...]):
        self.months, self.seen, self.on_books = months, {}, {}

    def decide(self, obs):
        if obs.month in self.months:
            self.seen[obs.month] = obs.hidden.foresight
            self.on_books[obs.month] = obs.status <= LoanStatus.DEFAULTED
        return Decision(policy=NO_CHECKS)


@pytest.mark.parametrize("case", FORESEEN_CASES)
def test_the_foresight_is_the_runs_own_future_for_loans_left_alone(case):
    """Month by month, the health the oracle foresaw for the loans on the books is the
    health the run then had (a loan off them has nothing to foresee: NaN), and the loans
    it saw defaulting within the window are those that did."""
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    watch = Foreseeing((1, 4, 9))
    sim = Simulation(sc, seed=5, decider=watch.decide, oracle=True, keep_history=True)
    sim.run()
    for month, f in watch.seen.items():
        window = f.health.shape[0]
        assert window == min(defaults.FORESIGHT_MONTHS, sc.horizon_months - month + 1)
        real = np.array([h["health"] for h in sim.history[month - 1:month - 1 + window]])
        on = watch.on_books[month]
        np.testing.assert_array_equal(f.health[:, on], real[:, on])
        assert np.isnan(f.health[:, ~on]).all()
        performing_then = f.margin < np.inf
        defaulted = (sim.default_month >= month) & (sim.default_month < month + window)
        np.testing.assert_array_equal(f.defaults(), defaulted & performing_then)


MATURING = BOOK.replace("COLLATERAL", "none").replace("LTV", "0.6").replace(
    "term_months: 36", "term_months: 6").replace(
    "repayment: equal_instalment", "repayment: interest_only_bullet").replace(
    "pd_annual: 0.03", "pd_annual: 0.25").replace("count: 40", "count: 120") + """macro:
  - type: disaster
    month: 5
    region: zhejiang
    severity: 1.2
    duration_months: 4
"""
"""Bullet loans falling due in a disaster: many miss the repayment at maturity."""


def test_a_loan_that_misses_its_repayment_at_maturity_is_foreseen_to_default():
    """A loan not repaid at maturity is not closed: what it owes stays due each month
    (sim.kernels.book) and three misses default it. The oracle's foresight counted no
    payment after the term, so it saw such a loan as safe until the month it defaulted
    (on a generated case of bullet loans deferred past maturity by a flood, the oracle
    let them default and lost more than the early-warning officer)."""
    sc = parse_scenario(MATURING, "maturing.yaml")
    watch = Foreseeing((4, 5, 6))
    sim = Simulation(sc, seed=3, decider=watch.decide, oracle=True, keep_history=True)
    sim.run()
    past_term = 0
    for month, f in watch.seen.items():
        window = f.health.shape[0]
        defaulted = (sim.default_month >= month) & (sim.default_month < month + window)
        np.testing.assert_array_equal(f.defaults(), defaulted & (f.margin < np.inf))
        past_term += int((defaulted & (sim.default_month >= 7)).sum())
    assert past_term > 0, "the case should hold loans that default after their term"


def test_foresight_does_not_move_the_runs_own_random_streams():
    """The months ahead are drawn from copies: the oracle's run draws the very numbers a
    run without foresight draws, and a run that has foresight but does nothing ends
    exactly as one without it."""
    sc = parse_scenario(UNSECURED, "oracle.yaml")
    plain = Simulation(sc, seed=9)
    seer = Simulation(sc, seed=9, oracle=True)
    assert plain._ahead is None and seer._ahead is not None
    for m in range(sc.horizon_months):
        z = seer.rng_idio.standard_normal(seer.n)
        np.testing.assert_array_equal(z, plain.rng_idio.standard_normal(plain.n))
        np.testing.assert_array_equal(z, seer._ahead.idio[m])
        assert seer.rng_macro.standard_normal() == plain.rng_macro.standard_normal() \
            == seer._ahead.econ[m]
        for rows, width in ((seer._ahead.industry, len(seer.pf.industries)),
                            (seer._ahead.region, len(seer.pf.regions))):
            z = seer.rng_macro.standard_normal(width)
            np.testing.assert_array_equal(z, plain.rng_macro.standard_normal(width))
            np.testing.assert_array_equal(z, rows[m])
    nothing = simulate(sc, seed=9)
    blind = Simulation(sc, seed=9, decider=Foreseeing((2,)).decide, oracle=True).run()
    assert blind.loss_cny == nothing.loss_cny
    pd.testing.assert_frame_equal(blind.loans, nothing.loans)


def test_an_oracle_run_is_reproducible():
    sc = parse_scenario(UNSECURED, "oracle.yaml")
    a, b = (simulate(sc, seed=11, strategy=Oracle()) for _ in range(2))
    assert a.loss_cny == b.loss_cny
    pd.testing.assert_frame_equal(a.events, b.events)


def test_a_margin_counts_the_misses_a_loan_already_has_and_its_deferral():
    """Three misses in a row are a default; a deferral holds the count while no payment
    is due; a loan closes at a payment made at maturity, and one missed there stays due
    (the engine's rule: what is owed is due until paid)."""
    dip = np.array([0.5, -0.2, -0.1, -0.3, 0.4, 0.6])[:, None]
    path = np.repeat(dip, 6, axis=1)
    margin, fresh = default_margins(path, misses=np.array([0, 1, 0, 0, 0, 0]),
                                    deferred_months=np.array([0, 0, 2, 0, 0, 0]),
                                    due_months=np.array([6, 6, 6, 3, 1, 0]))
    # loan 0: months 2-4 run below zero, the highest of them -0.1
    assert fresh[0] == margin[0] == pytest.approx(-0.1)
    # loan 1 has one miss already: 0.5, then -0.2 would only be its second
    assert margin[1] == pytest.approx(-0.1)
    # loan 2: the first two months deferred, then -0.1, -0.3, 0.4: no three misses in a row
    assert margin[2] == pytest.approx(0.4)
    # loan 3's last scheduled payment is the third (-0.1): missed, it stays due, and
    # -0.2, -0.1, -0.3 are three misses in a row (a loan that did not repay at maturity
    # defaults: it was not closed)
    assert margin[3] == pytest.approx(-0.1)
    # loan 4 pays its last payment now (0.5) and closes: nothing after it can default it
    assert margin[4] == fresh[4] == pytest.approx(0.5)
    # loan 5 is not performing: nothing is due
    assert margin[5] == fresh[5] == np.inf
    # two months left before the horizon: only a loan already behind can still default
    margin, _ = default_margins(-np.ones((2, 3)), misses=np.array([0, 1, 2]),
                                deferred_months=np.zeros(3, dtype=int), due_months=np.full(3, 5))
    assert margin[0] == np.inf and margin[1] == margin[2] == -1
    # past the horizon nothing is foreseen
    margin, fresh = default_margins(np.empty((0, 2)), np.zeros(2), np.zeros(2, dtype=int),
                                    np.ones(2, dtype=int))
    assert np.isinf(margin).all() and np.isinf(fresh).all()


def test_the_oracles_beliefs_are_each_months_own_foresight():
    """The oracle works its chance of default out once per decision point for all its
    readers; each month it is that month's foresight, never the month before's."""

    class Believing(Oracle):
        def decide(self, obs):
            risk = self.risk(obs, obs.recent_alerts())
            assert np.array_equal(risk, self.chance(obs.hidden.foresight.margin))
            assert np.array_equal(self._will_default(obs), obs.hidden.foresight.margin < 0)
            self.seen.append(risk)
            return super().decide(obs)

    oracle = Believing()
    oracle.seen = []
    simulate(parse_scenario(DISASTER, "oracle.yaml"), seed=4, strategy=oracle)
    assert len(oracle.seen) == 12
    assert any(not np.array_equal(a, b) for a, b in zip(oracle.seen[:-1], oracle.seen[1:], strict=True))


def test_with_hours_to_spare_the_oracle_offers_what_the_officer_would_do():
    """The oracle's further actions are the early-warning officer's decision on what it
    can see, less the legal work the asset-preservation team books anyway."""
    from dataclasses import replace

    from sim.staff import by_legal_team
    from sim.strategies import Triage

    watch = Watching(Oracle(), 5)
    Simulation(parse_scenario(DISASTER, "oracle.yaml"), seed=6, decider=watch.decide,
               oracle=True).run()
    obs = watch.obs
    officer = Triage().decide(replace(obs, hidden=None)).actions
    want = [(int(i), a) for i, a in officer if not by_legal_team(obs.actions, a)]
    assert want and Oracle().afterwards(obs) == want



def test_the_oracle_restructures_only_where_the_relief_saves_the_loan():
    """A restructuring stretches the term once, up to its longest: the oracle values it
    only where its relief lifts the foreseen path above default. One that leaves the loan
    defaulting anyway is worth nothing to it, though it lowers the chance a little (it
    would use up the stretch that later, nearer maturity, cuts the payment more: on a
    generated case such a restructuring at month 10 turned a loan early warning saved
    into a CNY 25 million loss)."""
    from sim.strategies.triage import relief_health

    chosen, seen = {}, {}

    def set_up(sim):
        live = _performing(sim)
        chosen.update(savable=int(live[0]), doomed=int(live[1]))
        _future(sim, chosen["savable"], -0.7)  # a slide the relief lifts above default
        _future(sim, chosen["doomed"], -0.9)  # a steeper one it does not

    class Weighing(Oracle):
        def decide(self, obs):  # what relief would do, before the month's actions
            if obs.month == 3:
                idx = np.array([chosen["savable"], chosen["doomed"]])
                f = obs.hidden.foresight
                seen.update(margin=f.margin[idx], after=f.margin_fresh[idx]
                            + relief_health(obs, idx),
                            gain=self.relief_gain(obs, self.risk(obs, None), idx, 1.0))
            return super().decide(obs)

    _, watch = _decide_at_month_3(UNSECURED, Weighing(), set_up)
    assert (seen["margin"] < 0).all()  # both default if left alone
    assert seen["after"][0] > 0 > seen["after"][1]
    assert Oracle.chance(seen["after"])[1] < Oracle.chance(seen["margin"])[1]
    assert seen["gain"][0] > 0.5 and seen["gain"][1] == 0.0
    assert (chosen["savable"], "restructure") in watch.decision.actions
    assert (chosen["doomed"], "restructure") not in watch.decision.actions

HOUSEHOLDS = """
id: households
title: {zh: 消费贷, en: Households}
briefing: {zh: 消费贷, en: Households}
horizon_months: 24
staff: {officers: 1, hours_per_officer_month: 20}
segments:
  - id: cons
    name: {zh: 消费贷, en: Consumer loans}
    product: consumer
    count: 600
    amount: {median_cny: 60000, sigma: 0.5}
    term_months: 48
    repayment: equal_instalment
    rate: {kind: fixed, annual: 0.07}
    pd_annual: 0.05
    rho: 0.04
    industry: households
    region: hunan
"""


def test_on_a_thin_team_the_oracles_visits_leave_hours_for_the_relief_they_open():
    """A visit to a borrower that will default is worth the relief it opens, per hour of
    both: with 20 hours a month for 600 households (a visit 2 hours, a restructuring 16),
    the oracle restructures the borrowers it visits and loses less than early warning,
    rather than spending every hour on visits and none on relief."""
    sc = parse_scenario(HOUSEHOLDS, "households.yaml")
    oracle, officer = [], []
    for seed in (1, 2, 3):
        run = simulate(sc, seed=seed, strategy="oracle")
        acts = run.events["event"].value_counts()
        assert acts.get("action_restructure", 0) >= 3
        assert acts.get("action_onsite_check", 0) < 10 * acts.get("action_restructure", 0)
        oracle.append(run.loss_cny)
        officer.append(simulate(sc, seed=seed, strategy="early-warning").loss_cny)
    assert sum(oracle) < sum(officer)


def test_the_oracle_freezes_a_line_only_on_a_ground_the_bank_can_see():
    """The oracle froze real-estate developers' undrawn lines in month 1, before any signal,
    because it knew they would default; a trainee copying that froze every line in month 1
    and scored an index of 0.97. A freeze needs a ground (domain: credit weakens or funds are
    misused, Civil Code Art. 673): arrears, the watch list or a recent signal. The oracle
    proposes no freeze the engine would refuse for want of one."""
    from sim.engine import _simulation
    from sim.scenario import load_scenario

    sc = load_scenario(ROOT / "scenarios" / "real_estate.yaml")
    sim = _simulation(sc, 3, None, "oracle", None)
    sim.run()
    refused = [(m, i) for m, rep in enumerate(sim.rec.months) for i, a, why in rep.rejected
               if a == "freeze_line" and why == "freeze_ground"]
    assert refused == []
    frozen = [e for e in sim.rec.events if e[2] == "action_freeze_line"]
    assert frozen, "the oracle still freezes lines where it has a ground"
    assert min(m for m, *_ in frozen) > 1  # not before the first month's signals are seen
