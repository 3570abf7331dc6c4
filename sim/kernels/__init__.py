"""The compiled monthly core: the tick's and the signals' loops over the book, in numba.

At 2,000 loans a month of numpy is mostly per-call overhead: a few hundred small calls
on 2,000-element arrays, each costing more to dispatch than its arithmetic (issue 13,
"Speed"). Each kernel here does one Python step of the engine in one pass over the
loans: sim.credit.step_health; sim.loanbook.reprice, step and default_loans;
sim.classification.classify and reclassify; sim.signals.offsite_sightings (with the
latent warnings), onsite_sightings and recent_alerts; sim.checks.run_due, do_checks and
a policy's check demand. Those steps gather the arrays, call one kernel and keep what
must stay in Python: the event log (sim.recorder), sums, the random draws, the barrier
and the annuity factor.

Every kernel gives numpy's result to the last bit, so a run is the same run:
- elementwise arithmetic in numpy's order of operations, without fastmath (no
  reassociation, no fused multiply-add);
- no float reductions: numpy sums pairwise, a loop sums in order, so sums stay in numpy
  (np.bincount with weights adds in index order, as a loop does);
- no transcendental functions (exp, pow, ndtr): numpy's SIMD versions differ from the
  C library's in the last bit, so those are computed in numpy and passed in.
One module per step: common (the decorator and helpers), health, book, classes,
signals, checks, metrics (the month's tallies of sim.recorder.record_metrics), alerts (a
decision point's alert count and visible difficulty, sim.interventions.catalogue). tests/test_kernels.py checks each kernel against the numpy it replaces.

Kernels are functions of arrays alone (no Simulation inside; they update the columns
they are given in place, as the numpy did): model parameters come in as arguments (each
module's NamedTuples, filled from sim.defaults by the callers), never from a module here.
"""
