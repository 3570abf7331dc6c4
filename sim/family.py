"""The lesson over a family of generated cases (issue 9).

For each generated case: R common-random-number replications of the four baselines
(do-nothing, late-collection, early-warning, oracle) on the same child seeds, then the
lesson's property on the means, on every case where something material is avoidable (the
oracle's headroom over late collection exceeds HEADROOM_SHARE of its loss and the stakes
the preview and the debrief read an index from, sim.scoring.avoidable_stakes): oracle <=
early-warning <= late-collection <= do-nothing, and an early-warning index between
MIN_INDEX and MAX_INDEX. A case with nothing material to avoid does not teach, and the
preview says so ("nothing avoidable"); there the ordering must hold within two standard
errors of the means (noise on a few thousand yuan). Also what
early-warning did (hours, check compliance, saves, missed warnings), to say why a case
fails. Pure: takes any concurrent.futures Executor and returns records; format_* give text.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import asdict, dataclass

import numpy as np

from sim.generate import STAFFING_BANDS, draw
from sim.scenario import Scenario

STRATEGIES = ("do-nothing", "late-collection", "early-warning", "oracle")
MIN_INDEX = 0.2
MAX_INDEX = 0.95
HEADROOM_SHARE = 0.10


@dataclass(frozen=True)
class CaseResult:
    """Mean outcomes of one generated case over its replications."""

    seed: int
    loans: int
    products: str
    months: int
    band: str
    staffing_ratio: float
    loss: dict[str, float]  # mean loss per strategy, CNY
    loss_se: dict[str, float]  # standard error of the mean loss, CNY
    ew_hours_month: float
    ew_compliance: float
    ew_saves: float
    ew_missed: float
    late_missed: float
    reps: int
    index_se: float | None = None
    disbursed_cny: float = 0.0  # mean amount lent, for the stakes of the index
    """Standard error of the index over the replications (delta method on the paired
    differences): on a small book the index is the ratio of two noisy means."""

    @property
    def headroom(self) -> float:
        return self.loss["late-collection"] - self.loss["oracle"]

    @property
    def index(self) -> float | None:
        if self.headroom <= max(1.0, 1e-6 * abs(self.loss["late-collection"])):
            return None
        return (self.loss["late-collection"] - self.loss["early-warning"]) / self.headroom

    def index_near_bounds(self) -> bool:
        """Whether the index is within two standard errors of MIN_INDEX or MAX_INDEX, so
        that more replications could put it on either side."""
        if self.index is None or self.index_se is None:
            return False
        return min(abs(self.index - MIN_INDEX), abs(self.index - MAX_INDEX)) < 2 * self.index_se

    @property
    def material(self) -> bool:
        """Whether something material is avoidable: the index is worth reading."""
        from sim.scoring import avoidable_stakes

        late = self.loss["late-collection"]
        return self.index is not None and self.headroom > HEADROOM_SHARE * late and \
            self.headroom >= avoidable_stakes(late, self.disbursed_cny)

    def _worse(self, a: str, b: str) -> bool:
        """Whether strategy a lost more than b: on the means where the case is material,
        beyond two standard errors of them where it is not."""
        m, se = self.loss, self.loss_se
        slack = 0.0 if self.material else 2 * float(np.hypot(se[a], se[b]))
        return m[a] > m[b] + slack

    def failures(self) -> list[str]:
        """Which parts of the property this case breaks (empty when it holds)."""
        out = []
        if self._worse("oracle", "early-warning"):
            out.append("oracle>EW")
        if self._worse("early-warning", "late-collection"):
            out.append("EW>late")
        if self._worse("late-collection", "do-nothing"):
            out.append("late>nothing")
        idx = self.index
        material = self.material
        if material and idx < MIN_INDEX:
            out.append(f"index<{MIN_INDEX}")
        # on a book where almost nothing is avoidable the index is the ratio of two tiny
        # numbers: the cap, like the floor, applies where the headroom is material
        if material and idx > MAX_INDEX:
            out.append(f"index>{MAX_INDEX}")
        return out


def _replication(args: tuple[Scenario, int]) -> dict:
    """The four baselines on one seed, with early-warning's score against the other two."""
    from sim.engine import simulate
    from sim.scoring import score

    sc, seed = args
    runs = {s: simulate(sc, seed=seed, strategy=s) for s in STRATEGIES}
    ew = score(runs["early-warning"], runs["late-collection"], runs["oracle"], "early-warning")
    late = score(runs["late-collection"], runs["late-collection"], runs["oracle"], "late")
    return {"loss": {s: r.loss_cny for s, r in runs.items()},
            "disbursed": runs["late-collection"].disbursed_cny,
            "ew_hours": runs["early-warning"].hours / sc.horizon_months,
            "ew_compliance": ew.compliance, "ew_saves": ew.saves,
            "ew_missed": ew.missed_warnings, "late_missed": late.missed_warnings}


