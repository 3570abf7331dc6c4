"""The strategy lab's report: one self-contained HTML file that works offline.

It holds the verdicts, the tables, the charts (Vega-Lite specs drawn by the Vega,
Vega-Lite and vega-embed libraries, inlined from the vl-convert-python package, so no
network is needed), and the exact inputs that reproduce it: the case as run, the rule
tables, replications, the root seed, the staffing range and the versions of the code.
Two JSON blocks make it machine-readable: ``bianque-inputs`` (read back by
:func:`request_from_inputs`) and ``bianque-figures`` (:func:`training.lab.figures_json`).
"""

from __future__ import annotations

import html
import json
import math
import platform
import re
import shlex
from datetime import UTC, datetime
from functools import cache
from importlib import metadata

import altair as alt
import pandas as pd
import yaml

from sim.scenario import Scenario
from sim.study import StrategySpec
from training import lab, units
from training.i18n import fmt_pct, t
from training.lab_charts import all_charts

PACKAGES = ("bianque", "numpy", "pandas", "scipy", "simpy", "pydantic", "altair",
            "vl-convert-python", "distributed")
INPUTS_ID = "bianque-inputs"
FIGURES_ID = "bianque-figures"

KEEP_WORDS_STYLE = "<style>{scope}td, {scope}td * {{word-break: keep-all !important}}</style>"
"""Table cells break at spaces, not between two Chinese characters: a narrow cell broke
"37.0 万元" as "37.0 万" / "元". Headers still break anywhere: a long Chinese header kept
whole squeezed the figures under the others into a word a line. ``scope``: a CSS
selector and a space, or empty."""

PAGE_TABLE_STYLE = ("<style>{scope}th, {scope}td {{font-size: 0.8rem !important; "
                    "padding: 0.25rem 0.3rem !important}}</style>")
