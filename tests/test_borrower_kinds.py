"""Signals follow the kind of borrower (sim.codes.BorrowerKind): a household's loan never
shows a signal that only describes a firm (plant idle, weak statements, a key person
gone...), true or false, seen off-site, on a check, through a scripted event or as a
latent warning; and the change moves only those sightings, not any other draw."""

from __future__ import annotations

import numpy as np
import pytest

from sim import defaults
from sim.codes import BORROWER_KIND_KEYS, BorrowerKind, borrower_kind
from sim.engine import _simulation
from sim.scenario import parse_scenario
from sim.signals import SIG_INDEX
from training.desk import Desk

COMPANY_ONLY = sorted(k for k, s in defaults.SIGNALS.items() if "household" not in s.kinds)

SEGMENT = """
  - id: {id}
    name: {{zh: 贷款, en: Loans}}
    product: {product}
    count: {count}
    amount: {{median_cny: 200000, sigma: 0.5}}
    term_months: 36
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.06}}
    pd_annual: 0.08
    rho: 0.15
    industry: retail
    region: zhejiang
    payment_mode: self
    diversion_share: 0.3
    collateral: {{type: property, ltv: 0.6}}
    guarantee: {{structure: single, share: 0.5}}
"""

CASE = """
id: kinds
title: {{zh: 借款人类型, en: Borrower kinds}}
briefing: {{zh: 借款人类型, en: Borrower kinds}}
horizon_months: 30
staff: {{officers: 3, hours_per_officer_month: 80}}
monitoring:
  interval_months: {{normal: 3, special_mention: 1, substandard: 1, doubtful: 1, loss: 0}}
segments:{segments}
macro:
  - {{type: recession, month: 6, severity: 0.8, duration_months: 12}}
"""

NAMED = """
borrowers:
  - id: owner
    segment: firms
    company: {zh: 星河商贸有限公司, en: "Xinghe Trading Co., Ltd."}
    legal_rep: {zh: 王明, en: Wang Ming}
    other_loans: [{segment: homes}]
    events:
      - {month: 3, kind: key_person_leaves, severity: 0.5}
      - {month: 4, kind: tax_arrears, severity: 0.5}
      - {month: 5, kind: sales_drop, severity: 0.5}
      - {month: 6, kind: lawsuit_filed, severity: 0.5}
"""


def _case(products: tuple[str, ...], named: bool = False, count: int = 300):
    ids = {"consumer": "homes", "small_business": "firms"}
    segs = "".join(SEGMENT.format(id=ids[p], product=p, count=count) for p in products)
    text = CASE.format(segments=segs) + (NAMED if named else "")
    return parse_scenario(text, "kinds.yaml")


def test_every_signal_names_kinds_that_exist_and_households_keep_the_retail_signals():
    for key, sig in defaults.SIGNALS.items():
        assert sig.kinds and set(sig.kinds) <= set(BORROWER_KIND_KEYS), key
    household = {k for k, s in defaults.SIGNALS.items() if "household" in s.kinds}
    assert {"payment_late", "turnover_drop", "lawsuit", "enforcement_list",
            "avoids_contact"} <= household
    assert {"plant_idle", "statement_weak", "collection_bypass", "key_person",
            "wage_arrears"} <= set(COMPANY_ONLY)
    assert all("company" in s.kinds for s in defaults.SIGNALS.values())
    assert borrower_kind("consumer") == BorrowerKind.HOUSEHOLD
    assert borrower_kind("small_business") == BorrowerKind.COMPANY


@pytest.fixture(scope="module")
def mixed_runs():
    """A book of households and one of firms with the same figures, under the officer who
    checks on site, with a named firm that also holds a consumer loan."""
    sc = _case(("consumer", "small_business"), named=True)
    out = []
    for seed in (1, 2, 3):
        sim = _simulation(sc, seed, None, "early-warning", None)
        out.append((sim, sim.run()))
    return out


