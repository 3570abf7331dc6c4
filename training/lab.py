"""The managers' strategy lab: which post-loan policy and staffing, and how sure are we.

Inputs are read and checked here (strategy lists, rule tables from files or from the
app's form, staffing ranges) with the same messages for the CLI and the app. A
:class:`LabRequest` becomes studies (:mod:`sim.study`); their results become plain
frames: per-strategy means with 95% intervals, paired differences against the champion
(the first strategy) with a verdict, the staffing sweep with the point where another
officer stops paying, and hours against loss avoided with the efficient frontier.
No Streamlit here; charts are in :mod:`training.lab_charts`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim import defaults
from sim.field_types import Text
from sim.intervals import (
    Interval,
    Verdict,
    floored_interval,
    index_interval,
    mean_interval,
    paired_difference,
    share_interval,
    verdict,
)
from sim.scenario import Scenario
from sim.strategies import BUILT_IN
from sim.study import (
    LATE,
    ORACLE,
    StrategySpec,
    StudyResult,
    StudySpec,
    builtin,
    from_rules,
    sweep_specs,
)
from training import units
from training.i18n import fmt_cny, fmt_pct, get_lang, t

KEY_FIGURES = ("loss_cny", "index", "hours", "net_value_cny")
"""What the lab compares strategies on (means, intervals and paired differences)."""
TABLE_FIGURES = (*KEY_FIGURES, "cost_cny", "policy_compliance", "saves", "npl_ratio_peak",
                 "refused_for_hours")
"""The strategies table. Compliance is held to the case's own check policy (the bank's
rules), not to the lighter policy a short-staffed officer may run: against its own
policy every strategy that keeps up reads 100% (sim.checks.against_bank_policy)."""
NEVER_NEGATIVE = frozenset({"loss_cny", "hours", "cost_cny", "compliance", "policy_compliance",
                            "saves", "npl_ratio_peak", "refused_for_hours"})
"""Figures that cannot be below zero: their mean's interval stops at 0 (a t interval on a
few futures can reach below it, and "loss -CNY 31k" reads as a gain)."""
SHARES = frozenset({"compliance", "policy_compliance", "npl_ratio_peak"})
"""Figures that are shares: their interval also stops at 100%."""
MAX_REPS = 100_000
MAX_OFFICERS = 10_000
MAX_SWEEP_COUNTS = 50
"""Officer counts one sweep may take (each runs every future again): 2..500 was a typo
that started 50,000 runs at the default 100 futures, with no word."""
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


# What a study's run costs on one core (CPU seconds of sim.study.run_replication, measured
# December 2026 on the shipped cases and benchmarks/engine.py's 500- and 2,000-loan books,
# within about 15% of each): a rough guide for the wait the lab shows, not a promise.
RUN_OVERHEAD_S = 0.002
"""Seconds per run before its first month (the book built, the summary made)."""
MONTH_S = 0.0008
"""Seconds per simulated month whatever the book's size (the month's steps and decisions)."""
LOAN_MONTH_S = 3.0e-7
"""Seconds per loan and month on top."""
POOL_EFFICIENCY = 0.9
"""Share of each added worker's core a local pool turns into speed (measured 1.78x on 2)."""
WORKER_START_S = 1.2
"""Seconds a new local worker process takes before its runs go at the pace above: the
engine's imports (0.23-0.38 s of CPU) and its first replication, which loads the compiled
kernels from numba's cache (0.77-1.07 s against 0.03-0.07 s for the next ones), measured
December 2026 in fresh processes on intro, rising_lpr, real_estate, guarantee_chain and
disaster. The workers start side by side, so a pool waits for this once. Left out, a
two-second study on local processes took 13 s and a small study read about a third of
its wait."""


def estimated_seconds(scenario: Scenario, strategies: int, reps: int,
                      months: int | None = None, sweep_officers: int = 0,
                      workers: int = 1, pool: bool = False, load: float | None = None,
                      cores: int | None = None) -> float:
    """A rough wait for a study: ``strategies`` runs per future (the study's own, with the
    reference runs it adds), and one run per future for each officer count of a staffing
    sweep, on ``workers`` processes: this one (``pool`` False, 1 worker), or a pool of new
    local processes (``pool``), which first start (WORKER_START_S). ``load`` (the machine's
    load average) on ``cores`` cores: the study's share of a busy machine (busy_factor)."""
    m = scenario.horizon_months if months is None else min(months, scenario.horizon_months)
    per_run = RUN_OVERHEAD_S + m * (MONTH_S + scenario.n_loans * LOAN_MONTH_S)
    cpu = reps * (strategies + sweep_officers) * per_run
    w = max(1, int(workers))
    slower = busy_factor(load, cores, w)
    if not pool:
        return slower * (cpu if w == 1 else cpu / (1 + (w - 1) * POOL_EFFICIENCY))
    # a pool's workers start side by side, and each then runs its share of the runs
    return slower * (WORKER_START_S + cpu / (1 + (w - 1) * POOL_EFFICIENCY))


