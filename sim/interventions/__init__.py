"""Post-loan interventions: the catalogue (what a case offers and when it is allowed),
their effects on the loan book, and the legal workouts that recover a claim."""

from sim.interventions.catalogue import REASONS, catalogue, precondition

__all__ = ["REASONS", "catalogue", "precondition"]
