"""What a decision point reads off the signals seen, compiled: the alert count and the
visible difficulty in one pass over the book (sim.interventions.catalogue.
difficulty_and_alerts)."""

from __future__ import annotations

import numpy as np

from sim.kernels.common import kernel


@kernel
def difficulty_and_alerts(last_seen, after, weights, after_any, weights_any, dpd, cls,
                          watch):
    """Per loan (row of last_seen): whether the bank can see it in difficulty (in arrears,
    classed `watch` or worse, or any signal of weight 1 in weights_any seen after month
    after_any), and the number of signals of weight 1 in `weights` seen after month
    `after` (sim.kernels.signals.recent_alerts). Each row is read once for both: a
    strategy asks for the two at every decision point, and each is a pass over the whole
    of last_seen."""
    n, k = last_seen.shape
    # each signal's threshold: its window's month, or one no month passes (weight 0)
    never = np.iinfo(last_seen.dtype).max
    counted = np.empty(k, dtype=last_seen.dtype)
    any_counted = np.empty(k, dtype=last_seen.dtype)
    for j in range(k):
        counted[j] = after if weights[j] != 0 else never
        any_counted[j] = after_any if weights_any[j] != 0 else never
    difficult = np.empty(n, dtype=np.bool_)
    alerts = np.empty(n, dtype=np.int64)
    for i in range(n):
        count = 0
        seen = 0
        for j in range(k):
            month = last_seen[i, j]
            count += month > counted[j]
            seen += month > any_counted[j]
        alerts[i] = count
        difficult[i] = dpd[i] > 0 or cls[i] >= watch or seen > 0
    return difficult, alerts
