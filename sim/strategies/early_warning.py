"""The early-warning reference policy: the competent officer with the hours the case gives.

It reads each loan's risk from what it has seen (signals, arrears, class, found
misuse), keeps the case's own routine-check policy when the team can (else books the
closest lighter one that fits a share of its hours), and
spends the rest on the actions that avoid the most expected loss per hour (see
sim.strategies.triage). Defaulted loans go to the asset-preservation team's standing
workout, exactly as under late collection, so it never does less than late collection.
"""

from __future__ import annotations

from sim.strategies.triage import POLICIES, Triage, TriageParams

EarlyWarningParams = TriageParams
"""The early-warning officer's parameters are the triage parameters."""


class EarlyWarning(Triage):
    """A sensible reference policy: risk-based checks, act where it pays most per hour."""

    name = "early-warning"
    policies = POLICIES

    def __init__(self, params: TriageParams | None = None):
        super().__init__(params)
