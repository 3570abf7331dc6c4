"""Tests for sim.policy: the bank's side of a case (staff, monitoring policy, overrides,
provision rates) takes the regulatory defaults and refuses figures out of range."""

from __future__ import annotations

import pydantic
import pytest

from sim import codes
from sim.inputs import explain
from sim.policy import (
    ClassIntervals,
    InterventionOverride,
    MonitoringPolicy,
    ProvisionRates,
    SignalOverride,
    Staff,
)


def test_the_default_policy_checks_normal_loans_quarterly_and_the_rest_monthly():
    policy = MonitoringPolicy()
    intervals = policy.interval_months
    assert [getattr(intervals, k) for k in codes.CLASS_KEYS] == [3, 1, 1, 1, 0]
    assert policy.first_check_days == 30


def test_default_provisions_follow_the_2002_guidance():
    rates = ProvisionRates()
    assert [getattr(rates, k) for k in codes.CLASS_KEYS] == [0.01, 0.02, 0.25, 0.50, 1.00]


def test_an_officer_has_60_hours_a_month_by_default():
    assert Staff(officers=3).hours_per_officer_month == 60.0


def test_policies_are_values_a_session_can_compare_and_keep():
    a = MonitoringPolicy(interval_months=ClassIntervals(normal=6))
    b = MonitoringPolicy.model_validate({"interval_months": {"normal": 6}})
    assert a == b and hash(a) == hash(b)
    assert a != MonitoringPolicy()
    with pytest.raises(pydantic.ValidationError):
        a.first_check_days = 10


@pytest.mark.parametrize(("model", "data", "path"), [
    (ClassIntervals, {"normal": 30}, "normal"),
    (ClassIntervals, {"loss": -1}, "loss"),
    (ClassIntervals, {"normal": 2.5}, "normal"),
    (MonitoringPolicy, {"first_check_days": 400}, "first_check_days"),
    (Staff, {"officers": 0}, "officers"),
    (Staff, {"officers": 1, "hours_per_officer_month": 0}, "hours_per_officer_month"),
    (ProvisionRates, {"loss": 1.5}, "loss"),
    (InterventionOverride, {"hours": -1}, "hours"),
    (SignalOverride, {"miss_rate": 2}, "miss_rate"),
    (SignalOverride, {"lag_months": 13}, "lag_months"),
])
def test_a_figure_out_of_range_names_its_field(model, data, path):
    with pytest.raises(pydantic.ValidationError) as info:
        model.model_validate(data)
    assert [p for p, _ in explain(info.value, model)] == [path]


def test_overrides_leave_unset_figures_to_the_catalogue():
    o = InterventionOverride(hours=2.0)
    assert (o.hours, o.cost_cny, o.duration_months) == (2.0, None, None)
    s = SignalOverride(lag_months=1)
    assert (s.lead_months, s.lag_months, s.miss_rate, s.false_positive_rate) == (
        None, 1, None, None)