def busy_factor(load: float | None, cores: int | None, workers: int = 1) -> float:
    """How many times longer a study takes for the other work on the machine: its
    ``workers`` and the ``load`` already there (the load average: processes running or
    waiting) share ``cores``, each worker getting about cores / (load + workers) of one
    once that is under one. 1 when the machine has room or does not say. On a 2-core
    machine at load 8 a two-worker study takes about 5 times the quiet estimate (a study
    estimated at 4 s took 61 s there). Rough: the load is a minute's average, and it
    counts a study already running."""
    if load is None or cores is None or not load > 0:
        return 1.0
    return max(1.0, (float(load) + max(1, int(workers))) / max(1, int(cores)))


def machine_load() -> float | None:
    """The machine's load average over the last minute; None where the system does not
    say (os.getloadavg is not on Windows)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def runs_per_future(keys: list[str]) -> int:
    """Runs a study makes per future for the strategies picked (``keys``: built-in names or
    rule tables): each once, and late collection and the oracle when not among them."""
    return len(keys) + sum(ref not in keys for ref in (LATE, ORACLE))


def default_staff_range(officers: int) -> tuple[int, int]:
    """The staffing sweep offered for a case: around its own team, from half of it to
    twice it (at least three more)."""
    top = staff_slider_top(officers)
    return max(1, officers // 2), min(top, max(2 * officers, officers + 3))


def staff_slider_top(officers: int) -> int:
    return max(12, 2 * officers)


class LabInputError(ValueError):
    """Bad lab input; the message names the option or field and what to do. `problems`:
    the (field path, message) pairs of a rule table's check, when it came from one."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None,
                 problems_zh: list[str] | None = None, key: str | None = None,
                 params: dict | None = None):
        super().__init__(message)
        self.problems = problems or []
        self.problems_zh = problems_zh or [m for _, m in self.problems]
        self.key = key  # a catalogue message, for a page in its own language
        self.params = params or {}

    def text(self, lang: str | None = None) -> str:
        """The message in the reader's language when it has a catalogue key, else as raised."""
        return t(self.key, lang, **self.params) if self.key else str(self)


def builtin_named(name: str) -> bool:
    """Whether a rule table's name is a built-in strategy's, by its identifier or by its
    name in either language ("early-warning", "Early warning", "早期预警")."""
    from training.i18n import LANGS

    wanted = name.strip().casefold()
    return any(wanted in (b, t(f"strategy.{b}", lang).casefold())
               for b in BUILT_IN for lang in LANGS)


def check_names(strategies) -> None:
    """Every strategy of a study must be told apart in its tables and charts: no two under
    one name, and no rule table under a built-in's identifier or its name in either
    language ("Early warning", "早期预警"), which would read as the built-in itself. A
    table's title is what they show, so the same holds for titles, in each language."""
    for s in strategies:
        if s.rules is not None and builtin_named(s.label):
            raise LabInputError(f"a rule table may not be named '{s.label}': that name is a "
                                "built-in strategy's; change its 'name' field",
                                key="lab.page.builtin_name", params={"name": s.label})
    labels = [s.label for s in strategies]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        raise LabInputError(f"strategy names must differ; used twice: {', '.join(twice)}",
                            key="lab.page.same_name", params={"name": twice[0]})
    titles = strategy_titles(strategies)
    for label, title in titles.items():
        taken = next((x for x in (title.zh, title.en) if builtin_named(x)), None)
        if taken:
            raise LabInputError(f"the rule table '{label}' is titled '{taken}', a built-in "
                                "strategy's name; change its 'title' field",
                                key="lab.page.builtin_title", params={"name": taken})
    from training.i18n import LANGS

    for lang in LANGS:
        shown = [strategy_label(x, lang, titles) for x in labels]
        folded = [x.casefold() for x in shown]
        name = next((x for x, f in zip(shown, folded, strict=True) if folded.count(f) > 1), None)
        if name is not None:
            raise LabInputError(f"two strategies are shown as '{name}'; change a 'title' field",
                                key="lab.page.same_title", params={"name": name})


# --- inputs ---------------------------------------------------------------------------


def _refused(key: str, **params) -> LabInputError:
    """A refusal of an option of `bianque compare`, said in English and carrying its
    catalogue key, so the command says it in the --lang asked."""
    return LabInputError(t(key, "en", **params), key=key, params=params)


