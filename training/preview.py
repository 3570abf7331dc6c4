"""Teaching preview: does a case teach? The four baselines over common random numbers.

Each replication runs do-nothing, late collection, early warning and the oracle on
one seed (the same borrowers and economy for all four), plus one run with
unlimited staff that does only the checks the case's monitoring policy requires,
to measure the hours that policy asks of the officers. Across replications the
preview reports each baseline's loss with a 95% interval, the early-warning index
and the oracle's headroom, staff load (policy hours against the officers' hours)
and each baseline's compliance, a difficulty estimate, and warnings in words when the case
cannot teach: late collection does as well as early warning, nothing is
avoidable, or the officers are swamped.

No Streamlit here; the page draws ``PreviewResult``. Replications may run on any
``concurrent.futures.Executor`` (each carries its own seed, as in sim.runner).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from sim.engine import Simulation, simulate
from sim.intervals import Interval, floored_interval, index_interval, share_interval
from sim.policy import Staff
from sim.runner import child_seeds
from sim.scenario import Scenario
from sim.scoring import avoidable_stakes, compliance_share
from training.i18n import fmt_pct, t

BASELINES = ("do-nothing", "late-collection", "early-warning", "oracle")
DEFAULT_REPS = 30
"""Replications the issue asks for; small enough for a sub-branch case on 2 cores."""
MAX_REPS = 200

# When a case does not teach (the thresholds a reviewer of a case would apply).
MIN_TEACHING_INDEX = 0.1
"""Early warning must avoid at least a tenth of the avoidable loss to show the lesson."""
SWAMPED_LOAD = 2.0
"""The case's monitoring policy asks over twice the hours the officers have: past what
triage can absorb (review_meeting teaches triage at about 1.5 times)."""
SWAMPED_COMPLIANCE = 0.8
"""Or even the early-warning officer, who triages, keeps fewer than 80% of checks on time
(issue 9 asks that baseline for 90% whatever the staffing; below 80% triage has failed)."""
TIGHT_LOAD = 1.0
"""Above this the policy cannot be followed as written: a note, since triage may be the lesson."""

# What the preview costs on one core (CPU seconds measured as in benchmarks/preview.py,
# December 2026, with the vectorised triage; the oracle is the dearest run). A rough
# guide for the wait shown and the default months, not a promise.
RUN_OVERHEAD_S = 0.025
"""Seconds per engine run before the first loan-month (set-up, SimPy, result frames)."""
LOAN_MONTHS_PER_S = 5.0e5
"""Loan-months one engine run advances per second on one core, averaged over the five."""
RUNS_PER_REPLICATION = len(BASELINES) + 1  # the baselines and the policy run
PREVIEW_BUDGET_S = 20.0
"""Longest a default preview should keep an instructor waiting."""

# Difficulty estimate, 1 (easy) to 5 (hard): a weighted mean of three pressures in [0, 1].
DIFFICULTY_WEIGHTS = {"staff": 0.4, "capture": 0.4, "size": 0.2}
STAFF_EASY_LOAD, STAFF_HARD_LOAD = 0.5, 1.5
"""Policy demand at half the hours available is easy; at 1.5 times it every check is a choice."""
SIZE_EASY_LOANS, SIZE_HARD_LOANS = 50, 2000
"""A 50-loan book can be read loan by loan; at 2,000 the trainee must work by segment and rule."""

Progress = Callable[[int, int], None]
"""progress(done, total): called after each replication."""


class WarningCode(StrEnum):
    """Why a case may not teach (catalogue keys author.warning.<code>)."""

    LATE_AS_GOOD = "late_as_good"
    NOTHING_AVOIDABLE = "nothing_avoidable"
    STAFF_SWAMPED = "staff_swamped"
    CHECKS_LATE = "checks_late"
    TIGHT_POLICY = "tight_policy"  # a note, not a reason the case fails to teach
    LESSON_UNCLEAR = "lesson_unclear"  # a note: the index's interval reaches zero
    CLASS_SEED_NO_INDEX = "class_seed_no_index"  # a note: the future a class plays has none


@dataclass(frozen=True)
class BaselineResult:
    """One baseline over the replications."""

    strategy: str
    loss_cny: Interval
    defaults: Interval
    hours: Interval  # officers plus the asset-preservation team, whole run
    compliance: Interval  # share of required checks done on time; n == 0 if none required
    policy_compliance: Interval | None = None
    """Share of the loan-months the case's own monitoring policy held to a check that were
    up to date (whatever policy the baseline ran); n == 0 if the policy holds none."""


@dataclass(frozen=True)
class StaffLoad:
    """Hours the case's monitoring policy asks of the officers against the hours they have."""

    demanded_hours_month: Interval  # hours the case's policy asks per month (checks due)
    available_hours_month: float  # officers x hours per officer and month
    demand_by_month: tuple[float, ...] = ()  # mean over replications, months 1, 2, ...

    def frame(self) -> pd.DataFrame:
        """month, demanded_hours, available_hours: one row per month (for the chart)."""
        return pd.DataFrame({
            "month": range(1, len(self.demand_by_month) + 1),
            "demanded_hours": list(self.demand_by_month),
            "available_hours": self.available_hours_month})

    @property
    def load_share(self) -> float:
        """Demand over availability: above 1 the policy cannot be followed."""
        if self.available_hours_month <= 0:
            return math.inf
        return self.demanded_hours_month.mean / self.available_hours_month


