"""Tests for sim.classification: the 2023 five-category rules (day triggers, other 关注
triggers, the floor, the 10% contagion rule) and provisions from a rate table."""

from __future__ import annotations

import numpy as np
import pytest

from sim.classification import (
    CLASS_KEYS,
    DOUBTFUL,
    LOSS,
    NORMAL,
    SPECIAL_MENTION,
    SUBSTANDARD,
    classify,
    provision_rates,
)
from sim.engine import simulate
from sim.policy import ProvisionRates
from sim.scenario import parse_scenario
from training.i18n import catalogue

CLASS_ZH = tuple(catalogue("zh")[f"cls.{k}"] for k in CLASS_KEYS)
CLASS_EN = tuple(catalogue("en")[f"cls.{k}"] for k in CLASS_KEYS)


def cls_of(dpd, flagged=None, floor=None, balance=None, borrower=None) -> list[int]:
    dpd = np.asarray(dpd, dtype=np.int32)
    flagged = np.zeros(dpd.shape, bool) if flagged is None else np.asarray(flagged, bool)
    floor = np.zeros(dpd.shape, np.int8) if floor is None else np.asarray(floor, np.int8)
    if balance is not None:
        balance = np.asarray(balance, dtype=float)
        borrower = np.asarray(borrower, dtype=np.int64)
    return classify(dpd, flagged, floor, balance, borrower).tolist()


def zh(classes: list[int]) -> list[str]:
    return [CLASS_ZH[c] for c in classes]


def test_class_names_in_order():
    assert CLASS_ZH == ("正常", "关注", "次级", "可疑", "损失")
    assert CLASS_EN[0] == "Normal" and CLASS_EN[4] == "Loss"
    assert CLASS_KEYS == ("normal", "special_mention", "substandard", "doubtful", "loss")
    assert (NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS) == (0, 1, 2, 3, 4)


@pytest.mark.parametrize("days,expected", [
    (0, "正常"), (1, "关注"), (30, "关注"), (89, "关注"), (90, "关注"), (91, "次级"),
    (180, "次级"), (270, "次级"), (271, "可疑"), (300, "可疑"), (360, "可疑"), (361, "损失"),
    (2000, "损失"),
])
def test_day_triggers(days, expected):
    assert zh(cls_of([days])) == [expected]


def test_day_boundaries_together():
    got = zh(cls_of([90, 91, 270, 271, 360, 361]))
    assert got == ["关注", "次级", "次级", "可疑", "可疑", "损失"]


def test_other_special_mention_triggers():
    # a known change of use of funds, an extension or a restructuring observation: 关注
    assert zh(cls_of([0, 0], flagged=[True, False])) == ["关注", "正常"]
    # a flag never lowers a worse class
    assert zh(cls_of([120, 300], flagged=[True, True])) == ["次级", "可疑"]


def test_floor_is_respected():
    # an event-set floor (for example an accelerated loan) lifts the class ...
    assert zh(cls_of([0, 30, 0], floor=[SUBSTANDARD, SUBSTANDARD, LOSS])) == ["次级", "次级", "损失"]
    # ... but never lowers one set by the day triggers
    assert zh(cls_of([300, 400], floor=[SPECIAL_MENTION, SUBSTANDARD])) == ["可疑", "损失"]
    # a zero floor changes nothing
    assert cls_of([0, 45, 100], floor=[0, 0, 0]) == cls_of([0, 45, 100])


def test_contagion_small_npl_share_stays():
    # borrower 0: a big performing loan and a small NPL loan, 5% of its debt: no contagion
    got = cls_of([0, 120, 0], balance=[950.0, 50.0, 500.0], borrower=[0, 0, 1])
    assert zh(got) == ["正常", "次级", "正常"]


def test_contagion_exactly_ten_percent_stays():
    # the rule says "more than 10%"
    got = cls_of([0, 120], balance=[900.0, 100.0], borrower=[0, 0])
    assert zh(got) == ["正常", "次级"]


def test_contagion_over_ten_percent_spreads_to_all_loans_of_the_borrower():
    got = cls_of([0, 30, 120, 0], flagged=[False, False, False, False],
                 balance=[700.0, 100.0, 150.0, 1000.0], borrower=[0, 0, 0, 1])
    # 150 / 950 = 15.8% non-performing: every loan of borrower 0 is at least 次级
    assert zh(got) == ["次级", "次级", "次级", "正常"]


def test_contagion_keeps_worse_classes_and_other_borrowers():
    got = cls_of([0, 300, 0, 0], balance=[100.0, 100.0, 100.0, 100.0], borrower=[0, 0, 1, 1])
    assert zh(got) == ["次级", "可疑", "正常", "正常"]


def test_contagion_counts_floor_and_day_classes_as_npl():
    # an NPL created by the floor counts toward the share too
    got = cls_of([0, 0], floor=[0, SUBSTANDARD], balance=[800.0, 200.0], borrower=[0, 0])
    assert zh(got) == ["次级", "次级"]


def test_contagion_ignores_zero_balance_borrowers():
    got = cls_of([0, 0], balance=[0.0, 0.0], borrower=[0, 0])
    assert zh(got) == ["正常", "正常"]


def test_no_contagion_without_borrower_data():
    # each loan alone: the NPL loan does not touch the performing one
    assert zh(cls_of([0, 120])) == ["正常", "次级"]


