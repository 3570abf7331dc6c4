"""Altair charts of the desk and the debrief; each takes a tidy frame from training.report."""

from __future__ import annotations

import altair as alt
import pandas as pd

from training.i18n import t
from training.report import (
    CLASS_COLOURS,
    STRATEGIES,
    STRATEGY_COLOURS,
    TRAJECTORY_DASH,
    column_title,
)

HEIGHT = 240
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
"""Fit the container's width only: Streamlit's default for a stretched chart ("fit") squeezes
title, axes and legend into HEIGHT, which left a plot a few pixels tall and cut the legend."""


def class_mix(long: pd.DataFrame) -> alt.Chart:
    """Five-category mix over time: stacked area, 正常 at the bottom."""
    names = list(long.sort_values("order")["cls"].drop_duplicates())
    return (
        alt.Chart(long, title=t("chart.class_mix"))
        .mark_area()
        .encode(
            x=alt.X("month:Q", title=t("col.month"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("balance_cny:Q", title=column_title("balance_cny"), stack="zero",
                    axis=alt.Axis(format=",.0f")),
            # the legend below the plot: at 1024 px a legend on the side squeezed the plot away
            color=alt.Color("cls:N", title=t("col.cls"), sort=names, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=names, range=list(CLASS_COLOURS[: len(names)]))),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("month:Q", title=t("col.month")),
                     alt.Tooltip("cls:N", title=t("col.cls")),
                     alt.Tooltip("balance_cny:Q", title=column_title("balance_cny"), format=",.1f")],
        )
        .properties(height=HEIGHT, autosize=FIT_WIDTH)
    )


def npl_and_loss(df: pd.DataFrame) -> alt.LayerChart:
    """NPL ratio (line, left axis) and the defaulted balance not yet recovered (bars, right axis)."""
    base = alt.Chart(df).encode(x=alt.X("month:Q", title=t("col.month"), axis=alt.Axis(tickMinStep=1)))
    title = column_title("in_default_cny")
    loss = base.mark_bar(opacity=0.35, color="#7f8c8d").encode(
        y=alt.Y("in_default_cny:Q", title=title, axis=alt.Axis(orient="right", format=",.0f")),
        tooltip=[alt.Tooltip("month:Q", title=t("col.month")),
                 alt.Tooltip("in_default_cny:Q", title=title, format=",.1f")],
    )
    npl = base.mark_line(point=True, color="#c0392b").encode(
        y=alt.Y("npl_ratio:Q", title=t("col.npl_ratio"), axis=alt.Axis(format=".1%")),
        tooltip=[alt.Tooltip("month:Q", title=t("col.month")),
                 alt.Tooltip("npl_ratio:Q", title=t("col.npl_ratio"), format=".2%")],
    )
    return (
        alt.layer(loss, npl, title=t("chart.npl_and_loss"))
        .resolve_scale(y="independent")
        .properties(height=HEIGHT, autosize=FIT_WIDTH)
    )


def line(df: pd.DataFrame, x: str, y: str, title: str, y_title: str, y_format: str = ",.2f") -> alt.Chart:
    return (
        alt.Chart(df, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", title=t("col.month"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip(f"{x}:Q", title=t("col.month")),
                     alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)],
        )
        .properties(height=200, autosize=FIT_WIDTH)
    )


def trajectories(df: pd.DataFrame, y: str, title: str, y_title: str, y_format: str) -> alt.LayerChart:
    """One line per strategy on the same seed. The trainee's line is the thick, pale one and is
    drawn first; the references go over it, late collection dashed and early warning dotted,
    so a reference that equals yours stays visible on top of your line instead of under it."""
    present = [s for s in STRATEGIES if s in set(df["strategy"])]
    names = [t(f"strategy.{s}") for s in present]
    color = alt.Color("strategy_name:N", title=t("col.strategy"), sort=names,
                      legend=alt.Legend(orient="bottom", columns=2, labelLimit=0),  # names whole
                      scale=alt.Scale(domain=names, range=[STRATEGY_COLOURS[s] for s in present]))
    dash = alt.StrokeDash("strategy_name:N", legend=None, scale=alt.Scale(
        domain=names, range=[TRAJECTORY_DASH.get(s, []) for s in present]))
    # the months the lines cover (from month 1: the axis began at an empty month 0), and
    # whole numbers on a money axis ("200,000.0" read as a figure to the decimal; the
    # tooltip keeps the decimal)
    months = [float(df["month"].min()), float(df["month"].max())] if len(df) else [0.0, 1.0]
    axis_format = ",.0f" if y_format == ",.1f" else y_format
    base = alt.Chart(df).encode(
        x=alt.X("month:Q", title=t("col.month"), axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(domain=months, nice=False)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=axis_format)),
        color=color,
        tooltip=[alt.Tooltip("strategy_name:N", title=t("col.strategy")),
                 alt.Tooltip("month:Q", title=t("col.month")),
                 alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)],
    )
    you = base.transform_filter(alt.datum.strategy == "you").mark_line(strokeWidth=6, opacity=0.45)
    others = base.transform_filter(alt.datum.strategy != "you").mark_line(strokeWidth=1.8).encode(
        strokeDash=dash)
    return alt.layer(you, others, title=title).properties(height=HEIGHT, autosize=FIT_WIDTH)

