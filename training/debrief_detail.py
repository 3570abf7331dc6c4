"""What the debrief page and report need beside the summary: each run's per-loan outcome
(for the cumulative loss that ends at the table), where your loss came from, and the
names of the loans it lists in both languages.

Everything comes from the finished desk's debrief (training.debrief), which keeps the
runs' per-loan frames; nothing is run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from training.loss_sources import LossSources


@dataclass(frozen=True)
class DebriefDetail:
    loans: dict[str, pd.DataFrame]  # strategy -> per-loan outcome (loan_id, default_month, loss_cny ...)
    sources: LossSources  # you against late collection, loan by loan
    names: dict[str, dict[int, tuple[str, str]]]  # lang -> loan id -> (loan number, borrower)
    sources_ew: LossSources | None = None  # you against early warning, loan by loan


def detail(desk: Any) -> DebriefDetail:
    """The detail of a finished desk's debrief."""
    d = desk.debrief()
    pf = desk.sim.pf
    gaps = [*d.sources.loans, *(d.sources_ew.loans if d.sources_ew is not None else [])]
    names = {lang: {g.loan_id: (pf.label(g.loan_id), pf.identity(g.loan_id, lang)[0])
                    for g in gaps} for lang in ("zh", "en")}
    return DebriefDetail(d.loans, d.sources, names, d.sources_ew)
