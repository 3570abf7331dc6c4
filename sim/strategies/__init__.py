"""Post-loan strategies: what a bank does at each month's decision point.

A strategy sees an Observation (only what an officer can see; the oracle also
gets the hidden state) and returns a Decision: a monitoring policy and actions
within the hours available. Built in: do-nothing, late-collection,
early-warning, oracle (sim.strategies.baselines, sim.strategies.early_warning),
and rules, a YAML rule table (sim.strategies.rules).
"""

from __future__ import annotations

from sim.strategies.base import NO_CHECKS, Budget, Strategy, workout
from sim.strategies.baselines import DoNothing, LateCollection, Oracle
from sim.strategies.early_warning import EarlyWarning, EarlyWarningParams
from sim.strategies.rules import (
    Rule,
    Rules,
    RulesError,
    RuleTable,
    RuleWhen,
    load_rules,
    parse_rules,
)
from sim.strategies.triage import Triage, TriageParams

BUILT_IN = {"do-nothing": DoNothing, "late-collection": LateCollection,
            "early-warning": EarlyWarning, "oracle": Oracle}


def make_strategy(name, rules: RuleTable | None = None) -> Strategy:
    """A strategy by name; 'rules' needs a rule table. A Strategy instance passes through."""
    if isinstance(name, Strategy):
        return name
    if name == "rules" or rules is not None:
        if rules is None:
            raise ValueError("the 'rules' strategy needs a rule table (--rules FILE)")
        return Rules(rules)
    try:
        return BUILT_IN[name]()
    except KeyError:
        from sim.inputs import did_you_mean

        known = [*BUILT_IN, "rules"]
        raise ValueError(f"unknown strategy '{name}'; use one of: "
                         f"{', '.join(known)}{did_you_mean(name, known)}") from None


__all__ = ["BUILT_IN", "NO_CHECKS", "Budget", "DoNothing", "EarlyWarning",
           "EarlyWarningParams", "LateCollection", "Oracle", "Rule", "RuleTable", "RuleWhen", "Triage", "TriageParams",
           "Rules", "RulesError", "Strategy", "load_rules", "make_strategy", "parse_rules",
           "workout"]
