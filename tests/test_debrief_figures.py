"""The debrief's figures read the same in its sentences and in its tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from training import report


def test_the_loss_in_the_table_is_the_loss_in_the_verdict():
    """A hurried play of guarantee_chain lost CNY 196,479,499: the verdict said
    "CNY 196,479k", the comparison table beside it "196,480" (rounded to a tenth of a
    thousand first, then to whole thousands). Both round once, to the same figure."""
    loss = {"you": 196_479_499.0, "late-collection": 196_479_499.0,
            "early-warning": 167_313_650.0, "oracle": 87_114_449.0}
    d = SimpleNamespace(table=pd.DataFrame({"strategy": list(loss), "loss_cny": list(loss.values())}))
    for lang, said, cell in (("en", "CNY\u00a0196,479k", "196,479"), ("zh", "19,648\u00a0万元", "19,648")):
        assert said in report.verdict_text(d, lang)
        table = report.comparison_table(d, lang)
        assert table.iloc[0, 1] == cell, table
