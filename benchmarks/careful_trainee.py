"""How the careful trainee's rules (tests/careful_player.py, the browser test's player)
do against late collection, the early-warning officer and the oracle over many seeds.

Prints, per seed, the credit loss of each and the headline index, then the totals:
the pooled index (total loss avoided against late collection over the total
avoidable loss) and on how many seeds the careful play lost less or more than late
collection. A per-seed index is unstable when a seed has little avoidable loss, so
the pooled one is the figure to quote.

    .venv/bin/python benchmarks/careful_trainee.py [--case intro] [--seeds 1-40]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed_range(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def main() -> None:
    from sim.scenario import load_scenario
    from sim.scoring import headline_index, run_baselines
    from tests import careful_player

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="intro")
    ap.add_argument("--seeds", default="1-40", type=seed_range)
    args = ap.parse_args()
    case = load_scenario(ROOT / "scenarios" / f"{args.case}.yaml")
    totals = {"you": 0.0, "late-collection": 0.0, "early-warning": 0.0, "oracle": 0.0}
    better = worse = 0
    print(f"{'seed':>5} {'careful':>11} {'late':>11} {'early':>11} {'oracle':>11} {'index':>7}")
    for seed in args.seeds:
        you = careful_player.play(case, seed).result().loss_cny
        base = {k: r.loss_cny for k, r in run_baselines(case, seed, case.horizon_months).items()}
        idx = headline_index(you, base["late-collection"], base["oracle"])
        print(f"{seed:>5} {you:>11,.0f} {base['late-collection']:>11,.0f} "
              f"{base['early-warning']:>11,.0f} {base['oracle']:>11,.0f} "
              f"{'—' if idx is None else f'{idx:.2f}':>7}")
        totals["you"] += you
        for k in ("late-collection", "early-warning", "oracle"):
            totals[k] += base[k]
        better += you < base["late-collection"] - 1
        worse += you > base["late-collection"] + 1
    avoidable = totals["late-collection"] - totals["oracle"]
    n = len(args.seeds)
    print(f"mean loss over {n} seeds: careful {totals['you'] / n:,.0f}, late collection "
          f"{totals['late-collection'] / n:,.0f}, early warning {totals['early-warning'] / n:,.0f}, "
          f"oracle {totals['oracle'] / n:,.0f}")
    print(f"pooled index: careful {(totals['late-collection'] - totals['you']) / avoidable:.2f}, "
          f"early warning {(totals['late-collection'] - totals['early-warning']) / avoidable:.2f}")
    print(f"careful lost less than late collection on {better} seeds, more on {worse}, "
          f"the same on {n - better - worse}")


if __name__ == "__main__":
    main()