@dataclass(frozen=True)
class Difficulty:
    """An estimated difficulty on the case file's 1-5 scale, with the pressures behind it."""

    level: int
    declared: int  # what the case file says
    staff: float  # each pressure in [0, 1]
    capture: float
    size: float


@dataclass(frozen=True)
class TeachingWarning:
    """A reason the case may not teach, with the figures that show it."""

    code: WarningCode
    values: dict[str, float | None] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The warning in words, its figures formatted for the language."""
        key = f"author.warning.{self.code}"
        booked = self.values.get("compliance", 0.0)
        values = dict(self.values)
        if self.code == WarningCode.STAFF_SWAMPED and (booked is None or not math.isfinite(booked)):
            key += "_no_checks"  # early warning booked no check at all: no share to give
        # "loses only -12.7k less", "avoids only CNY 0k": the oracle losing as much as late
        # collection, or more, is said in words, and a loss it adds by its size
        gap = {WarningCode.NOTHING_AVOIDABLE: "headroom",
               WarningCode.CLASS_SEED_NO_INDEX: "avoidable"}.get(self.code)
        amount = values.get(gap) if gap else None
        if amount is not None and math.isfinite(amount) and amount < NO_GAP_CNY:
            key += "_same" if amount > -NO_GAP_CNY else "_worse"
            values[gap] = -amount
        return t(key, lang=lang, **{k: _fmt(k, v, lang) for k, v in values.items()})


NO_GAP_CNY = 0.5
"""Under half a yuan between two losses, they are the same loss (sums of floats differ
in the last bits): a note says so in words, not as an amount of 0."""

_MONEY = ("headroom", "late", "saving", "lo", "hi", "stakes", "avoidable")
_SHARES = ("share", "compliance", "policy_compliance")


def headroom_text(amount_cny: float, lang: str) -> str:
    """Money as the preview says it (training.units.money_not_zero): the oracle's headroom
    of a few hundred yuan is the point of "nothing is avoidable", and "loses only 0 less"
    read as nonsense."""
    from training.units import money_not_zero

    return money_not_zero(amount_cny, lang)


def _fmt(key: str, value: float | None, lang: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if key in _MONEY:
        return headroom_text(value, lang)
    if key in _SHARES:
        return fmt_pct(value, 0)
    if key.startswith("index"):
        return f"{value:.2f}"
    if key == "seed":
        return f"{value:.0f}"
    if key == "ratio":  # 1.04 times must not read "1.0 times" beside "cannot follow it"
        return f"{value:.2f}" if value < 2 else f"{value:.1f}"
    return f"{value:,.0f}"  # hours


@dataclass(frozen=True)
class PreviewResult:
    """What the teaching preview found (see the module docstring)."""

    scenario_id: str
    content_hash: str
    reps: int
    months: int
    seconds: float
    disbursed_cny: float
    baselines: dict[str, BaselineResult]
    ew_saving_cny: Interval  # late collection's loss minus early warning's, paired by seed
    headroom_cny: Interval  # late collection's loss minus the oracle's, paired by seed
    ew_index: float | None  # (late - early warning) / (late - oracle), on the mean losses
    ew_index_lo: float | None  # paired bootstrap 95% interval of that ratio
    ew_index_hi: float | None
    staff: StaffLoad
    difficulty: Difficulty
    warnings: tuple[TeachingWarning, ...]  # reasons the case may not teach
    notes: tuple[TeachingWarning, ...] = ()  # worth knowing, not a failure
    horizon: int = 0  # the case's horizon (months may stop short of it to keep the wait)

    @property
    def headroom_share(self) -> float:
        """Oracle headroom as a share of late collection's loss (0 when late loses nothing)."""
        late = self.baselines["late-collection"].loss_cny.mean
        return self.headroom_cny.mean / late if late > 0 else 0.0

    @property
    def teaches(self) -> bool:
        return not self.warnings

    def loss_frame(self) -> pd.DataFrame:
        """One row per baseline: strategy, loss_cny, loss_lo_cny, loss_hi_cny, defaults,
        hours, compliance and policy_compliance (shares). The chart and the table on the page both read this."""
        return pd.DataFrame([{
            "strategy": b.strategy, "loss_cny": b.loss_cny.mean, "loss_lo_cny": b.loss_cny.lo,
            "loss_hi_cny": b.loss_cny.hi, "defaults": b.defaults.mean, "hours": b.hours.mean,
            "compliance": b.compliance.mean,
            "policy_compliance": b.policy_compliance.mean if b.policy_compliance else math.nan}
            for b in self.baselines.values()])


