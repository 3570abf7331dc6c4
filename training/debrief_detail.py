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

from training.i18n import t
from training.loss_sources import LossSources

SHOWN_APART = {"npl_ratio": 0.0005, "cum_loss_cny": 0.05}
"""Two lines of the debrief's charts are the same when every month differs by less than the
chart shows (0.1 pp of NPL ratio; 0.1 of the money unit, 万元 or thousand yuan)."""


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


def same_lines(traj: pd.DataFrame, y: str, order: tuple[str, ...]) -> list[list[str]]:
    """Groups of strategies (in ``order``) whose ``y`` is the same in every month of the
    debrief's chart frame (training.report.trajectories): lines drawn on one another."""
    wide = traj.pivot_table(index="month", columns="strategy", values=y, aggfunc="first")
    groups: list[list[str]] = []
    for s in [s for s in order if s in wide.columns]:
        home = next((g for g in groups if (wide[g[0]] - wide[s]).abs().max() < SHOWN_APART[y]), None)
        if home is None:
            groups.append([s])
        else:
            home.append(s)
    return [g for g in groups if len(g) > 1]


def same_lines_text(traj: pd.DataFrame, y: str, order: tuple[str, ...], lang: str) -> str:
    """The lines of a chart that lie on one another, in words ("" when none do): with yours
    among them, what that means for your score."""
    out = []
    for group in same_lines(traj, y, order):
        names = [t(f"strategy.{s}", lang) for s in group]
        if lang != "zh":  # "You and late collection": only the first name opens the sentence
            names = names[:1] + [n[:1].lower() + n[1:] for n in names[1:]]
        joined = ("、" if lang == "zh" else ", ").join(names[:-1])
        names_text = t("debrief_chart.same.names", lang, first=joined, last=names[-1])
        key = "you_late" if group[:2] == ["you", "late-collection"] else "other"
        out.append(t(f"debrief_chart.same.{y}.{key}", lang, names=names_text))
    return ("" if lang == "zh" else " ").join(out)
