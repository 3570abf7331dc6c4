"""Altair charts of the strategy lab; each takes a frame from :mod:`training.lab`.

The app draws them with ``st.altair_chart`` and the HTML report embeds their specs, so
the page and the report show the same pictures from the same frames.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from training.i18n import t
from training.units import money_header, money_unit

WIDTH = 520
HEIGHT = 220
PAGE_FRONTIER = {"width": 440, "legends_below": True}
"""The frontier as the page draws it: a plot 440 px wide with its legends under it, about
520 px in all. Beside a 520 px plot the legends made it 824 px, wider than the page's
column below about 1,300 px (564 px at 1,024 with the sidebar open): the legends were
cut off. Its names are placed for this width. The report keeps WIDTH, legends beside."""
PAGE_WIDTH = {"frontier": "content", "npl_fan": "content", "provisions_fan": "content"}
"""How the app draws a chart that must keep its own width (st.altair_chart's ``width``;
the others stretch to the page). The frontier's names are placed for a plot WIDTH wide:
stretched to the page (about 650 px at 1366 px, more at 1920) they stood on points and
lines. The report draws every chart at its own width."""
PALETTE = ("#2980b9", "#c0392b", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#7f8c8d",
           "#27ae60")


LEGEND_ROW_PX = 32
"""The height of a legend's row as the app draws it (its theme's font), with spacing."""
LEGEND_EXTRA_ROWS = 5
"""Rows of the frontier's legends besides one per strategy: two titles, the frontier's
two shapes and the gap between the legends."""

MONEY_AXIS = ",.0f"
"""Money on an axis: whole display units (万元 in Chinese, CNY thousands in English)."""
MONEY_TIP = ",.1f"


def _in_unit(df: pd.DataFrame, columns: tuple[str, ...], lang: str | None) -> pd.DataFrame:
    """The frame with its money columns (CNY) in the language's display unit, as every
    table and chart of the app shows money (training.units)."""
    scale = money_unit(lang).scale_cny
    return df.assign(**{c: df[c] / scale for c in columns if c in df})


NAME_LIMIT_PX = 260
"""How wide a strategy's name may be drawn on an axis or in a legend before it is cut:
Vega's defaults (180 and 160 px) cut "Oracle (perfect information)" to "Oracle (perfect
in…" on the loss chart and "Oracle (perfect informati…" in the frontier's legend."""


def _colour(strategies: list[str], lang: str | None, legend: bool = True) -> alt.Color:
    """Strategy k in PALETTE[k] (the study's order), in every chart of the lab."""
    return alt.Color("strategy:N", title=t("lab.col.strategy", lang), sort=strategies,
                     scale=alt.Scale(domain=strategies,
                                     range=[PALETTE[i % len(PALETTE)]
                                            for i in range(len(strategies))]),
                     legend=alt.Legend(labelLimit=NAME_LIMIT_PX) if legend else None)


def loss_distribution(df: pd.DataFrame, lang: str | None = None) -> alt.LayerChart:
    """Loss per future: a box per strategy (whiskers at min and max) and the mean as a dot."""
    order = list(dict.fromkeys(df["strategy"]))
    y = alt.Y("strategy:N", title=t("lab.col.strategy", lang), sort=order,
              axis=alt.Axis(labelLimit=NAME_LIMIT_PX))
    x_title = money_header(t("lab.col.loss", lang), lang)
    df = _in_unit(df, ("loss_cny",), lang)
    box = alt.Chart(df).mark_boxplot(extent="min-max", size=18).encode(
        x=alt.X("loss_cny:Q", title=x_title, axis=alt.Axis(format=MONEY_AXIS)), y=y,
        color=_colour(order, lang, legend=False))
    mean = alt.Chart(df).mark_point(shape="diamond", filled=True, color="black", size=50).encode(
        x=alt.X("mean(loss_cny):Q"), y=y,
        tooltip=[alt.Tooltip("strategy:N", title=t("lab.col.strategy", lang)),
                 alt.Tooltip("mean(loss_cny):Q", title=t("lab.col.mean", lang), format=MONEY_TIP),
                 alt.Tooltip("count():Q", title=t("lab.col.n", lang))])
    # the height is the plot's own (fit-x): Streamlit fits a chart without an autosize of
    # its own into its height with the axes and title, which left a band of a few pixels per
    # strategy and hid their names
    return alt.layer(box, mean, title=t("lab.chart.loss", lang)).properties(
        width=WIDTH, height=max(120, 40 * len(order)),
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


FAN_PANEL_WIDTH = 240
FAN_PANEL_HEIGHT = 160


def fan(df: pd.DataFrame, series: str, lang: str | None = None) -> alt.VConcatChart:
    """Quantile bands over time per strategy: 90% and 50% bands and the median, a panel
    per strategy in rows of at most FAN_MAX_COLUMNS (fan_rows), on one shared scale. The
    report draws this grid at its own width; the page draws fan_panels."""
    title, rows = fan_panels(df, series, lang, width=FAN_PANEL_WIDTH)
    return alt.vconcat(*[alt.hconcat(*row) for row in rows], data=df_in_unit(df, series, lang),
                       title=title)


def df_in_unit(df: pd.DataFrame, series: str, lang: str | None) -> pd.DataFrame:
    return df if series == "npl_ratio" else _in_unit(df, ("q05", "q25", "q50", "q75", "q95"), lang)


def fan_panels(df: pd.DataFrame, series: str, lang: str | None = None,
               width: int | None = None) -> tuple[str, list[list[alt.LayerChart]]]:
    """A fan chart's title and its panels, row by row (fan_rows): each panel one strategy,
    all on one scale. ``width``: the panels' width, for the report's grid (whose rows share
    its data); without it each panel carries its own data and takes the width the page
    gives it: three panels of FAN_PANEL_WIDTH side by side were wider than the page's
    column, at 1,280 px the third strategy's panel was cut in half and at 1,024 px the
    second."""
    is_ratio = series == "npl_ratio"
    fmt = ".1%" if is_ratio else MONEY_AXIS
    name = t("lab.col.npl_ratio", lang) if is_ratio else \
        money_header(t("lab.col.provisions", lang), lang)
    df = df_in_unit(df, series, lang)
    order = list(dict.fromkeys(df["strategy"]))
    # each strategy in the colour the other charts give it (not by its name's sort order,
    # which differs between the languages)
    colour = _colour(order, lang, legend=False)
    rows = fan_rows(len(order))
    y_domain = [min(0.0, float(df["q05"].min())), float(df["q95"].max())] if len(df) else [0, 1]
    if not all(map(math.isfinite, y_domain)) or y_domain[1] <= y_domain[0]:
        y_domain = [0.0, 1.0]
    months = [float(df["month"].min()), float(df["month"].max())] if len(df) else [0, 1]

    def panel(strategy: str, first_in_row: bool, bottom: bool) -> alt.LayerChart:
        x = alt.X("month:Q", title=t("lab.col.month", lang) if bottom else None,
                  scale=alt.Scale(domain=months, nice=False), axis=alt.Axis(tickMinStep=1))
        y = alt.Y("q05:Q", title=name if first_in_row else None,
                  scale=alt.Scale(domain=y_domain), axis=alt.Axis(format=fmt))
        base = alt.Chart().encode(x=x)
        outer = base.mark_area(opacity=0.18).encode(y=y, y2="q95:Q", color=colour)
        inner = base.mark_area(opacity=0.35).encode(y="q25:Q", y2="q75:Q", color=colour)
        median = base.mark_line().encode(
            y="q50:Q", color=colour,
            tooltip=[alt.Tooltip("strategy:N", title=t("lab.col.strategy", lang)),
                     alt.Tooltip("month:Q", title=t("lab.col.month", lang)),
                     alt.Tooltip("q50:Q", title=name, format=".2%" if is_ratio else MONEY_TIP)])
        own = {} if width is not None else {"data": df[df["strategy"] == strategy]}
        chart = alt.layer(outer, inner, median, **own).transform_filter(
            alt.FieldEqualPredicate(field="strategy", equal=strategy))
        size = {"height": FAN_PANEL_HEIGHT, "autosize": PAGE_PANEL_SIZE} if width is None \
            else {"width": width, "height": FAN_PANEL_HEIGHT}
        return chart.properties(**size, title=alt.TitleParams(
            strategy, fontSize=LABEL_FONT_PX + 1, fontWeight="normal",
            limit=width or FAN_PANEL_WIDTH))

    grid, start = [], 0
    for k, n in enumerate(rows):
        # the month is named under each panel with none below it
        grid.append([panel(s, i == 0, k == len(rows) - 1 or i >= rows[k + 1])
                     for i, s in enumerate(order[start:start + n])])
        start += n
    return t("lab.chart.npl_fan" if is_ratio else "lab.chart.provisions_fan", lang), grid


FAN_MAX_COLUMNS = 3
"""Panels side by side at most: three of FAN_PANEL_WIDTH fit the page's width."""


def fan_rows(panels: int) -> list[int]:
    """Panels per row of a fan chart: as few rows as FAN_MAX_COLUMNS allows, the panels
    shared as evenly as they go (the longer rows first). A facet's grid left an empty panel,
    bare month axes, wherever the count did not fill its last row (5 strategies in rows of
    three); rows of their own length have none."""
    if panels <= 0:
        return []
    rows = math.ceil(panels / FAN_MAX_COLUMNS)
    base, extra = divmod(panels, rows)
    return [base + 1] * extra + [base] * (rows - extra)


LABEL_FONT_PX = 11
"""Vega's text size: the frontier's names are placed for it."""
LABEL_GAP_PX = 9
"""Between a point and its name."""
POINT_SIZE = 90
"""The frontier's points: their area in square pixels."""
POINT_RADIUS_PX = 7
"""Half a point as drawn (about 4.7 px), with a margin."""
LABEL_PLACES = (  # (dx, dy, align): right, left, above, below, then the four corners
    (LABEL_GAP_PX, 0, "left"), (-LABEL_GAP_PX, 0, "right"), (0, -13, "center"),
    (0, 13, "center"), (6, -11, "left"), (-6, -11, "right"), (6, 11, "left"),
    (-6, 11, "right"))
"""Where a point's name may stand, in order of preference (pixels; text centred on dy)."""
LABEL_ROUNDS = 4
"""Rounds in which every name may move again once all are placed: the first name placed
cannot know where its neighbours' names will have to go."""


def text_width_px(text: str) -> float:
    """About how wide Vega draws a name at LABEL_FONT_PX: a Chinese character is about a
    square, a Latin one a little over half of it."""
    return sum(LABEL_FONT_PX if ord(c) >= 0x2E80 else 0.6 * LABEL_FONT_PX for c in str(text))


def nice_domain(lo: float, hi: float, room_below: float = 0.0) -> list[float]:
    """A scale's domain from lo to hi, widened to round figures (as Vega's "nice" does),
    fixed here so that the names can be placed where the points will be drawn.
    ``room_below``: a share of the range left free under the lowest figure (not rounded),
    so a point on it (late collection avoids nothing) can be named below."""
    lo, hi = min(0.0, float(lo)), max(0.0, float(hi))
    if not math.isfinite(lo) or not math.isfinite(hi) or hi - lo <= 0:
        return [lo, lo + 1.0] if math.isfinite(lo) else [0.0, 1.0]
    raw = (hi - lo) / 8
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    top = math.ceil(hi / step) * step
    if room_below > 0:
        return [lo - room_below * (top - lo), top]
    return [math.floor(lo / step) * step, top]


ROOM_BELOW = 0.07
"""The share of the frontier's height left under its lowest point, for a name."""


def _overlap(a: tuple, b: tuple) -> float:
    """The area two boxes (x0, y0, x1, y1) share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _crossing(box: tuple, seg: tuple, step_px: float = 2.0) -> float:
    """How many pixels of the segment (x0, y0, x1, y1) run through the box."""
    x0, y0, x1, y1 = seg
    n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step_px))
    inside = sum(box[0] <= x0 + (x1 - x0) * k / n <= box[2]
                 and box[1] <= y0 + (y1 - y0) * k / n <= box[3] for k in range(n + 1))
    return inside * step_px


def label_places(points: list[tuple[float, float]], names: list[str], lines: list[tuple],
                 width: float, height: float, faint: list[tuple] = ()) -> list[int]:
    """For each point (pixels, y down) the index in LABEL_PLACES where its name stands:
    clear of the other names, of the points, of ``lines`` (segments: the frontier) and
    inside the plot, as far as it can be, and across ``faint`` segments (the intervals,
    drawn pale) only when nothing else is free; the most crowded points choose first,
    then each takes the first place in order of preference that costs least."""
    boxes: list[tuple | None] = [None] * len(points)
    out = [0] * len(points)

    def box_at(i: int, k: int) -> tuple:
        (x, y), (dx, dy, align) = points[i], LABEL_PLACES[k]
        w, h = text_width_px(names[i]), LABEL_FONT_PX + 2
        x0 = x + dx - (w if align == "right" else w / 2 if align == "center" else 0)
        return (x0, y + dy - h / 2, x0 + w, y + dy + h / 2)

    def cost(i: int, k: int) -> float:
        b = box_at(i, k)
        c = sum(100 * _overlap(b, o) for j, o in enumerate(boxes) if o is not None and j != i)
        r = POINT_RADIUS_PX
        c += sum(50 * _overlap(b, (x - r, y - r, x + r, y + r))
                 for j, (x, y) in enumerate(points) if j != i)  # its own is clear by the gap
        c += sum(200 * _crossing(b, seg) for seg in lines)  # a name struck through
        c += sum(2 * _crossing(b, seg) for seg in faint)
        out_x = max(0.0, -b[0]) + max(0.0, b[2] - width)
        out_y = max(0.0, -b[1]) + max(0.0, b[3] - height)
        return c + 200 * (out_x + out_y) * (b[3] - b[1])

    def crowd(i: int) -> int:
        x, y = points[i]
        return -sum(math.hypot(x - u, y - v) < 80 for u, v in points)

    def choose(i: int) -> None:
        boxes[i] = None
        costs = [cost(i, k) for k in range(len(LABEL_PLACES))]
        out[i] = min(range(len(costs)), key=lambda k: (round(costs[k], 6), k))
        boxes[i] = box_at(i, out[i])

    def settle(ranked: list[int]) -> tuple[float, list[int]]:
        boxes[:] = [None] * len(points)
        for i in ranked:
            choose(i)
        for _ in range(LABEL_ROUNDS):  # each again, now that it sees where the others went
            before = list(out)
            for i in ranked:
                choose(i)
            if out == before:
                break
        return sum(cost(i, out[i]) for i in ranked), list(out)

    # the first name placed takes the best place near it, which can leave none for a
    # neighbour: each point in turn goes first, and the placing that costs least is kept
    ranked = sorted(range(len(points)), key=crowd)
    tries = [ranked] + [[i] + [j for j in ranked if j != i] for i in ranked]
    best = min((settle(order) for order in tries), key=lambda r: r[0], default=(0.0, []))
    return best[1]


FRONTIER_LEGEND_LIMIT_PX = 300
"""How wide a label of the frontier's legends may be drawn, on the page and in the report:
the longest, "perfect information: a bound, not a policy" (完全信息：上限参照，并非可执行的策略),
is about 240 px in the page's font. At Vega's default 160 px the report cut it to "a bound,
not …" (seen in Chromium at 1,024 px, zh "并非可执行…"): the report's frontier is then about
870 px wide with its legends beside, inside its 1,024 px window; the page's legends stand
under a 440 px plot (PAGE_FRONTIER)."""


def frontier(df: pd.DataFrame, lang: str | None = None, width: int = WIDTH,
             legends_below: bool = False) -> alt.LayerChart:
    """Mean staff hours against mean loss avoided (with its interval); the efficient
    frontier joined by a bold line. Each point is named beside it where the name runs
    into no other name, point, interval or the frontier line, and stays in the plot
    (label_places, on scales fixed here so the places hold where the points are drawn).
    The plot is ``width`` px wide; ``legends_below`` puts the legends under it, not
    beside it (the page's: PAGE_FRONTIER)."""
    order = list(df["strategy"])
    on, off = t("lab.chart.on_frontier", lang), t("lab.chart.off_frontier", lang)
    # the oracle above the frontier is no policy beyond it: a bound, marked apart (a circle
    # said "inside the frontier" of a point plainly outside it)
    bound = t("lab.chart.bound", lang)
    marks = df["bound"] if "bound" in df else pd.Series(False, index=df.index)
    df = df.assign(frontier=[on if e else bound if b else off
                             for e, b in zip(df["efficient"], marks, strict=True)])
    kinds = [k for k in (on, off, bound) if k in set(df["frontier"])] or [on]
    shapes = {on: "square", off: "circle", bound: "diamond"}
    avoided = money_header(t("lab.col.loss_avoided", lang), lang)
    df = _in_unit(df, ("lo", "hi", "loss_avoided_cny"), lang)
    height = HEIGHT + 60 if legends_below else \
        max(HEIGHT + 60, LEGEND_ROW_PX * (len(order) + LEGEND_EXTRA_ROWS))
    xs = nice_domain(0.0, df["hours"].max() if len(df) else 1.0)
    ys = nice_domain(*(pd.concat([df["lo"], df["hi"], df["loss_avoided_cny"]]).agg(
        ["min", "max"]).fillna(0.0)) if len(df) else (0.0, 1.0), room_below=ROOM_BELOW)

    def px(x: float, y: float) -> tuple[float, float]:
        return ((x - xs[0]) / (xs[1] - xs[0]) * width,
                height - (y - ys[0]) / (ys[1] - ys[0]) * height)

    points = [px(h, a) for h, a in zip(df["hours"], df["loss_avoided_cny"], strict=True)]
    ranked = df[df["efficient"]].sort_values("hours")
    chain = [px(h, a) for h, a in zip(ranked["hours"], ranked["loss_avoided_cny"], strict=True)]
    lines = [(*chain[k], *chain[k + 1]) for k in range(len(chain) - 1)]
    bars = [(*px(h, lo), *px(h, hi)) for h, lo, hi in zip(df["hours"], df["lo"], df["hi"],
                                                          strict=True) if lo == lo and hi == hi]
    df = df.assign(place=label_places(points, [str(s) for s in df["strategy"]], lines,
                                      width, height, faint=bars))
    x = alt.X("hours:Q", title=t("lab.chart.hours_axis", lang),
              scale=alt.Scale(domain=xs, nice=False), axis=alt.Axis(format=",.0f"))
    y_scale = alt.Scale(domain=ys, nice=False)
    efficient = t("lab.col.efficient", lang)
    base = alt.Chart(df).encode(x=x)
    bars = base.mark_rule(opacity=0.6).encode(
        y=alt.Y("lo:Q", title=avoided, scale=y_scale, axis=alt.Axis(format=MONEY_AXIS)),
        y2="hi:Q", color=_colour(order, lang))  # the same encoding as the points': one legend
    pts = base.mark_point(filled=True, size=POINT_SIZE).encode(
        y=alt.Y("loss_avoided_cny:Q", scale=y_scale), color=_colour(order, lang),
        shape=alt.Shape("frontier:N", title=efficient, sort=kinds,
                        scale=alt.Scale(domain=kinds, range=[shapes[k] for k in kinds])),
        tooltip=[alt.Tooltip("strategy:N", title=t("lab.col.strategy", lang)),
                 alt.Tooltip("hours:Q", title=t("lab.chart.hours_axis", lang), format=",.0f"),
                 alt.Tooltip("loss_avoided_cny:Q", title=avoided, format=MONEY_TIP),
                 alt.Tooltip("frontier:N", title=efficient)])
    labels = [base.transform_filter(alt.datum.place == k)
              .mark_text(align=align, dx=dx, dy=dy, fontSize=LABEL_FONT_PX)
              .encode(y=alt.Y("loss_avoided_cny:Q", scale=y_scale), text="strategy:N")
              for k, (dx, dy, align) in enumerate(LABEL_PLACES) if (df["place"] == k).any()]
    line = alt.Chart(ranked).mark_line(strokeWidth=3, color="black").encode(
        x=alt.X("hours:Q", scale=alt.Scale(domain=xs, nice=False)),
        y=alt.Y("loss_avoided_cny:Q", scale=y_scale))
    # the two legends (strategies, frontier) stand beside the plot and are cut off below
    # its height: with six strategies the page lost the frontier's square and circle
    # "pad": the plot is WIDTH x height, as the names were placed for, and the axes and
    # legends are added around it (the app's theme fits the whole chart into its box, which
    # squeezed the plot to about 250 px)
    chart = alt.layer(bars, line, pts, *labels, title=t("lab.chart.frontier", lang)).properties(
        width=width, height=height, autosize=alt.AutoSizeParams(type="pad"))
    below = {"orient": "bottom", "direction": "vertical"} if legends_below else {}
    return chart.configure_legend(labelLimit=FRONTIER_LEGEND_LIMIT_PX, **below)


STAFF_PANELS = (("loss_cny", "loss_lo", "loss_hi", "lab.col.loss", MONEY_AXIS),
                ("compliance", "compliance_lo", "compliance_hi", "lab.col.compliance", ".0%"),
                ("net_after_staff_cny", "net_after_staff_lo", "net_after_staff_hi",
                 "lab.col.net_after_staff", MONEY_AXIS))
STAFF_MONEY = ("loss_cny", "loss_lo", "loss_hi", "net_after_staff_cny", "net_after_staff_lo",
               "net_after_staff_hi")
NET_FROM_ZERO = True
"""The net-after-staff-cost panel's axis takes in zero. It began at its lowest mean (6,650
thousand CNY on the axis of a sweep seen in the browser), so a dip of a few percent, within
noise, filled the panel's height and read as a cliff; drawn from zero with each count's interval, a dip reads as what it is,
and a net below zero (staff cost eating what the checks save) is seen below the line. Not a
break in the axis: Vega-Lite draws none, and a drawn one is easy to miss in a small panel."""
SHARE_AXIS_FLOOR = 0.9
"""The compliance panel's axis reaches at least down to 90%, in steps of whole percents:
a sweep whose checks all keep up (99.6% to 100%) drew an axis of 99.6%, 99.7%, 99.7%...
with labels repeated and a gap of 0.4 points blown up to the panel's height."""


def _share_scale(df: pd.DataFrame, lo: str) -> alt.Scale:
    """The compliance axis: from 90% (or lower, in tenths, when a figure is lower) to 100%."""
    low = pd.to_numeric(df[lo], errors="coerce").min() if lo in df and len(df) else float("nan")
    floor = SHARE_AXIS_FLOOR if low != low else min(SHARE_AXIS_FLOOR, math.floor(low * 10) / 10)
    return alt.Scale(domain=[max(0.0, floor), 1.0])


def staffing(df: pd.DataFrame, stop_after: int | None, lang: str | None = None
             ) -> alt.HConcatChart:
    """Officers against loss, compliance and net value after staff cost; a dashed rule
    where another officer stops paying. The report draws the three side by side; the page
    draws staffing_panels."""
    title, panels = staffing_panels(df, stop_after, lang, page=False)
    return alt.hconcat(*[p.properties(width=STAFF_PANEL_WIDTH) for p in panels], title=title)


STAFF_PANEL_WIDTH = 200
PAGE_PANEL_SIZE = alt.AutoSizeParams(type="fit-x", contains="padding")
"""A panel on the page: as wide as its column, the plot as high as asked. The app's
theme fit the whole panel, axes and titles, into its height: a panel with the month named
under it had a shorter plot than its neighbour, and a fan's plot was about 80 px high."""


def staffing_panels(df: pd.DataFrame, stop_after: int | None, lang: str | None = None,
                    page: bool = True) -> tuple[str, list[alt.LayerChart]]:
    """The staffing chart's title and its three panels, each a chart of its own that takes
    the width it is given: side by side at 200 px each they were wider than the page's
    column, and net value after staff cost, the panel that says whether another officer
    pays, was cut at 1,280 px and not shown at all at 1,024 px."""
    panels = []
    x = alt.X("officers:O", title=t("lab.col.officers", lang), axis=alt.Axis(labelAngle=0))
    df = _in_unit(df, STAFF_MONEY, lang)
    for col, lo, hi, key, fmt in STAFF_PANELS:
        title = money_header(t(key, lang), lang) if col in STAFF_MONEY else t(key, lang)
        base = alt.Chart(df).encode(x=x)
        share = fmt.endswith("%")
        scale = _share_scale(df, lo) if share else \
            alt.Scale(zero=NET_FROM_ZERO if col == "net_after_staff_cny" else False)
        layers = [base.mark_line(point=True, color=PALETTE[0]).encode(
            y=alt.Y(f"{col}:Q", title=title, scale=scale,
                    axis=alt.Axis(format=fmt, tickMinStep=0.01) if share else
                    alt.Axis(format=fmt)),
            tooltip=[alt.Tooltip("officers:O", title=t("lab.col.officers", lang)),
                     alt.Tooltip(f"{col}:Q", title=title, format=".1%" if share else MONEY_TIP)])]
        if lo:
            layers.insert(0, base.mark_errorbar(ticks=True, color=PALETTE[0], opacity=0.45).encode(
                y=alt.Y(f"{lo}:Q", title=title, scale=scale), y2=f"{hi}:Q"))
        if stop_after is not None:
            rule = pd.DataFrame({"officers": [stop_after],
                                 "label": [t("lab.chart.stop_paying", lang, n=stop_after)]})
            layers.append(alt.Chart(rule).mark_rule(strokeDash=[6, 4], color="#c0392b")
                          .encode(x="officers:O", tooltip=["label:N"]))
        size = {"autosize": PAGE_PANEL_SIZE} if page else {}
        panels.append(alt.layer(*layers).properties(height=HEIGHT, **size))
    strategy = df["strategy"].iloc[0] if len(df) else ""
    return t("lab.chart.staffing", lang, strategy=strategy), panels


def with_names(df: pd.DataFrame, lang: str | None = None, titles=None) -> pd.DataFrame:
    """A frame of :mod:`training.lab` with its strategies by their shown names (a rule
    table's title, given ``titles``: training.lab.strategy_titles)."""
    from training.lab import strategy_label

    return df.assign(strategy=[strategy_label(s, lang, titles) for s in df["strategy"]])


def all_charts(outcome, lang: str | None = None) -> dict[str, alt.TopLevelMixin]:
    """Every chart of a lab outcome by name, as the report draws them, in the order the
    page and the report show them (the page draws page_charts)."""
    from training import lab

    res = outcome.study
    titles = lab.strategy_titles(res.spec.strategies)
    fans = {k: with_names(lab.fan_frame(res, k), lang, titles) for k in ("npl_ratio", "provisions_cny")}
    out = {"loss": loss_distribution(with_names(lab.loss_frame(res), lang, titles), lang),
           "npl_fan": fan(fans["npl_ratio"], "npl_ratio", lang),
           "provisions_fan": fan(fans["provisions_cny"], "provisions_cny", lang),
           "frontier": frontier(with_names(lab.frontier_frame(res), lang, titles), lang)}
    if outcome.sweep:
        table = lab.staffing_table(outcome)
        out["staffing"] = staffing(with_names(table, lang, titles), lab.stop_paying_point(table), lang)
    return out


def page_charts(outcome, lang: str | None = None) -> dict:
    """The lab's charts as the page draws them: the loss chart and the frontier whole (the
    frontier with its legends under it, PAGE_FRONTIER); the fans and the staffing chart as
    (title, rows of panels), each panel a chart of its own that the page draws at its
    column's width (the report draws all_charts)."""
    from training import lab

    res = outcome.study
    titles = lab.strategy_titles(res.spec.strategies)
    out = {"loss": loss_distribution(with_names(lab.loss_frame(res), lang, titles), lang),
           "frontier": frontier(with_names(lab.frontier_frame(res), lang, titles), lang,
                                **PAGE_FRONTIER)}
    for name, series in (("npl_fan", "npl_ratio"), ("provisions_fan", "provisions_cny")):
        out[name] = fan_panels(with_names(lab.fan_frame(res, series), lang, titles), series, lang)
    if outcome.sweep:
        table = lab.staffing_table(outcome)
        title, panels = staffing_panels(with_names(table, lang, titles), lab.stop_paying_point(table),
                                        lang)
        out["staffing"] = (title, [panels])
    return out
