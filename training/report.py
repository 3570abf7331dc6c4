"""What the desk and the debrief show, as plain frames, and the debrief as an HTML report.

The pages draw; this module shapes: key figures, the five-category mix, the
filtered loan table, the comparison with the reference strategies. Every frame
returned for display has its column headers in the requested language.
``debrief_html`` renders a self-contained report (inline CSS and SVG, no
external assets) that a trainee can download and share.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from sim.scenario import CLASS_KEYS
from training.i18n import cls_name, fmt_cny, fmt_hours, fmt_pct, t, term

STRATEGIES = ("you", "late-collection", "early-warning", "oracle")
STRATEGY_COLOURS = {
    "you": "#c0392b", "late-collection": "#7f8c8d", "early-warning": "#2980b9", "oracle": "#27ae60",
}
CLASS_COLOURS = ("#4caf50", "#ffc107", "#ff9800", "#e65100", "#6d1b1b")
LIVE_STATUSES = ("active",)


def _col(name: str, lang: str | None) -> str:
    """A column header: the catalogue entry ``col.<name>``, or the name when there is none."""
    key = f"col.{name}"
    text = t(key, lang)
    return name if text == key else text


def _per_value(series: pd.Series, fn: Any) -> pd.Series:
    """``series.map(fn)``, calling ``fn`` once per distinct value (tables repeat a few values)."""
    uniq = pd.unique(series)
    return series.map(dict(zip(uniq, [fn(v) for v in uniq], strict=True)))


def _rename(df: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    return df.rename(columns={c: _col(str(c), lang) for c in df.columns})


def _pick_lang(df: pd.DataFrame, lang: str | None, out: str = "text") -> pd.DataFrame:
    """Replace the zh/en column pair of an engine frame with one column in ``lang``."""
    lang = lang or "zh"
    if "zh" in df.columns and "en" in df.columns:
        df = df.assign(**{out: df[lang]}).drop(columns=["zh", "en"])
    for suffix in ("zh", "en"):
        pairs = [c for c in df.columns if c.endswith(f"_{suffix}")]
        for c in pairs:
            base = c[: -len(suffix) - 1]
            if f"{base}_{lang}" in df.columns:
                df = df.assign(**{base: df[f"{base}_{lang}"]})
            df = df.drop(columns=[c])
    return df


NAME_FIELDS = ("company", "legal_rep")


def localise_names(data: Any, lang: str | None) -> Any:
    """A copy of an engine frame, row or mapping with borrower names in ``lang``.

    The engine gives every name twice: ``company`` (Chinese) and ``company_en``, likewise
    ``legal_rep``/``legal_rep_en``. In English the ``*_en`` value replaces the plain one;
    either way the ``*_en`` field is dropped, so calling this twice changes nothing.
    """
    if data is None:
        return data
    use_en = lang == "en"
    if isinstance(data, pd.DataFrame | pd.Series):
        keys = data.columns if isinstance(data, pd.DataFrame) else data.index
        out = data.copy()
        for f in NAME_FIELDS:
            if f"{f}_en" in keys:
                if use_en:
                    out[f] = out[f"{f}_en"]
                out = out.drop(columns=[f"{f}_en"]) if isinstance(out, pd.DataFrame) else out.drop(f"{f}_en")
        return out
    en = {f"{f}_en" for f in NAME_FIELDS}
    return {k: (data.get(f"{k}_en", v) if use_en and k in NAME_FIELDS else v)
            for k, v in data.items() if k not in en}


# --- briefing ------------------------------------------------------------------------
@dataclass(frozen=True)
class PortfolioGlance:
    loans: int
    outstanding_cny: float
    segments: pd.DataFrame


def portfolio_glance(loans: pd.DataFrame, scenario: Any, lang: str) -> PortfolioGlance:
    """Loans and balance per segment at the start, with the segment's story name."""
    names = {s.id: s.name.get(lang) for s in scenario.segments}
    by_seg = (
        loans.groupby("segment", sort=False)
        .agg(loans=("loan_id", "size"), balance_cny=("balance_cny", "sum"),
             rate_annual=("rate_annual", "mean"), term_months=("term_months", "median"))
        .reset_index()
    )
    products = {s.id: s.product for s in scenario.segments}
    by_seg["product"] = by_seg["segment"].map(lambda s: term("product", products.get(s, ""), lang))
    by_seg["segment"] = by_seg["segment"].map(lambda s: names.get(s, s))
    by_seg["balance_cny"] = by_seg["balance_cny"].map(lambda v: fmt_cny(v, lang))
    by_seg["rate_annual"] = by_seg["rate_annual"].map(lambda v: fmt_pct(v))
    by_seg = by_seg[["segment", "product", "loans", "balance_cny", "rate_annual", "term_months"]]
    return PortfolioGlance(int(len(loans)), float(loans["balance_cny"].sum()), _rename(by_seg, lang))