@dataclass(frozen=True)
class Replication:
    """One seed's figures (picklable, for process pools)."""

    seed: int
    loss_cny: dict[str, float]
    defaults: dict[str, int]
    hours: dict[str, float]
    compliance: dict[str, float]
    policy_compliance: dict[str, float | None]
    policy_demand_hours: list[float]  # per month: hours the case's policy asks (unlimited staff)
    disbursed_cny: float


UNLIMITED_STAFF = Staff(officers=10_000, hours_per_officer_month=200.0)
"""The schema's largest staff: enough that every check the policy requires is done on time."""


def _policy_demand(scenario: Scenario, seed: int, months: int | None) -> list[float]:
    """Hours the case's own monitoring policy asks each month, measured by the engine.

    The book runs with no post-loan actions and unlimited staff, so every required check
    is done when due and the officers' hours used are the policy's demand (the method of
    sim.generate.monitoring_hours_needed, per month and per seed).
    """
    unlimited = scenario.model_copy(update={"staff": UNLIMITED_STAFF})
    sim = Simulation(unlimited, seed=seed, months=months)
    sim.run()
    return [float(h) for h in sim.hours_log]


def replication(scenario: Scenario, seed: int, months: int | None) -> Replication:
    """The four baselines and the policy run on one seed (common random numbers)."""
    runs = {name: simulate(scenario, seed=seed, months=months, strategy=name)
            for name in BASELINES}
    demand = _policy_demand(scenario, seed, months)
    any_run = runs[BASELINES[0]]
    return Replication(
        seed=seed,
        loss_cny={k: r.loss_cny for k, r in runs.items()},
        defaults={k: r.defaults for k, r in runs.items()},
        hours={k: r.hours for k, r in runs.items()},
        compliance={k: compliance_share(r) for k, r in runs.items()},
        policy_compliance={k: r.policy_compliance for k, r in runs.items()},
        policy_demand_hours=demand,
        disbursed_cny=any_run.disbursed_cny,
    )


