"""The ``bianque`` command: validate case files, print their schema, run the engine.

It sits beside the Streamlit app on the same layers, so anything the app can run a
script can run too. Every subcommand returns an exit code from ``main``: 0 for
success, 2 for bad input (a bad file, a bad option); bad input never shows a
traceback, only the file, the field and what to do about it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim.roleplay_files import is_roleplay_path, load_roleplay
from sim.scenario import Scenario, ScenarioError, json_schema, load_scenario, scenario_paths
from training.i18n import LANGS, t

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_CANCELLED = 130  # as a shell reports a command stopped by Ctrl-C
DEFAULT_STRATEGY = "do-nothing"
MAX_SEED = 2**63 - 1
MAX_MONTHS = 600


# --- argument types ----------------------------------------------------------------


def _int_in(lo: int, hi: int, what: str, lang: str = "en") -> Callable[[str], int]:
    """An argparse type: a whole number in [lo, hi], with a message that says so in
    ``lang``; ``what`` is its name's key in the catalogues (cli.what.reps)."""
    name = t(f"cli.what.{what}", lang)

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(
                t("cli.int_word", lang, what=name, text=repr(text))) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                t("cli.in_range", lang, what=name, lo=lo, hi=hi, value=value))
        return value

    parse.__name__ = t(f"cli.what.{what}", "en")  # argparse names the type in some messages
    return parse


def _float_in(lo: float, hi: float, what: str, lang: str = "en") -> Callable[[str], float]:
    """An argparse type: a finite number in [lo, hi], with a message that says so."""
    name = t(f"cli.what.{what}", lang)

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                t("cli.number_word", lang, what=name, text=repr(text))) from None
        if not lo <= value <= hi:  # NaN fails this too
            raise argparse.ArgumentTypeError(
                t("cli.in_range", lang, what=name, lo=f"{lo:,.0f}", hi=f"{hi:,.0f}",
                  value=text.strip()))
        return value

    parse.__name__ = t(f"cli.what.{what}", "en")
    return parse


def _error(prog: str, message: str, lang: str) -> None:
    """One line of a command's error on stderr, as argparse writes its own: 'bianque
    compare: error: ...', or 'bianque compare：错误：...' in Chinese."""
    for line in str(message).splitlines():
        print(t("cli.error", lang, prog=prog, message=line), file=sys.stderr)


def _case_problems(name: str, err: ScenarioError, lang: str) -> None:
    """A case that did not load, as validate reports it: 'file: field: message' on stderr,
    each in ``lang``."""
    said = err.problems_zh if lang == "zh" else [m for _, m in err.problems]
    for (field, _), message in zip(err.problems, said, strict=True):
        print(f"{name}: {_place(field, lang)}: {_one_line(message)}", file=sys.stderr)


# --- validate ----------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _expand(paths: Sequence[str]) -> list[str]:
    """Files as given; a directory stands for the scenario files in it."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = [str(f) for f in scenario_paths(path)]
            out += found or [p]  # an empty directory is reported, not skipped
        else:
            out.append(p)
    return out


def _field_lines(name: str, fields: list[str]) -> dict[str, int | None]:
    """The line of each field in the file (a graph problem or a field error names a path,
    and a conversation runs to hundreds of lines); none if the file cannot be read."""
    from training.authoring import field_line

    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {f: field_line(text, f) for f in fields}


def cmd_validate(args: argparse.Namespace) -> int:
    """Check each file; print OK or every problem as ``file: field: message``."""
    rc = EXIT_OK
    for name in _expand(args.files):
        if Path(name).is_dir():
            rc = EXIT_BAD_INPUT
            print(f"{name}: {_place('(file)', args.lang)}: "
                  f"{t('cli.validate.empty_folder', args.lang)}")
            continue
        talk = is_roleplay_path(name)
        try:
            if talk:
                rp = load_roleplay(name)
                print(t("cli.validate.ok_talk", args.lang, file=name, talk=rp.id,
                        nodes=len(rp.nodes)))
                continue
            scenario = load_scenario(name)
        except ScenarioError as err:
            rc = EXIT_BAD_INPUT
            said = err.problems_zh if args.lang == "zh" else [m for _, m in err.problems]
            lines = _field_lines(name, [f for f, _ in err.problems]) if talk else {}
            for (field, _), message in zip(err.problems, said, strict=True) if err.problems \
                    else [(("(file)", ""), t("cli.validate.invalid", args.lang))]:
                where = _place(field, args.lang)
                if lines.get(field):  # a conversation's field, with its line to go to
                    where += t("cli.validate.at_line", args.lang, line=lines[field])
                print(f"{name}: {where}: {_one_line(message)}")
        except Exception as exc:  # bad input must never end in a traceback
            rc = EXIT_BAD_INPUT
            print(f"{name}: {_place('(file)', args.lang)}: "
                  + t("cli.validate.cannot_check", args.lang, kind=type(exc).__name__,
                      detail=_one_line(exc)))
        else:
            from training.lessons import lesson_problems

            linked = lesson_problems(scenario, lang=args.lang)
            for field, message in linked:
                print(f"{name}: {field}: {message}")
            if linked:
                rc = EXIT_BAD_INPUT
                continue
            print(t("cli.validate.ok", args.lang, file=name, case=scenario.id,
                    loans=scenario.n_loans, months=scenario.horizon_months))
            print_cautions(name, scenario, args.lang)
    return rc


CAUTION_WORD = {"en": "check", "zh": "请核对"}


def print_cautions(name: str, scenario, lang: str) -> None:
    """A valid case's likely slips (training.authoring.case_cautions), a line each: the
    file, the field and what to check."""
    from training.authoring import case_cautions

    for c in case_cautions(scenario):
        print(f"{name}: {c.path}: {CAUTION_WORD[lang]}: "
              f"{t('author.caution.' + c.code, lang=lang, **c.values)}")


# --- schema ------------------------------------------------------------------------


def schema_text() -> str:
    """The JSON Schema of a scenario file, as committed in scenarios/scenario.schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def cmd_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return EXIT_OK


