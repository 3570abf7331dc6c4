"""Classification deviation (分类偏离度): the booked class against the class the hidden
state warranted (sim.judgement.warranted), loan-month by loan-month.

The same months booked at the objective floor alone (no judgement) give the reference:
judgement can only close the "better" gap the floor leaves, or add "worse" months.

A loan-month is "better" when the booked class is better than warranted (risk hidden,
provisions short), "worse" when it is worse (over-classified: provisions and the NPL
ratio overstated). Only loan-months on the books count. Reads the per-month copies a
Simulation keeps with keep_history=True (the desk's games keep them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.codes import CLASS_KEYS

LOAN_COLUMNS = ("loan_id", "months_on_books", "months_better", "months_worse", "months_judged",
                "worst_gap", "cls_end", "warranted_end")
"""Per-loan frame: months on the books, months booked better / worse than warranted,
months under a judgement, the largest gap in classes (booked - warranted, signed: negative
is better than warranted), and the booked and warranted class keys at the last month."""


@dataclass(frozen=True)
class Deviation:
    """Shares over all loan-months on the books, and the loans with any deviation."""

    loan_months: int
    share_better: float
    share_worse: float
    share_judged: float
    share_floor_better: float  # what the objective floor alone would have booked better
    loans: pd.DataFrame  # LOAN_COLUMNS, only loans with a deviation or a judgement

    @property
    def share_matched(self) -> float:
        return 1.0 - self.share_better - self.share_worse


def deviation(history: list[dict]) -> Deviation:
    """The deviation over the months kept in a Simulation's history."""
    if not history:
        return Deviation(0, 0.0, 0.0, 0.0, 0.0, pd.DataFrame(columns=list(LOAN_COLUMNS)))
    booked = np.array([h["cls"] for h in history], dtype=np.int16)
    warranted = np.array([h["cls_warranted"] for h in history], dtype=np.int16)
    floor = np.array([h["cls_objective"] for h in history], dtype=np.int16)
    live = np.array([h["on_books"] for h in history], dtype=bool)
    gap = np.where(live, booked - warranted, 0)
    better, worse = gap < 0, gap > 0
    judged = live & (booked > floor)
    total = int(live.sum())
    worst = np.where(-gap.min(axis=0) >= gap.max(axis=0), gap.min(axis=0), gap.max(axis=0))
    last = live.shape[0] - 1 - np.argmax(live[::-1], axis=0)  # last month on the books
    idx = np.arange(booked.shape[1])
    frame = pd.DataFrame({
        "loan_id": idx, "months_on_books": live.sum(axis=0), "months_better": better.sum(axis=0),
        "months_worse": worse.sum(axis=0), "months_judged": judged.sum(axis=0),
        "worst_gap": worst,
        "cls_end": np.array(CLASS_KEYS)[booked[last, idx]],
        "warranted_end": np.array(CLASS_KEYS)[warranted[last, idx]],
    })
    keep = (frame["months_better"] > 0) | (frame["months_worse"] > 0) | (frame["months_judged"] > 0)
    frame = frame[keep & (frame["months_on_books"] > 0)]
    frame = frame.sort_values(["months_better", "months_worse"], ascending=False)
    share = (lambda m: float(m.sum()) / total) if total else (lambda m: 0.0)
    return Deviation(total, share(better), share(worse), share(judged),
                     share(live & (floor < warranted)), frame.reset_index(drop=True))