def _index_interval(late: np.ndarray, ew: np.ndarray, oracle: np.ndarray
                    ) -> tuple[float | None, float | None, float | None]:
    """The index on mean losses and its paired bootstrap 95% interval (sim.intervals,
    the lab's own estimator); None where undefined."""
    iv = index_interval(late, ew, oracle)

    def plain(x: float) -> float | None:
        return float(x) if math.isfinite(x) else None

    return plain(iv.mean), plain(iv.lo), plain(iv.hi)


def _scale(x: float, easy: float, hard: float) -> float:
    if not math.isfinite(x):
        return 1.0
    return float(min(1.0, max(0.0, (x - easy) / (hard - easy))))


def difficulty(scenario: Scenario, load_share: float, ew_index: float | None) -> Difficulty:
    """How hard the case is for a trainee, from what the preview measured.

    staff: how far the policy's demand exceeds comfort; capture: how much of the avoidable
    loss even the competent early-warning officer misses; size: how many loans to read.
    """
    staff = _scale(load_share, STAFF_EASY_LOAD, STAFF_HARD_LOAD)
    capture = 0.0 if ew_index is None else 1.0 - min(1.0, max(0.0, ew_index))
    size = _scale(math.log(max(scenario.n_loans, 1)), math.log(SIZE_EASY_LOANS),
                  math.log(SIZE_HARD_LOANS))
    w = DIFFICULTY_WEIGHTS
    score = w["staff"] * staff + w["capture"] * capture + w["size"] * size
    return Difficulty(level=1 + int(round(4 * score)), declared=scenario.difficulty,
                      staff=staff, capture=capture, size=size)


def teaching_warnings(late: Interval, saving: Interval, headroom: Interval,
                      ew_index: float | None, staff: StaffLoad, ew_compliance: float,
                      disbursed_cny: float, ew_policy_compliance: float | None = None
                      ) -> tuple[TeachingWarning, ...]:
    """The reasons a case does not teach, each with the figures that show it.

    Late collection is "as good" when early warning's paired saving is not above zero or
    it avoids under MIN_TEACHING_INDEX of the avoidable loss; the saving's interval may
    cross zero on a small book (the intro's 50 loans) without the lesson being absent.

    The officers are swamped when the case's policy asks over SWAMPED_LOAD times their
    hours and even early warning's triage fails: it keeps under SWAMPED_COMPLIANCE of the
    checks it books on time, or books none. A policy that heavy whose triage still works
    does not stop the case teaching (setting priorities is then part of the lesson): it is
    a note (`teaching_notes`). Checks late with the hours sufficient on average is
    CHECKS_LATE. The warning says both of early warning's figures: the checks it booked,
    and the loan-months up to the case's own policy, which a triaging officer keeps far
    lower (it books a lighter policy when the hours are short).
    """
    out: list[TeachingWarning] = []
    stakes = avoidable_stakes(late.mean, disbursed_cny)  # sim.scoring
    nothing = headroom.mean < stakes
    if nothing:
        out.append(TeachingWarning(WarningCode.NOTHING_AVOIDABLE, {
            "headroom": headroom.mean, "late": late.mean, "stakes": stakes,
            "share": headroom.mean / late.mean if late.mean > 0 else 0.0}))
    elif saving.hi <= 0 or ew_index is None or ew_index < MIN_TEACHING_INDEX:
        out.append(TeachingWarning(WarningCode.LATE_AS_GOOD, {
            "saving": saving.mean, "lo": saving.lo, "hi": saving.hi, "index": ew_index}))
    figures = {"demand": staff.demanded_hours_month.mean,
               "available": staff.available_hours_month, "ratio": staff.load_share,
               "compliance": ew_compliance, "policy_compliance": ew_policy_compliance}
    triage_fails = not math.isfinite(ew_compliance) or ew_compliance < SWAMPED_COMPLIANCE
    if staff.load_share > SWAMPED_LOAD and triage_fails:
        out.append(TeachingWarning(WarningCode.STAFF_SWAMPED, figures))
    elif staff.load_share <= SWAMPED_LOAD and ew_compliance < SWAMPED_COMPLIANCE:
        # the hours suffice on average, yet the checks it books are late: they bunch up
        # (a whole book's first checks in month one, quarters falling together)
        out.append(TeachingWarning(WarningCode.CHECKS_LATE, figures))
    return tuple(out)