# --- run ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """numpy scalars to Python, NaN and infinities to None, so the output is strict JSON."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _is_ratio(key: str) -> bool:
    return (key.endswith(("_rate", "_ratio", "_share")) or "_ratio_" in key
            or key in ("index", "compliance", "policy_compliance"))


def _is_money(key: str) -> bool:
    return key in ("loss", "cost", "interest", "funding", "provisions", "net_value") or \
        key.startswith(("loss_", "provisions_")) or key.endswith("_cny")


def fmt_value(key: str, value: Any, lang: str = "en") -> str:
    """A figure for people: yuan with thousands separators (CNY 1,234 or 1,234 元), ratios
    as %, counts as integers."""
    value = _plain(value)
    if value is None:
        return t("cli.run.missing", lang)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if _is_ratio(key):
        return f"{value:.2%}"
    if _is_money(key):
        return t("cli.run.money", lang, amount=f"{value:,.0f}")
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _width(text: str) -> int:
    """The columns a text takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[tuple[str, str]]) -> str:
    """Label and value, the values in one column however wide the labels' characters."""
    width = max((_width(k) for k, _ in rows), default=0)
    return "\n".join(f"  {k}{' ' * (width - _width(k))}  {v}" for k, v in rows)


def _label(key: str, lang: str) -> str:
    """A figure's name: cli.run.figure.<key>, or the key as words for one not named there."""
    name = t(f"cli.run.figure.{key}", lang)
    return key.replace("_", " ") if name == f"cli.run.figure.{key}" else name


def _figures(record: dict, lang: str, skip: tuple[str, ...] = ()) -> str:
    return _table([(_label(k, lang), fmt_value(k, v, lang)) for k, v in record.items()
                   if k not in skip])


def _intervals(stats: dict, lang: str) -> str:
    rows = [("", t("cli.run.interval_head", lang))]
    for key, s in stats.items():
        rows.append((_label(key, lang), f"{fmt_value(key, s['mean'], lang)}  "
                     f"[{fmt_value(key, s['lo'], lang)}, {fmt_value(key, s['hi'], lang)}]"))
    return _table(rows)


def _header(scenario: Scenario, seed: int, months: int, strategy: str, lang: str) -> str:
    from training.i18n import term

    shown = strategy if lang == "en" or strategy == "rules" else \
        f"{term('strategy', strategy, lang)}（{strategy}）"
    return t("cli.run.header", lang, case=scenario.id, title=getattr(scenario.title, lang),
             loans=f"{scenario.n_loans:,}", months=months, seed=seed, strategy=shown)


class _BadInput(Exception):
    """A problem with the command's input, reported as one line and exit code 2."""


def _load_rules(path: str | None, lang: str = "en") -> Any:
    if path is None:
        return None
    from sim.strategies import RulesError, load_rules

    try:
        return load_rules(path)
    except RulesError as err:
        if lang == "en":
            raise _BadInput(str(err)) from None
        lines = [t("cli.compare.rules_problems", lang, source=err.source, n=len(err.problems))]
        lines += [f"  - {_place(field, lang)}: {_one_line(message)}"
                  for (field, _), message in zip(err.problems, err.problems_zh, strict=True)]
        raise _BadInput("\n".join(lines)) from None
    except OSError as err:
        raise _BadInput(t("cli.compare.report_unreadable", lang, path=path,
                          reason=err.strerror)) from None