def test_a_household_book_never_shows_a_company_signal(mixed_runs):
    """Over 30 months, three futures, off-site monitoring, checks, scripted events and the
    latent warnings: no company-only signal on a household's loan, while the firms beside
    them show every one of them."""
    on_firms = set()
    for sim, res in mixed_runs:
        household = sim.pf.kind == BorrowerKind.HOUSEHOLD
        assert household.sum() == 300
        sig = res.signals
        at_home = sig[household[sig.loan_id.to_numpy()]]
        assert not at_home.signal.isin(COMPANY_ONLY).any(), at_home[
            at_home.signal.isin(COMPANY_ONLY)].head()
        assert len(at_home) > 0 and set(at_home.via) >= {"offsite", "onsite"}
        on_firms |= set(sig.signal[~household[sig.loan_id.to_numpy()]])
        cols = [SIG_INDEX[k] for k in COMPANY_ONLY]
        assert (sim.last_seen[np.ix_(household, cols)] < 0).all()
        for _, loans, j in sim.rec.latent:  # what a check would have shown
            assert j not in cols or not household[loans].any()
        first = sim.first_warning_signal[household]
        assert not np.isin(first, cols).any()
    assert set(COMPANY_ONLY) <= on_firms


def test_a_scripted_firm_event_shows_on_the_firms_loan_not_on_its_owners_consumer_loan(
        mixed_runs):
    """The named firm's key person leaves and its taxes go unpaid: its business loan shows
    both; the consumer loan its owner holds shows neither, though the lawsuit, a public
    record of the person, shows on both."""
    sim, res = mixed_runs[0]
    firm = sim.pf.named_index["owner"]
    loans = np.flatnonzero(sim.pf.borrower == firm)
    home = int(loans[loans != firm][0])
    assert sim.pf.kind[firm] == BorrowerKind.COMPANY and sim.pf.kind[home] == BorrowerKind.HOUSEHOLD
    sig = res.signals
    shown = {(int(m), i): set(sig.signal[(sig.loan_id == i) & (sig.month == m)])
             for i in (firm, home) for m in (3, 4, 6)}
    assert "key_person" in shown[3, firm] and "tax_arrears" in shown[4, firm]
    assert "key_person" not in shown[3, home] and "tax_arrears" not in shown[4, home]
    assert "lawsuit" in shown[6, firm] and "lawsuit" in shown[6, home]


def test_a_households_loan_file_has_no_financial_statements():
    g = Desk(_case(("consumer", "small_business"), count=60), seed=2)
    while g.month < 12:
        g.end_month(g.month)
    household = np.flatnonzero(g.sim.pf.kind == BorrowerKind.HOUSEHOLD)
    firms = np.flatnonzero(g.sim.pf.kind == BorrowerKind.COMPANY)
    assert all(not np.isin(live, household).any() for _, _, live, _ in g.sim.statement_log)
    assert len(g.loan_file(int(household[0])).statements) == 0
    assert len(g.loan_file(int(firms[0])).statements) > 0


def test_only_the_company_signals_move_the_draws_and_everything_else_do_not():
    """Common random numbers: the same book lent to households or to firms (do-nothing, so
    no check and no decision reads a signal) draws the same numbers every month, so its
    health, defaults and losses are the same to the last bit, and every signal that
    describes both kinds is seen on the same loans in the same months. Only the
    company-only sightings are gone."""
    runs = {}
    for product in ("consumer", "small_business"):
        sim = _simulation(_case((product,)), 4, None, "do-nothing", None)
        runs[product] = (sim, sim.run())
    (h, hr), (f, fr) = runs["consumer"], runs["small_business"]
    assert (h.pf.kind == BorrowerKind.HOUSEHOLD).all() and (f.pf.kind == 0).all()
    assert h._u_sig.shape == f._u_sig.shape
    np.testing.assert_array_equal(h._u_sig, f._u_sig)
    np.testing.assert_array_equal(h.d, f.d)
    np.testing.assert_array_equal(h.defaulted, f.defaulted)
    assert hr.metrics.equals(fr.metrics)
    assert hr.summary() == fr.summary()

    def rows(res, keep):
        s = res.signals
        s = s[s.signal.isin(keep)]
        return sorted(zip(s.month, s.loan_id, s.signal, s.via, strict=True))

    shared = [k for k in defaults.SIGNALS if k not in COMPANY_ONLY]
    assert rows(hr, shared) == rows(fr, shared)
    assert rows(hr, COMPANY_ONLY) == [] and len(rows(fr, COMPANY_ONLY)) > 0
