"""Altair charts of the cohort dashboard; each takes one frame of training.dashboard.

No fixed heights: Streamlit fits a chart into the height its spec names, axes and
legend included, so the default sizing (a band per row, a plain default) reads best."""

from __future__ import annotations

import altair as alt
import pandas as pd

from training.i18n import t
from training.report import STRATEGIES, STRATEGY_COLOURS

STATUS_ORDER = ["finished", "in_progress", "not_started"]
STATUS_COLOURS = ["#2e7d32", "#f9a825", "#bdbdbd"]
SUBJECT_LABEL_PX = 240
"""How wide an assignment's name may be on a chart's side: at Vega's default the class's
case read 资金挪用：自主… (the instructor helper's screenshot). No axis title beside it:
the chart's own title says what the rows are, and a Chinese title was drawn on its side."""


def _index_title(key: str) -> alt.TitleParams:
    """A chart of indices titled `key`, with what the index is under it: on the axis's side,
    指数（避免了多少可避免损失） was a long Chinese title drawn on its side."""
    return alt.TitleParams(t(key), subtitle=t("dash.col_index"), anchor="start")


def _index_axis(field: str = "index_share:Q") -> alt.Y:
    """Indices up the side, in percent; the chart's subtitle names them."""
    return alt.Y(field, title=None, axis=alt.Axis(format=".0%"))


def _subject_axis() -> alt.Y:
    """The assignments down the side of a chart: long names, no sideways title."""
    return alt.Y("subject:N", title=None, axis=alt.Axis(labelLimit=SUBJECT_LABEL_PX))


def completion(frame: pd.DataFrame) -> alt.Chart:
    """Trainees per assignment by status: finished, in progress, not started."""
    counts = frame.groupby(["subject", "status"], as_index=False).size()
    counts["label"] = counts["status"].map(lambda s: t(f"dash.status_{s}"))
    labels = [t(f"dash.status_{s}") for s in STATUS_ORDER]
    return (alt.Chart(counts, title=t("dash.completion"))
            .mark_bar()
            .encode(y=_subject_axis(),
                    x=alt.X("size:Q", title=t("dash.col_trainees"), stack="zero",
                            axis=alt.Axis(tickMinStep=1)),
                    color=alt.Color("label:N", title=t("dash.col_status"), sort=labels,
                                    scale=alt.Scale(domain=labels, range=STATUS_COLOURS),
                                    # one status a row: across, the legend ran past a
                                    # narrow column's edge ("no…" for "not started")
                                    legend=alt.Legend(orient="bottom", columns=1)),
                    tooltip=[alt.Tooltip("subject:N", title=t("dash.col_assignment")),
                             alt.Tooltip("label:N", title=t("dash.col_status")),
                             alt.Tooltip("size:Q", title=t("dash.col_trainees"))]))


def index_by_trainee(attempts: pd.DataFrame, baselines: pd.DataFrame) -> alt.LayerChart:
    """Each trainee's best index (bars) with the baselines' indices (rules): late
    collection is 0, the oracle 1, early warning in between."""
    best = (attempts.dropna(subset=["index_share"])
            .groupby("trainee", as_index=False)["index_share"].max())
    bars = (alt.Chart(best, title=_index_title("dash.index_title"))
            .mark_bar(color=STRATEGY_COLOURS["you"])
            .encode(x=alt.X("trainee:N", title=t("dash.col_trainee"), sort="-y",
                            axis=alt.Axis(labelAngle=0)),  # names read across, not down
                    y=_index_axis(),
                    tooltip=[alt.Tooltip("trainee:N", title=t("dash.col_trainee")),
                             alt.Tooltip("index_share:Q", title=t("dash.col_index"),
                                         format=".0%")]))
    base = baselines.drop_duplicates("strategy").copy()
    base["label"] = base["strategy"].map(lambda s: t(f"strategy.{s}"))
    names = [s for s in STRATEGIES if s in set(base["strategy"])]
    rules = (alt.Chart(base).mark_rule(strokeDash=[4, 3], strokeWidth=2)
             .encode(y="index_share:Q",
                     color=alt.Color("label:N", title=t("dash.col_baseline"),
                                     scale=alt.Scale(domain=[t(f"strategy.{s}") for s in names],
                                                     range=[STRATEGY_COLOURS[s] for s in names])),
                     tooltip=[alt.Tooltip("label:N", title=t("dash.col_baseline")),
                              alt.Tooltip("index_share:Q", title=t("dash.col_index"),
                                          format=".0%")]))
    return bars + rules


