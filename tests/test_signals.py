"""Tests for sim.signals: off-site and on-site sightings, the alert count, and the
quarterly statements the loan file shows."""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.scenario import load_scenario, scenario_paths
from sim.signals import SIG_INDEX, is_report_month, recent_alerts, statement_figures
from training.desk import Desk as Game


@pytest.fixture(scope="module")
def played():
    sc = load_scenario(next(p for p in scenario_paths() if p.stem == "rising_lpr"))
    g = Game(sc, seed=6)
    while g.month < min(15, g.horizon):
        g.end_month(g.month)
    return g


def test_statements_arrive_two_months_after_each_quarter():
    sig = defaults.SIGNALS["statement_weak"]
    months = [t for t in range(1, 25) if is_report_month(t, sig.every_months, sig.lag_months)]
    assert months == [5, 8, 11, 14, 17, 20, 23]


def test_the_statement_table_and_the_statement_alert_agree(played):
    """A statement looks weak exactly when the statement_weak alert fired on its arrival."""
    s = played.sim
    sig = defaults.SIGNALS["statement_weak"]
    weak_line = defaults.SIGNAL_LEAD_TO_HEALTH * sig.lead_months
    sigs = s.rec.signal_frame()
    alerts = sigs[sigs["signal"] == "statement_weak"]
    fired = set(zip(alerts["month"], alerts["loan_id"], strict=True))
    n_weak = 0
    for received, _, live, reported in s.statement_log:
        weak = reported < weak_line
        n_weak += int(weak.sum())
        got = np.array([(received, int(i)) in fired for i in live])
        np.testing.assert_array_equal(weak, got)
    assert n_weak > 0


def test_the_loan_file_shows_the_statements_received(played):
    s = played.sim
    i = int(np.argmin(s.d))
    lf = played.loan_file(i)
    assert len(lf.statements) > 0
    assert (lf.statements["received_month"] <= played.month).all()
    assert (lf.statements["received_month"] - lf.statements["quarter_month"]
            == defaults.SIGNALS["statement_weak"].lag_months).all()
    last = lf.statements.iloc[-1]
    received, _, live, reported = next(x for x in reversed(s.statement_log)
                                       if x[0] == last["received_month"])
    want = statement_figures(reported[np.searchsorted(live, i):][:1])
    assert last["receivables_days"] == want["receivables_days"][0]


def test_recent_alerts_counts_distinct_signals_in_the_window():
    last_seen = np.full((2, len(SIG_INDEX)), -99, dtype=np.int32)
    last_seen[0, SIG_INDEX["turnover_drop"]] = 5
    last_seen[0, SIG_INDEX["tax_arrears"]] = 2   # 4 months before decision month 6: too old
    last_seen[0, SIG_INDEX["payment_late"]] = 5
    last_seen[1, SIG_INDEX["lawsuit"]] = 3
    assert recent_alerts(last_seen, 6).tolist() == [1, 1]
    assert recent_alerts(last_seen, 6, include_payment=True).tolist() == [2, 1]
    assert recent_alerts(last_seen, 7).tolist() == [1, 0]


@pytest.mark.parametrize("case", ("guarantee_chain", "intro", "rising_lpr"))
def test_a_signal_about_security_or_a_guarantor_needs_one(case):
    """An officer's check cannot find 'collateral value falling' on a loan that pledged
    nothing, nor does monitoring report 'guarantor in trouble' for a loan nobody guarantees:
    not as a true sighting and not as a false alarm. Loans that do have them still show
    both signals."""
    from sim.engine import _simulation
    from sim.interventions.workouts import NO_COLLATERAL

    sc = load_scenario(next(p for p in scenario_paths() if p.stem == case))
    seen = {"collateral_value_fall": 0, "guarantor_trouble": 0}
    for seed in (1, 2):
        sim = _simulation(sc, seed, None, "early-warning", None)
        res = sim.run()
        sig = res.signals
        unsecured = (sim.pf.collateral_type == NO_COLLATERAL) & (sim.extra_collateral == 0)
        unguaranteed = sim.pf.guarantor < 0
        for name, without in (("collateral_value_fall", unsecured),
                              ("guarantor_trouble", unguaranteed)):
            loans = sig.loan_id[sig.signal == name].to_numpy()
            assert not without[loans].any(), (case, seed, name, loans[without[loans]])
            seen[name] += len(loans)
    if case == "guarantee_chain":  # a case with both: the signals are still raised
        assert seen["collateral_value_fall"] > 0 and seen["guarantor_trouble"] > 0, seen