def parse_strategies(items: list[str]) -> list[StrategySpec]:
    """Built-in names and rule-table files (``.yaml``/``.yml``), in the order given."""
    from sim.inputs import did_you_mean
    from sim.strategies import BUILT_IN, RulesError, load_rules

    out: list[StrategySpec] = []
    for raw in items:
        item = raw.strip()
        if not item:
            raise _refused("cli.compare.empty_name")
        if item.lower().endswith((".yaml", ".yml")) or Path(item).exists():
            if not Path(item).is_file():
                raise _refused("cli.compare.no_rule_file", path=item)
            try:
                out.append(from_rules(load_rules(item)))
            except RulesError as err:
                raise LabInputError(str(err), err.problems, err.problems_zh,
                                    key="cli.compare.rules_problems",
                                    params={"source": err.source, "n": len(err.problems)}
                                    ) from None
        elif item not in BUILT_IN:
            near = did_you_mean(item, BUILT_IN)
            raise _refused("cli.compare.unknown_strategy" + ("_near" if near else ""),
                           name=item, choices=", ".join(BUILT_IN),
                           near=near.split("'")[1] if near else "")
        else:
            out.append(builtin(item))
    labels = [s.label for s in out]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise _refused("cli.compare.named_twice", names=", ".join(dup))
    same = [s for s in same_rules([(s.label, s.rules) for s in out], {}) if s.chosen]
    if same:  # the page leaves such a table out and says so; a command is told to drop it
        raise _refused("cli.compare.same_rules", label=same[0].option, twin=same[0].twin)
    if not out:
        raise _refused("cli.compare.no_strategy")
    return out


def parse_staff_range(text: str) -> list[int]:
    """``2..8`` (inclusive), ``2-8`` or a list ``2,3,5`` of officer counts."""
    s = text.strip()
    m = re.fullmatch(r"(\d+)\s*(?:\.\.|-)\s*(\d+)", s)
    if m:
        lo, hi = int(m[1]), int(m[2])
        if lo > hi:
            raise _refused("cli.compare.staff_backwards", text=repr(text), lo=lo, hi=hi)
        counts = list(range(lo, hi + 1))
    elif re.fullmatch(r"\d+(\s*,\s*\d+)*", s):
        counts = sorted({int(x) for x in s.split(",")})
    else:
        raise _refused("cli.compare.staff_not_range", text=repr(text))
    if counts[0] < 1 or counts[-1] > MAX_OFFICERS:
        raise _refused("cli.compare.staff_bounds", max=MAX_OFFICERS)
    if len(counts) < 2:
        raise _refused("cli.compare.staff_too_few")
    if len(counts) > MAX_SWEEP_COUNTS:
        raise _refused("cli.compare.staff_too_many", text=repr(text), n=len(counts),
                       max=MAX_SWEEP_COUNTS,
                       example=f"{counts[0]},{counts[len(counts) // 2]},{counts[-1]}")
    return counts


RULE_CONDITIONS = ("min_alerts", "alert_months", "min_dpd", "max_dpd", "min_class",
                   "max_class", "known_diversion", "defaulted", "checked_within_months",
                   "not_acted_within_months")
"""Every condition of a rule (sim.strategies.rules.RuleWhen), as the app's editor shows
them: a table edited there is the table, not a part of it."""
FLAG_CONDITIONS = ("known_diversion", "defaulted")


def form_rows(table) -> list[dict]:
    """A rule table's rules as the editor's rows: a condition at its default (no limit)
    is a blank cell, so the row shows what the rule really asks."""
    from sim.strategies.rules import RuleWhen

    blank = RuleWhen()
    rows = []
    for r in table.rules:
        row = {k: (None if getattr(r.when, k) == getattr(blank, k) else getattr(r.when, k))
               for k in RULE_CONDITIONS}
        row["actions"] = list(r.do)
        rows.append(row)
    return rows


def form_problems(err: Exception, lang: str) -> str:
    """A rule-table problem from the editor in the reader's terms: the row as numbered on
    screen (from 1) and the column's label, then the check's own words."""
    problems = getattr(err, "problems", None)
    if not problems:
        return str(err)
    said = getattr(err, "problems_zh", None) if lang == "zh" else None
    out = []
    for k, (path, msg) in enumerate(problems):
        if said and k < len(said):
            msg = said[k]  # the check's own words in Chinese
        m = re.match(r"rules\[(\d+)\](?:\.when)?\.?(\w+)?", str(path))
        at = re.fullmatch(r"line (\d+)(?:, column \d+)?", str(path))
        if at is not None:  # a YAML slip: its line, in the reader's words as a case's is
            out.append(t("lab.page.at_line", lang, line=int(at[1])) + msg)
            continue
        if path == "(file)":  # the whole file: the message says what it is
            out.append(msg)
            continue
        if m is None:
            out.append(f"{path}: {msg}")
            continue
        column = m.group(2) or "do"
        label = t(f"lab.page.{COLUMN_LABELS.get(column, column)}", lang)
        out.append(t("lab.page.row_problem", lang, row=int(m.group(1)) + 1, column=label,
                     detail=msg))
    return ("；" if lang == "zh" else "; ").join(out)


