"""The run's frames (sim.recorder) hold exactly what the recorder collected, in the types
pandas gives the plain construction: text columns built by Arrow from the distinct values
equal object columns of Python strings, row for row, empty runs included."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine import Simulation
from sim.recorder import str_column, warning_frame
from sim.scenario import load_scenario
from sim.signals import SIGNAL_IDS
from sim.strategies import make_strategy

ROOT = Path(__file__).resolve().parent.parent


def plain_event_frame(single, chunks) -> pd.DataFrame:
    rows = [*single, *((m, int(i), name, float(a), "") for m, idx, name, amt in chunks
                       for i, a in zip(idx, amt, strict=True))]
    df = pd.DataFrame({
        "month": np.array([r[0] for r in rows], dtype=np.int64),
        "loan_id": np.array([r[1] for r in rows], dtype=np.int64),
        "event": np.array([r[2] for r in rows], dtype=object),
        "amount_cny": np.array([r[3] for r in rows], dtype=float),
        "details": np.array([r[4] for r in rows], dtype=object)})
    return df.sort_values(["month", "loan_id"], kind="stable").reset_index(drop=True)


def plain_signal_frame(rec) -> pd.DataFrame:
    rows = [(m, int(i), rec.signal_ids[j], "onsite" if v == 1 else "offsite")
            for m, idx, js, v in rec.signals for i, j in zip(idx, js, strict=True)]
    return pd.DataFrame({
        "month": np.array([r[0] for r in rows], dtype=np.int32),
        "loan_id": np.array([r[1] for r in rows], dtype=np.int64),
        "signal": np.array([r[2] for r in rows], dtype=object),
        "via": np.array([r[3] for r in rows], dtype=object)})


@pytest.mark.parametrize("case,strategy,months", [
    ("fund_diversion", "early-warning", None), ("guarantee_chain", "oracle", None),
    ("intro", "do-nothing", 1),
])
def test_frames_equal_their_plain_construction(case, strategy, months):
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    strat = make_strategy(strategy)
    sim = Simulation(sc, seed=3, months=months, decider=strat.decide, oracle=strat.needs_hidden)
    run = sim.run()
    rec = sim.rec
    pd.testing.assert_frame_equal(run.events, plain_event_frame(rec.event_rows(), rec.chunks))
    pd.testing.assert_frame_equal(run.signals, plain_signal_frame(rec))
    pd.testing.assert_frame_equal(run.warnings,
                                  warning_frame(run.signals, rec.latent, SIGNAL_IDS))
    assert run.loans["status"].tolist() == [
        ("active", "defaulted", "closed", "written_off", "sold")[k] for k in sim.status]


def test_an_empty_text_column_is_typed_as_pandas_types_it():
    got = pd.Series(str_column(("a", "b"), np.zeros(0, dtype=np.intp)))
    assert got.dtype == pd.Series(np.zeros(0, dtype=object)).dtype
    full = pd.Series(str_column(("a", "b"), np.array([1, 0, 1])))
    pd.testing.assert_series_equal(full, pd.Series(np.array(["b", "a", "b"], dtype=object)))