def teaching_notes(staff: StaffLoad, index_lo: float | None = None,
                   index_hi: float | None = None, index: float | None = None,
                   warned: bool = False, swamped: bool = False
                   ) -> tuple[TeachingWarning, ...]:
    """What an author should know that does not stop the case teaching: a policy the
    officers cannot follow to the letter (unless it is already the reason the case fails,
    `swamped`), and an index whose interval reaches zero (the lesson holds on average but
    may not show in one play)."""
    out: list[TeachingWarning] = []
    if staff.load_share > TIGHT_LOAD and not swamped:
        out.append(TeachingWarning(WarningCode.TIGHT_POLICY, {
            "demand": staff.demanded_hours_month.mean,
            "available": staff.available_hours_month, "ratio": staff.load_share}))
    if not warned and index is not None and index_lo is not None and index_lo <= 0:
        out.append(TeachingWarning(WarningCode.LESSON_UNCLEAR, {
            "index": index, "index_lo": index_lo, "index_hi": index_hi}))
    return tuple(out)


def estimated_seconds(scenario: Scenario, reps: int, months: int | None = None,
                      workers: int = 1) -> float:
    """A rough wait for a preview, from the throughput measured on these machines."""
    m = scenario.horizon_months if months is None else min(months, scenario.horizon_months)
    per_run = RUN_OVERHEAD_S + scenario.n_loans * m / LOAN_MONTHS_PER_S
    return reps * RUNS_PER_REPLICATION * per_run / max(1, workers)


def suggested_months(scenario: Scenario, reps: int = DEFAULT_REPS,
                     budget_s: float = PREVIEW_BUDGET_S) -> int:
    """The whole horizon when it fits the budget, else the longest start that does
    (at least the first 12 months, or the horizon if shorter)."""
    h = scenario.horizon_months
    if estimated_seconds(scenario, reps, h) <= budget_s:
        return h
    per_month = reps * RUNS_PER_REPLICATION * scenario.n_loans / LOAN_MONTHS_PER_S
    fixed = reps * RUNS_PER_REPLICATION * RUN_OVERHEAD_S
    fit = int((budget_s - fixed) / per_month) if per_month > 0 else h
    return max(min(12, h), min(h, fit))


@dataclass(frozen=True)
class PlayedFuture:
    """The references of the one future a class plays (the case's own seed, the whole
    horizon): a trainee's debrief shows an index only when the oracle avoids at least
    ``stakes_cny`` against late collection there."""

    seed: int
    late_cny: float
    oracle_cny: float
    stakes_cny: float

    @property
    def has_index(self) -> bool:
        return self.late_cny - self.oracle_cny >= self.stakes_cny


def played_future(scenario: Scenario) -> PlayedFuture:
    """Late collection and the oracle on the case's own seed over its horizon, as a
    trainee's debrief measures them (the preview's replications run on other seeds)."""
    late = simulate(scenario, seed=scenario.seed, strategy="late-collection")
    oracle = simulate(scenario, seed=scenario.seed, strategy="oracle")
    return PlayedFuture(seed=scenario.seed, late_cny=late.loss_cny, oracle_cny=oracle.loss_cny,
                        stakes_cny=avoidable_stakes(late.loss_cny, late.disbursed_cny))


def played_note(played: PlayedFuture | None) -> tuple[TeachingWarning, ...]:
    """A note when the future a class plays leaves too little to avoid for an index."""
    if played is None or played.has_index:
        return ()
    return (TeachingWarning(WarningCode.CLASS_SEED_NO_INDEX, {
        "seed": float(played.seed), "avoidable": played.late_cny - played.oracle_cny,
        "stakes": played.stakes_cny}),)