COLUMN_LABELS = {"do": "actions", "checked_within_months": "checked_within",
                 "not_acted_within_months": "not_acted_within"}


def case_problem_text(problem, lang: str | None = None) -> str:
    """A problem of an uploaded case file (training.authoring.Problem) as the lab lists
    it: where (line and field, as `bianque validate` names the field), then what to do."""
    from training.authoring import FILE_PATH

    field_path = problem.path if problem.path and problem.path != FILE_PATH else None
    if problem.line is not None and field_path:
        where = t("lab.page.at_line_field", lang, line=problem.line, path=field_path)
    elif problem.line is not None:
        where = t("lab.page.at_line", lang, line=problem.line)
    elif field_path:
        where = t("lab.page.at_field", lang, path=field_path)
    else:
        where = ""
    return where + problem.text(lang)


def rule_table_from_form(name: str, intervals: dict[str, int], first_check_days: int,
                         reserve_share: float, rows: list[dict],
                         checks_beyond_reserve: str = "rush"):
    """A rule table from the app's form, checked exactly like a YAML file on the CLI.

    ``rows``: one per rule, with any of RULE_CONDITIONS (blank cells left out) and
    ``actions`` (action ids: a list, as the editor's multiselect gives them, or a
    comma-separated text). Raises LabInputError naming the field.
    """
    from sim.strategies import RulesError, parse_rules

    rules, on_screen = [], []  # on_screen[i]: the editor's row of rules[i]
    for shown, row in enumerate(rows):
        raw = row.get("actions")
        items = str(raw or "").split(",") if raw is None or isinstance(raw, str) else list(raw)
        actions = [str(a).strip() for a in items if str(a).strip()]
        when = {}
        for k in RULE_CONDITIONS:
            v = row.get(k)
            if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                continue
            when[k] = bool(v) if k in FLAG_CONDITIONS else int(v)
        if not actions and not when:
            continue  # an empty row of the editor
        rules.append({"when": when, "do": actions})
        on_screen.append(shown)
    data = {"name": (name or "").strip() or "rules",
            "monitoring": {"interval_months": dict(intervals),
                           "first_check_days": first_check_days},
            "reserve_share": reserve_share, "checks_beyond_reserve": checks_beyond_reserve,
            "rules": rules}
    try:
        return parse_rules(data, source=data["name"])
    except RulesError as err:
        # a problem names the row as the editor numbers it: an emptied row above it is no
        # rule, but it is still a row on the screen
        problems = [(re.sub(r"^rules\[(\d+)\]", lambda m: f"rules[{on_screen[int(m[1])]}]",
                            str(path)), msg) for path, msg in err.problems]
        raise LabInputError(str(err), problems, err.problems_zh) from None


def rules_from_upload(filename: str, data: bytes):
    """A rule table file uploaded in the app, read and checked as `bianque compare` reads
    one from disk (size, UTF-8, YAML, then the table); RulesError names the field."""
    from sim.inputs import decode_text, load_yaml
    from sim.strategies import RulesError, parse_rules

    text = decode_text(data, filename, RulesError)
    return parse_rules(load_yaml(text, filename, RulesError), filename)


def rules_yaml(table) -> str:
    """A rule table as a file that `bianque compare --strategies FILE` and the lab's upload
    read back as the same table: the policy in full, each rule's conditions as set (a
    condition left blank in the editor sets no limit)."""
    data = {"name": table.name,
            **({"title": table.title.model_dump()} if table.title is not None else {}),
            "monitoring": table.monitoring.model_dump(mode="json"),
            "reserve_share": table.reserve_share,
            "checks_beyond_reserve": table.checks_beyond_reserve, "workout": table.workout,
            "rules": [{"when": r.when.model_dump(mode="json", exclude_defaults=True),
                       "do": list(r.do)} for r in table.rules]}
    head = "# A rule table made in Bianque's strategy lab (see scenarios/rules/tuned.yaml)\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                 default_flow_style=None, width=100)


def rules_key(table) -> str:
    """A rule table's policy without its name: two tables with the same key decide alike on
    every future, so they run to the same figures."""
    import json

    return json.dumps(table.model_dump(mode="json", exclude={"name", "title"}), sort_keys=True)


@dataclass(frozen=True)
class SameRules:
    """A chosen rule table whose rules repeat another's. ``twin``: the option chosen before
    it (``chosen``: it is left out of the study, which would only run the same futures
    twice under two names) or the shipped table it repeats, not chosen (it runs, under its
    own name, and the page says whose rules they are)."""

    option: str
    twin: str
    chosen: bool


