"""The trainee's desk: the step API of sim.game with the views a trainee reads.

`Desk` is a `sim.game.Game` (same turns, same replay) that adds the book, the
alerts, the event log, a loan file, the quarterly review and the debrief, each
with its text in both languages from the locale catalogues
(training/locales/<lang>/engine.yaml). The engine records codes only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import defaults
from sim.checks import next_check_month
from sim.codes import CLASS_KEYS, PRODUCTS, REPAYMENT_KEYS, STATUS_KEYS, LoanClass
from sim.game import Game, MonthReport
from sim.game_actions import ActionError, ActionOption, QueuedAction
from sim.portfolio import COLLATERAL_TYPES
from sim.scripted import SEEN as SCRIPTED_SEEN
from sim.signals import recent_alerts, statement_figures
from training import units
from training.debrief import Debrief, build_debrief
from training.i18n import catalogue

HIDDEN_EVENTS = {"diversion_started"}
"""Events the bank cannot see; they stay out of the desk's views."""
SEEN_SCRIPTED = {f"scripted_{kind}" for kind in SCRIPTED_SEEN}
"""The scripted events that leave an off-site trace the bank sees at once (sim.scripted).
The others (a health shock, a recovery, a diversion, collateral damage) are the hidden
story: the desk shows them only once the case is over."""
EVENT_FAMILIES = ("auction_sold", "auction_unsold", "scripted")
"""Events named <family>_<detail> that share one text."""
RECOVERY_EVENTS = ("auction_sold", "deposit_set_off", "judgment_enforced", "claim_sold")
"""Events whose amount is money recovered: the desk shows the amount in the page's unit."""
WRITE_OFF = "action_write_off"
"""A write-off's result is the amount written off (sim.interventions.effects)."""
CLASS_CHANGE = "class_change"
"""A loan's booked class changed (sim.classification.reclassify); the new class is in
``amount_cny``."""
WATCH_ALERTS = 2
"""Recent alerts that put a loan on the review's watch list."""
REVIEW_MONTHS = 3
"""The quarterly review looks back this many months."""


@dataclass
class LoanFile:
    profile: dict
    terms: dict
    payments: pd.DataFrame
    turnover: pd.DataFrame
    statements: pd.DataFrame
    collateral: dict
    guarantors: list[str]
    guarantees_given: list[str]
    signals: pd.DataFrame
    actions: pd.DataFrame
    talks: list = field(default_factory=list)  # meetings held: month, conversation, facts


@dataclass
class ReviewSummary:
    month: int
    watch_list: pd.DataFrame
    class_changes: pd.DataFrame
    npl_ratio: float
    hours_used: float
    checks_slipped: int
    notes_zh: list[str]
    notes_en: list[str]


def engine_text(kind: str, code: str) -> tuple[str, str]:
    """(zh, en) of an engine code from the catalogues; the code itself when there is none."""
    key = f"engine.{kind}.{code}"
    return catalogue("zh").get(key, code), catalogue("en").get(key, code)


def class_before(events: pd.DataFrame) -> np.ndarray:
    """The class each classification change moved a loan from (-1 on every other event).

    The engine logs a change with the class booked after it (in ``amount_cny``; see
    sim.classification.reclassify) and logs every change of a loan on the books; every
    loan starts NORMAL (正常). So the class before a change is the loan's previous change's
    class, or NORMAL for its first: the log itself says it, and the engine's log, and so
    every figure and digest, stays as it is. ``events``: the whole log up to the change
    (the engine's frame, by month and loan)."""
    out = np.full(len(events), -1, dtype=np.int64)
    moved = (events["event"] == CLASS_CHANGE).to_numpy()
    if moved.any():
        changes = events.loc[moved, ["loan_id", "amount_cny"]]
        before = changes.groupby("loan_id")["amount_cny"].shift(1)
        out[moved] = before.fillna(int(LoanClass.NORMAL)).to_numpy().astype(np.int64)
    return out


def class_move_text(before: int, after: float, lang: str) -> str:
    """A classification change as the five categories name it: "正常 → 关注"."""
    words = catalogue(lang)
    return words["engine.class_move"].format(
        before=words[f"cls.{CLASS_KEYS[int(before)]}"],
        after=words[f"cls.{CLASS_KEYS[int(after)]}"])


def event_text(name: str) -> tuple[str, str]:
    if name.startswith("action_"):
        return engine_text("action", name[7:])
    family = next((f for f in EVENT_FAMILIES if name.startswith(f)), name)
    return engine_text("event", family)


