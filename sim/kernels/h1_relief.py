"""The oracle's value of relief (sim.strategies.baselines.Oracle.relief_gain), compiled
on either side of the one step that stays in numpy (scipy's ndtr, the chance of
default): each a pass over the loans weighed for what were several array operations."""

from __future__ import annotations

import numpy as np

from sim.kernels.common import kernel


@kernel
def relief_margins(idx, margin_fresh, relief, stage, disaster_region):
    """(margin of loans idx after a restructuring: the margin with arrears cleared plus
    the health its relief gives times its stage, whether any of them is in a disaster's
    region)."""
    after = np.empty(len(idx))
    region = False
    for j in range(len(idx)):
        i = idx[j]
        after[j] = margin_fresh[i] + relief[j] * stage[j]
        region |= disaster_region[i]
    return after, region


@kernel
def relief_net(idx, chance, chance_after, after, disaster_region):
    """The fall in the chance of default relief brings each of loans idx (`chance` of every
    loan, `chance_after` of each relieved), none where a restructuring leaves the
    foreseen default in place (its margin `after` still below zero) outside a disaster's
    region."""
    gain = np.empty(len(idx))
    for j in range(len(idx)):
        i = idx[j]
        spent = not disaster_region[i] and after[j] < 0.0
        gain[j] = 0.0 if spent else chance[i] - chance_after[j]
    return gain