def same_rules(chosen: list[tuple[str, object]], shipped: dict[str, object]) -> list[SameRules]:
    """The chosen strategies (option, rule table or None for a built-in, in the study's
    order) whose rules repeat an earlier chosen table's or, for a table not shipped
    itself, a shipped one's (``shipped``: tables by their option)."""
    first: dict[str, str] = {}
    out = []
    for option, table in chosen:
        if table is None:
            continue
        key = rules_key(table)
        if key in first:
            out.append(SameRules(option, first[key], chosen=True))
            continue
        first[key] = option
        twin = next((name for name, other in shipped.items()
                     if name != option and rules_key(other) == key), None)
        if twin is not None and option not in shipped and twin not in dict(chosen):
            out.append(SameRules(option, twin, chosen=False))
    return out


def officer_cost_default(scenario: Scenario) -> float:
    """What one more officer costs the staffing sweep a month by default: a full-time
    officer's fully loaded cost (OFFICER_COST_CNY_PER_MONTH) for the share of a full
    month that the case's officers give to post-loan work (its hours_per_officer_month of
    FULL_TIME_HOURS_PER_MONTH), to the nearest CNY 100. An officer of the sweep is that
    many post-loan hours; the rest of the person's month is other work."""
    share = min(1.0, scenario.staff.hours_per_officer_month / defaults.FULL_TIME_HOURS_PER_MONTH)
    return round(defaults.OFFICER_COST_CNY_PER_MONTH * share, -2)


@dataclass(frozen=True)
class LabRequest:
    """One study of strategies, and optionally a staffing sweep of one of them."""

    scenario: Scenario
    strategies: tuple[StrategySpec, ...]
    reps: int
    seed: int
    months: int | None = None
    staff: tuple[int, ...] = ()
    sweep_strategy: str | None = None  # default: the champion
    officer_cost_cny_per_month: float | None = None  # default: officer_cost_default

    def __post_init__(self):
        if self.officer_cost_cny_per_month is None:
            object.__setattr__(self, "officer_cost_cny_per_month",
                               officer_cost_default(self.scenario))
        if not 2 <= self.reps <= MAX_REPS:
            raise LabInputError(f"reps: use between 2 and {MAX_REPS} replications "
                                "(an interval needs at least two)")
        if not 0 <= self.officer_cost_cny_per_month <= 1e9:
            raise LabInputError("officer cost: a monthly cost in CNY between 0 and 1e9")
        if self.months is not None and not 1 <= self.months <= self.scenario.horizon_months:
            raise LabInputError(f"months: at most the case's horizon "
                                f"({self.scenario.horizon_months})")
        check_names(self.strategies)
        try:
            self.study_spec()
            self.sweep()
        except ValueError as err:
            raise LabInputError(str(err)) from None

    def study_spec(self) -> StudySpec:
        return StudySpec(scenario=self.scenario, strategies=self.strategies, reps=self.reps,
                         seed=self.seed, months=self.months)

    def sweep(self) -> list[StudySpec]:
        if not self.staff:
            return []
        return sweep_specs(self.study_spec(), self.staff, self.sweep_strategy)

    def specs(self) -> list[StudySpec]:
        return [self.study_spec(), *self.sweep()]

    @property
    def horizon(self) -> int:
        return self.months or self.scenario.horizon_months


@dataclass
class LabOutcome:
    """The results of a LabRequest: the comparison, then one study per officer count."""

    request: LabRequest
    study: StudyResult
    sweep: list[StudyResult] = field(default_factory=list)


def run_lab(request: LabRequest, executor=None, progress=None, cancel=None) -> LabOutcome:
    from sim.study import run_studies

    results = run_studies(request.specs(), executor=executor, progress=progress, cancel=cancel)
    return LabOutcome(request=request, study=results[0], sweep=results[1:])


# --- comparisons ----------------------------------------------------------------------


def _order(result: StudyResult) -> list[str]:
    """The study's strategies, then the reference runs it added."""
    return [s.label for s in result.spec.runs]


def is_reference(result: StudyResult, label: str) -> bool:
    return label not in result.spec.labels


def figure_interval(fig: str, values) -> Interval:
    """The mean of a figure over futures and its 95% interval (kept at or above 0 for a
    figure that cannot be negative)."""
    if fig in SHARES:
        return share_interval(values)
    return floored_interval(values) if fig in NEVER_NEGATIVE else mean_interval(values)


def _index(result: StudyResult, lab: str, champion: str | None = None) -> Interval:
    """The index of a strategy over the study, or its difference against the champion's,
    on mean losses (sim.intervals.index_interval); undefined without the references."""
    fig = result.figures
    if LATE not in fig or ORACLE not in fig:
        return Interval(math.nan, math.nan, math.nan, 0)
    return index_interval(fig[LATE]["loss_cny"], fig[lab]["loss_cny"], fig[ORACLE]["loss_cny"],
                          None if champion is None else fig[champion]["loss_cny"])