# ---------------------------------------------------------------------------- provisions
def test_default_provision_rates_are_the_2002_guidance():
    np.testing.assert_allclose(provision_rates(ProvisionRates()), [0.01, 0.02, 0.25, 0.50, 1.0])


def test_provision_rate_table_is_a_parameter():
    rates = ProvisionRates(normal=0.015, special_mention=0.03, substandard=0.3, doubtful=0.6,
                           loss=1.0)
    np.testing.assert_allclose(provision_rates(rates), [0.015, 0.03, 0.3, 0.6, 1.0])


PROVISION_CASE = """
id: provisions
title: {{zh: 拨备, en: Provisions}}
briefing: {{zh: 拨备, en: Provisions}}
horizon_months: 12
staff: {{officers: 1}}
{rates}
segments:
  - id: sb
    name: {{zh: 小微, en: Small business}}
    product: small_business
    count: 200
    amount: {{median_cny: 500000}}
    term_months: 24
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.2
    industry: retail
    region: zhejiang
"""


def test_engine_provisions_use_the_scenario_rate_table():
    base = parse_scenario(PROVISION_CASE.format(rates=""))
    custom = parse_scenario(PROVISION_CASE.format(rates=(
        "provision_rates: {normal: 0.015, special_mention: 0.03, substandard: 0.3, "
        "doubtful: 0.6, loss: 1.0}")))
    a = simulate(base, seed=3).metrics
    b = simulate(custom, seed=3).metrics
    cols = ["bal_" + k for k in CLASS_KEYS]
    # provisions do not change the book: the class balances are the same in both runs
    np.testing.assert_array_equal(a[cols].to_numpy(), b[cols].to_numpy())
    assert (a["bal_substandard"] > 0).any(), "the case should produce NPLs"
    for frame, rates in ((a, [0.01, 0.02, 0.25, 0.5, 1.0]), (b, [0.015, 0.03, 0.3, 0.6, 1.0])):
        expected = frame[cols].to_numpy() @ np.array(rates)
        np.testing.assert_allclose(frame["provisions_cny"].to_numpy(), expected, rtol=1e-12)
    assert (b["provisions_cny"] > a["provisions_cny"]).all()


def test_a_cured_npl_returns_to_performing_only_after_six_months_paid_on_time():
    """2023 classification measures: a non-performing loan is upgraded to 正常 or 关注 only
    once it has paid on time for the latest two periods or six months, whichever is longer
    (monthly payments: six months). A payment missed meanwhile starts the count again."""
    from sim.defaults import NPL_UPGRADE_MONTHS
    from sim.scenario import load_scenario

    upgrades = 0
    for case in ("rising_lpr", "guarantee_chain", "small_loan_company"):
        sc = load_scenario(f"scenarios/{case}.yaml")
        for seed in (1, 2, 3):
            ev = simulate(sc, seed=seed, strategy="late-collection").events
            for cure in ev[ev["event"] == "default_cured"].itertuples():
                mine = ev[(ev["loan_id"] == cure.loan_id) & (ev["month"] >= cure.month)]
                changes = mine[mine["event"] == "class_change"]
                performing = changes[changes["amount_cny"] < 2]  # the new class
                if performing.empty:
                    continue
                first = int(performing["month"].iloc[0])
                missed = mine[(mine["event"] == "payment_missed") & (mine["month"] < first)]
                count_from = max([int(cure.month), *missed["month"].astype(int)])
                assert first >= count_from + NPL_UPGRADE_MONTHS, (case, seed, cure.loan_id)
                upgrades += 1
    assert upgrades >= 5  # cured loans do come back, after the wait


def test_a_loan_is_special_mention_in_its_default_month_and_substandard_after():
    """The rule's edge, as the product plays it: a loan defaults at MISSES_TO_DEFAULT
    missed months, DEFAULT_DPD (90) days past due, and the 2023 rule makes only *more*
    than 90 days SUBSTANDARD. So in the month it defaults the rule's class is 关注
    (SPECIAL_MENTION), and from the next month (120 days) 次级. A change of either figure
    is a model decision: this test says where the edge is."""
    from sim.defaults import DAYS_PER_MONTH, DEFAULT_DPD, MISSES_TO_DEFAULT
    from sim.scenario import load_scenario

    assert MISSES_TO_DEFAULT * DAYS_PER_MONTH == DEFAULT_DPD == 90
    sc = load_scenario("scenarios/intro.yaml")
    ev = simulate(sc, seed=sc.seed, strategy="do-nothing").events
    changes = ev[ev["event"] == "class_change"]
    seen = 0
    for d in ev[ev["event"] == "default"].itertuples():
        if d.month >= sc.horizon_months:  # no month after it played
            continue
        mine = changes[(changes["loan_id"] == d.loan_id) & (changes["month"] <= d.month + 1)]
        by_month = dict(zip(mine["month"].astype(int), mine["amount_cny"].astype(int),
                            strict=True))
        at_default = max((m for m in by_month if m <= d.month), default=None)
        assert by_month[at_default] == SPECIAL_MENTION, (d.loan_id, by_month)
        assert by_month.get(d.month + 1) == SUBSTANDARD, (d.loan_id, by_month)
        seen += 1
    assert seen >= 3
