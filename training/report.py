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

from sim.codes import CLASS_KEYS, ON_BOOKS, STATUS_KEYS
from training import debrief as debrief_rules
from training import units
from training.debrief_detail import same_lines_text
from training.i18n import cls_name, t, term
from training.loss_sources import gap_parts

STRATEGIES = ("you", "late-collection", "early-warning", "oracle")
STRATEGY_COLOURS = {
    "you": "#c0392b", "late-collection": "#7f8c8d", "early-warning": "#2980b9", "oracle": "#27ae60",
}
TRAJECTORY_DASH = {"late-collection": [6, 4], "early-warning": [2, 3]}
"""The references' dash patterns on the debrief's charts, the page's and the report's (the
oracle's line is solid): a line that lies on another still shows through it."""
CLASS_COLOURS = ("#4caf50", "#ffc107", "#ff9800", "#e65100", "#6d1b1b")
LIVE_STATUSES = ("active",)
ON_BOOKS_STATUSES = STATUS_KEYS[:ON_BOOKS + 1]
"""The statuses still on the books ("active", "defaulted"): the loans the desk lists, as
the key figures' outstanding counts them. A defaulted loan stays there until it is worked
out, and its file is where it is held back from the standing order, sued or written off."""


def _col(name: str, lang: str | None, unit: bool = True) -> str:
    """A column header: the catalogue entry ``col.<name>``, or the name when there is none.

    Money columns (``*_cny``) carry the display unit in the header: "余额(万元)" (not
    with ``unit=False``: a label whose value is written with its unit).
    """
    key = f"col.{name}"
    text = t(key, lang)
    text = name if text == key else text
    return units.money_header(text, lang) if unit and name.endswith("_cny") else text