def run_family(case_seeds: Iterable[int], reps: int, executor: Executor | None = None,
               **generate_options) -> list[CaseResult]:
    """Generate each case and run its replications (on the executor when given)."""
    from sim.runner import child_seeds

    cases = [draw(int(s), **generate_options) for s in case_seeds]
    jobs = [(c.scenario, rs) for c in cases for rs in child_seeds(c.scenario.seed, reps)]
    mapper = executor.map if executor is not None else map
    results = list(mapper(_replication, jobs))
    out = []
    for k, (seed, case) in enumerate(zip(case_seeds, cases, strict=True)):
        rows = results[k * reps:(k + 1) * reps]
        losses = np.array([[r["loss"][s] for s in STRATEGIES] for r in rows])
        sc = case.scenario
        out.append(CaseResult(
            seed=int(seed), loans=sc.n_loans, months=sc.horizon_months,
            products="+".join(sorted({s.product[:4] for s in sc.segments})),
            band=case.band, staffing_ratio=case.staffing_ratio,
            loss=dict(zip(STRATEGIES, losses.mean(axis=0).tolist(), strict=True)),
            loss_se=dict(zip(STRATEGIES, (losses.std(axis=0, ddof=1) / np.sqrt(reps)).tolist(),
                             strict=True)),
            ew_hours_month=float(np.mean([r["ew_hours"] for r in rows])),
            ew_compliance=float(np.mean([r["ew_compliance"] for r in rows])),
            ew_saves=float(np.mean([r["ew_saves"] for r in rows])),
            ew_missed=float(np.mean([r["ew_missed"] for r in rows])),
            late_missed=float(np.mean([r["late_missed"] for r in rows])), reps=reps,
            index_se=index_standard_error(losses),
            disbursed_cny=float(np.mean([r["disbursed"] for r in rows]))))
    return out


def index_standard_error(losses: np.ndarray) -> float | None:
    """Standard error of the early-warning index (late - EW) / (late - oracle) from the
    per-replication losses (columns in STRATEGIES order), by the delta method on the
    paired differences; None without headroom or with one replication."""
    col = {s: k for k, s in enumerate(STRATEGIES)}
    late = losses[:, col["late-collection"]]
    gain = late - losses[:, col["early-warning"]]
    room = late - losses[:, col["oracle"]]
    n = len(losses)
    if n < 2 or room.mean() <= 0:
        return None
    ratio = gain.mean() / room.mean()
    return float(np.std(gain - ratio * room, ddof=1) / np.sqrt(n) / room.mean())


def _quantiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    q = np.quantile(values, [0.0, 0.25, 0.5, 0.75, 1.0])
    return "min {:.2f}  q1 {:.2f}  median {:.2f}  q3 {:.2f}  max {:.2f}".format(*q)


def format_cases(results: list[CaseResult]) -> str:
    """One line per case: size, staffing, mean losses, index and what early-warning did."""
    head = (f"{'seed':>4} {'loans':>5} {'products':<24} {'band':<7} {'staff':>5} "
            f"{'nothing':>9} {'late':>9} {'EW':>9} {'oracle':>9} {'index':>6} {'se':>5} "
            f"{'EW h/mo':>8} {'compl':>5} {'saves':>5} {'missEW':>6} {'missLC':>6}  fails")
    lines = [head]
    for r in results:
        m = r.loss
        idx = "n/a" if r.index is None else f"{r.index:.2f}"
        se = "" if r.index_se is None else f"{r.index_se:.2f}"
        lines.append(
            f"{r.seed:>4} {r.loans:>5} {r.products:<24} {r.band:<7} {r.staffing_ratio:>5.2f} "
            f"{m['do-nothing'] / 1e6:>9.2f} {m['late-collection'] / 1e6:>9.2f} "
            f"{m['early-warning'] / 1e6:>9.2f} {m['oracle'] / 1e6:>9.2f} {idx:>6} {se:>5} "
            f"{r.ew_hours_month:>8.0f} {r.ew_compliance:>5.2f} {r.ew_saves:>5.1f} "
            f"{r.ew_missed:>6.1f} {r.late_missed:>6.1f}  {','.join(r.failures()) or '-'}")
    lines.append("(losses: mean over replications, CNY million; staff: hours / hours the "
                 "monitoring policy needs; se: standard error of the index)")
    return "\n".join(lines)


def format_summary(results: list[CaseResult]) -> str:
    """The index distribution over the family and by staffing band, and the failures."""
    idx = [r.index for r in results if r.index is not None]
    lines = [f"early-warning index over {len(results)} cases ({len(idx)} with headroom): "
             + _quantiles(idx)]
    for band in STAFFING_BANDS:
        sub = [r for r in results if r.band == band]
        bi = [r.index for r in sub if r.index is not None]
        fails = sum(bool(r.failures()) for r in sub)
        neg = sum(i < 0 for i in bi)
        lines.append(f"  {band:<8} n={len(sub):>2}  {_quantiles(bi)}  negative {neg}  "
                     f"failing {fails}")
    failing = [r for r in results if r.failures()]
    lines.append(f"cases failing the property: {len(failing)} of {len(results)}")
    flat = [r.seed for r in results if not r.material]
    if flat:
        lines.append(f"  nothing material to avoid (the preview says the case does not teach) "
                     f"on cases {flat}")
    noisy = [r.seed for r in failing if r.index_near_bounds()]
    if noisy:
        lines.append(f"  index within two standard errors of a bound on cases {noisy}")
    kinds: dict[str, int] = {}
    for r in failing:
        for f in r.failures():
            kinds[f] = kinds.get(f, 0) + 1
    if kinds:
        lines.append("  " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
    return "\n".join(lines)


def as_records(results: list[CaseResult]) -> list[dict]:
    """Flat records (pandas reads them directly)."""
    return [{**asdict(r), "index": r.index, "headroom": r.headroom,
             "failures": ",".join(r.failures())} for r in results]