class Desk(Game):
    """A trainee's attempt with its views (see sim.game.Game for the turns)."""

    def __init__(self, scenario, seed: int | None = None, roleplays=None):
        super().__init__(scenario, seed, roleplays=roleplays)
        self._debrief: Debrief | None = None

    def text(self, kind: str, code: str) -> tuple[str, str]:
        return engine_text(kind, code)

    # ----------------------------------------------------------------- views
    def _identities(self, ids) -> dict:
        pf = self.sim.pf
        ids = [int(i) for i in ids]
        return {"label": [pf.label(i) for i in ids],
                "company": [pf.identity(i)[0] for i in ids],
                "company_en": [pf.identity(i, "en")[0] for i in ids]}

    def loans(self) -> pd.DataFrame:
        s = self.sim
        pf = s.pf
        t = self.month
        return pd.DataFrame({
            "loan_id": np.arange(s.n), **self._identities(range(s.n)),
            "segment": np.array(pf.segment_ids)[pf.segment],
            "product": np.array(PRODUCTS)[pf.product],
            "industry": np.array(pf.industries)[pf.industry],
            "region": np.array(pf.regions)[pf.region],
            "balance_cny": s.balance.copy(), "limit_cny": pf.amount.copy(),
            "rate_annual": s.rate.copy(), "months_on_book": s.mob.copy(),
            "term_months": s.term.copy(), "dpd": s.dpd.copy(), "cls": s.cls.astype(int),
            "cls_key": np.array(CLASS_KEYS)[s.cls], "status": np.array(STATUS_KEYS)[s.status],
            # what the next decision will see: the strategies' alert count and check schedule
            "alerts": recent_alerts(s.last_seen, t + 1),
            "last_check_month": np.where(s.never_checked, -1, s.last_check),
            "next_check_month": next_check_month(s, self._policy, t + 1),
            "known_diversion": s.known_diversion.copy(),
            "collateral_type": np.array(COLLATERAL_TYPES)[pf.collateral_type],
            "appraised_value_cny": s.appraised.copy(),
            "ltv": np.where(s.appraised > 0, s.balance / np.maximum(s.appraised, 1.0), np.nan),
            "restructured": s.restructured_until >= t,
            "named": np.isin(np.arange(s.n), list(pf.named)),
        })

    def _with_signal_text(self, df: pd.DataFrame) -> pd.DataFrame:
        names = [self.text("signal", k) for k in df["signal"]]
        df["zh"] = [z for z, _ in names]
        df["en"] = [e for _, e in names]
        df["group"] = [defaults.SIGNALS[k].group for k in df["signal"]]
        df["source"] = df["via"]
        return df

    def _visible(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Nothing dated after the month being played (after the end: everything)."""
        return frame if self.finished else frame[frame["month"] <= self.playing_month]

    def alerts(self, since_month: int | None = None) -> pd.DataFrame:
        df = self._visible(self.sim.rec.signal_frame())
        since = self.month if since_month is None else since_month
        df = df[df["month"] >= since].copy()
        for k, v in self._identities(df["loan_id"]).items():
            df[k] = v
        df = self._with_signal_text(df)
        df["age_months"] = self.playing_month - df["month"]  # 0: news of the month being played
        # what the officer's system shows beside each alert: the loan's exposure and standing now
        ids = df["loan_id"].to_numpy(dtype=int)
        df["balance_cny"] = self.sim.balance[ids]
        df["dpd"] = self.sim.dpd[ids]
        df["cls"] = self.sim.cls[ids].astype(int)
        # newest first, then the largest exposure: on a book of a thousand loans two hundred
        # can alert in a month, and in loan-number order the inbox led with small consumer
        # loans while a developer's loan a hundred times larger sat further down
        return df.sort_values(["month", "balance_cny", "loan_id"],
                              ascending=[False, False, True]).reset_index(drop=True)

    def events(self, month: int | None = None) -> pd.DataFrame:
        """The event log the bank sees (of one month, if given), each event named and its
        details in both languages: a classification change says from which class to which
        ("正常 → 关注"), a recovery the money it brought in."""
        ev = self._visible(super().events())
        ev = ev.assign(cls_before=class_before(ev))
        if month is not None:
            ev = ev[ev["month"] == month]
        hidden = ev["event"].isin(HIDDEN_EVENTS) | (ev["event"] == "check")
        if not self.finished:  # what happened to a borrower is seen only through its traces
            hidden |= ev["event"].str.startswith("scripted_") & ~ev["event"].isin(SEEN_SCRIPTED)
        ev = ev[~hidden].copy()
        pf = self.sim.pf
        ev["label"] = [pf.label(int(i)) if i >= 0 else "" for i in ev["loan_id"]]
        # the borrower by name too, as the alerts inbox names it (a label alone said nothing)
        ev["company"] = [pf.identity(int(i))[0] if i >= 0 else "" for i in ev["loan_id"]]
        ev["company_en"] = [pf.identity(int(i), "en")[0] if i >= 0 else "" for i in ev["loan_id"]]
        names = [event_text(e) for e in ev["event"]]
        ev["zh"] = [z for z, _ in names]
        ev["en"] = [e for _, e in names]
        notes = self._scripted_notes()
        details = [notes.get((int(m), int(i), e))
                   or (self.text("result", d) if d else ("", ""))
                   for m, i, e, d in zip(ev["month"], ev["loan_id"], ev["event"], ev["details"],
                                         strict=True)]
        ev["details_zh"] = [z for z, _ in details]
        ev["details_en"] = [e for _, e in details]
        # money in the page's unit: what a recovery brought in, what a write-off wrote off
        # (a write-off showed its raw result, '1127363'; a sale showed nothing)
        amount = np.where(ev["event"] == WRITE_OFF,
                          pd.to_numeric(ev["details"], errors="coerce"), ev["amount_cny"])
        money = ev["event"].str.startswith(RECOVERY_EVENTS) | (ev["event"] == WRITE_OFF)
        for lang in ("zh", "en"):
            ev.loc[money, f"details_{lang}"] = [units.money(a, lang) for a in amount[money]]
        moved = ev["event"] == CLASS_CHANGE
        for lang in ("zh", "en"):
            ev.loc[moved, f"details_{lang}"] = [
                class_move_text(b, a, lang)
                for b, a in zip(ev.loc[moved, "cls_before"], ev.loc[moved, "amount_cny"],
                                strict=True)]
        return ev.reset_index(drop=True)

    def _scripted_notes(self) -> dict:
        """(zh, en) text of the case's scripted events, by (month, loan, event)."""
        pf = self.sim.pf
        return {(max(ev.month, 1), pf.named_index[b.id], "scripted_" + ev.kind):
                (ev.note.zh, ev.note.en)
                for b in self.scenario.borrowers for ev in b.events if ev.note is not None}

    def loan_file(self, loan_id: int) -> LoanFile:
        s = self.sim
        pf = s.pf
        i = int(loan_id)
        sig = self._with_signal_text(
            self._visible(s.rec.signal_frame()).query("loan_id == @i").copy())
        ev = self.events()
        acts = ev[(ev["loan_id"] == i) & ev["event"].str.startswith("action_")].copy()
        acts["action"] = acts["event"].str[7:]
        # what came of each action, in both languages (the engine's code is no reading)
        acts["result_zh"], acts["result_en"] = acts["details_zh"], acts["details_en"]
        g = pf.guarantor[i]
        return LoanFile(
            profile=self._profile(i), terms=self._terms(i), **self._series(i),
            collateral={"type": COLLATERAL_TYPES[pf.collateral_type[i]],
                        "appraised_value_cny": float(s.appraised[i]),
                        "ltv": float(s.balance[i] / s.appraised[i]) if s.appraised[i] > 0 else None,
                        "last_appraisal_month": int(s.appraisal_month[i]),
                        "extra_cny": float(s.extra_collateral[i])},
            guarantors=[pf.label(g)] if g >= 0 else [],
            guarantees_given=[pf.label(j) for j in np.flatnonzero(pf.guarantor == i)],
            signals=sig.reset_index(drop=True),
            actions=acts[["month", "action", "zh", "en", "result_zh", "result_en"]
                         ].reset_index(drop=True),
            talks=[t for t in self.talk_history if t["loan_id"] == i],
        )

    def _profile(self, i: int) -> dict:
        pf = self.sim.pf
        company, rep = pf.identity(i)
        company_en, rep_en = pf.identity(i, "en")
        return {"company": company, "legal_rep": rep, "company_en": company_en,
                "legal_rep_en": rep_en,
                "industry": pf.industries[pf.industry[i]], "region": pf.regions[pf.region[i]],
                "segment": pf.segment_ids[pf.segment[i]], "product": PRODUCTS[pf.product[i]],
                "label": pf.label(i)}

    def _terms(self, i: int) -> dict:
        s = self.sim
        pf = s.pf
        cls_key = CLASS_KEYS[s.cls[i]]
        return {"limit_cny": float(pf.amount[i]), "balance_cny": float(s.balance[i]),
                "undrawn_cny": float(0 if s.frozen[i] else s.undrawn[i]),
                "rate_annual": float(s.rate[i]), "floating": bool(pf.floating[i]),
                "term_months": int(s.term[i]), "months_on_book": int(s.mob[i]),
                "repayment": REPAYMENT_KEYS[pf.repayment[i]],
                "payment_mode": "entrusted" if s.entrusted[i] else "self",
                "frozen": bool(s.frozen[i]), "dpd": int(s.dpd[i]), "cls": int(s.cls[i]),
                "cls_zh": catalogue("zh")[f"cls.{cls_key}"],
                "cls_en": catalogue("en")[f"cls.{cls_key}"],
                "status": STATUS_KEYS[s.status[i]]}

    def _series(self, i: int) -> dict:
        """Payments, turnover and the statements received, month by month."""
        s = self.sim
        hist = s.history
        months = np.arange(1, len(hist) + 1)
        payments = pd.DataFrame({
            "month": months, "due_cny": [h["due"][i] for h in hist],
            "paid_cny": [h["paid"][i] for h in hist], "dpd": [int(h["dpd"][i]) for h in hist]})
        turnover = pd.DataFrame({"month": months,
                                 "turnover_index": [h["turnover"][i] for h in hist]})
        rows = []
        for received, quarter, live, reported in s.statement_log:
            k = np.searchsorted(live, i)
            if k < len(live) and live[k] == i and received <= self.month:
                fig = statement_figures(reported[k:k + 1])
                rows.append({"quarter_month": quarter, "received_month": received,
                             **{name: float(v[0]) for name, v in fig.items()}})
        statements = pd.DataFrame(rows, columns=["quarter_month", "received_month",
                                                 "sales_index", "receivables_days", "debt_ratio"])
        return {"payments": payments, "turnover": turnover, "statements": statements}

    def review(self, quarter_end_month: int | None = None) -> ReviewSummary:
        m = self.month if quarter_end_month is None else quarter_end_month
        lo = self.loans()
        watch = lo[(lo["status"].isin(["active", "defaulted"])) & (
            (lo["cls"] >= LoanClass.SPECIAL_MENTION) | (lo["alerts"] >= WATCH_ALERTS)
            | (lo["dpd"] > 0))]
        watch = watch.sort_values(["cls", "dpd", "balance_cny"], ascending=False)
        ev = self.events()
        since = m - REVIEW_MONTHS
        changes = ev[(ev["event"] == CLASS_CHANGE) & (ev["month"] > since) & (ev["month"] <= m)]
        met = self.metrics()
        recent = met[(met["month"] > since) & (met["month"] <= m)]
        slipped = sum(r.checks_slipped for r in self.sim.reports[max(0, since):m])
        npl = float(recent["npl_ratio"].iloc[-1]) if len(recent) else 0.0
        notes = [catalogue(lang) for lang in ("zh", "en")]
        notes_zh, notes_en = [], []
        if slipped:
            notes_zh.append(notes[0]["engine.note.slipped"].format(n=slipped))
            notes_en.append(notes[1]["engine.note.slipped"].format(n=slipped))
        notes_zh.append(notes[0]["engine.note.watch"].format(n=len(watch), npl=f"{npl:.2%}"))
        notes_en.append(notes[1]["engine.note.watch"].format(n=len(watch), npl=f"{npl:.2%}"))
        return ReviewSummary(m, watch.reset_index(drop=True), changes.reset_index(drop=True), npl,
                             float(recent["hours_used"].sum()) if len(recent) else 0.0,
                             int(slipped), notes_zh, notes_en)

    # ---------------------------------------------------------------- debrief
    def debrief(self) -> Debrief:
        if not self.finished:
            raise RuntimeError("the debrief is available at the end of the horizon")
        if self._debrief is None:
            self._debrief = build_debrief(self)
        return self._debrief


__all__ = ["ActionError", "ActionOption", "Debrief", "Desk", "LoanFile", "MonthReport",
           "QueuedAction", "ReviewSummary", "engine_text"]
