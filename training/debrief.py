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
from training import units
from training.conduct import RECALL_EVENTS, HeavyHand, WorkMix, heavy_hand, work_mix
from training.debrief_freeze import FrozenLines, frozen_lines
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
    work: dict[str, WorkMix] = field(default_factory=dict)
    """Strategy ("you", "early-warning") -> its checks and the steps that change a borrower's
    course: what a trainee who only looked, or acted on the wrong loans, reads."""
    heavy: HeavyHand | None = None
    """Your recalls against late collection (None: you recalled none)."""
    frozen: FrozenLines | None = None
    """Your frozen lines against late collection: the exposure they kept off the books (None:
    you froze none)."""


RUSHED_BELOW = 0.95
"""Average check quality under which the debrief says the trainee's checks were rushed."""

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


def checks_between(checks: dict[int, list[int]], loan_id: int, start: int, end: int) -> list[int]:
    """The months in [start, end) in which the loan was checked."""
    return [m for m in checks.get(loan_id, ()) if start <= m < end]


def _checks_text(months: list[int], lang: str) -> str:
    """"check in month 3" / "checks in months 3, 7" (第3月 / 第3、7月)."""
    key = "engine.note.checks_one" if len(months) == 1 else "engine.note.checks_many"
    return catalogue(lang)[key].format(months=("、" if lang == "zh" else ", ").join(map(str, months)))


def _effects(mw: pd.DataFrame, ew: pd.DataFrame, checks: dict[int, list[int]] | None = None,
             quality: float | None = None) -> tuple[list[str], list[str]]:
    """For each missed warning: how it was visible, and what the reference policy did.

    ``checks``: loan id -> months you checked it. A hidden condition that your own check
    did not catch is not "a check would have shown it": it says which checks missed it,
    and that they were rushed when ``quality`` (your checks' average share of the hours
    they need) is below RUSHED_BELOW."""
    eff_zh, eff_en = [], []
    for _, row in mw.iterrows():
        i = int(row["loan_id"])
        zh, en = ("", "")
        if row["via"] == "latent":
            done = checks_between(checks, i, int(row["first_warning_month"]),
                                  int(row["default_month"])) if checks else []
            if not done:
                zh, en = _note("latent", month=int(row["first_warning_month"]))
            else:
                rushed = quality is not None and quality < RUSHED_BELOW
                key = f"engine.note.{'latent_rushed' if rushed else 'latent_checked'}"
                share = units.pct(quality, 0) if rushed else ""
                zh, en = (catalogue(lang)[key].format(checks=_checks_text(done, lang), share=share)
                          for lang in ("zh", "en"))
        if not ew["defaulted"].iat[i]:
            z2, e2 = _note("kept")
        else:
            diff = row["loss_cny"] - ew["loss_cny"].iat[i]
            # "cut the loss by about 0" says nothing: below what either language shows
            z2, e2 = _note("cut", amount_cny=diff) if diff >= SHOWN_CUT_CNY else _note("not_cut")
        eff_zh.append(zh + z2)
        eff_en.append(en + e2)
    return eff_zh, eff_en


def check_months(run) -> dict[int, list[int]]:
    """Loan id -> the months a run checked it (its event log's "check" events)."""
    ev = run.events
    checks = ev.loc[ev["event"] == "check", ["loan_id", "month"]]
    return {int(i): sorted(int(m) for m in g["month"]) for i, g in checks.groupby("loan_id")}


def _missed_frame(desk, mw: pd.DataFrame, ew: pd.DataFrame, you=None) -> pd.DataFrame:
    checks = check_months(you) if you is not None else {}
    eff_zh, eff_en = _effects(mw, ew, checks, _check_quality(you) if you is not None else None)
    sig = mw["first_warning_signal"]
    names = [desk.text("signal", k) if k else ("", "") for k in sig]
    # a hidden condition your own check did not catch is not "none done"
    via = ["latent_checked" if v == "latent" and checks_between(
        checks, int(i), int(m), int(d)) else v
        for v, i, m, d in zip(mw["via"], mw["loan_id"], mw["first_warning_month"], mw["default_month"],
                              strict=True)]
    return pd.DataFrame({
        "loan_id": mw["loan_id"], **_identities(desk.sim.pf, mw["loan_id"]), "signal": sig,
        "zh": [z for z, _ in names], "en": [e for _, e in names], "via": via,
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
    missed = _missed_frame(desk, missed_warnings(you), base["early-warning"].loans, you)
    # each loan's gap in parts, and the guarantee chain by the guarantor's loan number
    split = {"discount_rate_annual": desk.scenario.discount_rate_annual,
             "guarantor": desk.sim.pf.guarantor, "label": desk.sim.pf.label}
    return Debrief(
        index=scores["you"].index,
        table=pd.DataFrame(rows), trajectories=traj, saves=saves_df, missed_warnings=missed,
        compliance=you.compliance.rename(columns={"kind": "check_kind"}),
        score=scores["you"].to_dict(),
        loans={n: r.loans for n, r in runs.items()}, sources=loss_sources(you, late, **split),
        sources_ew=loss_sources(you, base["early-warning"], **split),
        avoidable_cny=float(avoidable), stakes_cny=float(stakes), material=material,
        work={"you": work_mix(you, late), "early-warning": work_mix(base["early-warning"], late)},
        heavy=heavy_hand(you, late, RECALL_EVENTS), frozen=frozen_lines(you, late))