def score_distribution(attempts: pd.DataFrame) -> alt.Chart:
    """The index of every finished attempt, per case: a strip of points with a box."""
    done = attempts.dropna(subset=["index_share"])
    # what the index is under the title, not under the axis: there, centred on the plot
    # beside the long case names, it ran past the chart's edge at 1,280 px
    return (alt.Chart(done, title=_index_title("dash.distribution"))
            .mark_boxplot(extent="min-max", size=28)
            .encode(y=_subject_axis(),
                    x=alt.X("index_share:Q", title=None, axis=alt.Axis(format=".0%"))))


def repeated(attempts: pd.DataFrame) -> alt.Chart:
    """Index over a trainee's repeated attempts of a case."""
    done = attempts.dropna(subset=["index_share"])
    return (alt.Chart(done, title=_index_title("dash.repeated"))
            .mark_line(point=True)
            .encode(x=alt.X("attempt_no:O", title=t("dash.col_attempt_no"),
                            axis=alt.Axis(labelAngle=0)),
                    y=_index_axis(),
                    color=alt.Color("trainee:N", title=t("dash.col_trainee")),
                    strokeDash=alt.StrokeDash("subject:N", title=t("dash.col_assignment")),
                    tooltip=["trainee:N", "subject:N", "attempt_no:O",
                             alt.Tooltip("index_share:Q", format=".0%")]))


QUESTION_LABEL_PX = 320
"""How wide a quiz bar's label may be: Vega's default (180 px) cut it to the test's name
and a word or two of the question."""


def _short(text: str, chars: int = 40) -> str:
    return text if len(text) <= chars else text[:chars - 1] + "…"


def quiz(frame: pd.DataFrame) -> alt.Chart:
    """Share correct per question; questions most of the class got wrong stand out in red."""
    # the question's own words, and the test in the reader's language (were ids and "pre")
    label = pd.Series([f"{t(f'dash.phase_{phase}')} · {_short(q)}"
                       for phase, q in zip(frame["phase"], frame["question"], strict=True)],
                      index=frame.index)
    twins = label.duplicated(keep=False)  # two lessons may ask in the same words: one bar each
    label[twins] += " (" + frame["lesson_id"][twins] + "/" + frame["question_id"][twins] + ")"
    data = frame.assign(question=label, weak=frame["share_correct"] < 0.5)
    return (alt.Chart(data, title=t("dash.quiz"))
            .mark_bar()
            # no axis title: beside labels in Chinese it was drawn over them (the words are
            # measured narrower than they are drawn), and each label says it is a question
            .encode(y=alt.Y("question:N", title=None, sort="x",
                            axis=alt.Axis(labelLimit=QUESTION_LABEL_PX)),
                    x=alt.X("share_correct:Q", title=t("dash.col_correct"),
                            scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
                    color=alt.condition("datum.weak", alt.value("#c62828"), alt.value("#2e7d32")),
                    tooltip=["question:N", alt.Tooltip("share_correct:Q", format=".0%"),
                             "answers:Q"]))


def gain(frame: pd.DataFrame) -> alt.Chart:
    """Each trainee's pre- and post-test share correct, joined by a line (the gain)."""
    long = frame.melt(id_vars=["trainee", "subject"], value_vars=["pre_share", "post_share"],
                      var_name="test", value_name="share").dropna(subset=["share"])
    long["test"] = long["test"].map({"pre_share": t("dash.pre"), "post_share": t("dash.post")})
    return (alt.Chart(long, title=t("dash.gain"))
            .mark_line(point=True)
            .encode(x=alt.X("test:N", title=None, sort=[t("dash.pre"), t("dash.post")],
                            axis=alt.Axis(labelAngle=0)),  # 前测 was turned on its side
                    y=alt.Y("share:Q", title=t("dash.col_correct"), scale=alt.Scale(domain=[0, 1]),
                            axis=alt.Axis(format=".0%")),
                    # side by side within each test, so trainees with the same shares do
                    # not hide one another behind a single line
                    xOffset=alt.XOffset("trainee:N"),
                    color=alt.Color("trainee:N", title=t("dash.col_trainee")),
                    tooltip=["trainee:N", "test:N", alt.Tooltip("share:Q", format=".0%")]))