# --- desk: key figures and charts ------------------------------------------------------------
@dataclass(frozen=True)
class KeyFigures:
    month: int  # the month being played, 1-based
    horizon: int
    outstanding_cny: float
    npl_ratio: float
    provisions_cny: float
    hours_available: float
    hours_planned: float
    npl_delta: float | None = None

    @property
    def hours_left(self) -> float:
        return self.hours_available - self.hours_planned


def key_figures(game: Any, loans: pd.DataFrame | None = None) -> KeyFigures:
    """The figures at the top of the desk: from the last month's metrics, or the start."""
    metrics = game.metrics()
    loans = game.loans() if loans is None else loans
    live = loans[loans["status"].isin(LIVE_STATUSES)]
    if len(metrics):
        last = metrics.iloc[-1]
        outstanding = float(last["outstanding_cny"])
        npl = float(last["npl_ratio"])
        provisions = float(last["provisions_cny"])
        delta = npl - float(metrics.iloc[-2]["npl_ratio"]) if len(metrics) > 1 else None
    else:
        outstanding = float(live["balance_cny"].sum())
        npl_bal = float(live.loc[live["cls"] >= 2, "balance_cny"].sum())
        npl = npl_bal / outstanding if outstanding else 0.0
        provisions = float("nan")
        delta = None
    return KeyFigures(
        month=min(int(game.month) + 1, int(game.horizon)), horizon=int(game.horizon),
        outstanding_cny=outstanding, npl_ratio=npl, provisions_cny=provisions,
        hours_available=float(game.hours_available), hours_planned=float(game.hours_planned),
        npl_delta=delta,
    )


