"""The bank's side of a case: staff, the monitoring policy, catalogue overrides and
provision rates.

`MonitoringPolicy` is also what a trainee or a rule table sets during play (the check
interval per class; see `sim.checks.intervals`).
"""

from __future__ import annotations

from pydantic import Field

from sim.field_types import Int, Share
from sim.inputs import Strict


class Staff(Strict):
    officers: Int = Field(ge=1, le=10_000)
    hours_per_officer_month: float = Field(default=60.0, gt=0.0, le=200.0)


class ClassIntervals(Strict):
    """Check interval in months for each of the five classes (0 = no routine check)."""

    normal: Int = Field(default=3, ge=0, le=24)
    special_mention: Int = Field(default=1, ge=0, le=24)
    substandard: Int = Field(default=1, ge=0, le=24)
    doubtful: Int = Field(default=1, ge=0, le=24)
    loss: Int = Field(default=0, ge=0, le=24)


class MonitoringPolicy(Strict):
    interval_months: ClassIntervals = ClassIntervals()
    first_check_days: Int = Field(default=30, ge=0, le=365)


class InterventionOverride(Strict):
    hours: float | None = Field(default=None, ge=0.0, le=500.0)
    cost_cny: float | None = Field(default=None, ge=0.0, le=1e9)
    duration_months: float | None = Field(default=None, ge=0.0, le=60.0)


class SignalOverride(Strict):
    lead_months: float | None = Field(default=None, ge=0.0, le=24.0)
    lag_months: Int | None = Field(default=None, ge=0, le=12)
    miss_rate: Share | None = None
    false_positive_rate: Share | None = None


class ProvisionRates(Strict):
    """Provision rate per class; default is the 2002 guidance (1/2/25/50/100%)."""

    normal: Share = 0.01
    special_mention: Share = 0.02
    substandard: Share = 0.25
    doubtful: Share = 0.50
    loss: Share = 1.00