def _run_once(args, scenario: Scenario, seed: int, months: int, rules: Any) -> int:
    from sim.engine import simulate

    strategy = args.strategy or ("rules" if rules is not None else DEFAULT_STRATEGY)
    result = simulate(scenario, seed=seed, months=months, strategy=strategy, rules=rules)
    record: dict[str, Any] = dict(result.summary())
    if args.strategy is not None or rules is not None:
        from sim.scoring import score_run

        score = score_run(scenario, seed=seed, months=months, strategy=strategy, rules=rules)
        record["score"] = dict(score.to_dict())
    if args.json:
        out = {"scenario": scenario.id, "content_hash": scenario.content_hash(), "seed": seed,
               "strategy": strategy, **record}
        print(json.dumps(_plain(out), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(_header(scenario, seed, months, strategy, args.lang))
    print(_figures(record, args.lang, skip=("scenario", "seed", "score")))
    if "score" in record:
        print(t("cli.run.score_title", args.lang))
        print(_figures(record["score"], args.lang, skip=("strategy",)))
    return EXIT_OK


class SchedulerError(_BadInput):
    """--scheduler names no Dask scheduler that answers; the message says the fix."""


@contextlib.contextmanager
def _executor(args):
    """No executor (in process), a local process pool (--workers N), or a Dask cluster
    (--scheduler ADDRESS). Results do not depend on which: each replication has its seed."""
    if args.scheduler is not None and not args.scheduler.strip():
        # an unset shell variable ran the study here, with no word, not on the cluster
        raise SchedulerError(t("cli.scheduler_empty", getattr(args, "lang", "en")))
    if args.scheduler:
        import logging

        import distributed

        from training import lab_jobs

        # the client logs a lost scheduler as tracebacks on stderr (its own loggers, at their
        # own levels, through the handler distributed sets up): the message below says it
        for handler in logging.getLogger(distributed.__name__).handlers:
            handler.setLevel(logging.CRITICAL)
        try:
            with lab_jobs.dask_executor(args.scheduler) as executor:
                yield executor
        except lab_jobs.SchedulerError as err:
            lang = getattr(args, "lang", "en")
            if err.key in ("lab.page.address_invalid", "lab.page.address_unreachable"):
                # unreachable, or not an address at all ('nonsense', a host without a port)
                raise SchedulerError(t("cli.scheduler", lang, address=args.scheduler,
                                       reason=err.params["detail"])) from None
            raise SchedulerError(t(err.key.replace("lab.page.", "lab.cli."), lang,
                                   **err.params)) from None
    elif args.workers and args.workers > 1:
        from sim.study import process_pool

        with process_pool(args.workers) as pool:
            yield pool
    else:
        yield None


def _run_replications(args, scenario: Scenario, seed: int, months: int, rules: Any) -> int:
    from sim.runner import replicate, run_summary_stats
    from sim.study import builtin, from_rules

    strategy = args.strategy or ("rules" if rules is not None else DEFAULT_STRATEGY)
    spec = from_rules(rules) if rules is not None else builtin(strategy)
    scored = args.strategy is not None or rules is not None
    # the executor first: a scheduler that does not answer is said before a bar is drawn
    with _executor(args) as executor, _progress_bar(args.reps, args.json) as tick:
        result = replicate(scenario, spec, args.reps, seed, months, scored=scored,
                           executor=executor, progress=tick)
    stats = _plain(run_summary_stats(result))
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(_header(scenario, seed, months, strategy, args.lang)
          + t("cli.run.replications", args.lang, reps=args.reps, seed=seed))
    score = stats.pop("score", None)
    print(_intervals(stats, args.lang))
    if score:
        print(t("cli.run.score_title", args.lang))
        print(_intervals(score, args.lang))
    return EXIT_OK


@contextlib.contextmanager
def _progress_bar(total: int, quiet: bool):
    """A tqdm bar on stderr (none with --json); yields a study progress callback."""
    if quiet:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, unit="rep", file=sys.stderr, leave=False)

    def tick(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    try:
        yield tick
    finally:
        bar.close()


@contextlib.contextmanager
def _study_bar(request, quiet: bool, lang: str | None, clock=None):
    """`bianque compare`'s bar on stderr (none with --json): the lab page's words, the
    time left at the pace of the futures finished (training.lab_jobs.progress_text)."""
    if quiet:
        yield None
        return
    import time

    from tqdm import tqdm

    from training.lab_jobs import Pace, progress_text

    total = sum(s.reps for s in request.specs())
    pace = Pace(total, clock=clock or time.monotonic)
    bar = tqdm(total=total, file=sys.stderr, leave=False, bar_format="{bar:20}| {desc}",
               desc=progress_text(pace.progress, lang, request))

    def tick(done: int, total_: int) -> None:
        pace.tick(done, total_)
        bar.n = done  # then drawn with its words (one line a future: a run takes longer)
        bar.set_description_str(progress_text(pace.progress, lang, request))

    try:
        yield tick
    finally:
        bar.close()


CASE_HELP = "scenario YAML file, or a shipped case by name (intro, rising_lpr, ...)"


def load_case(name: str) -> Scenario:
    """A case file, or a shipped case by its name (``intro`` for scenarios/intro.yaml) when
    there is no file of that name here; a bare name that is neither lists the shipped ones."""
    path = Path(name)
    from training.scenario_home import scenario_dir

    shipped = {p.stem: p for p in scenario_paths(scenario_dir())}  # the centre's, if it named one
    names = ", ".join(shipped)
    if not name.strip() or path.is_dir():  # "" (an unset shell variable) is the folder "."
        raise ScenarioError(name, [("(file)", t("cli.case.folder", "en", shipped=names))],
                            [t("cli.case.folder", "zh", shipped=names)])
    if path.exists() or path.suffix or path.parent != Path("."):
        return load_scenario(name)
    if name in shipped:
        return load_scenario(shipped[name])
    raise ScenarioError(name, [("(file)", t("cli.case.unknown", "en", shipped=names))],
                        [t("cli.case.unknown", "zh", shipped=names)])


def _run_strategy_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with --strategy and --rules together, in ``args.lang``, or None. Said
    here, not by the engine, whose words are English only."""
    from sim.inputs import did_you_mean, near_zh
    from sim.strategies import BUILT_IN

    lang, name = args.lang, args.strategy
    if name is None:
        return None
    known = [*BUILT_IN, "rules"]
    if name not in known:
        near = did_you_mean(name, known) if lang == "en" else near_zh(name, known)
        return t("cli.run.unknown_strategy", lang, name=name, choices=", ".join(known),
                 near=near)
    if name == "rules" and args.rules is None:
        return t("cli.run.rules_without_table", lang)
    if name != "rules" and args.rules is not None:
        # the engine runs the rule table whenever one is given: the header would name
        # the built-in strategy over the rule table's figures
        return t("cli.run.rules_with_builtin", lang, name=name)
    return None


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario (or R replications) and print the summary and, with a strategy, a score."""
    lang = args.lang

    def bad(message: str) -> int:
        _error("bianque run", message, lang)
        return EXIT_BAD_INPUT

    try:
        scenario = load_case(args.scenario)
    except ScenarioError as err:
        _case_problems(args.scenario, err, lang)
        return EXIT_BAD_INPUT
    seed = scenario.seed if args.seed is None else args.seed
    months = scenario.horizon_months if args.months is None else args.months
    if months > scenario.horizon_months:
        return bad(t("cli.case.months_beyond", lang, months=months,
                     horizon=scenario.horizon_months))
    if (problem := _run_strategy_problem(args)) is not None:
        return bad(problem)
    try:
        rules = _load_rules(args.rules, lang)
        if args.reps is not None:
            return _run_replications(args, scenario, seed, months, rules)
        return _run_once(args, scenario, seed, months, rules)
    except _BadInput as err:
        return bad(str(err))
    except ValueError as err:  # the engine's word for bad input it alone can see
        return bad(_one_line(err))
    except KeyboardInterrupt:  # Ctrl-C during replications: cancelled on the way out
        print(t("cli.cancelled", lang, prog="bianque run"), file=sys.stderr)
        return EXIT_CANCELLED


# --- compare -----------------------------------------------------------------------


def _compare_text(outcome, lang: str) -> str:
    import pandas as pd

    from training import lab, lab_report

    # a Chinese character takes two columns of a terminal: counted as one, every row with
    # 全知（完全信息） or 万元 slid its columns out from under their headers
    with pd.option_context("display.unicode.east_asian_width", True):
        return _compare_lines(outcome, lang, lab, lab_report)


def _compare_lines(outcome, lang: str, lab, lab_report) -> str:
    lines = [lab.headline(outcome.study, lang), ""]
    lines += [text for _, text in lab_report.verdict_lines(outcome, lang)]
    lines += ["", lab_report.strategies_display(outcome, lang).to_string(index=False)]
    if (note := lab_report.index_note(outcome, lang)) is not None:  # as the page and report
        lines += ["", note]
    if (refused := lab_report.refused_text(outcome, lang)) is not None:
        lines += ["", refused]
    if outcome.sweep:
        lines += ["", lab_report.stop_paying_text(outcome, lang),
                  lab_report.staffing_display(outcome, lang).to_string(index=False)]
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare strategies (and a staffing range) over many common-random-number futures."""
    from training import lab

    lang = args.lang

    def bad(message: str) -> int:
        _error("bianque compare", message, lang)
        return EXIT_BAD_INPUT

    def said(key: str, **params) -> int:
        return bad(t(f"cli.compare.{key}", lang, **params))

    if args.workers and args.workers > 1 and args.scheduler:
        return said("workers_and_scheduler")
    if args.scenario.lower().endswith((".html", ".htm")):
        try:
            request = _replay_request(args)
        except _BadInput as err:
            return bad(str(err))
    else:
        try:
            scenario = load_case(args.scenario)
        except ScenarioError as err:
            _case_problems(args.scenario, err, lang)
            return EXIT_BAD_INPUT
        if not args.strategies:
            return said("strategies_required")
        if args.months is not None and args.months > scenario.horizon_months:
            return bad(t("cli.case.months_beyond", lang, months=args.months,
                         horizon=scenario.horizon_months))
        try:
            # a Chinese keyboard's comma or enumeration comma separates as well as ','
            items = re.split(r"[,，、]", args.strategies)
            strategies = lab.parse_strategies(items)
            staff = lab.parse_staff_range(args.staff) if args.staff else []
            if args.staff_strategy and staff:
                # by its label, or as it was given to --strategies (a rule table's file)
                given = {i.strip(): s.label for i, s in zip(items, strategies, strict=True)}
                args.staff_strategy = given.get(args.staff_strategy.strip(),
                                                args.staff_strategy.strip())
                labels = [s.label for s in strategies]
                if args.staff_strategy not in labels:
                    return said("staff_strategy_not_compared", name=repr(args.staff_strategy),
                                labels=", ".join(labels))
            request = lab.LabRequest(
                scenario=scenario, strategies=tuple(strategies),
                reps=100 if args.reps is None else args.reps,
                seed=scenario.seed if args.seed is None else args.seed, months=args.months,
                staff=tuple(staff), sweep_strategy=args.staff_strategy,
                **({"officer_cost_cny_per_month": args.officer_cost}
                   if args.officer_cost is not None else {}))
        except lab.LabInputError as err:
            return bad(_lab_text(err, lang))
    if args.staff_strategy and not request.staff:
        return said("staff_strategy_without_staff")
    if args.out:
        out = Path(args.out).resolve()
        if out.suffix.lower() not in (".html", ".htm") and not out.is_dir():
            # a report.pdf that holds HTML opens in no PDF reader
            return said("out_not_html", example=out.with_suffix(".html").name)
        if out.is_dir():
            return said("out_folder", path=out, example=out / "report.html")
        if not out.parent.is_dir():
            return said("out_no_folder", folder=out.parent)
    try:
        with _executor(args) as executor, _study_bar(request, args.json, lang) as tick:
            outcome = lab.run_lab(request, executor=executor, progress=tick)
    except SchedulerError as err:
        return bad(str(err))
    except KeyboardInterrupt:  # Ctrl-C: pending replications were cancelled on the way out
        print(t("cli.cancelled", lang, prog="bianque compare"), file=sys.stderr)
        return EXIT_CANCELLED
    if args.out:
        from training.lab_report import report_html

        # the report says how to run it again: by the name it is written under
        Path(args.out).write_text(report_html(outcome, args.lang, _command(args),
                                              file_name=args.out), encoding="utf-8")
    if args.json:
        print(json.dumps(_plain(lab.figures_json(outcome)), indent=2, ensure_ascii=False))
    else:
        print(_compare_text(outcome, args.lang))
        if args.out:
            print(t("lab.report.written", args.lang, path=args.out))
    return EXIT_OK


LAB_PAGE_KEYS = {"lab.page.builtin_name": "cli.compare.builtin_name",
                 "lab.page.same_name": "cli.compare.same_name"}
"""The lab's refusals worded for its page, and their words for the command line."""


def _lab_text(err, lang: str) -> str:
    """A refusal of the lab's input in ``lang``: English as raised; Chinese from its
    catalogue key, then a rule table's problems each in Chinese at its place."""
    if lang == "en":
        return str(err)
    key = LAB_PAGE_KEYS.get(err.key, err.key)
    lines = [t(key, lang, **err.params) if key else str(err)]
    lines += [f"  - {_place(field, lang)}: {_one_line(message)}"
              for (field, _), message in zip(err.problems, err.problems_zh, strict=True)]
    return "\n".join(lines)


STUDY_OPTIONS = ("strategies", "reps", "seed", "months", "staff", "staff_strategy",
                 "officer_cost")


def _replay_request(args: argparse.Namespace):
    """The study a report was made from, to run it again (its inputs are inside it)."""
    from training import lab
    from training.lab_report import INPUTS_ID, read_block, request_from_inputs

    lang = args.lang
    given = [o for o in STUDY_OPTIONS if getattr(args, o) is not None]
    if given:
        raise _BadInput(t("cli.compare.report_own_inputs", lang,
                          option=given[0].replace("_", "-")))
    try:
        text = Path(args.scenario).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason: Any = err
        if lang != "en":  # the system's words are English: its reason alone, or ours
            reason = (t("cli.compare.not_utf8", lang) if isinstance(err, UnicodeDecodeError)
                      else err.strerror or err)
        raise _BadInput(t("cli.compare.report_unreadable", lang, path=args.scenario,
                          reason=reason)) from None
    try:
        return request_from_inputs(read_block(text, INPUTS_ID))
    except (ValueError, KeyError, TypeError, lab.LabInputError) as err:
        raise _BadInput(t("cli.compare.not_a_report", lang, path=args.scenario,
                          kind=type(err).__name__, detail=_one_line(err)[:200])) from None


def _command(args: argparse.Namespace) -> str:
    """The compare command that reproduces a study (the executor never changes figures)."""
    if not args.strategies:  # a replayed report
        return f"bianque compare {args.scenario}"
    parts = ["bianque", "compare", args.scenario, "--strategies", args.strategies]
    for opt in ("reps", "seed", "months", "staff", "staff_strategy", "officer_cost"):
        v = getattr(args, opt)
        if v is not None:
            parts += ["--" + opt.replace("_", "-"), str(v)]
    return " ".join(parts)


# --- preview -----------------------------------------------------------------------


def cmd_preview(args: argparse.Namespace) -> int:
    """The teaching preview of a case: the four baselines over common random numbers."""
    from training import preview

    lang = args.lang
    try:
        scenario = load_case(args.scenario)
    except ScenarioError as err:
        _case_problems(args.scenario, err, lang)
        return EXIT_BAD_INPUT
    if args.months is not None and args.months > scenario.horizon_months:
        _error("bianque preview", t("cli.case.months_beyond", lang, months=args.months,
                                    horizon=scenario.horizon_months), lang)
        return EXIT_BAD_INPUT
    months = args.months or preview.suggested_months(scenario, args.reps)
    bar = None
    if not args.json:
        from tqdm import tqdm

        bar = tqdm(total=args.reps, unit="rep", file=sys.stderr, leave=False)
    problem = None
    try:
        with _executor(args) as executor:
            result = preview.run_preview(
                scenario, reps=args.reps, months=months, executor=executor,
                progress=(lambda done, total: bar.update(1)) if bar is not None else None)
    except SchedulerError as err:
        problem = str(err)
    finally:
        if bar is not None:
            bar.close()
    if problem is not None:  # said once the bar is gone, not on the bar's line
        _error("bianque preview", problem, lang)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(_plain(preview.as_dict(result)), indent=2, ensure_ascii=False))
    else:
        print(preview.report_text(result, lang))
        print_cautions(str(args.scenario), scenario, lang)  # as validate names them
    return EXIT_OK


# --- generate ----------------------------------------------------------------------


def _words(values: Sequence[str] | None) -> list[str] | None:
    """Option values given as separate words or comma lists ('a b', 'a,b', or 'a，b' as a
    Chinese keyboard types it)."""
    if values is None:
        return None
    return [w for v in values for w in re.sub(r"[,，、]", " ", v).split()]


def cmd_generate(args: argparse.Namespace) -> int:
    """Draw a case from the generator and write it as YAML (stdout or --out FILE)."""
    from sim.generate import GenerateError, draw, to_yaml
    from training.authoring import generate_error_text

    lang = args.lang
    if args.out is not None:  # before the draw, which takes a while: a bad path is said now
        out = Path(args.out)
        problem = ("out_folder" if out.is_dir() else
                   "out_not_yaml" if out.suffix.lower() not in (".yaml", ".yml") else
                   "out_no_folder" if not out.parent.is_dir() else None)
        if problem is not None:
            print(t(f"author.generate.{problem}", lang, path=out, folder=out.parent),
                  file=sys.stderr)
            return EXIT_BAD_INPUT
    shocks = _words(args.shocks)
    if shocks is not None:
        shocks = [s for s in shocks if s != "none"]
    try:
        case = draw(args.seed, products=_words(args.products), shocks=shocks,
                    staffing=args.staffing)
    except GenerateError as err:
        print(t("author.generate.error", lang, message=_one_line(generate_error_text(err, lang))),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    text = to_yaml(case.scenario)
    note = generated_note(case, lang)
    if not case.material:  # every attempt fell short: say so before the preview does
        from training.units import money

        print(t("author.generate.not_material", lang, case=case.scenario.id,
                avoidable=money(case.avoidable_cny, lang), stakes=money(case.stakes_cny, lang)),
              file=sys.stderr)
    draft = t("author.generate.draft", lang)  # published: false: say what that means
    if args.out is None:
        sys.stdout.write(text)
        print(note, file=sys.stderr)
        print(draft, file=sys.stderr)
        return EXIT_OK
    out = Path(args.out)
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(t("author.generate.cannot_write", lang, path=out, reason=exc.strerror),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    print(t("author.generate.wrote", lang, path=out, note=note))
    print(draft)
    return EXIT_OK


def _place(field: str, lang: str) -> str:
    """Where a problem is, in the reader's words: a YAML slip's 'line 3, column 1' and a
    whole file's '(file)' read 第 3 行第 1 列 and （文件） in Chinese; a field's path is
    the file's own key names, the same in both."""
    if lang != "zh":
        return field
    at = re.fullmatch(r"line (\d+)(?:, column (\d+))?", field)
    if at is not None:
        return f"第 {at[1]} 行" + (f"第 {at[2]} 列" if at[2] else "")
    return "（文件）" if field == "(file)" else field


def generated_note(case, lang: str) -> str:
    """One line on a generated case: its size, events, horizon and staffing, counted in words
    for one and for many."""
    from training.units import hours

    sc = case.scenario

    def count(key: str, n: int) -> str:
        return t(f"author.generate.{key}_{'one' if n == 1 else 'other'}", lang, n=n)

    return t("author.generate.note", lang, case=sc.id, loans=count("loans", sc.n_loans),
             segments=count("segments", len(sc.segments)), events=count("events", len(sc.macro)),
             months=count("months", sc.horizon_months), ratio=f"{case.staffing_ratio:.2f}",
             hours=hours(round(case.needed_hours_month), lang),
             band=t(f"author.generate.band.{case.band}", lang))


# --- parser ------------------------------------------------------------------------


def _version() -> str:
    """The installed package's version (an operator's bug report names it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bianque")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "(not installed)"


LANG_COMMANDS = ("validate", "schema", "run", "compare", "preview", "generate", "db", "admin",
                 "user")
"""The subcommands that take --lang: every one."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, saying its errors in the command's --lang: an option's own check
    (a --reps out of range) runs while the line is parsed, before --lang is read."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lang = lang

    def error(self, message: str):  # type: ignore[override]
        if self.lang == "en":
            super().error(message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, t("cli.error", self.lang, prog=self.prog,
                                    message=_argparse_said(message, self.lang)) + "\n")


def _argparse_said(message: str, lang: str) -> str:
    """argparse's own error words in ``lang``; the options' checks are said in it already.
    A message of another shape (a later Python's) is left as argparse wrote it."""
    at = re.fullmatch(r"argument (.+?): (.*)", message, flags=re.S)
    if at is not None:
        return t("cli.argparse.argument", lang, name=at[1], message=_argparse_said(at[2], lang))
    for key, pattern in (("required", r"the following arguments are required: (?P<names>.*)"),
                         ("unrecognized", r"unrecognized arguments: (?P<names>.*)"),
                         ("invalid_choice",
                          r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)"),
                         ("expected_one", r"expected one argument")):
        found = re.fullmatch(pattern, message, flags=re.S)
        if found is not None:
            return t(f"cli.argparse.{key}", lang, **found.groupdict())
    return message


def asked_lang(argv: Sequence[str]) -> str:
    """The --lang a command line asks for, read before it is parsed (so that the checks
    made while parsing speak it too); en for a subcommand without --lang."""
    argv = list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    lang = "en"
    if command not in LANG_COMMANDS:
        return lang
    for k, arg in enumerate(argv):
        name, eq, value = arg.partition("=")
        if len(name) >= 3 and "--lang".startswith(name):  # argparse reads --la as --lang
            value = value if eq else (argv[k + 1] if k + 1 < len(argv) else "")
            lang = value if value in LANGS else lang
    return lang


def build_parser(lang: str = "en") -> argparse.ArgumentParser:
    """The parser; ``lang`` is the language of the parse-time errors of the subcommands
    that take --lang (main reads it from the line first: asked_lang)."""
    parser = _Parser(
        prog="bianque",
        description="Bianque (扁鹊): a post-loan management training simulator.",
        lang=lang,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="print the installed version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check scenario and conversation files, report every problem",
                       description="Check scenario files, role-play conversations (files in "
                       "roleplays/ or with kind: roleplay), or directories of them. "
                       "Exit code 2 when any file is invalid.", lang=lang)
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML file or directory")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the problems' messages and of the cautions on valid "
                   "files: likely slips such as a default rate of 0.5 meant as 0.5%% "
                   "(default en)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files",
                       description="Print the JSON Schema of scenario files "
                       "(the committed copy is scenarios/scenario.schema.json).", lang=lang)
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the errors (default en); the schema's descriptions are "
                   "in English, as in the committed copy")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("run", help="run a scenario and print its summary",
                       description="Run a scenario with a strategy and print the portfolio "
                       "summary; with --strategy, also the score.", lang=lang)
    p.add_argument("scenario", metavar="SCENARIO", help=CASE_HELP)
    p.add_argument("--seed", type=_int_in(0, MAX_SEED, "seed", lang), default=None,
                   help="random seed (default: the scenario's seed)")
    p.add_argument("--months", type=_int_in(1, MAX_MONTHS, "months", lang), default=None,
                   help="months to simulate, at most the horizon (default: the scenario's horizon)")
    p.add_argument("--strategy", metavar="NAME", default=None, type=str.strip,
                   help=f"strategy to run and score (default: {DEFAULT_STRATEGY}, not scored)")
    p.add_argument("--rules", metavar="FILE", default=None,
                   help="YAML rule table for the rule-based strategy")
    p.add_argument("--reps", type=_int_in(2, 100_000, "reps", lang), default=None, metavar="R",
                   help="replications on child seeds of --seed; prints means with 95%% intervals")
    p.add_argument("--workers", type=_int_in(1, 256, "workers", lang), default=1, metavar="N",
                   help="run replications on N local processes")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run replications on a Dask cluster (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the table and the messages (default en; --json keys "
                   "stay as they are)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="compare strategies and staffing over many futures",
                       description="Run every strategy on the same futures (child seeds of "
                       "--seed), with late collection and the oracle as references; print "
                       "means with 95% intervals and paired differences against the first "
                       "strategy; optionally sweep the number of officers and write an HTML "
                       "report.", lang=lang)
    p.add_argument("scenario", metavar="SCENARIO",
                   help=CASE_HELP + ", or a report (.html) written by compare: runs its exact "
                   "inputs again")
    p.add_argument("--strategies", metavar="A,B[,RULES.yaml]",
                   help="comma-separated built-in names or rule-table files; the first is "
                   "the champion (required with a scenario)")
    p.add_argument("--reps", type=_int_in(2, 100_000, "reps", lang), default=None, metavar="N",
                   help="replications (futures) per strategy (default 100)")
    p.add_argument("--seed", type=_int_in(0, MAX_SEED, "seed", lang), default=None,
                   help="root seed of the futures (default: the scenario's seed)")
    p.add_argument("--months", type=_int_in(1, MAX_MONTHS, "months", lang), default=None,
                   help="months to simulate, at most the horizon")
    p.add_argument("--staff", metavar="LO..HI", default=None,
                   help="staffing sweep: officer counts, e.g. 2..8 or 2,4,6")
    p.add_argument("--staff-strategy", metavar="NAME", default=None,
                   help="strategy of the staffing sweep (default: the first)")
    p.add_argument("--officer-cost", type=_float_in(0, 1e9, "officer_cost", lang), default=None,
                   metavar="CNY",
                   help="monthly cost of one officer's post-loan hours for the sweep (default: "
                        "20000 for a full-time month, times the case's hours_per_officer_month "
                        "/ 174)")
    p.add_argument("--workers", type=_int_in(1, 256, "workers", lang), default=1, metavar="K",
                   help="run replications on K local processes")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run replications on a Dask cluster (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--out", metavar="FILE", default=None, help="write an HTML report")
    p.add_argument("--lang", choices=("zh", "en"), default="en",
                   help="language of the text and the report (default en)")
    p.add_argument("--json", action="store_true",
                   help="print means, intervals and paired differences as JSON")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("preview", help="does a case teach? the four baselines over replications",
                       description="Run do-nothing, late collection, early warning and the "
                       "oracle on common random numbers; print each loss with its 95% "
                       "interval, the early-warning index, the oracle headroom, staff load, "
                       "a difficulty estimate and warnings when the case does not teach.",
                       lang=lang)
    p.add_argument("scenario", metavar="SCENARIO", help=CASE_HELP)
    p.add_argument("--reps", type=_int_in(2, 200, "reps", lang), default=30, metavar="R",
                   help="replications (default 30)")
    p.add_argument("--months", type=_int_in(1, MAX_MONTHS, "months", lang), default=None,
                   help="months to run (default: the whole horizon when it fits about 20 s)")
    p.add_argument("--workers", type=_int_in(1, 256, "workers", lang), default=1, metavar="N",
                   help="run replications on N local processes")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run replications on a Dask cluster")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the report (default en)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a report")
    p.set_defaults(func=cmd_preview)

    from sim.generate import SHOCK_KINDS, STAFFING_BANDS

    p = sub.add_parser("generate", help="draw a plausible case from the generator",
                       description="Draw a valid case study for a seed and print it as YAML "
                       "(the same seed gives the same case). Exit code 2 on a bad option.",
                       lang=lang)
    p.add_argument("--seed", type=_int_in(0, MAX_SEED, "seed", lang), required=True,
                   help="the generator's seed")
    p.add_argument("--out", metavar="FILE", default=None,
                   help="write the case to FILE instead of printing it")
    p.add_argument("--products", nargs="+", metavar="PRODUCT", default=None,
                   help="products to lend (default: a random mix); any of: "
                   "working_capital fixed_asset real_estate_dev small_business consumer")
    p.add_argument("--shocks", nargs="+", metavar="KIND", default=None,
                   help=f"macro events, in order (default: 0-4 at random); any of: "
                   f"{' '.join(SHOCK_KINDS)}, or none")
    p.add_argument("--staffing", metavar="BAND", default=None,
                   help=f"staff hours against what the monitoring policy needs: "
                   f"{', '.join(f'{k} ({lo}-{hi}x)' for k, (lo, hi) in STAFFING_BANDS.items())}"
                   ", or a multiple such as 1.2 (default: anywhere from 0.5x to 3x)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the messages: errors and the line on the case drawn "
                   "(default en; the case itself carries both)")
    p.set_defaults(func=cmd_generate)

    from training.cli_admin import add_commands

    add_commands(sub, lang)
    return parser


def _never_fail_on_encoding() -> None:
    """On a console that is not UTF-8, escape what it cannot show instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (argparse errors give 2)."""
    _never_fail_on_encoding()
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(asked_lang(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        return args.func(args)
    except BrokenPipeError:  # `bianque schema | head`: the reader left; not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
