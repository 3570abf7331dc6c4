"""The debrief: a finished attempt against the baselines on the same seed.

Late collection, early warning and the oracle are run on the trainee's seed
(common random numbers), so every difference is caused by decisions. The
debrief holds the score table, the trajectories, the saves and the missed
warnings with what acting on each would have changed, in both languages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from sim.scoring import (
    avoidable_stakes,
    missed_warnings,
    run_baselines,
    saves,
    score,
)
from training.i18n import catalogue
from training.loss_sources import LossSources, loss_sources
from training.units import money


@dataclass
class Debrief:
    index: float | None
    """Share of the avoidable loss avoided; None when this future left nothing material to
    avoid (`avoidable_cny` under sim.scoring.avoidable_stakes): a ratio of two small
    numbers would read 8,000% or -3,000% and say nothing about the decisions."""
    table: pd.DataFrame
    trajectories: pd.DataFrame
    saves: pd.DataFrame
    missed_warnings: pd.DataFrame
    compliance: pd.DataFrame
    score: dict
    loans: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Strategy -> per-loan outcome (loan_id, default_month, loss_cny ...): the cumulative
    loss is built from these, so the chart ends at the table's loss."""
    sources: LossSources | None = None
    """Where your loss came from, loan by loan, against late collection."""
    sources_ew: LossSources | None = None
    """The same against early warning: the loans where acting early would have paid."""
    avoidable_cny: float = math.nan
    """What the oracle avoided against late collection in this future."""
    stakes_cny: float = 0.0
    """The least avoidable loss that makes the index worth reading (sim.scoring)."""
    material: bool = True
    """Whether this future left that much to avoid (else no index is shown or kept)."""


SHOWN_CUT_CNY = 500.0
"""The least loss cut a missed warning's note names: 0.1 万元 rounds from 500 yuan (less
shows as "0 万元")."""


def _note(key: str, **kw) -> tuple[str, str]:
    return tuple(catalogue(lang)[f"engine.note.{key}"].format(
        **{k: money(v, lang) if k == "amount_cny" else v for k, v in kw.items()})
        for lang in ("zh", "en"))


def _identities(pf, ids) -> dict:
    ids = [int(i) for i in ids]
    return {"label": [pf.label(i) for i in ids],
            "company": [pf.identity(i)[0] for i in ids],
            "company_en": [pf.identity(i, "en")[0] for i in ids]}


def _effects(mw: pd.DataFrame, ew: pd.DataFrame) -> tuple[list[str], list[str]]:
    """For each missed warning: how it was visible, and what the reference policy did."""
    eff_zh, eff_en = [], []
    for _, row in mw.iterrows():
        i = int(row["loan_id"])
        zh, en = ("", "")
        if row["via"] == "latent":
            zh, en = _note("latent", month=int(row["first_warning_month"]))
        if not ew["defaulted"].iat[i]:
            z2, e2 = _note("kept")
        else:
            diff = row["loss_cny"] - ew["loss_cny"].iat[i]
            # "cut the loss by about 0" says nothing: below what either language shows
            z2, e2 = _note("cut", amount_cny=diff) if diff >= SHOWN_CUT_CNY else _note("not_cut")
        eff_zh.append(zh + z2)
        eff_en.append(en + e2)
    return eff_zh, eff_en


def _missed_frame(desk, mw: pd.DataFrame, ew: pd.DataFrame) -> pd.DataFrame:
    eff_zh, eff_en = _effects(mw, ew)
    sig = mw["first_warning_signal"]
    names = [desk.text("signal", k) if k else ("", "") for k in sig]
    return pd.DataFrame({
        "loan_id": mw["loan_id"], **_identities(desk.sim.pf, mw["loan_id"]), "signal": sig,
        "zh": [z for z, _ in names], "en": [e for _, e in names], "via": mw["via"],
        "visible_month": mw["first_warning_month"], "default_month": mw["default_month"],
        "months_ahead": mw["months_ahead"], "effect_zh": eff_zh, "effect_en": eff_en})


def _check_quality(run) -> float | None:
    """The hours a run's checks got as a share of the hours they need, on average over its
    checks (sim.checks: a plan beyond the hours rushes them); None when it did none."""
    done = run.compliance["done"].sum() if "done" in run.compliance.columns else 0
    return float(run.check_quality) if done > 0 else None


def build_debrief(desk) -> Debrief:
    """The debrief of a finished desk (training.desk.Desk)."""
    you = desk.result()
    base = run_baselines(desk.scenario, desk.seed, desk.horizon)
    runs = {"you": you, **base}
    late, oracle = base["late-collection"], base["oracle"]
    avoidable = late.loss_cny - oracle.loss_cny
    stakes = avoidable_stakes(late.loss_cny, you.disbursed_cny)
    material = avoidable >= stakes
    scores = {name: score(r, late, oracle, name) for name, r in runs.items()}
    if not material:  # no index anywhere: not in the table, the score, nor the attempt
        scores = {name: replace(sc, index=None) for name, sc in scores.items()}
    rows = []
    for name, r in runs.items():
        sc = scores[name]
        rows.append({"strategy": name, "loss_cny": r.loss_cny,
                     "npl_ratio_peak": sc.npl_ratio_peak, "hours": r.hours,
                     "saves": sc.saves, "interest_cny": r.interest_cny,
                     "compliance": sc.compliance, "policy_compliance": r.policy_compliance,
                     "index": sc.index, "check_quality": _check_quality(r)})
    traj = pd.concat([r.metrics[["month", "npl_ratio", "cum_loss_cny"]].assign(strategy=n)
                      for n, r in runs.items()], ignore_index=True)
    sv = saves(you, late)
    saves_df = pd.DataFrame({"loan_id": sv, **_identities(desk.sim.pf, sv),
                             "default_month_late": late.loans["default_month"].to_numpy()[sv]})
    missed = _missed_frame(desk, missed_warnings(you), base["early-warning"].loans)
    return Debrief(
        index=scores["you"].index,
        table=pd.DataFrame(rows), trajectories=traj, saves=saves_df, missed_warnings=missed,
        compliance=you.compliance.rename(columns={"kind": "check_kind"}),
        score=scores["you"].to_dict(),
        loans={n: r.loans for n, r in runs.items()}, sources=loss_sources(you, late),
        sources_ew=loss_sources(you, base["early-warning"]),
        avoidable_cny=float(avoidable), stakes_cny=float(stakes), material=material)