def strategy_table(result: StudyResult, figures=TABLE_FIGURES) -> pd.DataFrame:
    """Per strategy and figure: mean, lo, hi (95% interval), n. Columns: strategy,
    reference (added for the index, not asked for), figure, mean, lo, hi, n."""
    rows = []
    for lab in _order(result):
        for fig in figures:
            iv = _index(result, lab) if fig == "index" else \
                figure_interval(fig, result.figures[lab][fig])
            rows.append({"strategy": lab, "reference": is_reference(result, lab), "figure": fig,
                         "mean": iv.mean, "lo": iv.lo, "hi": iv.hi, "n": iv.n})
    return pd.DataFrame(rows)


def paired_table(result: StudyResult, figures=KEY_FIGURES) -> pd.DataFrame:
    """Each strategy minus the champion, seed by seed: mean, 95% interval, n, verdict."""
    champion = result.spec.labels[0]
    rows = []
    for lab in _order(result):
        if lab == champion:
            continue
        for fig in figures:
            iv = _index(result, lab, champion) if fig == "index" else \
                paired_difference(result.figures[lab][fig], result.figures[champion][fig])
            rows.append({"strategy": lab, "champion": champion,
                         "reference": is_reference(result, lab), "figure": fig,
                         "mean": iv.mean, "lo": iv.lo, "hi": iv.hi, "n": iv.n,
                         "verdict": verdict(iv, fig).value})
    return pd.DataFrame(rows, columns=["strategy", "champion", "reference", "figure", "mean",
                                       "lo", "hi", "n", "verdict"])


PERCENT_FIGURES = ("compliance", "policy_compliance", "npl_ratio_peak", "index")


