"""Golden outputs: a few (scenario, seed, strategy) runs checked in, so a change in the
model's behaviour is a visible diff that someone decided on.

Each run keeps its summary, score and event counts (JSON) and its per-month metrics
(CSV, one row per month), so a diff shows the month where behaviour changed.

After an intended change, regenerate with:
    BIANQUE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and commit the new files in tests/golden/ with a message that says why they moved.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim.engine import simulate
from sim.scenario import load_scenario
from sim.scoring import score_run

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
TRIPLES = [
    ("intro", 7, "early-warning"),
    ("real_estate", 3, "late-collection"),
    ("guarantee_chain", 11, "oracle"),
    ("disaster", 5, "early-warning"),
    ("small_loan_company", 2, "early-warning"),  # households beside small firms
]


def _observed(case: str, seed: int, strategy: str) -> tuple[dict, str]:
    sc = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
    run = simulate(sc, seed=seed, strategy=strategy)
    out = {"summary": run.summary(), "score": score_run(sc, seed=seed, strategy=strategy).to_dict(),
           "events": run.events["event"].value_counts().sort_index().to_dict(),
           "content_hash": sc.content_hash()}
    return json.loads(json.dumps(out)), run.metrics.to_csv(index=False, float_format="%.10g")


@pytest.mark.parametrize("case,seed,strategy", TRIPLES, ids=lambda x: str(x))
def test_golden_output(case, seed, strategy):
    path = GOLDEN / f"{case}-{seed}-{strategy}.json"
    csv_path = path.with_suffix(".metrics.csv")
    got, got_csv = _observed(case, seed, strategy)
    if os.environ.get("BIANQUE_UPDATE_GOLDEN") or not path.exists() or not csv_path.exists():
        if not os.environ.get("BIANQUE_UPDATE_GOLDEN"):
            pytest.fail(f"no golden file {path.name}; create it with BIANQUE_UPDATE_GOLDEN=1")
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(got, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        csv_path.write_text(got_csv)
    want = json.loads(path.read_text())
    want_metrics = pd.read_csv(csv_path)
    got_metrics = pd.read_csv(io.StringIO(got_csv))
    assert list(got_metrics.columns) == list(want_metrics.columns)
    pd.testing.assert_frame_equal(got_metrics, want_metrics, check_exact=False, rtol=1e-9,
                                  atol=1e-9, obj=f"{csv_path.name} (per-month metrics)")
    assert got["content_hash"] == want["content_hash"], (
        f"scenarios/{case}.yaml changed; regenerate the golden file if that was intended")
    assert got["events"] == want["events"]
    for part in ("summary", "score"):
        for key, value in want[part].items():
            if isinstance(value, float):
                assert got[part][key] == pytest.approx(value, rel=1e-9, abs=1e-9), (part, key)
            else:
                assert got[part][key] == value, (part, key)
