"""How long a trainee waits for a turn: AppTest on the largest published case.

Starts an attempt through the app, opens the desk, then for a number of months
measures (a) a plain rerun of the desk (what any click costs) and (b) a turn:
End month clicked, the engine advances one month and the desk is drawn again.
Also times the last turn, which opens the debrief (three baseline runs on the
same seed), and a rerun of the debrief. Prints milliseconds.

    .venv/bin/python benchmarks/app_turn.py [--case ID] [--months N] [--view loans]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def largest_published_case() -> str:
    from sim.scenario import load_scenario, scenario_paths

    cases = [load_scenario(p) for p in scenario_paths()]
    return max((c for c in cases if c.published), key=lambda c: c.n_loans).id


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default=None, help="scenario id (default: the largest published)")
    ap.add_argument("--months", type=int, default=6, help="turns to time")
    ap.add_argument("--view", default="loans", choices=["loans", "alerts", "portfolio", "policy"])
    args = ap.parse_args()

    os.environ["BIANQUE_DB"] = str(Path(tempfile.mkdtemp()) / "bench.db")
    os.environ.pop("DATABASE_URL", None)
    from streamlit.testing.v1 import AppTest

    from app_pages import common

    case = args.case or largest_published_case()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    at.button(key=f"start_{case}").click().run()
    at.button(key="to_desk").click().run()
    assert not at.exception, [e.value for e in at.exception]
    live = common.games().open(at.session_state["attempt_id"])
    g = live.game
    n_loans = len(g.loans())
    if args.view != "loans":
        at.segmented_control(key="desk_view").set_value(args.view).run()
    else:  # an open loan file is the heaviest desk view
        at.selectbox(key="loan_pick").set_value(int(g.loans()["loan_id"].iloc[0])).run()

    renders, turns = [], []
    months = min(args.months, g.horizon - 1)
    for _ in range(months):
        t0 = time.perf_counter()
        at.run()
        renders.append(time.perf_counter() - t0)
        m = g.month
        t0 = time.perf_counter()
        at.button(key=f"end_month_{m}").click().run()
        turns.append(time.perf_counter() - t0)
        assert g.month == m + 1 and not at.exception, [e.value for e in at.exception]

    while g.month < g.horizon - 1:
        at.button(key=f"end_month_{g.month}").click().run()
    t0 = time.perf_counter()  # the last turn also computes the debrief (three baseline runs)
    at.button(key=f"end_month_{g.month}").click().run()
    debrief_first = time.perf_counter() - t0
    assert g.finished and at.get("download_button"), "the last turn should open the debrief"
    t0 = time.perf_counter()
    at.run()
    debrief_again = time.perf_counter() - t0
    assert not at.exception, [e.value for e in at.exception]

    print(f"case {case}: {n_loans} loans, {g.horizon} months, desk view '{args.view}'")
    print(f"first page load (imports, case list)  {ms(first)}")
    print(f"desk rerun       median {ms(statistics.median(renders))}  max {ms(max(renders))}")
    print(f"turn (End month) median {ms(statistics.median(turns))}  max {ms(max(turns))}")
    print(f"last turn + debrief (3 baseline runs) {ms(debrief_first)}; debrief rerun {ms(debrief_again)}")


if __name__ == "__main__":
    main()