def summarise(scenario: Scenario, reps: list[Replication], months: int,
              seconds: float, played: PlayedFuture | None = None) -> PreviewResult:
    """Turn the replications into the preview's figures, difficulty and warnings (and,
    given the future a class plays, a note when its debriefs will show no index)."""
    def col(attr: str, name: str) -> np.ndarray:
        return np.array([np.nan if (v := getattr(r, attr)[name]) is None else v for r in reps],
                        dtype=float)

    baselines = {name: BaselineResult(
        strategy=name, loss_cny=floored_interval(col("loss_cny", name)),
        defaults=floored_interval(col("defaults", name)), hours=floored_interval(col("hours", name)),
        compliance=floored_interval(col("compliance", name)),
        policy_compliance=share_interval(col("policy_compliance", name))) for name in BASELINES}
    late, ew, oracle = (col("loss_cny", n) for n in ("late-collection", "early-warning", "oracle"))
    saving, headroom = floored_interval(late - ew), floored_interval(late - oracle)
    disbursed = float(np.mean([r.disbursed_cny for r in reps]))
    # the debrief's own rule (sim.scoring.material_index): under the stakes a ratio of two
    # small numbers says nothing, and every debrief of the case will show no index
    material = headroom.mean >= avoidable_stakes(baselines["late-collection"].loss_cny.mean,
                                                 disbursed)
    index, index_lo, index_hi = _index_interval(late, ew, oracle) if material else \
        (None, None, None)
    staff = StaffLoad(
        demanded_hours_month=floored_interval(
            [float(np.mean(r.policy_demand_hours)) if r.policy_demand_hours else 0.0
             for r in reps]),
        available_hours_month=scenario.staff.officers * scenario.staff.hours_per_officer_month,
        demand_by_month=tuple(float(x) for x in np.mean(
            [r.policy_demand_hours for r in reps], axis=0)) if reps else ())
    warnings = teaching_warnings(baselines["late-collection"].loss_cny, saving, headroom,
                                 index, staff, baselines["early-warning"].compliance.mean,
                                 disbursed, baselines["early-warning"].policy_compliance.mean)
    return PreviewResult(
        scenario_id=scenario.id, content_hash=scenario.content_hash(), reps=len(reps),
        months=months, seconds=seconds, disbursed_cny=disbursed, baselines=baselines,
        ew_saving_cny=saving, headroom_cny=headroom, ew_index=index, ew_index_lo=index_lo,
        ew_index_hi=index_hi, staff=staff,
        difficulty=difficulty(scenario, staff.load_share if staff.available_hours_month
                              else math.inf, index),
        warnings=warnings,
        notes=teaching_notes(staff, index_lo, index_hi, index, bool(warnings),
                             any(w.code == WarningCode.STAFF_SWAMPED for w in warnings))
        + played_note(played),
        horizon=scenario.horizon_months,
    )


def run_preview(scenario: Scenario, reps: int = DEFAULT_REPS, months: int | None = None,
                base_seed: int | None = None, executor: Executor | None = None,
                progress: Progress | None = None) -> PreviewResult:
    """Run the preview: ``reps`` common-random-number replications of the baselines.

    months limits each run to the first months of the case (None: the whole horizon);
    seeds derive from base_seed (default: the case's own seed), so a preview repeats.
    """
    if not 2 <= reps <= MAX_REPS:
        raise ValueError(f"reps must be between 2 and {MAX_REPS} (an interval needs two), "
                         f"got {reps}")
    horizon = scenario.horizon_months if months is None else min(int(months),
                                                                 scenario.horizon_months)
    if horizon < 1:
        raise ValueError("months must be at least 1")
    seeds = child_seeds(scenario.seed if base_seed is None else base_seed, reps)
    start = time.perf_counter()
    out: list[Replication] = []
    if executor is None:
        for s in seeds:
            out.append(replication(scenario, s, horizon))
            if progress:
                progress(len(out), reps)
    else:
        futures = [executor.submit(replication, scenario, s, horizon) for s in seeds]
        for f in futures:  # in seed order, whatever finishes first
            out.append(f.result())
            if progress:
                progress(len(out), reps)
    # the future every trainee of a class plays, when the preview covers the whole case
    played = played_future(scenario) if horizon == scenario.horizon_months else None
    return summarise(scenario, out, horizon, time.perf_counter() - start, played)


