"""The month's figures the recorder keeps (sim.recorder.record_metrics), compiled."""

from __future__ import annotations

from sim.kernels.common import kernel


@kernel
def month_tallies(by_cls, prov_rates, substandard, default_month):
    """From the balance on the books by class (sim.kernels.classes.balance_by_class): the
    non-performing balance (the classes from `substandard` on) and the provisions (each
    class's balance times its rate), and the number of loans that have defaulted
    (default_month set). One call instead of three numpy reductions a month.

    The two sums add in order from 0.0, which is numpy's sum of so short a row (its
    pairwise sum adds fewer than eight numbers one by one; there are five classes), so
    they are numpy's to the last bit."""
    npl = 0.0
    for c in range(substandard, len(by_cls)):
        npl += by_cls[c]
    provisions = 0.0
    for c in range(len(by_cls)):
        provisions += by_cls[c] * prov_rates[c]
    defaulted = 0
    for i in range(len(default_month)):
        defaulted += default_month[i] >= 0
    return npl, provisions, defaulted