def _money_columns(df: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Numeric ``*_cny`` columns in the display unit (the header says which, see ``_col``)."""
    cols = [c for c in df.columns if str(c).endswith("_cny") and pd.api.types.is_numeric_dtype(df[c])]
    if not cols:
        return df
    return df.assign(**{c: df[c].map(lambda v: units.in_unit(v, lang)) for c in cols})


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
    by_seg["balance_cny"] = by_seg["balance_cny"].map(lambda v: units.in_unit(v, lang))
    by_seg["rate_annual"] = by_seg["rate_annual"].map(lambda v: units.pct(v))
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


def opening_provisions(scenario: Any, live: pd.DataFrame) -> float:
    """Provisions on the book before the first month: each live loan's balance times its
    class's rate, as each month's figure is worked out (sim.recorder)."""
    from sim.classification import provision_rates

    rates = provision_rates(scenario.provision_rates)
    by_cls = live.groupby("cls")["balance_cny"].sum()
    return float(sum(rates[int(c)] * b for c, b in by_cls.items()))


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
        provisions = opening_provisions(game.scenario, live)
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
    long["balance_cny"] = long["balance_cny"].map(lambda v: units.in_unit(v, lang))
    return long[["month", "cls", "order", "balance_cny"]]


def npl_and_loss(metrics: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """NPL ratio and the defaulted balance not yet recovered (in the money unit), per month.

    During play the final loss of a defaulted loan is not known yet (its workout is
    still running), so the desk shows what is in default and not yet recovered; it
    falls as collateral is sold. The debrief shows the final loss (``cumulative_loss``).
    """
    keep = [c for c in ("month", "npl_ratio", "cum_loss_cny", "defaults") if c in metrics.columns]
    out = metrics[keep].copy()
    if "cum_loss_cny" in out.columns:
        out["cum_loss_cny"] = out["cum_loss_cny"].map(lambda v: units.in_unit(v, lang))
    return out.rename(columns={"cum_loss_cny": "in_default_cny"})


def column_title(name: str, lang: str | None = None) -> str:
    """The header or axis title of an engine column in ``lang``, money columns with their unit."""
    return _col(name, lang)


# --- desk: tables ----------------------------------------------------------------------------
def filter_loans(loans: pd.DataFrame, classes: list[int] | None = None,
                 products: list[str] | None = None, dpd_min: int = 0,
                 alerts_only: bool = False, live_only: bool = True) -> pd.DataFrame:
    """The loan table's rows that match the trainee's filters (``live_only``: the loans
    on the books, defaulted ones included; not those repaid, written off or sold)."""
    mask = pd.Series(True, index=loans.index)
    if live_only:
        mask &= loans["status"].isin(ON_BOOKS_STATUSES)
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


LOAN_COLUMNS = ("label", "company", "balance_cny", "dpd", "cls", "alerts", "next_check_month",
                "last_check_month", "ltv", "product", "industry", "region", "status")
"""The loan table's columns, what a trainee triages on first: in English the borrower's
name takes much of the width, and with product, industry and region ahead of them the
class and the alerts sat past the table's right edge at 1400 px (sideways scrolling)."""


def loan_table(loans: pd.DataFrame, lang: str) -> pd.DataFrame:
    loans = localise_names(loans, lang)
    df = loans[[c for c in LOAN_COLUMNS if c in loans.columns]].copy()
    df = _money_columns(df, lang)
    df["cls"] = _per_value(df["cls"], lambda c: cls_name(int(c), lang))
    for c, group in (("product", "product"), ("status", "status"), ("industry", "industry"),
                     ("region", "region")):
        if c in df.columns:
            df[c] = _per_value(df[c], lambda v, g=group: term(g, v, lang))
    for c in ("last_check_month", "next_check_month"):
        if c in df.columns:
            df[c] = _per_value(df[c], lambda m: month_text(m, lang))
    if "ltv" in df.columns:
        df["ltv"] = df["ltv"].map(lambda v: units.pct(v, 0) if v and v == v else "—")
    return _rename(df, lang)


@dataclass(frozen=True)
class GridColumn:
    """How a data grid shows one of its columns (``app_pages.common.grid_config`` makes it
    Streamlit's column config): a width in px or a preset, pinned (in view while the grid
    scrolls sideways), a shorter heading than the frame's column name, words on hover."""
    width: int | str | None = None
    pinned: bool = False
    label: str | None = None
    help: str | None = None


SHORT_HEADINGS = ("dpd", "alerts")
"""The loan table's columns whose heading is long for a figure of two or three digits
("Alerts (3 months)" above "3"): shown short (``col_short.*``), their full words on hover."""


def loan_table_columns(lang: str) -> dict[str, GridColumn]:
    """How the grid shows ``loan_table``: its 13 columns scroll sideways at 1,024 and 1,280 px,
    so the loan's label is pinned (scrolled right, a trainee lost which loan a row was), and
    the long headings read short."""
    out = {_col("label", lang): GridColumn(pinned=True)}
    for name in SHORT_HEADINGS:
        out[_col(name, lang)] = GridColumn(label=t(f"col_short.{name}", lang),
                                           help=t(f"col_help.{name}", lang))
    return out


def loan_labels(loans: pd.DataFrame, lang: str) -> dict[int, str]:
    """Loan id -> "L0042 · company" for pickers.

    Nothing in the label changes from month to month: the browser matches a picker's
    choice by its label, so a label that changed (a class in it, say) closed the loan
    file the trainee had open when the month ended. The file's header shows the class."""
    loans = localise_names(loans, lang)
    return {int(i): f"{lab} · {co}"
            for i, lab, co in zip(loans["loan_id"], loans["label"], loans["company"], strict=True)}


def kv_table(d: dict, lang: str, segment_names: dict[str, str] | None = None) -> pd.DataFrame:
    """A loan-file mapping (profile, terms, collateral) as a two-column table in ``lang``."""
    rows = []
    for k, v in localise_names(d or {}, lang).items():
        if k.endswith(("_zh", "_en")):  # the engine's own zh/en names; "cls" carries the same
            continue
        if k == "segment" and segment_names:
            v = segment_names.get(v, v)
        # the value is written with its unit ("600.0 万元"): the label does not repeat it
        rows.append({t("col.item", lang): _col(k, lang, unit=False),
                     t("col.value", lang): _kv_value(k, v, lang)})
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
        return units.pct(float(v), 2)
    if name.endswith("_month"):
        return month_text(v, lang)
    return _fmt_cell(name, v, lang)


def visible_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts an officer can have seen by now: none dated after the month being played.

    ``age_months`` is months played minus the alert's month; a negative age is a
    signal of a month not played yet, which the desk must not show.
    """
    if alerts is None or alerts.empty or "age_months" not in alerts.columns:
        return alerts
    return alerts[alerts["age_months"] >= 0]


def alerts_table(alerts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The alerts inbox: which borrower, its exposure and class now, which signal, where it
    came from, how old."""
    cols = ["label", "company", "balance_cny", "cls", "signal_text", "group", "source", "month",
            "age_months"]
    alerts = visible_alerts(alerts)
    if alerts is None or alerts.empty:
        return _rename(pd.DataFrame(columns=cols), lang)
    df = _money_columns(_pick_lang(localise_names(alerts, lang), lang, out="signal_text"), lang)
    if "cls" in df.columns:
        df["cls"] = _per_value(df["cls"], lambda c: cls_name(int(c), lang))
    df["source"] = _per_value(df["source"], lambda s: term("source", s, lang))
    df["group"] = _per_value(df["group"], lambda g: term("group", g, lang))
    df["month"] = _per_value(df["month"], lambda m: month_text(m, lang))
    return _rename(df[[c for c in cols if c in df.columns]], lang)


def lpr_path(scenario: Any) -> dict[int, dict[str, float]]:
    """The LPRs in force after each month with an LPR change, replayed from the case.

    Same rule as the engine's macro timeline: changes in month order, a change in
    month 0 takes effect in month 1, and a rate never goes below zero.
    """
    rates = {"lpr_1y": float(scenario.lpr_1y), "lpr_5y": float(scenario.lpr_5y)}
    out: dict[int, dict[str, float]] = {}
    for ev in sorted((e for e in scenario.macro if e.type == "lpr_change"), key=lambda e: e.month):
        for k in (("lpr_1y", "lpr_5y") if ev.base == "both" else (ev.base,)):
            rates[k] = max(0.0, rates[k] + ev.delta_bp / 10_000)
        out[max(int(ev.month), 1)] = dict(rates)
    return out


def _macro_details(row: pd.Series, lang: str, scenario: Any) -> str | None:
    """Readable details of a book-wide event: the new LPRs, the segments a shock hits."""
    event, details = row.get("event"), str(row.get("details") or "")
    if event == "lpr_change":
        rates = lpr_path(scenario).get(int(row["month"]), {}) if scenario is not None else {}
        parts = []
        for k in [k for k in details.split(",") if k]:
            rate = units.pct(rates[k], 2) if k in rates else "—"
            parts.append(t("lpr.change", lang, base=t(f"lpr.{k}", lang),
                           delta=int(round(float(row.get("amount_cny") or 0))), rate=rate))
        return ("；" if lang == "zh" else "; ").join(parts) or None
    if event in ("policy_shock", "recession") and details and scenario is not None:
        names = {sg.id: sg.name.get(lang) for sg in scenario.segments}
        return t("shock.segments", lang, segments=("、" if lang == "zh" else ", ").join(
            names.get(k, k) for k in details.split(",")))
    return None


def events_table(events: pd.DataFrame, lang: str, scenario: Any = None) -> pd.DataFrame:
    """A month's events: when, which loan (and borrower), what happened and its result, in
    ``lang``.

    With the case given, LPR changes show the rates now in force and shocks the
    segments they hit, instead of the engine's ids.
    """
    if events is None or events.empty:
        return pd.DataFrame()
    return _rename(_events_frame(events, lang, scenario), lang)


NEWS_EVENTS = ("lpr_change", "policy_shock", "recession", "disaster")
"""Book-wide events that are news to read in full; so is every named borrower's scripted
event (``scripted_<kind>``)."""


def month_news(events: pd.DataFrame, lang: str, scenario: Any = None) -> list[str]:
    """The month's news with its whole text ("L0002 · 台州兴越纺织 · 重大事项：一家染料供应商…"):
    in the events table the text sat in the last column and was cut at its edge."""
    if events is None or events.empty or "event" not in events.columns:
        return []
    codes = events["event"].astype(str)
    news = codes.isin(NEWS_EVENTS) | codes.str.startswith("scripted")
    return [line for line, has_details in _event_lines(events[news], lang, scenario)
            if has_details]


def loan_story(events: pd.DataFrame, loan_ids: list[int], lang: str,
               scenario: Any = None) -> list[str]:
    """One month's events on the loans ``loan_ids`` (those a trainee acted on), loan by loan
    in that order, each as a line ("**L0001 · 台州明泰模具 · 判断分类**: 看到预警信号"): the
    month's story of those loans, which the events table buried among the month's
    repricings and missed payments."""
    if events is None or events.empty or "loan_id" not in events.columns:
        return []
    order = {int(i): n for n, i in enumerate(loan_ids)}
    mine = events[events["loan_id"].isin(list(order))]
    place = mine["loan_id"].map(lambda i: order[int(i)])
    mine = mine.iloc[place.to_numpy().argsort(kind="stable")]  # by loan, each in log order
    return [line for line, _ in _event_lines(mine, lang, scenario)]


def _event_lines(events: pd.DataFrame, lang: str, scenario: Any) -> list[tuple[str, bool]]:
    """Each event as a line: who, what, and its details where it has some (and whether)."""
    if events.empty:
        return []
    out = []
    for row in _events_frame(events, lang, scenario).to_dict("records"):
        details = str(row.get("details") or "").strip()
        who = [str(row[c]) for c in ("label", "company") if str(row.get(c) or "") not in ("", "nan")]
        head = _md_escape(" · ".join([*who, str(row["event_text"])]))
        if details and details != "nan":
            out.append((t("desk.news_line", lang, who=head, details=_md_escape(details)), True))
        else:
            out.append((f"**{head}**", False))
    return out


def _md_escape(text: str) -> str:
    """Text shown as Markdown exactly as written: "$" would start a formula, "*" emphasis."""
    return "".join("\\" + c if c in "\\`*_[]<>$~#|" else c for c in text)


def _events_frame(events: pd.DataFrame, lang: str, scenario: Any = None) -> pd.DataFrame:
    """events_table's rows, one for each event in order, under the engine's column names."""
    df = _pick_lang(localise_names(events, lang), lang, out="event_text")
    localised = "details_zh" if lang == "zh" else "details_en"
    if localised in df.columns:
        df["details"] = df[localised]
    if "event" in df.columns:
        macro = df["event"].isin(("lpr_change", "policy_shock", "recession"))
        if macro.any():
            df.loc[macro, "details"] = [_macro_details(r, lang, scenario) or ""
                                        for _, r in events.loc[macro].iterrows()]
    df["month"] = _per_value(df["month"], lambda m: month_text(m, lang))
    keep = [c for c in ("month", "label", "company", "event_text", "details") if c in df.columns]
    return df[keep]


GRID_PX_NARROW = 6.5
"""About how wide a Latin letter or digit is in a Streamlit grid cell (14 px Source Sans:
31 letters of a borrower's name took about 160 px on the dashboard at 1280 px), with a
margin."""
GRID_PX_WIDE = 14.0
"""A full-width (Chinese) character in the same cell: the font's size."""
GRID_CELL_PAD_PX = 20
"""A grid cell's padding, both sides, and a margin."""


def text_px(texts: Any, least_px: int = 60) -> int:
    """The width (px) a grid column needs to show the longest of ``texts`` whole (pass
    its heading among them). A column left at a preset width cut a long English
    borrower's name ("...Industry & Trad")."""
    import unicodedata

    def px(s: str) -> float:
        return sum(GRID_PX_WIDE if unicodedata.east_asian_width(ch) in "WF" else GRID_PX_NARROW
                   for ch in s)

    longest = max((px(str(x)) for x in texts), default=0.0)
    return max(least_px, math.ceil(longest) + GRID_CELL_PAD_PX)


EVENTS_FIT_PX = 780
"""The room an events table has at 1,280 px with the sidebar open (818 px on the replay,
784 in the desk's month report): its columns add up to it, so it does not scroll there."""
EVENTS_COMPANY_MOST_PX = 270
"""The most an events table gives a borrower's name: most English names fit ("Ningbo
Chuang'ai Wholesale Trading Firm", 39 letters); "Jiaxing Kekang Department Store Business
Department" took 330 px and pushed the details past the edge (whole on hover)."""
EVENTS_DETAILS_LEAST_PX = 200
"""The least the details get (a scripted event's note, the case author's words)."""


def events_columns(table: pd.DataFrame, lang: str) -> dict[str, GridColumn]:
    """How the grid shows an ``events_table``: the month, the loan and the event as wide as
    they need, the loan pinned, the borrower up to EVENTS_COMPANY_MOST_PX and the details
    the rest of EVENTS_FIT_PX. With the details at a "large" 400 px and the rest left to
    themselves the table ran past the page's edge at 1,280 px (884 px in 818)."""
    widths = {c: text_px([c, *table[c].astype(str)]) for c in table.columns}
    company, details = _col("company", lang), _col("details", lang)
    if company in widths:
        widths[company] = min(widths[company], EVENTS_COMPANY_MOST_PX)
    if details in widths:
        others = sum(w for c, w in widths.items() if c != details)
        widths[details] = max(EVENTS_DETAILS_LEAST_PX, EVENTS_FIT_PX - others)
    label = _col("label", lang)
    return {c: GridColumn(width=w, pinned=c == label) for c, w in widths.items()}


def closer_monitoring_note(game: Any, loan_id: int, lang: str) -> str | None:
    """On a loan already under closer monitoring, the action's card says until when: its
    Queue button stays on (queueing it again starts the months afresh), and a trainee read
    "takes 6 months" and an enabled button as "not under closer monitoring". None when the
    loan is not under it in the month being played."""
    until = int(game.sim.closer_until[int(loan_id)])
    if until < game.playing_month:
        return None
    months = int(game.sim.catalogue["closer_monitoring"].duration_months)
    return t("actions.closer_active", lang, until=month_text(until, lang),
             months=units.months(months, lang))


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
    out = _money_columns(out, lang)
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
    """The review meeting's class changes: month, loan, the class it moved from and the
    class it moved to (training.desk.class_before)."""
    if changes is None or changes.empty:
        return pd.DataFrame()
    df = pd.DataFrame({
        "month": changes["month"].map(lambda m: month_text(m, lang)),
        "label": changes["label"],
        "from_cls": changes["cls_before"].map(lambda c: cls_name(int(c), lang)),
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
    # check quality is said in words under the compliance table (check_quality_note)
    table = table.drop(columns=["check_quality"], errors="ignore")
    # a column of hours reads alike: all with a decimal when one has a half hour
    # ("4,146.5 h" above "4,311 h" read as figures of different precision)
    halves = {str(c) for c in table.columns if _is_hours(str(c)) and any(
        round(float(v), 1) % 1 for v in table[c] if v is not None and v == v)}
    for strategy, r in table.iterrows():
        row = {"strategy": t(f"strategy.{strategy}", lang)}
        for c, v in r.items():
            row[c] = (units.hours(float(v), lang, decimal=True) if str(c) in halves and v == v
                      else _fmt_cell(str(c), v, lang, unit_in_header=True))
        rows.append(row)
    return _rename(pd.DataFrame(rows), lang)


def _is_hours(name: str) -> bool:
    return name == "hours" or name.endswith("_hours")


def _fmt_cell(name: str, v: Any, lang: str, unit_in_header: bool = False) -> str:
    """One value as text; money with its unit, or as a bare number when the header names it."""
    if name == "compliance" and (v is None or (isinstance(v, float) and math.isnan(v))):
        return t("units.na", lang)  # no check was required: nothing to comply with
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if name.endswith("_cny"):
        # the figure rounded once, as money() rounds it in the sentences beside the table
        # (in_unit's decimal first, then whole units, read 196,479.5 as "196,480")
        return units.number(float(v) / units.money_unit(lang).scale_cny) if unit_in_header \
            else units.money(float(v), lang)
    if name == "index":
        return index_text(float(v), lang)
    if name in ("saves", "defaults", "missed_warnings"):
        return f"{int(v):d}"
    if name in ("npl_ratio_peak", "compliance", "policy_compliance", "npl_ratio", "relationship") \
            or name.endswith("share"):
        return units.pct(float(v), 1)
    if _is_hours(name):
        return units.hours(float(v), lang)
    if isinstance(v, float):
        return f"{v:,.2f}"
    return str(v)


def cumulative_loss(loans: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Credit loss booked by month: each loan's final loss in the month it defaulted.

    ``loans`` is a run's per-loan outcome (``default_month``, ``loss_cny``: final,
    discounted, net of recoveries). A loan that did not default but carries an
    expected loss at the horizon (late at the end) books it in the last month. So
    the series only rises where losses do not turn into gains, and its last value is
    exactly the run's loss in the comparison table.
    """
    month = loans["default_month"].where(loans["default_month"] >= 0, horizon).clip(1, horizon)
    per_month = loans["loss_cny"].groupby(month.astype(int)).sum()
    per_month = per_month.reindex(range(1, horizon + 1), fill_value=0.0)
    return pd.DataFrame({"month": per_month.index.astype(int), "cum_loss_cny": per_month.cumsum().to_numpy()})


def trajectories(debrief: Any, lang: str, loans: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """NPL ratio and cumulative loss (in the money unit) per strategy and month.

    The loss is ``cumulative_loss`` of each run when the runs' per-loan outcomes are
    given (``loans`` or ``debrief.loans``: strategy -> frame), so it ends at the table.
    """
    df = debrief.trajectories.copy()
    df["month"] = df["month"].astype(int)
    per_loan = loans or getattr(debrief, "loans", None)
    if per_loan:
        horizon = int(df["month"].max())
        cum = pd.concat([cumulative_loss(lo, horizon).assign(strategy=name) for name, lo in per_loan.items()])
        df = df.drop(columns=["cum_loss_cny"]).merge(cum, on=["strategy", "month"], how="left")
    df["cum_loss_cny"] = df["cum_loss_cny"].map(lambda v: units.in_unit(v, lang))
    df["strategy_name"] = df["strategy"].map(lambda s: t(f"strategy.{s}", lang))
    return df


def index_text(index: float | None, lang: str) -> str:
    return "—" if index is None or index != index else f"{index * 100:.0f}%"


def immaterial_text(debrief: Any, lang: str) -> str:
    """Why a debrief shows no index: its future left almost nothing to avoid."""
    return t("debrief.index_immaterial", lang, avoidable=units.money(debrief.avoidable_cny, lang),
             stakes=units.money(debrief.stakes_cny, lang))


def saves_table(debrief: Any, lang: str) -> pd.DataFrame:
    """Loans you kept that late collection lost: the loan number (L0001 ...) and borrower, not an index."""
    df = localise_names(debrief.saves, lang)
    if df is not None and "loan_id" in df.columns:
        df = df.drop(columns=["loan_id"])
    return frame_for_display(df, lang, month_cols=("default_month_late",))


def missed_table(debrief: Any, lang: str) -> pd.DataFrame:
    df = debrief.missed_warnings
    if df is None or df.empty:
        return pd.DataFrame()
    df = localise_names(df, lang).drop(columns=[c for c in ("loan_id", "signal") if c in df.columns])
    df = df.rename(columns={"zh": "signal_zh", "en": "signal_en"})
    if "via" in df.columns:
        df["via"] = _per_value(df["via"], lambda v: term("source", v, lang))
    return frame_for_display(df, lang, month_cols=("visible_month", "default_month"))


def _you_beside_early_warning(debrief: Any, column: str) -> tuple[float, str] | None:
    """(the trainee's figure, early warning's as a percentage or "—") of a debrief table
    column; None when the trainee has none, or the debrief was stored before it existed."""
    table = _table_by_strategy(debrief.table)
    if column not in table.columns or "you" not in table.index:
        return None
    you = table.loc["you", column]
    if you is None or you != you:
        return None
    ew = table[column].get("early-warning")
    return float(you), units.pct(float(ew), 0) if ew is not None and ew == ew else "—"


def policy_compliance_note(debrief: Any, lang: str) -> str | None:
    """Your checks held to the case's own policy (the bank's rules) beside early warning's:
    the compliance table counts only what the policy you ran asked. None for a debrief
    stored before the figure existed."""
    got = _you_beside_early_warning(debrief, "policy_compliance")
    if got is None:
        return None
    return t("debrief.policy_compliance", lang, share=units.pct(got[0], 0), ew=got[1])


RUSHED_BELOW = debrief_rules.RUSHED_BELOW
"""Average check quality under which the debrief says the trainee's checks were rushed."""
ON_TIME_BELOW = 0.9
"""Share of required checks done on time under which rushed checks are said to slip too."""


def check_quality_note(debrief: Any, lang: str) -> str | None:
    """How well the trainee's checks were done, beside early warning's: a plan that books
    more checks than the hours allow keeps them on time and rushes them, which the
    compliance table cannot show. None when the trainee did no check, or for a debrief
    stored before the figure existed."""
    got = _you_beside_early_warning(debrief, "check_quality")
    if got is None:
        return None
    if got[0] >= RUSHED_BELOW:
        return t("debrief.check_quality", lang, share=units.pct(got[0], 0), ew=got[1])
    # rushing absorbs only so much (sim.checks: RUSH_FACTOR); past it the checks slip too,
    # and "keeps them on time" would contradict the compliance table above
    on_time = _table_by_strategy(debrief.table)["compliance"].get("you") \
        if "compliance" in debrief.table.columns else None
    if on_time is not None and on_time == on_time and on_time < ON_TIME_BELOW:
        return t("debrief.check_quality_rushed_late", lang, share=units.pct(got[0], 0), ew=got[1],
                 on_time=units.pct(float(on_time), 0))
    return t("debrief.check_quality_rushed", lang, share=units.pct(got[0], 0), ew=got[1])


RUSHED_MONTH_BELOW = 0.999
"""A month whose checks got less than this share of the hours they need was rushed: its
checks needed more hours than there were, and every hour went to them."""


def overrun_months(game: Any) -> int:
    """The months the trainee ended with a monitoring plan that needed more hours than the
    officers had (sim.recorder.MonthRecord: the month's checks were rushed), when every
    hour went to the checks and the desk could queue no step on a loan."""
    months = getattr(getattr(getattr(game, "sim", None), "rec", None), "months", None) or []
    return sum(1 for m in months if m.checks_done and m.check_quality < RUSHED_MONTH_BELOW)


def plan_overrun_note(game: Any, lang: str) -> str | None:
    """Why a trainee could act so little: in so many months the plan's checks took every
    hour, and the desk's Queue buttons said the hours had run out. None when no month was."""
    n = overrun_months(game)
    if not n:
        return None
    # the words the desk shows, from its own catalogue keys, so the note quotes them as read
    return t("debrief.plan_overrun", lang, n=n, horizon=game.horizon,
             hours_left=t("fig.hours_left", lang), queue=t("actions.queue", lang),
             reason=t("engine.reason.hours", lang), policy=t("desk.view_policy", lang))


def compliance_table(debrief: Any, lang: str) -> pd.DataFrame:
    df = debrief.compliance
    if df is None or df.empty:
        return pd.DataFrame()
    df = df.copy()
    for c in ("required", "on_time", "done"):
        if c in df.columns:
            df[c] = df[c].fillna(0).round().astype(int)
    if "share" in df.columns:
        # 0 of 0 required is not "100%": nothing was asked, so there is nothing to comply with
        required = df["required"] if "required" in df.columns else pd.Series(1, index=df.index)
        df["share"] = [t("units.na", lang) if r == 0 else units.pct(v, 0) if v == v else "—"
                       for v, r in zip(df["share"], required, strict=True)]
    return frame_for_display(df, lang, month_cols=())


_MONEY_SCORES = {"loss", "interest", "funding", "cost", "provisions", "loss_late", "loss_oracle",
                "net_value"}


def score_table(debrief: Any, lang: str) -> pd.DataFrame:
    """The trainee's score components, one per row."""
    rows = []
    for k, v in (getattr(debrief, "score", None) or {}).items():
        if k == "strategy" or isinstance(v, dict | list):
            continue
        text = units.money(float(v), lang) if k in _MONEY_SCORES else _fmt_cell(str(k), v, lang)
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
    parts = [f"<h3>{e(t('roleplay.debrief.line', lang, month=talk.month, label=talk.label, title=talk.title, how=talk.how, hours=talk.hours))}</h3>"]
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


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A frame with every cell as display text (numbers in the unit's format), for static tables."""
    return df.map(_cell)


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, float):
        return units.number(v)
    return str(v)


def round_ticks(top: float, n: int = 5) -> list[float]:
    """Axis values from 0 to at least ``top`` in a step of 1, 2 or 5 times a power of ten,
    about ``n`` steps: 0, 10, 20, 30, 40 reads at a glance where 0, 10.6, 21.2... did not."""
    top = top if top > 0 else 1.0
    raw = top / n
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw - 1e-12)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def _legend_mark(strategy: str) -> str:
    """A short stroke as the chart draws the strategy's line: thick and pale, dashed, dotted."""
    colour = STRATEGY_COLOURS[strategy]
    if strategy == "you":
        line = f"5px solid {colour};opacity:.45"
    else:
        line = f"2px {'dotted' if strategy == 'early-warning' else 'dashed' if strategy in TRAJECTORY_DASH else 'solid'} {colour}"
    return f'<span style="display:inline-block;width:22px;vertical-align:middle;border-top:{line}"></span>'


def svg_lines(df: pd.DataFrame, y: str, title: str, lang: str, y_fmt: str = "pct",
              width: int = 460, height: int = 240) -> str:
    """A small line chart per strategy as inline SVG (no scripts, no external assets), drawn
    as the page draws it: the trainee's line thick and pale first, the references over it,
    late collection dashed and early warning dotted, so a reference equal to yours shows."""
    left, right, top, bottom = 64, 12, 28, 40
    if df.empty:
        return ""
    xs = df["month"].astype(float)
    x0, x1 = float(xs.min()), float(xs.max()) or 1.0
    ticks = round_ticks(float(df[y].max()))
    y1 = ticks[-1]

    def sx(x: float) -> float:
        return left + (x - x0) / ((x1 - x0) or 1.0) * (width - left - right)

    def sy(v: float) -> float:
        return top + (1 - v / y1) * (height - top - bottom)

    decimals = max(0, -math.floor(math.log10(ticks[1] * (100 if y_fmt == "pct" else 1))))

    def fmt(v: float) -> str:
        return units.pct(v, decimals) if y_fmt == "pct" else units.number(v, decimals)

    def stroke(strategy: str) -> str:
        if strategy == "you":
            return f'stroke="{STRATEGY_COLOURS[strategy]}" stroke-width="6" stroke-opacity="0.45"'
        dash = TRAJECTORY_DASH.get(strategy)
        return (f'stroke="{STRATEGY_COLOURS[strategy]}" stroke-width="1.8"'
                + (f' stroke-dasharray="{" ".join(str(d) for d in dash)}"' if dash else ""))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for v in ticks:
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
    present = [s for s in STRATEGIES if s in set(df["strategy"])]
    for strategy in present:  # "you" first: the references are drawn over it
        d = df[df["strategy"] == strategy].sort_values("month")
        pts = " ".join(f"{sx(float(a)):.1f},{sy(float(b)):.1f}" for a, b in zip(d["month"], d[y], strict=True))
        parts.append(f'<polyline fill="none" {stroke(strategy)} points="{pts}"/>')
    parts.append("</svg>")
    legend = " · ".join(f'{_legend_mark(s)} {html.escape(t(f"strategy.{s}", lang))}' for s in present)
    return f'<figure style="margin:0">{"".join(parts)}<figcaption style="font-size:.8em">{legend}</figcaption></figure>'


def _html_loss_sources(detail: Any, lang: str) -> list[str]:
    """The "where your loss came from" section: the gap table, then each loan's two timelines."""
    e = html.escape
    out = [f"<h2>{e(t('loss.title', lang))}</h2>"]
    parts = [("late-collection", detail.sources, "loss.intro", "loss.none"),
             ("early-warning", detail.sources_ew, "loss.ew_intro", "loss.ew_none")]
    for base, sources, intro, none in parts:
        if sources is None:
            continue
        if base == "early-warning":
            out.append(f"<h3>{e(t('loss.ew_title', lang))}</h3>")
        out.append(f"<p>{e(t(intro, lang))}</p>")
        if not sources.loans:
            out.append(f"<p>{e(t(none, lang))}</p>")
        out.append(_html_table(loss_sources_table(sources, detail.names[lang], lang, base), lang))
        for gap in sources.loans:
            label, company = detail.names[lang][gap.loan_id]
            out.append(f"<h4>{e(label)} · {e(company)}</h4>")
            out.append(f"<p>{e(t('loss.gap_line', lang, gap=units.money(gap.gap_cny, lang), lesson=reason_text(gap, lang, base)))}</p>")
            out.append(_html_table(loan_timelines(gap, lang, base), lang))
    return out


def debrief_html(scenario: Any, debrief: Any, lang: str, attempt_id: str = "",
                 lesson_titles: dict[str, str] | None = None,
                 generated: datetime | None = None, tz_name: str | None = None,
                 detail: Any = None, standing_note: str = "", talks: list | None = None,
                 extra: list[str] | None = None, overrun_note: str | None = None) -> str:
    """The whole debrief as one self-contained HTML page; its date in ``tz_name`` (else UTC), labelled.

    ``detail`` (training.debrief_detail.DebriefDetail) adds where the loss came from and
    makes the cumulative-loss chart end at the table's loss; ``standing_note`` says what the
    standing order did (``standing_note_text``); ``talks`` (training.roleplay.TalkSummary)
    the meetings held with borrowers; ``extra`` is HTML of further sections
    (training.judgement_view.debrief_html_sections), placed after compliance;
    ``overrun_note`` (``plan_overrun_note``) follows what you did, as on the page.
    """
    generated = generated or datetime.now(UTC)
    e = html.escape
    title = scenario.title.get(lang)
    traj = trajectories(debrief, lang, detail.loans if detail is not None else None)
    notes = "".join(f'<div class="note">{e(n.get(lang))}</div>' for n in scenario.debrief_notes)
    lesson_titles = lesson_titles or {}
    lessons = "".join(f"<li>{e(lesson_titles.get(i, i))}</li>" for i in scenario.lessons)
    score_rows = score_table(debrief, lang)
    sections = [
        f"<h1>{e(t('report.heading', lang))}: {e(title)}</h1>",
        f'<p class="meta">{e(t("report.meta", lang, attempt=attempt_id, date=units.local_time(generated, tz_name, lang), months=scenario.horizon_months))}</p>',
        f"<h2>{e(t('debrief.index', lang))}</h2>",
        f'<div class="index">{e(index_text(debrief.index, lang))}</div>',
        f"<p>{e(t('debrief.index_help', lang))}</p>",
        f"<p>{e(verdict_text(debrief, lang))}</p>",
        *(f"<p>{e(line)}</p>" for line in conduct_lines(debrief, lang)),
        *([f"<p>{e(overrun_note)}</p>"] if overrun_note else []),  # plan_overrun_note
        f"<h2>{e(t('debrief.comparison', lang))}</h2>",
        _html_table(comparison_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.trajectories', lang))}</h2>",
        '<div class="charts">'
        + svg_lines(traj, "npl_ratio", t("chart.npl_ratio", lang), lang, "pct")
        + svg_lines(traj, "cum_loss_cny", units.money_header(t("chart.cum_loss", lang), lang), lang, "unit")
        + "</div>",
        # what the page says under its charts: lines that lie on one another, in words (a
        # chart cannot show two equal lines apart), and why the ratio climbs late
        *(f"<p>{e(same)}</p>" for y in ("npl_ratio", "cum_loss_cny")
          if (same := same_lines_text(traj, y, STRATEGIES, lang))),
        f'<p class="meta">{e(t("chart.runoff_note", lang))}</p>',
        *([f"<p>{e(standing_note)}</p>"] if standing_note else []),
        *(_html_loss_sources(detail, lang) if detail is not None else []),
        f"<h2>{e(t('debrief.saves', lang))}</h2>",
        _html_table(saves_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.missed', lang))}</h2>",
        _html_table(missed_table(debrief, lang), lang),
        f"<h2>{e(t('debrief.compliance', lang))}</h2>",
        _html_table(compliance_table(debrief, lang), lang),
        *([f"<p>{e(note)}</p>"] if (note := policy_compliance_note(debrief, lang)) else []),
        *([f"<p>{e(note)}</p>"] if (note := check_quality_note(debrief, lang)) else []),
    ]
    sections += extra or []
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


# --- where your loss came from --------------------------------------------------------------------
def refused_table(rejected: list, labels: dict[int, str], lang: str,
                  events: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the engine refused this month (sim.game.MonthReport.rejected): the loan, what
    was asked and why it was not done, in ``lang``. With the month's ``events``, an action
    refused because the loan was no longer overdue says when the trainee's own
    restructuring that month brought it current (it runs first), not just "not overdue"
    about a loan the desk showed overdue when the action was queued."""
    restructured = set() if events is None or events.empty else {
        int(i) for i in events.loc[events["event"] == "action_restructure", "loan_id"]}

    def reason(loan_id: int, code: str) -> str:
        if code == "overdue" and int(loan_id) in restructured:
            return t("desk.refused.cured_by_restructure", lang)
        return why(code)

    def why(code: str) -> str:
        for key in (f"engine.reason.{code}", f"judgement.reject.{code}"):
            text = t(key, lang)
            if text != key:
                return text
        return readable(code, lang)

    def what(action: str) -> str:
        return t("judgement.title", lang) if action == "classify" else action_name(action, lang)

    return pd.DataFrame({
        t("desk.refused.loan", lang): [labels.get(int(i), str(i)) for i, _, _ in rejected],
        t("desk.refused.action", lang): [what(a) for _, a, _ in rejected],
        t("desk.refused.why", lang): [reason(i, w) for i, _, w in rejected]})


def month_refusals(month_report, labels: dict[int, str], lang: str) -> pd.DataFrame:
    """A month's refusals (sim.game.MonthReport) with that month's events for their
    context, as ``refused_table`` reads them: the one table the desk and the replay draw
    (the replay passed no events, and lost why a collection beside a restructuring was
    refused)."""
    return refused_table(month_report.rejected, labels, lang, month_report.events)


def action_name(action_id: str, lang: str | None = None) -> str:
    """An intervention's name: the catalogue's ``action.<id>``, else the engine's own zh/en text."""
    for key in (f"engine.action.{action_id}", f"action.{action_id}"):
        text = t(key, lang)
        if text != key:
            return text
    from sim import defaults

    it = defaults.INTERVENTIONS.get(action_id)
    return str(getattr(it, lang or "zh", action_id)) if it is not None else readable(action_id, lang)


def signal_name(signal_id: str, lang: str | None = None) -> str:
    """A warning signal's name: the catalogue's ``signal.<id>``, else the engine's own zh/en text."""
    for key in (f"engine.signal.{signal_id}", f"signal.{signal_id}"):
        text = t(key, lang)
        if text != key:
            return text
    from sim import defaults

    sg = defaults.SIGNALS.get(signal_id)
    return str(getattr(sg, lang or "zh", signal_id)) if sg is not None else readable(signal_id, lang)


def readable(value: str, lang: str | None) -> str:
    from training.i18n import readable_id

    return readable_id(value, lang)


def lesson_text(lesson: Any, lang: str, base: str = "late-collection") -> str:
    """The one-line lesson of a loan in ``lang`` (training.loss_sources.Lesson), against
    the reference strategy ``base``."""
    v = dict(lesson.values)
    v["base"] = t(f"loss.base.{base}", lang)
    if "action" in v:
        v["action"] = action_name(v["action"], lang)
    if "actions" in v:
        v["actions"] = ("、" if lang == "zh" else ", ").join(
            (f"“{action_name(a, lang)}”" if lang == "zh" else f'"{action_name(a, lang)}"') for a in v["actions"])
    for k in ("month", "default", "base_month", "base_default"):
        if k in v:
            v[k] = month_text(v[k], lang)
    if "months" in v:
        v["months"] = units.months(v["months"], lang)
    if "amount_cny" in v:
        v["amount"] = units.money(v.pop("amount_cny"), lang)
    for k in ("owed_cny", "base_owed_cny"):
        if k in v:  # nothing owed at the end: the loan was repaid (or closed) by then
            owed = v.pop(k)
            v[k[:-len("_cny")]] = units.money(owed, lang) if units.in_unit(owed, lang) > 0 \
                else t("loss.repaid", lang)
    v.pop("guarantor_id", None)
    v.pop("backed_id", None)
    text = t(f"loss.lesson.{lesson.key}", lang, **v)
    return text[:1].upper() + text[1:]  # "early warning took ..." opens a sentence


def shown_parts(gap: Any, lang: str) -> dict[str, float]:
    """The parts of a loan's gap that the display unit shows (training.loss_sources.gap_parts),
    largest first; a part that rounds to 0 is left out (less than half a unit each)."""
    split = gap_parts(gap.you, gap.base)
    kept = {k: v for k, v in split.items() if units.in_unit(abs(v), lang) > 0}
    return dict(sorted(kept.items(), key=lambda kv: -abs(kv[1])))


def gap_parts_text(gap: Any, lang: str, base: str = "late-collection") -> str:
    """What makes up a loan's gap, in words whose amounts add up to it ("" without parts):
    the reason names one part, this says them all. Said as the trainee reads it: you lost
    so much more (or less) than the reference on this loan, then the parts."""
    parts = shown_parts(gap, lang)
    named = gap.lesson.values.get("amount_cny")
    if not parts or (len(parts) == 1 and named is not None
                     and units.money(named, lang) == units.money(gap.gap_cny, lang)):
        return ""  # none, or the reason's amount is already the whole gap
    said = [t(f"loss.part.{k}.{'more' if v > 0 else 'less'}", lang, amount=units.money(abs(v), lang))
            for k, v in parts.items()]
    if units.in_unit(abs(gap.gap_cny), lang) == 0:
        side = "same"  # the parts cancel out
    else:
        side = "more" if gap.gap_cny > 0 else "less"
    key = f"loss.{'parts_one' if len(said) == 1 else 'parts'}.{side}"
    return t(key, lang, gap=units.money(abs(gap.gap_cny), lang), base=t(f"loss.base.{base}", lang),
             parts=("；" if lang == "zh" else "; ").join(said))


def reason_text(gap: Any, lang: str, base: str = "late-collection") -> str:
    """The loan's reason, then what its gap is made of: the line the debrief shows."""
    split = gap_parts_text(gap, lang, base)
    if split and gap.lesson.key in GENERIC_LESSONS:
        return split  # "You lost less on this loan." then "You lost CNY X less ...": say it once
    return lesson_text(gap.lesson, lang, base) + (("" if lang == "zh" else " ") + split if split else "")


GENERIC_LESSONS = frozenset({"lost_less", "lost_more"})
"""The reasons that only say which side lost more: the parts line says it with the amount."""


def gap_title(label: str, company: str, gap: Any, lang: str) -> str:
    """A loan's heading under the gap table: its number, borrower and the gap in words
    ("you lost CNY 1,707k less"), not a signed figure ("-CNY 1,707k") to decode."""
    if units.in_unit(abs(gap.gap_cny), lang) == 0:
        said = t("loss.gap_title.same", lang)
    else:
        side = "more" if gap.gap_cny > 0 else "less"
        said = t(f"loss.gap_title.{side}", lang, amount=units.money(abs(gap.gap_cny), lang))
    return f"{label} · {company} · {said}"


GAP_COLUMN = {"late-collection": "gap_cny", "early-warning": "gap_ew_cny"}
"""The gap column of each reference the debrief compares loan by loan."""


def loss_sources_table(sources: Any, names: dict[int, tuple[str, str]], lang: str,
                       base: str = "late-collection") -> pd.DataFrame:
    """One row per loan that made a difference, then the other loans and the total.

    ``names`` maps loan id -> (loan number, borrower). The gap column is your loss
    less the reference's (``base``), in the money unit; its rows add up to the total.
    """
    gap = GAP_COLUMN[base]
    rows = [{"label": names[g.loan_id][0], "company": names[g.loan_id][1], gap: g.gap_cny,
             "lesson": reason_text(g, lang, base)} for g in sources.loans]
    rows.append({"label": "", "company": t("loss.other_loans", lang), gap: sources.other_gap_cny,
                 "lesson": ""})
    rows.append({"label": "", "company": t("loss.total", lang), gap: sources.total_gap_cny,
                 "lesson": ""})
    df = pd.DataFrame(rows, columns=["label", "company", gap, "lesson"])
    return _rename(_money_columns(df, lang), lang)


SAME_LOSS_CNY = 500.0
"""Two losses closer than this read as the same: 0.1 万元 rounds from 500 yuan."""


def verdict_text(debrief: Any, lang: str) -> str:
    """The score in words: your loss, and how far it was from late collection's and from
    early warning's on the same seed, with where to read why."""
    loss = _table_by_strategy(debrief.table)["loss_cny"]
    you = float(loss["you"])

    def against(base: str) -> str:
        gap = you - float(loss[base])
        side = "same" if abs(gap) < SAME_LOSS_CNY else ("more" if gap > 0 else "less")
        return t(f"loss.verdict.{base}.{side}", lang, amount=units.money(abs(gap), lang))

    return ("" if lang == "zh" else " ").join([t("loss.verdict.you", lang, loss=units.money(you, lang)),
                                                against("late-collection"), against("early-warning")])


QUIET_SHARE = 0.5
"""From this share of your checks on loans that needed nothing (late collection never lost
them), the debrief says where the checks went."""


def _counted(v: float, noun: str, lang: str) -> str:
    """A count with its noun: "1 check", "2 checks"; "2 次检查" (conduct.count)."""
    return t(f"conduct.count.{noun}_{'one' if v == 1 else 'other'}", lang, n=units.number(v, 0))


def conduct_lines(debrief: Any, lang: str) -> list[str]:
    """What you did, counted from the event log, beside early warning (and, for recalls and
    frozen lines, late collection): the cause of a bad score that the loan tables leave
    implicit. Empty for a debrief stored before these figures existed."""
    lines = []
    work = getattr(debrief, "work", None) or {}
    you, ew = work.get("you"), work.get("early-warning")
    if you is not None and ew is not None and you.actions < ew.actions:
        def n(v: float) -> str:
            return units.number(v, 0)

        def c(v: float, noun: str) -> str:
            return _counted(v, noun, lang)

        lines.append(t("conduct.work" if you.actions else "conduct.work_none", lang,
                       checks=c(you.checks, "checks"), actions=c(you.actions, "steps"),
                       loans=c(you.loans_acted, "loans"), ew_checks=c(ew.checks, "checks"),
                       ew_actions=c(ew.actions, "steps"), ew_loans=c(ew.loans_acted, "loans")))
        # where the hours went, said only when you checked more than early warning did
        if you.checks > ew.checks and you.quiet_checks / you.checks >= QUIET_SHARE:
            lines.append(t("conduct.quiet", lang, quiet=n(you.quiet_checks),
                           share=units.pct(you.quiet_checks / you.checks, 0)))
        lines.append(t("conduct.look_only", lang))
    heavy = getattr(debrief, "heavy", None)
    if heavy is not None:
        side = "more" if heavy.loss_added_cny >= 0 else "less"
        if abs(heavy.loss_added_cny) < SAME_LOSS_CNY:
            side = "same"
        lines.append(t(f"conduct.heavy_{side}", lang, loans=_counted(heavy.loans, "loans", lang),
                       healthy=heavy.healthy,
                       loss=units.money(abs(heavy.loss_added_cny), lang)))
        if heavy.interest_lost_cny >= SAME_LOSS_CNY:
            lines.append(t("conduct.heavy_interest", lang, interest=units.money(heavy.interest_lost_cny, lang)))
        lines.append(t("conduct.heavy_advice", lang))
    return lines


def _events_text(items: tuple, name: Any, lang: str) -> str:
    if not items:
        return "—"
    return ("；" if lang == "zh" else "; ").join(f"{month_text(m, lang)} {name(x, lang)}" for m, x in items)


def loan_timelines(gap: Any, lang: str, base: str = "late-collection") -> pd.DataFrame:
    """Your timeline and the reference's for one loan, side by side (rows: what happened).
    With the loss in parts, the money rows are its parts, discounted as the loss is, so
    each column adds up to its loss: owed at default − recovered − cured + still expected."""
    split = gap.you.parts is not None and gap.base.parts is not None
    money_rows = ("owed", "recovered_pv", "cured", "ahead") if split else ("recovered",)

    def column(tl: Any) -> list[str]:
        if split:
            p = tl.parts
            money_cells = [units.money(v, lang) for v in (p.owed_cny, p.recovered_cny, p.cured_cny,
                                                          p.ahead_cny)]
        else:
            money_cells = [units.money(tl.recovered_cny, lang)]
        return [
            _events_text(tl.signals, signal_name, lang),
            _events_text(tl.actions, action_name, lang),
            t("units.checks", lang, n=tl.checks),
            month_text(tl.default_month, lang) if tl.default_month is not None else t("loss.no_default", lang),
            month_text(tl.lawsuit_month, lang) if tl.lawsuit_month is not None else "—",
            *money_cells,
            units.money(tl.loss_cny, lang),
        ]
    rows = [t(f"loss.row.{k}", lang) for k in ("signals", "actions", "checks", "default", "lawsuit",
                                                 *money_rows, "loss")]
    return pd.DataFrame({t("col.item", lang): rows, t("strategy.you", lang): column(gap.you),
                         t(f"strategy.{base}", lang): column(gap.base)})


def standing_note_text(desk: Any, lang: str | None = None) -> str:
    """What the standing order did in this attempt, for the debrief and the report."""
    order = desk.standing_order
    if not order.active:
        return t("standing.debrief_off", lang)
    log = desk.standing_log
    return t("standing.debrief_on", lang, n=len({i for _, i, _ in log}), steps=len(log),
             held=len(order.held))