def as_dict(result: PreviewResult) -> dict:
    """The preview as plain data (for JSON): every field, the derived shares, the warnings'
    codes and figures."""
    out = asdict(result)
    out["headroom_share"] = result.headroom_share
    out["staff"]["load_share"] = result.staff.load_share
    out["teaches"] = result.teaches
    return out


# --- kept with the author's draft ------------------------------------------------------
KEPT_VERSION = 1
"""The layout of ``to_kept``; a kept preview of another layout is not read back."""


@dataclass(frozen=True)
class PreviewRequest:
    """A preview as asked for: of which text, how many replications and months, on how
    many processes (so the same run can be made again: seeds come from the case)."""

    content_hash: str
    reps: int
    months: int
    workers: int = 1


def _json_float(x: float | None) -> float | str | None:
    """A figure as JSON takes it everywhere (PostgreSQL's JSON refuses NaN and Infinity)."""
    if x is None or math.isfinite(x):
        return x
    return repr(float(x))  # 'nan', 'inf', '-inf', read back by float()


def _plain(value):
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def to_kept(result: PreviewResult | None, pending: PreviewRequest | None = None) -> dict:
    """The last preview of a draft, and a run asked for that has not finished (a reload
    stopped it), as plain JSON to keep with the draft (training.publishing)."""
    return {"version": KEPT_VERSION,
            "result": None if result is None else _plain(asdict(result)),
            "pending": None if pending is None else asdict(pending)}


def _f(x) -> float:
    return float(x)  # a number, or the 'nan'/'inf' text it was kept as


def _interval(d: dict) -> Interval:
    return Interval(mean=_f(d["mean"]), lo=_f(d["lo"]), hi=_f(d["hi"]), n=int(d["n"]))


def _opt(x) -> float | None:
    return None if x is None else _f(x)


def _result(d: dict) -> PreviewResult:
    def warning(w: dict) -> TeachingWarning:
        return TeachingWarning(code=WarningCode(w["code"]),
                               values={k: _opt(v) for k, v in w["values"].items()})

    staff = d["staff"]
    return PreviewResult(
        scenario_id=str(d["scenario_id"]), content_hash=str(d["content_hash"]),
        reps=int(d["reps"]), months=int(d["months"]), seconds=_f(d["seconds"]),
        disbursed_cny=_f(d["disbursed_cny"]),
        baselines={k: BaselineResult(
            strategy=str(b["strategy"]), loss_cny=_interval(b["loss_cny"]),
            defaults=_interval(b["defaults"]), hours=_interval(b["hours"]),
            compliance=_interval(b["compliance"]),
            policy_compliance=None if b["policy_compliance"] is None
            else _interval(b["policy_compliance"])) for k, b in d["baselines"].items()},
        ew_saving_cny=_interval(d["ew_saving_cny"]), headroom_cny=_interval(d["headroom_cny"]),
        ew_index=_opt(d["ew_index"]), ew_index_lo=_opt(d["ew_index_lo"]),
        ew_index_hi=_opt(d["ew_index_hi"]),
        staff=StaffLoad(demanded_hours_month=_interval(staff["demanded_hours_month"]),
                        available_hours_month=_f(staff["available_hours_month"]),
                        demand_by_month=tuple(_f(x) for x in staff["demand_by_month"])),
        difficulty=Difficulty(level=int(d["difficulty"]["level"]),
                              declared=int(d["difficulty"]["declared"]),
                              **{k: _f(d["difficulty"][k]) for k in ("staff", "capture", "size")}),
        warnings=tuple(warning(w) for w in d["warnings"]),
        notes=tuple(warning(w) for w in d["notes"]), horizon=int(d["horizon"]))


