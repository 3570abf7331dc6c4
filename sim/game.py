"""The step-by-step API a person plays through: observe, queue actions, end the month.

Every decision is recorded; `Game.replay` applies the same record to the same
scenario and seed and reproduces the attempt exactly. `end_month` takes the
month the player was looking at, so a double click cannot advance two months.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import defaults
from sim.classification import CLASS_EN, CLASS_KEYS, CLASS_ZH
from sim.codes import STATUS_KEYS
from sim.engine import DEFAULTED, SIG_INDEX, RunResult, Simulation
from sim.interventions import reason_text
from sim.observation import Decision, Observation, action_cost, action_hours, admissible
from sim.portfolio import COLLATERAL_TYPES
from sim.scenario import PRODUCTS, MonitoringPolicy, Scenario
from sim.scoring import headline_index, missed_warnings, run_baselines, saves, score


class ActionError(Exception):
    """An action that cannot be queued, with the reason in both languages."""

    def __init__(self, code: str):
        self.code = code
        self.zh = reason_text(code, "zh")
        self.en = reason_text(code, "en")
        super().__init__(self.en)


@dataclass
class ActionOption:
    id: str
    zh: str
    en: str
    hours: float
    cost_cny: float
    duration_months: float
    available: bool
    reason_zh: str = ""
    reason_en: str = ""
    stage: str = ""
    reason: str = ""
    """The reason code when not available (sim.interventions.REASONS), else ""."""


@dataclass
class QueuedAction:
    loan_id: int
    label: str
    action_id: str
    zh: str
    en: str
    hours: float
    cost_cny: float


@dataclass
class MonthReport:
    month: int
    new_defaults: int
    new_alerts: int
    checks_done: int
    checks_slipped: int
    check_quality: float
    hours_used: float
    events: pd.DataFrame
    rejected: list = field(default_factory=list)


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


@dataclass
class Debrief:
    index: float | None
    table: pd.DataFrame
    trajectories: pd.DataFrame
    saves: pd.DataFrame
    missed_warnings: pd.DataFrame
    compliance: pd.DataFrame
    score: dict


EVENT_TEXT = {
    "default": ("违约(逾期90天以上)", "Default (90+ days past due)"),
    "payment_missed": ("未按期还款", "Payment missed"),
    "cured": ("补齐欠款", "Arrears paid up"),
    "repaid": ("贷款结清", "Loan repaid"),
    "class_change": ("五级分类调整", "Classification changed"),
    "rate_reset": ("利率重定价", "Rate repriced"),
    "check": ("完成贷后检查", "Check done"),
    "default_cured": ("违约后恢复还款", "Cured after default"),
    "diversion_started": ("", ""),
    "customer_left": ("客户提前还款离开", "Customer repaid early and left"),
    "judgment_enforced": ("判决执行回收", "Judgment enforced"),
    "judgment": ("取得判决", "Judgment obtained"),
    "claim_sold": ("债权转让回收", "Claim sold"),
    "lpr_change": ("LPR调整", "LPR changed"),
    "policy_shock": ("政策冲击", "Policy shock"),
    "recession": ("经济下行", "Recession"),
    "disaster": ("自然灾害", "Disaster"),
}


def _event_text(name: str, lang: str) -> str:
    if name.startswith("action_"):
        it = defaults.INTERVENTIONS.get(name[7:])
        return (it.zh if lang == "zh" else it.en) if it else name
    if name.startswith("auction_sold"):
        return "抵押物拍卖成交" if lang == "zh" else "Collateral sold at auction"
    if name.startswith("auction_unsold"):
        return "拍卖流拍" if lang == "zh" else "Auction round unsold"
    if name.startswith("scripted_"):
        return "重大事项" if lang == "zh" else "Major event"
    zh, en = EVENT_TEXT.get(name, (name, name))
    return zh if lang == "zh" else en


HIDDEN_EVENTS = {"diversion_started"}

RESULT_TEXT = {
    "obtained": ("已落实", "obtained"),
    "refused": ("借款人无力提供", "the borrower could not provide it"),
    "frozen": ("已冻结", "frozen"),
    "customer_left": ("客户提前还款离开", "the customer repaid and left"),
    "relationship_damaged": ("客户关系受损", "relationship damaged"),
    "repaid": ("已全额收回", "repaid in full"),
    "defaulted": ("借款人无力偿还,转入违约", "the borrower could not pay and defaulted"),
    "no free assets found": ("未发现可执行财产", "no free assets found"),
}


def _result_text(details: str, lang: str) -> str:
    zh, en = RESULT_TEXT.get(details, (details, details))
    return zh if lang == "zh" else en


class Game:
    """A trainee's attempt at a case, one month per turn."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else int(seed)
        self._queue: list[tuple[int, str]] = []
        self._policy = scenario.monitoring
        self.decision_log: list[dict] = []
        self._pending: Decision | None = None
        self.sim = Simulation(scenario, seed=self.seed, decider=self._decide, keep_history=True)
        self.sim.advance_to(0)
        self._last_report: MonthReport | None = None
        self._debrief: Debrief | None = None

    # ------------------------------------------------------------------ state
    @property
    def month(self) -> int:
        return self.sim.t

    @property
    def horizon(self) -> int:
        return self.sim.T

    @property
    def finished(self) -> bool:
        return self.sim.t >= self.sim.T

    @property
    def hours_available(self) -> float:
        return float(self.sim.staff_hours)

    @property
    def policy(self) -> MonitoringPolicy:
        return self._policy

    def set_policy(self, policy: MonitoringPolicy) -> None:
        self._policy = policy

    def policy_hours(self, policy: MonitoringPolicy | None = None) -> float:
        return self.sim.policy_hours(policy or self._policy, self.month + 1)

    @property
    def queued(self) -> list[QueuedAction]:
        out = []
        for i, a in self._queue:
            it = self.sim.catalogue[a]
            out.append(QueuedAction(i, self.sim.pf.label(i), a, it.zh, it.en,
                                    action_hours(self.sim, i, a), action_cost(self.sim, i, a)))
        return out

    @property
    def hours_queued(self) -> float:
        return float(sum(action_hours(self.sim, i, a) for i, a in self._queue
                         if not self.sim.by_legal_team(a)))

    @property
    def hours_planned(self) -> float:
        return self.hours_queued + self.policy_hours()

    # ---------------------------------------------------------------- actions
    def options(self, loan_id: int) -> list[ActionOption]:
        """Every action of the case on a loan, with its cost and whether it can be queued:
        the same rule (sim.observation.admissible) the engine applies at the decision."""
        s = self.sim
        # the checks the policy requires are done first; actions get what is left
        left = self.hours_available - self.policy_hours() - self.hours_queued
        taken = set(self._queue)
        decision_month = self.month + 1
        out = []
        for key, it in s.catalogue.items():
            why = admissible(s, loan_id, key, taken, left, month=decision_month)
            out.append(ActionOption(
                key, it.zh, it.en, action_hours(s, loan_id, key), action_cost(s, loan_id, key),
                it.duration_months, why is None,
                reason_text(why, "zh") if why else "", reason_text(why, "en") if why else "",
                it.stage, why or ""))
        return out

    def queue(self, loan_id: int, action_id: str) -> None:
        if not 0 <= loan_id < self.sim.n:
            raise ActionError("active")
        opt = {o.id: o for o in self.options(loan_id)}.get(action_id)
        if opt is None:
            raise ActionError("available")
        if not opt.available:
            raise ActionError(opt.reason)
        self._queue.append((int(loan_id), action_id))

    def unqueue(self, index: int) -> None:
        if 0 <= index < len(self._queue):
            self._queue.pop(index)

    def _decide(self, obs: Observation) -> Decision:
        return self._pending or Decision()

    def end_month(self, expected_month: int) -> MonthReport | None:
        """Advance one month if the player saw month `expected_month`; otherwise do nothing."""
        if expected_month != self.month or self.finished:
            return None
        self.decision_log.append({
            "month": self.month + 1,
            "policy": self._policy.model_dump(mode="json"),
            "actions": [[int(i), a] for i, a in self._queue],
        })
        self._pending = Decision(policy=self._policy, actions=list(self._queue))
        self._queue = []
        self.sim.advance_to(self.month + 1)
        self._pending = None
        rep = self.sim.reports[-1]
        ev = self.events(self.month)
        self._last_report = MonthReport(
            month=self.month, new_defaults=int(rep.new_defaults),
            new_alerts=int(rep.new_alerts), checks_done=int(rep.checks_done),
            checks_slipped=int(rep.checks_slipped),
            check_quality=float(rep.check_quality),
            hours_used=float(rep.hours_used), events=ev,
            rejected=[(self.sim.pf.label(i), a, reason_text(w, "en"))
                      for i, a, w in rep.rejected])
        return self._last_report

    @property
    def last_report(self) -> MonthReport | None:
        return self._last_report

    @classmethod
    def replay(cls, scenario: Scenario, seed: int | None, log: list[dict]) -> Game:
        g = cls(scenario, seed)
        for entry in log:
            g.set_policy(MonitoringPolicy.model_validate(entry["policy"]))
            g._queue = [(int(i), a) for i, a in entry["actions"]]
            g.end_month(g.month)
        return g

    # ----------------------------------------------------------------- views
    def loans(self) -> pd.DataFrame:
        s = self.sim
        pf = s.pf
        n = s.n
        t = self.month
        alerts = (s.last_seen[:, 1:] > t - 3).sum(axis=1)
        iv = self._policy.interval_months
        interval = np.array([iv.normal, iv.special_mention, iv.substandard, iv.doubtful,
                             iv.loss])[s.cls]
        nxt = np.where(interval > 0, np.where(s.never_checked, t + 1, s.last_check + interval), -1)
        return pd.DataFrame({
            "loan_id": np.arange(n),
            "label": [pf.label(i) for i in range(n)],
            "company": [pf.identity(i)[0] for i in range(n)],
            "company_en": [pf.identity(i, "en")[0] for i in range(n)],
            "segment": np.array(pf.segment_ids)[pf.segment],
            "product": np.array(PRODUCTS)[pf.product],
            "industry": np.array(pf.industries)[pf.industry],
            "region": np.array(pf.regions)[pf.region],
            "balance_cny": s.balance.copy(),
            "limit_cny": pf.amount.copy(),
            "rate_annual": s.rate.copy(),
            "months_on_book": s.mob.copy(),
            "term_months": s.term.copy(),
            "dpd": s.dpd.copy(),
            "cls": s.cls.astype(int),
            "cls_key": np.array(CLASS_KEYS)[s.cls],
            "status": np.array(STATUS_KEYS)[s.status],
            "alerts": alerts,
            "last_check_month": np.where(s.never_checked, -1, s.last_check),
            "next_check_month": nxt,
            "known_diversion": s.known_diversion.copy(),
            "collateral_type": np.array(COLLATERAL_TYPES)[pf.collateral_type],
            "appraised_value_cny": s.appraised.copy(),
            "ltv": np.where(s.appraised > 0, s.balance / np.maximum(s.appraised, 1.0), np.nan),
            "restructured": s.restructured_until >= t,
            "named": np.isin(np.arange(n), list(pf.named)),
        })

    def _signals_frame(self) -> pd.DataFrame:
        return self.sim.rec.signal_frame()

    def alerts(self, since_month: int | None = None) -> pd.DataFrame:
        df = self._signals_frame()
        since = self.month if since_month is None else since_month
        df = df[df["month"] >= since].copy()
        pf = self.sim.pf
        df["label"] = [pf.label(i) for i in df["loan_id"]]
        df["company"] = [pf.identity(int(i))[0] for i in df["loan_id"]]
        df["company_en"] = [pf.identity(int(i), "en")[0] for i in df["loan_id"]]
        df["zh"] = [defaults.SIGNALS[k].zh for k in df["signal"]]
        df["en"] = [defaults.SIGNALS[k].en for k in df["signal"]]
        df["group"] = [defaults.SIGNALS[k].group for k in df["signal"]]
        df["source"] = df["via"]
        df["age_months"] = self.month - df["month"]
        return df.sort_values(["month", "loan_id"], ascending=[False, True]).reset_index(drop=True)

    def events(self, month: int | None = None) -> pd.DataFrame:
        ev = self._events_frame()
        if month is not None:
            ev = ev[ev["month"] == month]
        ev = ev[~ev["event"].isin(HIDDEN_EVENTS) & (ev["event"] != "check")].copy()
        pf = self.sim.pf
        ev["label"] = [pf.label(int(i)) if i >= 0 else "" for i in ev["loan_id"]]
        ev["zh"] = [_event_text(e, "zh") for e in ev["event"]]
        ev["en"] = [_event_text(e, "en") for e in ev["event"]]
        notes = self._scripted_notes()
        ev["details_en"] = [_result_text(d, "en") for d in ev["details"]]
        ev["details_zh"] = [
            notes.get((int(m), int(i), e), _result_text(d, "zh"))
            for m, i, e, d in zip(ev["month"], ev["loan_id"], ev["event"], ev["details"],
                                  strict=True)]
        return ev.reset_index(drop=True)

    def _scripted_notes(self) -> dict:
        """Chinese text of the case's scripted events, by (month, loan, event)."""
        pf = self.sim.pf
        return {(max(ev.month, 1), pf.named_index[b.id], "scripted_" + ev.kind): ev.note.zh
                for b in self.scenario.borrowers for ev in b.events if ev.note is not None}

    def _events_frame(self) -> pd.DataFrame:
        return self.sim.rec.event_frame()

    def metrics(self) -> pd.DataFrame:
        return self.sim.rec.metric_frame()

    def loan_file(self, loan_id: int) -> LoanFile:
        s = self.sim
        pf = s.pf
        i = int(loan_id)
        company, rep = pf.identity(i)
        company_en, rep_en = pf.identity(i, "en")
        hist = s.history
        months = np.arange(1, len(hist) + 1)
        payments = pd.DataFrame({
            "month": months, "due_cny": [h["due"][i] for h in hist],
            "paid_cny": [h["paid"][i] for h in hist], "dpd": [int(h["dpd"][i]) for h in hist],
        })
        turnover = pd.DataFrame({"month": months,
                                 "turnover_index": [h["turnover"][i] for h in hist]})
        rows = []
        lag = defaults.SIGNALS["statement_weak"].lag_months
        for q in range(3, len(hist) + 1, 3):
            if q + lag <= self.month:
                h = hist[q - 1]["health"][i]
                rows.append({"quarter_month": q, "received_month": q + lag,
                             "sales_index": round(100 * np.exp(0.1 * np.clip(h, -3, 3)), 1),
                             "receivables_days": round(60 - 12 * np.clip(h, -3, 3), 0),
                             "debt_ratio": round(0.55 - 0.05 * np.clip(h, -3, 3), 3)})
        statements = pd.DataFrame(rows, columns=["quarter_month", "received_month",
                                                 "sales_index", "receivables_days", "debt_ratio"])
        sig = self._signals_frame()
        sig = sig[sig["loan_id"] == i].copy()
        sig["zh"] = [defaults.SIGNALS[k].zh for k in sig["signal"]]
        sig["en"] = [defaults.SIGNALS[k].en for k in sig["signal"]]
        sig["group"] = [defaults.SIGNALS[k].group for k in sig["signal"]]
        sig["source"] = sig["via"]
        ev = self.events()
        acts = ev[(ev["loan_id"] == i) & ev["event"].str.startswith("action_")].copy()
        acts["action"] = acts["event"].str[7:]
        acts["result"] = acts["details"]
        g = pf.guarantor[i]
        given = np.flatnonzero(pf.guarantor == i)
        return LoanFile(
            profile={"company": company, "legal_rep": rep, "company_en": company_en,
                     "legal_rep_en": rep_en,
                     "industry": pf.industries[pf.industry[i]], "region": pf.regions[pf.region[i]],
                     "segment": pf.segment_ids[pf.segment[i]], "product": PRODUCTS[pf.product[i]],
                     "label": pf.label(i)},
            terms={"limit_cny": float(pf.amount[i]), "balance_cny": float(s.balance[i]),
                   "undrawn_cny": float(0 if s.frozen[i] else s.undrawn[i]),
                   "rate_annual": float(s.rate[i]), "floating": bool(pf.floating[i]),
                   "term_months": int(s.term[i]), "months_on_book": int(s.mob[i]),
                   "repayment": ["equal_instalment", "equal_principal",
                                 "interest_only_bullet"][pf.repayment[i]],
                   "payment_mode": "entrusted" if s.entrusted[i] else "self",
                   "frozen": bool(s.frozen[i]), "dpd": int(s.dpd[i]), "cls": int(s.cls[i]),
                   "cls_zh": CLASS_ZH[s.cls[i]], "cls_en": CLASS_EN[s.cls[i]],
                   "status": STATUS_KEYS[s.status[i]]},
            payments=payments, turnover=turnover, statements=statements,
            collateral={"type": COLLATERAL_TYPES[pf.collateral_type[i]],
                        "appraised_value_cny": float(s.appraised[i]),
                        "ltv": float(s.balance[i] / s.appraised[i]) if s.appraised[i] > 0 else None,
                        "last_appraisal_month": int(s.appraisal_month[i]),
                        "extra_cny": float(s.extra_collateral[i])},
            guarantors=[pf.label(g)] if g >= 0 else [],
            guarantees_given=[pf.label(j) for j in given],
            signals=sig.reset_index(drop=True),
            actions=acts[["month", "action", "zh", "en", "result"]].reset_index(drop=True),
        )

    def review(self, quarter_end_month: int | None = None) -> ReviewSummary:
        m = self.month if quarter_end_month is None else quarter_end_month
        lo = self.loans()
        watch = lo[(lo["status"].isin(["active", "defaulted"])) & (
            (lo["cls"] >= 1) | (lo["alerts"] >= 2) | (lo["dpd"] > 0))]
        watch = watch.sort_values(["cls", "dpd", "balance_cny"], ascending=False)
        ev = self.events()
        changes = ev[(ev["event"] == "class_change") & (ev["month"] > m - 3) & (ev["month"] <= m)]
        met = self.metrics()
        recent = met[(met["month"] > m - 3) & (met["month"] <= m)]
        slipped = sum(r.checks_slipped for r in self.sim.reports[max(0, m - 3):m])
        npl = float(recent["npl_ratio"].iloc[-1]) if len(recent) else 0.0
        notes_zh, notes_en = [], []
        if slipped:
            notes_zh.append(f"本季度有 {slipped} 次检查因工时不足而延后。")
            notes_en.append(f"{slipped} checks slipped this quarter for lack of hours.")
        n_watch = len(watch)
        notes_zh.append(f"关注名单共 {n_watch} 户,不良率 {npl:.2%}。")
        notes_en.append(f"{n_watch} borrowers on the watch list; NPL ratio {npl:.2%}.")
        return ReviewSummary(m, watch.reset_index(drop=True), changes.reset_index(drop=True), npl,
                             float(recent["hours_used"].sum()) if len(recent) else 0.0,
                             int(slipped), notes_zh, notes_en)

    # ---------------------------------------------------------------- debrief
    def result(self) -> RunResult:
        return RunResult.from_sim(self.sim)

    def debrief(self) -> Debrief:
        if not self.finished:
            raise RuntimeError("the debrief is available at the end of the horizon")
        if self._debrief is not None:
            return self._debrief
        you = self.result()
        base = run_baselines(self.scenario, self.seed, self.horizon)
        runs = {"you": you, **base}
        late, oracle = base["late-collection"], base["oracle"]
        rows = []
        for name, r in runs.items():
            sc = score(r, late, oracle, name)
            rows.append({"strategy": name, "loss_cny": r.loss_cny,
                         "npl_ratio_peak": sc.npl_ratio_peak, "hours": r.hours,
                         "saves": sc.saves, "interest_cny": r.interest_cny,
                         "compliance": sc.compliance, "index": sc.index})
        table = pd.DataFrame(rows)
        traj = pd.concat([r.metrics[["month", "npl_ratio", "cum_loss_cny"]].assign(strategy=n)
                          for n, r in runs.items()], ignore_index=True)
        pf = self.sim.pf
        sv = saves(you, late)
        saves_df = pd.DataFrame({
            "loan_id": sv, "label": [pf.label(i) for i in sv],
            "company": [pf.identity(int(i))[0] for i in sv],
            "company_en": [pf.identity(int(i), "en")[0] for i in sv],
            "default_month_late": late.loans["default_month"].to_numpy()[sv]})
        mw = missed_warnings(you)
        ew = base["early-warning"].loans
        eff_zh, eff_en = [], []
        for _, row in mw.iterrows():
            i = int(row["loan_id"])
            if row["via"] == "latent":
                eff_zh.append(f"第{int(row['first_warning_month'])}月若做一次现场检查即可发现。")
                eff_en.append(f"An on-site check in month {int(row['first_warning_month'])} "
                              "would have shown it. ")
            else:
                eff_zh.append("")
                eff_en.append("")
            if not ew["defaulted"].iat[i]:
                eff_zh[-1] += "参考策略在同一情景下避免了这笔违约。"
                eff_en[-1] += "The reference early-warning policy kept this loan out of default."
            else:
                diff = row["loss_cny"] - ew["loss_cny"].iat[i]
                eff_zh[-1] += f"及早处置可少损失约 {max(diff, 0):,.0f} 元。"
                eff_en[-1] += f"Acting early would have cut the loss by about CNY {max(diff, 0):,.0f}."
        sig = mw["first_warning_signal"]
        missed = pd.DataFrame({
            "loan_id": mw["loan_id"], "label": [pf.label(int(i)) for i in mw["loan_id"]],
            "company": [pf.identity(int(i))[0] for i in mw["loan_id"]],
            "company_en": [pf.identity(int(i), "en")[0] for i in mw["loan_id"]], "signal": sig,
            "zh": [defaults.SIGNALS[k].zh if k in defaults.SIGNALS else "" for k in sig],
            "en": [defaults.SIGNALS[k].en if k in defaults.SIGNALS else "" for k in sig],
            "via": mw["via"],
            "visible_month": mw["first_warning_month"], "default_month": mw["default_month"],
            "months_ahead": mw["months_ahead"], "effect_zh": eff_zh, "effect_en": eff_en})
        comp = you.compliance.rename(columns={"kind": "check_kind"})
        sc_you = score(you, late, oracle, "you")
        self._debrief = Debrief(
            index=headline_index(you.loss_cny, late.loss_cny, oracle.loss_cny), table=table,
            trajectories=traj, saves=saves_df, missed_warnings=missed, compliance=comp,
            score=sc_you.to_dict())
        return self._debrief

    def observation(self) -> Observation:
        return self.sim.observe()


__all__ = ["ActionError", "ActionOption", "Debrief", "Game", "LoanFile", "MonthReport",
           "QueuedAction", "ReviewSummary", "CLASS_KEYS", "SIG_INDEX", "DEFAULTED"]