def class_mix(metrics: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Balance per five-category class per month, long format, classes in their order."""
    cols = [f"bal_{k}" for k in CLASS_KEYS if f"bal_{k}" in metrics.columns]
    if metrics.empty or not cols:
        return pd.DataFrame(columns=["month", "cls", "order", "balance_cny"])
    long = metrics.melt(id_vars=["month"], value_vars=cols, var_name="key", value_name="balance_cny")
    order = {f"bal_{k}": i for i, k in enumerate(CLASS_KEYS)}
    long["order"] = long["key"].map(order)
    long["cls"] = long["order"].map(lambda i: cls_name(int(i), lang))
    return long[["month", "cls", "order", "balance_cny"]]


def npl_and_loss(metrics: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in ("month", "npl_ratio", "cum_loss_cny", "defaults") if c in metrics.columns]
    return metrics[keep].copy()


# --- desk: tables ----------------------------------------------------------------------------
def filter_loans(loans: pd.DataFrame, classes: list[int] | None = None,
                 products: list[str] | None = None, dpd_min: int = 0,
                 alerts_only: bool = False, live_only: bool = True) -> pd.DataFrame:
    """The loan table's rows that match the trainee's filters."""
    mask = pd.Series(True, index=loans.index)
    if live_only:
        mask &= loans["status"].isin(LIVE_STATUSES)
    if classes:
        mask &= loans["cls"].isin(classes)
    if products:
        mask &= loans["product"].isin(products)
    if dpd_min > 0:
        mask &= loans["dpd"] >= dpd_min
    if alerts_only:
        mask &= loans["alerts"] > 0
    out = loans[mask]
    return out.sort_values(["alerts", "dpd", "cls", "balance_cny"], ascending=False)


LOAN_COLUMNS = ("label", "company", "product", "industry", "region", "balance_cny", "dpd", "cls",
                "alerts", "last_check_month", "next_check_month", "ltv", "status")


def loan_table(loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    loans = localise_names(loans, lang)
    df = loans[[c for c in LOAN_COLUMNS if c in loans.columns]].copy()
    df["balance_cny"] = df["balance_cny"].round(0)
    df["cls"] = _per_value(df["cls"], lambda c: cls_name(int(c), lang))
    for c, group in (("product", "product"), ("status", "status"), ("industry", "industry"),
                     ("region", "region")):
        if c in df.columns:
            df[c] = _per_value(df[c], lambda v, g=group: term(g, v, lang))
    for c in ("last_check_month", "next_check_month"):
        if c in df.columns:
            df[c] = _per_value(df[c], lambda m: month_text(m, lang))
    if "ltv" in df.columns:
        df["ltv"] = df["ltv"].map(lambda v: fmt_pct(v, 0) if v and v == v else "—")
    return _rename(df, lang)


def loan_labels(loans: pd.DataFrame, lang: str) -> dict[int, str]:
    """Loan id -> "L0042 · company · class" for pickers."""
    names = [cls_name(i, lang) for i in range(len(CLASS_KEYS))]
    loans = localise_names(loans, lang)
    return {
        int(i): f"{lab} · {co} · {names[int(c)]}"
        for i, lab, co, c in zip(loans["loan_id"], loans["label"], loans["company"], loans["cls"], strict=True)
    }


def kv_table(d: dict, lang: str, segment_names: dict[str, str] | None = None) -> pd.DataFrame:
    """A loan-file mapping (profile, terms, collateral) as a two-column table in ``lang``."""
    rows = []
    for k, v in localise_names(d or {}, lang).items():
        if k.endswith(("_zh", "_en")):  # the engine's own zh/en names; "cls" carries the same
            continue
        if k == "segment" and segment_names:
            v = segment_names.get(v, v)
        rows.append({t("col.item", lang): _col(k, lang), t("col.value", lang): _kv_value(k, v, lang)})
    return pd.DataFrame(rows, columns=[t("col.item", lang), t("col.value", lang)])


_VALUE_GROUPS = {"product": "product", "status": "status", "industry": "industry",
                 "region": "region", "type": "collateral", "collateral_type": "collateral",
                 "repayment": "repayment", "payment_mode": "payment_mode"}


def _kv_value(name: str, v: Any, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if name == "cls":
        return cls_name(int(v), lang)
    if name in _VALUE_GROUPS:
        return term(_VALUE_GROUPS[name], v, lang)
    if isinstance(v, bool):
        return t("common.yes", lang) if v else t("common.no", lang)
    if name in ("ltv", "rate_annual"):
        return fmt_pct(float(v), 2)
    if name.endswith("_month"):
        return month_text(v, lang)
    return _fmt_cell(name, v, lang)


def alerts_table(alerts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The alerts inbox: which borrower, which signal, where it came from, how old."""
    cols = ["label", "company", "signal_text", "group", "source", "month", "age_months"]
    if alerts is None or alerts.empty:
        return _rename(pd.DataFrame(columns=cols), lang)
    df = _pick_lang(localise_names(alerts, lang), lang, out="signal_text")
    df["source"] = _per_value(df["source"], lambda s: term("source", s, lang))
    df["group"] = _per_value(df["group"], lambda g: term("group", g, lang))
    df["month"] = _per_value(df["month"], lambda m: month_text(m, lang))
    return _rename(df[[c for c in cols if c in df.columns]], lang)


def events_table(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    if events is None or events.empty:
        return pd.DataFrame()
    df = _pick_lang(events.copy(), lang, out="event_text")
    localised = "details_zh" if lang == "zh" else "details_en"
    if localised in df.columns:
        df["details"] = df[localised]
    df["month"] = _per_value(df["month"], lambda m: month_text(m, lang))
    keep = [c for c in ("month", "label", "event_text", "details") if c in df.columns]
    return _rename(df[keep], lang)


def month_text(m: Any, lang: str | None = None) -> str:
    """Engine months count from 1 (month 1 is the first month played); 0 is the start."""
    if m is None or m != m or int(m) < 0:
        return "—"
    return t("desk.before_start", lang) if int(m) == 0 else t("desk.month_n", lang, n=int(m))


def frame_for_display(df: pd.DataFrame, lang: str, month_cols: tuple[str, ...] = ("month",),
                      drop: tuple[str, ...] = (), text_as: str = "text") -> pd.DataFrame:
    """An engine frame with zh/en pairs reduced to ``lang``, months named, headers translated."""
    if df is None or df.empty:
        return pd.DataFrame()
    out = _pick_lang(df.drop(columns=[c for c in drop if c in df.columns]), lang, out=text_as)
    for c in month_cols:
        if c in out.columns:
            out[c] = _per_value(out[c], lambda m: month_text(m, lang))
    for c, group in (("cls", None), ("product", "product"), ("status", "status"),
                     ("source", "source"), ("group", "group"), ("industry", "industry"),
                     ("region", "region"), ("collateral_type", "collateral"), ("check_kind", "check")):
        if c in out.columns:
            out[c] = _per_value(out[c], lambda v, g=group: cls_name(int(v), lang) if g is None else term(g, v, lang))
    return _rename(out, lang)


def class_changes_table(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The review meeting's class changes: month, loan and the class it moved to."""
    if changes is None or changes.empty:
        return pd.DataFrame()
    df = pd.DataFrame({
        "month": changes["month"].map(lambda m: month_text(m, lang)),
        "label": changes["label"],
        "to_cls": changes["amount_cny"].map(lambda c: cls_name(int(c), lang)),
    })
    return _rename(df, lang)


# --- debrief ------------------------------------------------------------------------------
def _table_by_strategy(table: pd.DataFrame) -> pd.DataFrame:
    if "strategy" in table.columns:
        table = table.set_index("strategy")
    return table.reindex([s for s in STRATEGIES if s in table.index])


def comparison_table(debrief: Any, lang: str) -> pd.DataFrame:
    """You against late collection, early warning and the oracle, formatted for reading."""
    table = _table_by_strategy(debrief.table)
    rows = []
    for strategy, r in table.iterrows():
        row = {"strategy": t(f"strategy.{strategy}", lang)}
        for c, v in r.items():
            row[c] = _fmt_cell(str(c), v, lang)
        rows.append(row)
    return _rename(pd.DataFrame(rows), lang)


def _fmt_cell(name: str, v: Any, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if name.endswith("_cny"):
        return fmt_cny(float(v), lang)
    if name == "index":
        return index_text(float(v), lang)
    if name in ("saves", "defaults", "missed_warnings"):
        return f"{int(v):d}"
    if name in ("npl_ratio_peak", "compliance", "npl_ratio", "relationship") or name.endswith("share"):
        return fmt_pct(float(v), 1)
    if name == "hours" or name.endswith("_hours"):
        return fmt_hours(float(v))
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def trajectories(debrief: Any, lang: str) -> pd.DataFrame:
    df = debrief.trajectories.copy()
    df["strategy_name"] = df["strategy"].map(lambda s: t(f"strategy.{s}", lang))
    df["month"] = df["month"].astype(int)
    return df


def index_text(index: float | None, lang: str) -> str:
    return "—" if index is None or index != index else f"{index * 100:.0f}%"


def saves_table(debrief: Any, lang: str) -> pd.DataFrame:
    return frame_for_display(localise_names(debrief.saves, lang), lang, month_cols=("default_month_late",))


def missed_table(debrief: Any, lang: str) -> pd.DataFrame:
    df = debrief.missed_warnings
    if df is None or df.empty:
        return pd.DataFrame()
    df = localise_names(df, lang).drop(columns=[c for c in ("loan_id", "signal") if c in df.columns])
    df = df.rename(columns={"zh": "signal_zh", "en": "signal_en"})
    if "via" in df.columns:
        df["via"] = _per_value(df["via"], lambda v: term("source", v, lang))
    return frame_for_display(df, lang, month_cols=("visible_month", "default_month"))


def compliance_table(debrief: Any, lang: str) -> pd.DataFrame:
    df = debrief.compliance
    if df is None or df.empty:
        return pd.DataFrame()
    df = df.copy()
    for c in ("required", "on_time", "done"):
        if c in df.columns:
            df[c] = df[c].fillna(0).round().astype(int)
    if "share" in df.columns:
        df["share"] = df["share"].map(lambda v: fmt_pct(v, 0) if v == v else "—")
    return frame_for_display(df, lang, month_cols=())


_MONEY_SCORES = {"loss", "interest", "cost", "provisions", "loss_late", "loss_oracle", "net_value"}


def score_table(debrief: Any, lang: str) -> pd.DataFrame:
    """The trainee's score components, one per row."""
    rows = []
    for k, v in (getattr(debrief, "score", None) or {}).items():
        if k == "strategy" or isinstance(v, dict | list):
            continue
        text = fmt_cny(float(v), lang) if k in _MONEY_SCORES else _fmt_cell(str(k), v, lang)
        label = _col(f"score_{k}", lang)
        rows.append({t("col.item", lang): _col(k, lang) if label == f"score_{k}" else label,
                     t("col.value", lang): text})
    return pd.DataFrame(rows, columns=[t("col.item", lang), t("col.value", lang)])


# --- the HTML report ------------------------------------------------------------------------------
_CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
 color:#222;max-width:980px;margin:24px auto;padding:0 16px;line-height:1.5}
h1{font-size:1.6em;margin-bottom:0}h2{font-size:1.2em;border-bottom:2px solid #c0392b;padding-bottom:2px;margin-top:1.8em}
.meta{color:#666;font-size:.9em}.index{font-size:3em;font-weight:700;color:#c0392b;margin:.2em 0}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#f6f6f6}
tr:nth-child(even) td{background:#fbfbfb}.charts{display:flex;flex-wrap:wrap;gap:12px}
.note{background:#fff8e1;border-left:4px solid #ffc107;padding:6px 10px;margin:6px 0}
.empty{color:#888;font-style:italic}footer{margin-top:3em;color:#888;font-size:.8em}
"""


def _talk_html(talk: Any, lang: str) -> str:
    e = html.escape
    parts = [f"<h3>{e(t('roleplay.debrief.line', lang, month=talk.month, label=talk.label, title=talk.title))}</h3>"]
    for key, items in (("learned", talk.learned), ("missed", talk.missed),
                       ("broken_rules", talk.breaches), ("terms", talk.terms),
                       ("strong", talk.strong_questions)):
        if items:
            parts.append(f"<p>{e(t(f'roleplay.{key}', lang))}</p><ul>"
                         + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>")
    return "".join(parts)


def _html_table(df: pd.DataFrame, lang: str) -> str:
    if df is None or df.empty:
        return f'<p class="empty">{html.escape(t("debrief.none", lang))}</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def svg_lines(df: pd.DataFrame, y: str, title: str, lang: str, y_fmt: str = "pct",
              width: int = 460, height: int = 240) -> str:
    """A small line chart per strategy as inline SVG (no scripts, no external assets)."""
    left, right, top, bottom = 64, 12, 28, 40
    if df.empty:
        return ""
    xs = df["month"].astype(float)
    x0, x1 = float(xs.min()), float(xs.max()) or 1.0
    y1 = float(df[y].max()) or 1.0
    y1 *= 1.05

    def sx(x: float) -> float:
        return left + (x - x0) / ((x1 - x0) or 1.0) * (width - left - right)

    def sy(v: float) -> float:
        return top + (1 - v / y1) * (height - top - bottom)

    def fmt(v: float) -> str:
        return fmt_pct(v, 1) if y_fmt == "pct" else fmt_cny(v, lang)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for i in range(5):
        v = y1 * i / 4
        yy = sy(v)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{html.escape(fmt(v))}</text>')
    for m in sorted(set(int(v) for v in xs)):
        if (m - int(x0)) % max(1, int((x1 - x0) // 6) or 1) == 0:
            parts.append(f'<text x="{sx(m):.1f}" y="{height - bottom + 14}" font-size="10" '
                         f'text-anchor="middle">{m}</text>')
    parts.append(f'<text x="{(left + width - right) / 2:.0f}" y="{height - 6}" font-size="10" '
                 f'text-anchor="middle">{html.escape(t("col.month", lang))}</text>')
    for strategy in [s for s in STRATEGIES if s in set(df["strategy"])]:
        d = df[df["strategy"] == strategy].sort_values("month")
        pts = " ".join(f"{sx(float(a)):.1f},{sy(float(b)):.1f}" for a, b in zip(d["month"], d[y], strict=True))
        w = 3 if strategy == "you" else 1.6
        parts.append(f'<polyline fill="none" stroke="{STRATEGY_COLOURS[strategy]}" stroke-width="{w}" '
                     f'points="{pts}"/>')
    parts.append("</svg>")
    legend = " · ".join(
        f'<span style="color:{STRATEGY_COLOURS[s]}">■</span> {html.escape(t(f"strategy.{s}", lang))}'
        for s in STRATEGIES if s in set(df["strategy"])
    )
    return f'<figure style="margin:0">{"".join(parts)}<figcaption style="font-size:.8em">{legend}</figcaption></figure>'


def debrief_html(scenario: Any, debrief: Any, lang: str, attempt_id: str = "",
                 lesson_titles: dict[str, str] | None = None,
                 generated: datetime | None = None, talks: list | None = None) -> str:
    """The whole debrief as one self-contained HTML page."""
    generated = generated or datetime.now(UTC)
    e = html.escape
    title = scenario.title.get(lang)
    traj = trajectories(debrief, lang)
    notes = "".join(f'<div class="note">{e(n.get(lang))}</div>' for n in scenario.debrief_notes)
    lesson_titles = lesson_titles or {}
    lessons = "".join(f"<li>{e(lesson_titles.get(i, i))}</li>" for i in scenario.lessons)
    score_rows = score_table(debrief, lang)
    sections = [
        f"<h1>{e(t('report.heading', lang))}: {e(title)}</h1>",
        f'<p class="meta">{e(t("report.meta", lang, attempt=attempt_id, date=generated.strftime("%Y-%m-%d %H:%M UTC"), months=scenario.horizon_months))}</p>',
        f"<h2>{e(t('debrief.index', lang))}</h2>",
        f'<div class="index">{e(index_text(debrief.index, lang))}</div>',
        f"<p>{e(t('debrief.index_help', lang))}</p>",
        f"<h2>{e(t('debrief.comparison', lang))}</h2>",
        _html_table(comparison_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.trajectories', lang))}</h2>",
        '<div class="charts">'
        + svg_lines(traj, "npl_ratio", t("chart.npl_ratio", lang), lang, "pct")
        + svg_lines(traj, "cum_loss_cny", t("chart.cum_loss", lang), lang, "cny")
        + "</div>",
        f"<h2>{e(t('debrief.saves', lang))}</h2>",
        _html_table(saves_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.missed', lang))}</h2>",
        _html_table(missed_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.compliance', lang))}</h2>",
        _html_table(compliance_table(debrief, lang), lang),
    ]
    if not score_rows.empty:
        sections += [f"<h2>{e(t('debrief.score', lang))}</h2>", _html_table(score_rows, lang)]
    if talks:  # training.roleplay.TalkSummary: the meetings held with borrowers
        sections += [f"<h2>{e(t('roleplay.debrief.title', lang))}</h2>"] + [_talk_html(x, lang)
                                                                           for x in talks]
    if notes:
        sections += [f"<h2>{e(t('debrief.notes', lang))}</h2>", notes]
    if lessons:
        sections += [f"<h2>{e(t('debrief.lessons', lang))}</h2>", f"<ul>{lessons}</ul>"]
    sections.append(f"<footer>{e(t('report.footer', lang))}</footer>")
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} — {e(t('report.heading', lang))}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(sections)}</body></html>"
    )