"""The page's tables a size smaller and tighter than Streamlit's: at a 1,024 px window the
staffing table's last column, whether another officer pays, was past the page column's
edge (scrolled out of sight). ``scope``: as KEEP_WORDS_STYLE's."""

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem auto;
max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;
margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th{background:#f4f6f8}
td:first-child,th:first-child{text-align:left}.better{color:#1e7b34}.worse{color:#b03a2e}
.within_noise{color:#666}pre{background:#f7f7f7;padding:.6rem;overflow:auto;font-size:.8rem;
max-height:30rem}.chart{margin:1rem 0}.headline{font-size:1.1rem;font-weight:600}
"""


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _vl_version() -> str:
    m = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    return f"{m[1]}.{m[2]}" if m else "6.4"


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from the vl-convert-python package."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=_vl_version())


# --- inputs -----------------------------------------------------------------------------


def _strategy_json(s: StrategySpec) -> dict:
    out: dict = {"label": s.label}
    if s.builtin:
        out["builtin"] = s.builtin
    if s.rules is not None:
        out["rules"] = s.rules.model_dump(mode="json")
    return out


def inputs_json(request: lab.LabRequest, command: str | None = None) -> dict:
    """Everything the figures depend on, as JSON."""
    return {
        "scenario": request.scenario.model_dump(mode="json"),
        "content_hash": request.scenario.content_hash(),
        "strategies": [_strategy_json(s) for s in request.strategies],
        "reps": request.reps, "seed": request.seed, "months": request.months,
        "staff": list(request.staff), "sweep_strategy": request.sweep_strategy,
        "officer_cost_cny_per_month": request.officer_cost_cny_per_month,
        "versions": versions(), "command": command,
    }


def request_from_inputs(inputs: dict) -> lab.LabRequest:
    """The LabRequest a report was made from (its ``bianque-inputs`` block)."""
    from sim.strategies import parse_rules
    from sim.study import builtin

    scenario = Scenario.model_validate(inputs["scenario"])
    strategies = tuple(builtin(s["builtin"]) if "builtin" in s
                       else StrategySpec(label=s["label"],
                                         rules=parse_rules(s["rules"], s["label"]))
                       for s in inputs["strategies"])
    return lab.LabRequest(scenario=scenario, strategies=strategies, reps=inputs["reps"],
                          seed=inputs["seed"], months=inputs["months"],
                          staff=tuple(inputs["staff"]), sweep_strategy=inputs["sweep_strategy"],
                          officer_cost_cny_per_month=inputs["officer_cost_cny_per_month"])


def read_block(report: str, block_id: str) -> dict:
    """A JSON block of a report, by id."""
    m = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', report,
                  re.S)
    if not m:
        raise ValueError(f"no {block_id} block in this report")
    return json.loads(m[1].replace("<\\/", "</"))


# --- html -------------------------------------------------------------------------------


def _json_script(block_id: str, data) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/json" id="{block_id}">{text}</script>'


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, escape=True, border=0, na_rep="—")


def _interval(fig: str, row, lang: str, difference: bool = False) -> str:
    """A 95% interval as words ("CNY 1,440k to CNY 2,352k"): a dash between two figures
    that may carry a minus sign read as a subtraction. ``difference``: of a difference
    (a difference of percents in percentage points)."""
    return t("lab.range", lang, lo=lab.fmt_figure(fig, row["lo"], lang, difference=difference),
             hi=lab.fmt_figure(fig, row["hi"], lang, difference=difference))


def _titles(outcome: lab.LabOutcome) -> dict:
    """The rule tables' titles of a lab outcome, by label (training.lab.strategy_titles)."""
    return lab.strategy_titles(outcome.study.spec.strategies)


def strategies_display(outcome: lab.LabOutcome, lang: str) -> pd.DataFrame:
    """One row per strategy; per figure the mean and, below it, the 95% interval, in ``lang``."""
    df = lab.strategy_table(outcome.study)
    rows = []
    for label, part in df.groupby("strategy", sort=False):
        row = {t("lab.col.strategy", lang): lab.strategy_label(label, lang, _titles(outcome))
               + (" *" if part["reference"].iloc[0] else "")}
        for r in part.to_dict("records"):
            fig = r["figure"]
            # "—"; or the references' own index, 0 and 1 in every future by definition: an
            # interval "[0.0% to 0.0%]" read as if measured
            bare = math.isnan(r["mean"]) or (fig == "index" and label in (lab.LATE, lab.ORACLE))
            row[t(f"lab.figure.{fig}", lang)] = (
                lab.fmt_figure(fig, r["mean"], lang) if bare
                else f"{lab.fmt_figure(fig, r['mean'], lang)} [{_interval(fig, r, lang)}]")
        row[t("lab.col.n", lang)] = int(part["n"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def strategies_by_figure(outcome: lab.LabOutcome, lang: str) -> pd.DataFrame:
    """strategies_display turned for the page: a row per figure, a column per strategy. Its
    width grows with the strategies, not with the eleven figures: as a row per strategy,
    the table was 734 px wide in the 564 px page column of a 1,024 px window, and the peak
    NPL ratio, the refused actions and the futures were out of sight."""
    shown = strategies_display(outcome, lang)
    turned = shown.set_index(shown.columns[0]).T.astype(str)
    turned.insert(0, t("lab.col.figure", lang), turned.index)
    return turned.reset_index(drop=True).rename_axis(columns=None)


def paired_display(outcome: lab.LabOutcome, lang: str) -> pd.DataFrame:
    df = lab.paired_table(outcome.study)
    return pd.DataFrame({
        t("lab.col.strategy", lang): [lab.strategy_label(s, lang, _titles(outcome))
                                      for s in df["strategy"]],
        t("lab.col.figure", lang): [t(f"lab.figure.{f}", lang) for f in df["figure"]],
        t("lab.col.diff", lang): [lab.fmt_figure(f, m, lang, signed=True, difference=True)
                                  for f, m in zip(df["figure"], df["mean"], strict=True)],
        t("lab.col.interval", lang): [_interval(r["figure"], r, lang, difference=True)
                                      for r in df.to_dict("records")],
        t("lab.col.verdict", lang): [t(f"lab.verdict_word.{v}", lang) for v in df["verdict"]],
        t("lab.col.n", lang): df["n"],
    })


def staffing_display(outcome: lab.LabOutcome, lang: str) -> pd.DataFrame:
    df = lab.staffing_table(outcome)
    yes, no = t("common.yes", lang), t("common.no", lang)

    def money(key: str, column: str) -> list[str]:
        # a figure and its unit stay on one line (units.money's no-break space): a narrow
        # column of this wrapping table read "790.8 / 万元" on two lines (qaG's screenshot)
        return [lab.fmt_figure(key, v, lang) for v in df[column]]

    return pd.DataFrame({
        t("lab.col.officers", lang): df["officers"],
        t("lab.col.loss", lang): money("loss_cny", "loss_cny"),
        t("lab.col.compliance", lang): [lab.fmt_figure("policy_compliance", v, lang)
                                        for v in df["compliance"]],
        t("lab.col.net_value", lang): money("net_value_cny", "net_value_cny"),
        t("lab.col.staff_cost", lang): money("staff_cost_cny", "staff_cost_cny"),
        t("lab.col.net_after_staff", lang): money("net_after_staff_cny", "net_after_staff_cny"),
        t("lab.col.gain", lang): [_gain_text(r, lang) for r in
                                  df[["gain_cny", "gain_lo", "gain_hi"]].to_dict("records")],
        t("lab.col.pays", lang): [_pays(r, yes, no, lang) for r in df.to_dict("records")],
    })


def _gain_text(row: dict, lang: str) -> str:
    """An added officer's gain with its 95% interval: "1.2 万元（0.3 至 2.1 万元）"."""
    text = lab.fmt_figure("gain_cny", row["gain_cny"], lang)
    if row["gain_lo"] != row["gain_lo"]:  # NaN: the first count has no step before it
        return text
    rng = _interval("gain_cny", {"lo": row["gain_lo"], "hi": row["gain_hi"]}, lang)
    return f"{text}（{rng}）" if lang == "zh" else f"{text} ({rng})"


def _pays(row: dict, yes: str, no: str, lang: str) -> str:
    """Whether the added officer paid for itself, and how sure: clear when the gain's whole
    interval is on one side of the officer's cost, else within noise."""
    if row["pays"] is None:
        return ""
    clear = row["gain_lo"] > row["step_cost_cny"] or row["gain_hi"] < row["step_cost_cny"]
    how = t("lab.report.pays_clear" if clear else "lab.verdict_word.within_noise", lang)
    word = yes if row["pays"] else no
    # with what the gain is weighed against: a gain of 101.4k that "does not pay" puzzled
    # without the added officer's cost over the case beside it (in the cell: a column of
    # its own pushed this one past the page's edge at 1,024 px in Chinese)
    return t("lab.report.pays_cell", lang, word=word, how=how,
             cost=lab.fmt_figure("gain_cny", row["step_cost_cny"], lang))


def stop_paying_text(outcome: lab.LabOutcome, lang: str) -> str:
    table = lab.staffing_table(outcome)
    if table.empty:
        return t("lab.report.staffing_none", lang)
    n = lab.stop_paying_point(table)
    cost = t("lab.report.officer_cost", lang,
             hours=f"{outcome.request.scenario.staff.hours_per_officer_month:g}",
             cost=units.money_as_typed(outcome.request.officer_cost_cny_per_month, lang))
    strategy = lab.strategy_label(table["strategy"].iloc[0], lang, _titles(outcome))
    # a step that did not pay can come before steps that did (noisy gains on few futures):
    # then a larger team gives more net value after staff cost, and the text says so
    after = table.set_index("officers")["net_after_staff_cny"]
    best = int(after.idxmax())
    later = best > n and after[best] > after[n]
    if n == int(table["officers"].iloc[-1]):
        money = t("lab.report.stop_paying_never", lang, strategy=strategy, cost=cost)
    elif n == int(table["officers"].iloc[0]) and n > 1 and not later:  # range starts too high
        money = t("lab.report.stop_paying_first", lang, strategy=strategy, n=n, cost=cost)
    else:
        money = t("lab.report.stop_paying", lang, strategy=strategy, n=n,
                  officers=_officers(n, lang), cost=cost)
    if later:
        money += ("" if lang == "zh" else " ") + t(
            "lab.report.later_pays", lang, best=best, officers=_officers(best, lang), n=n,
            gap=lab.fmt_figure("net_value_cny", after[best] - after[n], lang))
    more = keeps_up_text(table, lang)
    return money + ("" if not more else more if lang == "zh" else " " + more)


REFUSED_NOTE_AT = 1.0
"""Actions refused for lack of hours, on average a future, from which the lab says so."""


def refused_text(outcome: lab.LabOutcome, lang: str) -> str | None:
    """Which strategies decided actions the hours could not carry (a rule table whose
    checks take the month's hours first), with how many a future; None when none did."""
    df = lab.strategy_table(outcome.study, ("refused_for_hours",))
    hit = df[df["mean"] >= REFUSED_NOTE_AT]
    if hit.empty:
        return None
    sep = "；" if lang == "zh" else "; "
    items = sep.join(t("lab.report.refused_item", lang, strategy=lab.strategy_label(r["strategy"], lang, _titles(outcome)),
                       n=lab.fmt_figure("refused_for_hours", r["mean"], lang))
                     for r in hit.to_dict("records"))
    return t("lab.report.refused", lang, items=items)


def index_note(outcome: lab.LabOutcome, lang: str) -> str | None:
    """What an index above 100% means, when a strategy's (or its interval's top) is: not a
    slip but a strategy that lost less than the oracle on these futures, said in plain
    words, with the figures as they are (never cut to 100%). None when no index is."""
    res = outcome.study
    df = lab.strategy_table(res, ("index",))
    df = df[df["strategy"] != lab.ORACLE]
    items = []
    for r in df.to_dict("records"):
        name = lab.strategy_label(r["strategy"], lang, _titles(outcome))
        if r["mean"] > 1:
            items.append(t("lab.report.index_over_mean", lang, strategy=name,
                           value=lab.fmt_figure("index", r["mean"], lang)))
        elif r["hi"] > 1:
            items.append(t("lab.report.index_over_hi", lang, strategy=name,
                           value=lab.fmt_figure("index", r["hi"], lang)))
    if not items:
        return None
    sep = "；" if lang == "zh" else "; "
    return t("lab.report.index_over", lang, items=sep.join(items), n=f"{res.spec.reps:,}")


def keeps_up_text(table, lang: str) -> str:
    """From how many officers the checks keep up with the case's own policy (the bank's
    rules), which the money alone does not say; empty when that policy asks no check."""
    last = table.iloc[-1]
    if last["compliance"] != last["compliance"]:  # NaN: the policy held no loan to a check
        return ""
    share = fmt_pct(lab.KEEPS_UP_SHARE, 0)
    k = lab.keeps_up_from(table)
    if k is None:
        n = int(last["officers"])
        return t("lab.report.keeps_up_never", lang, share=share, n=n, officers=_officers(n, lang),
                 reached=lab.fmt_figure("policy_compliance", last["compliance"], lang))
    return t("lab.report.keeps_up", lang, share=share, n=k, officers=_officers(k, lang))


def _officers(n: int, lang: str) -> str:
    """'officer' or 'officers' after a count (Chinese has one form)."""
    return t("lab.report.officer_one" if n == 1 else "lab.report.officer_many", lang)


def verdict_lines(outcome: lab.LabOutcome, lang: str) -> list[tuple[str, str]]:
    """(verdict, sentence) for each asked-for strategy and key figure against the champion."""
    df = lab.paired_table(outcome.study)
    df = df[~df["reference"]]
    return [(r["verdict"], lab.verdict_text(r, lang, _titles(outcome)))
            for r in df.to_dict("records")]


CHART_ORDER = ("loss", "frontier", "npl_fan", "provisions_fan", "staffing")
"""The charts in the order the lab page draws them."""


def download_name(request: lab.LabRequest) -> str:
    """The file name the app gives a report it downloads."""
    return f"bianque-lab-{request.scenario.id}.html"


def report_html(outcome: lab.LabOutcome, lang: str = "zh", command: str | None = None,
                file_name: str | None = None) -> str:
    """The whole report as one HTML string (about 1 MB, most of it the chart libraries).
    ``file_name``: what the report will be called (default: the app's download name), for
    the command that runs it again."""
    req = outcome.request
    e = html.escape
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    inputs = inputs_json(req, command)
    champion = lab.strategy_label(req.strategies[0].label, lang, _titles(outcome))
    with alt.data_transformers.disable_max_rows():
        specs = {k: c.to_dict() for k, c in all_charts(outcome, lang).items()}
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{e(t('lab.report.title', lang, case=req.scenario.title.get(lang)))}</title>",
        f"<style>{_CSS}</style>{KEEP_WORDS_STYLE.format(scope='')}<script>{vega_bundle()}</script></head><body>",
        f"<h1>{e(t('lab.report.title', lang, case=req.scenario.title.get(lang)))}</h1>",
        f"<p>{e(t('lab.report.generated', lang, when=when, version=inputs['versions']['bianque']))}</p>",
        f"<h2>{e(t('lab.report.summary', lang))}</h2>",
        f"<p class='headline'>{e(lab.headline(outcome.study, lang))}</p><ul>",
        *[f"<li class='{e(v)}'>{e(text)}</li>" for v, text in verdict_lines(outcome, lang)],
        "</ul>",
        f"<h2>{e(t('lab.report.strategies', lang))}</h2>",
        _table(strategies_display(outcome, lang)),
        f"<p>{e(t('lab.report.reference_note', lang))}</p>",
        *([f"<p class='note'>{e(note)}</p>"] if (note := index_note(outcome, lang)) else []),
        f"<p>{e(t('lab.report.hours_note', lang))}</p>",
        *([f"<p class='worse'>{e(note)}</p>"] if (note := refused_text(outcome, lang)) else []),
        f"<h2>{e(t('lab.report.paired', lang, champion=champion))}</h2>",
        f"<p>{e(t('lab.report.paired_note', lang))}</p>",
        _table(paired_display(outcome, lang)),
        f"<h2>{e(t('lab.report.staffing', lang))}</h2>",
        f"<p>{e(stop_paying_text(outcome, lang))}</p>",
    ]
    if outcome.sweep:
        parts.append(_table(staffing_display(outcome, lang)))
    parts.append(f"<h2>{e(t('lab.report.charts', lang))}</h2>")
    # in the page's order: the loss distribution, the frontier, the two fans, staffing
    specs = {k: specs[k] for k in sorted(specs, key=lambda k: (
        CHART_ORDER.index(k) if k in CHART_ORDER else len(CHART_ORDER), k))}
    for name in specs:
        parts.append(f"<div class='chart' id='chart-{name}'></div>")
        if name == "provisions_fan":
            parts.append(f"<p>{e(t('chart.runoff_note', lang))}</p>")
    embeds = "".join(
        f"vegaEmbed('#chart-{name}', {json.dumps(spec, ensure_ascii=False)}, "
        "{actions:false, renderer:'svg'});" for name, spec in specs.items())
    parts.append("<script>" + embeds.replace("</", "<\\/") + "</script>")
    parts += [
        f"<h2>{e(t('lab.report.inputs', lang))}</h2>",
        # the command that made it (a study run in the app has none: no empty heading)
        *([f"<h3>{e(t('lab.report.command', lang))}</h3>", f"<pre>{e(command)}</pre>"]
          if command else []),
        # "Or run..." follows the command; a report made in the app has only this way
        f"<p>{e(t('lab.report.replay' if command else 'lab.report.replay_only', lang))}</p>"
        "<pre>bianque compare "
        f"{e(shlex.quote(file_name or download_name(req)))} --json</pre>",
        f"<p>{e(t('lab.report.seeds', lang, seed=req.seed))}</p>",
        f"<h3>{e(t('lab.report.versions', lang))}</h3>",
        _table(pd.DataFrame(list(inputs["versions"].items()),
                            columns=[t("lab.report.package", lang), t("lab.report.version", lang)])),
    ]
    for s in req.strategies:
        if s.rules is not None:
            text = yaml.safe_dump(s.rules.model_dump(mode="json"), allow_unicode=True,
                                  sort_keys=False)
            parts.append(f"<details><summary>{e(t('lab.report.rule_table', lang, name=s.label))}"
                         f"</summary><pre>{e(text)}</pre></details>")
    case_yaml = yaml.safe_dump(inputs["scenario"], allow_unicode=True, sort_keys=False)
    parts += [
        f"<details><summary>{e(t('lab.report.case_file', lang, hash=inputs['content_hash']))}"
        f"</summary><pre>{e(case_yaml)}</pre></details>",
        _json_script(INPUTS_ID, inputs),
        _json_script(FIGURES_ID, lab.figures_json(outcome)),
        "</body></html>",
    ]
    return "\n".join(parts)
