"""What the debrief needs beyond the game's own summary: each run's per-loan outcome
(for the cumulative loss that ends at the table) and where your loss came from.

The game's debrief keeps only summaries of the reference runs, so this module
runs them again on the same seed (deterministic: the same runs, the same
numbers) and keeps the per-loan frames. Computed once per finished attempt (the
page memoises it on the live game).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.scoring import run_baselines
from training.loss_sources import LossSources, loss_sources

#: The reference the loss is explained against: the poor baseline of the headline index.
REFERENCE = "late-collection"


@dataclass(frozen=True)
class DebriefDetail:
    loans: dict[str, pd.DataFrame]  # strategy -> per-loan outcome (loan_id, default_month, loss_cny ...)
    sources: LossSources  # you against late collection, loan by loan
    names: dict[int, dict[str, tuple[str, str]]]  # lang -> loan id -> (loan number, borrower)


def detail(game: Any) -> DebriefDetail:
    """Per-loan outcomes of you and the reference strategies, and the loss explained."""
    you = game.result()
    runs = {"you": you, **run_baselines(game.scenario, game.seed, game.horizon)}
    sources = loss_sources(you, runs[REFERENCE])
    pf = game.sim.pf
    names = {lang: {g.loan_id: (pf.label(g.loan_id), pf.identity(g.loan_id, lang)[0]) for g in sources.loans}
             for lang in ("zh", "en")}
    return DebriefDetail({k: r.loans for k, r in runs.items()}, sources, names)