def from_kept(data: object) -> tuple[PreviewResult | None, PreviewRequest | None]:
    """The kept preview and pending run (``to_kept``); (None, None) for what does not read
    (nothing kept, an older layout): a preview is run again, never a reason to fail."""
    if not isinstance(data, dict) or data.get("version") != KEPT_VERSION:
        return None, None
    try:
        result = None if data.get("result") is None else _result(data["result"])
    except (KeyError, TypeError, ValueError, AttributeError):
        result = None
    try:
        pending = None if data.get("pending") is None else PreviewRequest(
            content_hash=str(data["pending"]["content_hash"]),
            reps=int(data["pending"]["reps"]), months=int(data["pending"]["months"]),
            workers=int(data["pending"].get("workers", 1)))
    except (KeyError, TypeError, ValueError, AttributeError):
        pending = None
    return result, pending


def report_text(result: PreviewResult, lang: str = "en") -> str:
    """A plain-text report of the preview (the CLI's output), in ``lang``."""
    from training.i18n import t
    from training.units import hours, money, months, pct

    na = t("author.cli.na", lang)

    def rng(lo: float | None, hi: float | None, fmt) -> str:
        return na if lo is None or hi is None else t("lab.range", lang, lo=fmt(lo), hi=fmt(hi))

    def cny(x: float) -> str:
        return money(x, lang)

    lines = [t("author.cli.title", lang, case=result.scenario_id, reps=result.reps,
               months=months(result.months, lang), seconds=f"{result.seconds:.1f}")]
    if result.months < result.horizon:  # shortened to keep the wait: say so, with the fix
        lines.append("  " + t("author.cli.shortened", lang, months=result.months,
                              horizon=result.horizon))
    for b in result.baselines.values():
        none = t("author.cli.none_required", lang)
        checks = pct(b.compliance.mean, 0) if b.compliance.n else none
        held = b.policy_compliance
        policy = pct(held.mean, 0) if held is not None and held.n else none
        lines.append("  " + t("author.cli.baseline", lang, name=t(f"author.baseline.{b.strategy}", lang),
                              loss=cny(b.loss_cny.mean), range=rng(b.loss_cny.lo, b.loss_cny.hi, cny),
                              checks=checks, policy=policy))
    idx = na if result.ew_index is None else f"{result.ew_index:.2f}"
    staff = result.staff
    lines += ["  " + t("author.cli.index", lang, index=idx, range=rng(
                  result.ew_index_lo, result.ew_index_hi, lambda x: f"{x:.2f}")),
              "  " + t("author.cli.headroom", lang,
                       headroom=headroom_text(result.headroom_cny.mean, lang),
                       share=pct(result.headroom_share, 0)),
              # a shortened run's mean is of its first months, which the first checks
              # load: say so, beside a briefing's figure for the whole case
              "  " + t("author.cli.staff_run" if result.months < result.horizon
                       else "author.cli.staff", lang,
                       demand=hours(round(staff.demanded_hours_month.mean), lang),
                       available=hours(round(staff.available_hours_month), lang),
                       load=pct(staff.load_share, 0), months=result.months,
                       horizon=result.horizon),
              "  " + t("author.cli.difficulty", lang, level=result.difficulty.level,
                       declared=result.difficulty.declared)]
    # the warnings in words (their codes are for scripts: --json)
    lines += ["  " + t("author.cli.warning", lang, text=w.text(lang)) for w in result.warnings]
    lines += ["  " + t("author.cli.note", lang, text=n.text(lang)) for n in result.notes]
    n = len(result.warnings)
    verdict = "author.cli.teaches" if result.teaches else \
        f"author.cli.does_not_teach_{'one' if n == 1 else 'other'}"
    lines.append("  " + t(verdict, lang, n=n))
    return "\n".join(lines)