def fmt_figure(fig: str, value: float | None, lang: str | None = None,
               signed: bool = False, difference: bool = False) -> str:
    """A figure for people, with its unit; ``signed`` writes a positive difference with its
    "+" ("+189.6 万元"), so a difference never reads as a level. ``difference``: the value
    is a difference of two figures, and a difference of two percents is in percentage
    points ("-84.0 pp", "-84.0 个百分点"): "-84.0%" reads as a cut by that share."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if difference and fig in PERCENT_FIGURES:
        n = f"{value * 100:.1f}"
        n = n.lstrip("-") if n.strip("-0.") == "" else n  # no "-0.0"
        n = "+" + n if signed and n.strip("0.") and not n.startswith("-") else n
        return t("lab.unit.points", lang, n=n)
    if fig.endswith("_cny"):
        # an interval floored at zero read "[CNY 0k to ...]", as if a small amount rounded
        text = units.money_unit(lang).zero if value == 0 else fmt_cny(value, lang)
    elif fig == "hours":
        # one decimal always: "-4,297 h" beside "-4,262.1 h" read as an exact count
        text = units.hours(round(float(value), 1), lang, decimal=True)
    elif fig in ("compliance", "policy_compliance", "npl_ratio_peak", "index"):
        text = fmt_pct(value, 1)
    else:
        text = f"{value:,.1f}"
    if signed and value > 0 and any(c in "123456789" for c in text):
        text = "+" + text
    return text


def strategy_label(label: str, lang: str | None = None,
                   titles: Mapping[str, Text] | None = None) -> str:
    """A strategy's name as the page, the report and the charts show it: a built-in's in
    the language (its identifier stays what the command line and the JSON use), a rule
    table's title in the language when it has one (``titles``: by label, see
    ``strategy_titles``), else its own name."""
    if label in BUILT_IN:
        return t(f"strategy.{label}", lang)
    title = (titles or {}).get(label)
    return title.get(lang or get_lang()) if title is not None else label


def strategy_titles(strategies) -> dict[str, Text]:
    """The titles of a study's rule tables that have one, by label (StrategySpec's)."""
    return {s.label: s.rules.title for s in strategies
            if s.rules is not None and getattr(s.rules, "title", None) is not None}


def verdict_text(row: dict | pd.Series, lang: str | None = None,
                 titles: Mapping[str, Text] | None = None) -> str:
    """A paired difference in words: what, by how much, with its interval, clear or not."""
    fig = row["figure"]
    return t(f"lab.verdict.{row['verdict']}", lang,
             strategy=strategy_label(row["strategy"], lang, titles),
             champion=strategy_label(row["champion"], lang, titles),
             figure=t(f"lab.figure.{fig}", lang),
             diff=fmt_figure(fig, row["mean"], lang, signed=True, difference=True),
             lo=fmt_figure(fig, row["lo"], lang, difference=True),
             hi=fmt_figure(fig, row["hi"], lang, difference=True))


def headline(result: StudyResult, lang: str | None = None) -> str:
    """Which asked-for strategy a bank can run loses least, and whether that is clear
    against the champion. The oracle sees what no officer can: asked for, it is the bound
    the winner is measured against, never the winner."""
    asked = result.spec.labels
    titles = strategy_titles(result.spec.strategies)
    means = {lab: float(np.nanmean(result.figures[lab]["loss_cny"])) for lab in asked}
    runnable = [lab for lab in asked if lab != ORACLE] or list(asked)
    best = min(runnable, key=means.__getitem__)
    champion = asked[0]
    loss = fmt_figure("loss_cny", means[best], lang)
    if len(runnable) == 1:
        text = t("lab.headline.single", lang, strategy=strategy_label(best, lang, titles), loss=loss)
    elif best == champion:
        rows = paired_table(result, ("loss_cny",))
        rows = rows[~rows["reference"] & (rows["strategy"] != ORACLE)]
        clear = bool((rows["verdict"] == Verdict.WORSE.value).all())
        text = t("lab.headline.champion_" + ("clear" if clear else "noise"), lang,
                 strategy=strategy_label(best, lang, titles), loss=loss)
    elif champion == ORACLE:  # no runnable champion to measure the winner against
        text = t("lab.headline.runnable_best", lang, strategy=strategy_label(best, lang, titles),
                 loss=loss)
    else:
        row = paired_table(result, ("loss_cny",)).set_index("strategy").loc[best]
        text = t("lab.headline.challenger", lang, strategy=strategy_label(best, lang, titles),
                 champion=strategy_label(champion, lang, titles),
                 text=verdict_text({**row.to_dict(), "strategy": best}, lang, titles))
    if ORACLE in asked and best != ORACLE:
        # the oracle holds the same hours and triages by rules of its own, so on a few
        # futures a policy can lose less: then it is no bound, and the gap is not "less"
        gap = means[best] - means[ORACLE]
        text += " " + t("lab.headline.oracle_bound" if gap >= 0 else "lab.headline.oracle_beaten",
                        lang, loss=fmt_figure("loss_cny", means[ORACLE], lang),
                        gap=fmt_figure("loss_cny", abs(gap), lang),
                        strategy=strategy_label(best, lang, titles))
    return text


# --- charts' data -----------------------------------------------------------------------


def loss_frame(result: StudyResult) -> pd.DataFrame:
    """One row per (strategy, replication): strategy, rep, loss_cny."""
    return pd.concat([pd.DataFrame({"strategy": lab, "rep": np.arange(result.spec.reps),
                                    "loss_cny": result.figures[lab]["loss_cny"]})
                      for lab in _order(result)], ignore_index=True)


def fan_frame(result: StudyResult, series: str) -> pd.DataFrame:
    """Per strategy and month: the 5, 25, 50, 75 and 95% quantiles over replications."""
    parts = []
    for lab in _order(result):
        a = result.series[lab][series]
        q = np.nanquantile(a, FAN_QUANTILES, axis=0)
        parts.append(pd.DataFrame({"strategy": lab, "month": np.arange(1, a.shape[1] + 1),
                                   "q05": q[0], "q25": q[1], "q50": q[2], "q75": q[3],
                                   "q95": q[4]}))
    return pd.concat(parts, ignore_index=True)


def efficient(hours: np.ndarray, avoided: np.ndarray) -> np.ndarray:
    """True where no other point has no more hours and no less loss avoided, and is
    strictly better in one of them (the efficient frontier)."""
    h = np.asarray(hours, dtype=float)
    a = np.asarray(avoided, dtype=float)
    out = np.ones(len(h), dtype=bool)
    for i in range(len(h)):
        dominated = (h <= h[i]) & (a >= a[i]) & ((h < h[i]) | (a > a[i]))
        out[i] = not dominated.any()
    return out


def frontier_frame(result: StudyResult) -> pd.DataFrame:
    """Per strategy: mean hours, loss avoided against late collection on the same seeds (with
    its interval), and whether it is on the efficient frontier. The oracle, which sees what
    no officer can, is shown but never on the frontier: it is marked ``bound``."""
    late = result.figures[LATE]["loss_cny"]
    rows = []
    for lab in _order(result):
        iv = paired_difference(late, result.figures[lab]["loss_cny"])
        rows.append({"strategy": lab, "reference": is_reference(result, lab),
                     "hours": float(np.nanmean(result.figures[lab]["hours"])),
                     "loss_avoided_cny": iv.mean, "lo": iv.lo, "hi": iv.hi})
    df = pd.DataFrame(rows)
    real = (df["strategy"] != ORACLE).to_numpy()
    on = np.zeros(len(df), dtype=bool)
    on[real] = efficient(df["hours"].to_numpy()[real], df["loss_avoided_cny"].to_numpy()[real])
    df["efficient"] = on
    df["bound"] = ~real  # the oracle: an upper bound to read against, not a policy to run
    return df


# --- staffing ---------------------------------------------------------------------------


def staffing_table(outcome: LabOutcome) -> pd.DataFrame:
    """Per officer count: loss, compliance with the case's check policy, net value (before
    and after staff cost) with their 95% intervals over the futures, and the paired gain in net value from one more officer against its cost.

    ``pays`` is whether the step from the previous count paid for itself (its mean paired
    gain in net value exceeds the added officers' cost over the horizon).
    """
    req = outcome.request
    cost_per_officer = req.officer_cost_cny_per_month * req.horizon
    rows = []
    prev = None
    for res in outcome.sweep:
        k = res.spec.officers
        f = res.figures[res.spec.labels[0]]
        loss, comp, nv = (figure_interval(x, f[x]) for x in ("loss_cny", "policy_compliance",
                                                              "net_value_cny"))
        # net value after staff cost, future by future (the staff cost is the same in
        # each): its mean and interval over the futures, as the loss's; the chart's net
        # panel drew its means alone, a dip within noise read as a cliff
        net = mean_interval(np.asarray(f["net_value_cny"], dtype=float) - k * cost_per_officer)
        row = {"officers": k, "strategy": res.spec.labels[0],
               "loss_cny": loss.mean, "loss_lo": loss.lo, "loss_hi": loss.hi,
               "compliance": comp.mean, "compliance_lo": comp.lo, "compliance_hi": comp.hi,
               "net_value_cny": nv.mean, "net_value_lo": nv.lo, "net_value_hi": nv.hi,
               "staff_cost_cny": k * cost_per_officer,
               "net_after_staff_cny": net.mean, "net_after_staff_lo": net.lo,
               "net_after_staff_hi": net.hi,
               "gain_cny": math.nan, "gain_lo": math.nan, "gain_hi": math.nan,
               "step_cost_cny": math.nan, "pays": None}
        if prev is not None:
            g: Interval = paired_difference(f["net_value_cny"],
                                            prev.figures[prev.spec.labels[0]]["net_value_cny"])
            step = (k - prev.spec.officers) * cost_per_officer
            row.update(gain_cny=g.mean, gain_lo=g.lo, gain_hi=g.hi, step_cost_cny=step,
                       pays=bool(g.mean > step))
        rows.append(row)
        prev = res
    return pd.DataFrame(rows)


KEEPS_UP_SHARE = 0.95
"""The sweep says the checks keep up with the case's policy from the officer count whose
mean compliance with it (loan-months up to date) reaches this share, and every larger
count tried too. A few late checks a year happen in any book; one in five late is a book
the officers no longer keep up with."""


def keeps_up_from(table: pd.DataFrame) -> int | None:
    """The fewest officers from which every count tried keeps the checks up to the case's
    policy (KEEPS_UP_SHARE of loan-months on average); None when the largest does not, or
    the policy holds no loan to a check."""
    if table.empty:
        return None
    best = None
    for _, row in table.iloc[::-1].iterrows():
        share = row["compliance"]
        if share is None or share != share or share < KEEPS_UP_SHARE:
            break
        best = int(row["officers"])
    return best


def stop_paying_point(table: pd.DataFrame) -> int | None:
    """The officer count after which another officer stops paying: the last count reached
    by a step that paid, before the first step that does not. None without a sweep."""
    if table.empty:
        return None
    best = int(table["officers"].iloc[0])
    for _, row in table.iloc[1:].iterrows():
        if not row["pays"]:
            break
        best = int(row["officers"])
    return best


# --- machine-readable -------------------------------------------------------------------


def _plain(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else x


def figures_json(outcome: LabOutcome) -> dict:
    """Means and intervals per strategy (every figure of the strategies table, so a script
    can split net value into interest, funding, loss and money spent), paired differences against
    the champion on the key figures, and the staffing sweep, as plain JSON values (NaN as
    null)."""
    res = outcome.study
    per = {}
    figures = (*TABLE_FIGURES, "interest_cny", "funding_cny")
    for rec in strategy_table(res, figures).to_dict("records"):
        d = per.setdefault(rec["strategy"], {"reference": rec["reference"]})
        d[rec["figure"]] = {k: _plain(rec[k]) for k in ("mean", "lo", "hi", "n")}
    paired = {}
    for rec in paired_table(res).to_dict("records"):
        d = paired.setdefault(rec["strategy"], {"reference": rec["reference"]})
        d[rec["figure"]] = {k: _plain(rec[k]) for k in ("mean", "lo", "hi", "n", "verdict")}
    out = {"champion": res.spec.labels[0], "strategies": per, "paired": paired}
    if outcome.sweep:
        table = staffing_table(outcome)
        out["staffing"] = {
            "strategy": table["strategy"].iloc[0],
            "officer_cost_cny_per_month": outcome.request.officer_cost_cny_per_month,
            "stop_paying_after_officers": stop_paying_point(table),
            "rows": [{k: _plain(v) for k, v in r.items()} for r in table.to_dict("records")],
        }
    return out
