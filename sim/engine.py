"""The engine: a SimPy timeline over a portfolio held in numpy columns.

One tick process moves every loan each month (health, payments, days past due,
defaults, classification, provisions, signals). SimPy processes carry what is
event-like: the macro timeline, scripted borrower events, staff hours (a
`simpy.Container` refilled monthly), and workouts in flight (lawsuits,
auctions). Month t runs at SimPy time t - 0.5: events dated month t fire at
time t - 1, before the month's decision point.

Randomness: one SeedSequence per run, child streams per purpose. Every stream
draws the same amount each month whatever the decisions, so two strategies on
one seed face the same borrowers, economy and idiosyncratic draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import simpy
from scipy.special import ndtr, ndtri

from sim import defaults
from sim.classification import CLASS_KEYS, SPECIAL_MENTION, SUBSTANDARD, classify, provision_rates
from sim.credit import barrier, factor_step
from sim.interventions import catalogue
from sim.portfolio import COLLATERAL_TYPES, build_portfolio
from sim.roleplay import apply_talk
from sim.scenario import (
    Disaster,
    LprChange,
    MonitoringPolicy,
    PolicyShock,
    Recession,
    Scenario,
)

ACTIVE, DEFAULTED, CLOSED, WRITTEN_OFF, SOLD = range(5)
STATUS_KEYS = ("active", "defaulted", "closed", "written_off", "sold")
SIGNAL_IDS = tuple(defaults.SIGNALS)
SIG_INDEX = {k: j for j, k in enumerate(SIGNAL_IDS)}
CHECK_KIND_CODES = {k: j for j, k in enumerate(defaults.CHECK_KINDS)}
U_DIVERSION = len(SIGNAL_IDS)  # column of the monthly uniforms used to detect diversion
U_COLUMNS = len(SIGNAL_IDS) + 1


@dataclass
class Decision:
    """What a strategy decides at a month's start: a policy (None keeps it) and actions."""

    policy: MonitoringPolicy | None = None
    actions: list[tuple[int, str]] = field(default_factory=list)
    talks: list = field(default_factory=list)  # sim.roleplay.Talk: what meetings established


@dataclass
class Observation:
    """What an officer can see at a decision point. `hidden` is set only for the oracle."""

    month: int
    horizon: int
    hours_available: float
    policy: MonitoringPolicy
    status: np.ndarray
    product: np.ndarray
    segment: np.ndarray
    balance: np.ndarray
    undrawn: np.ndarray
    dpd: np.ndarray
    cls: np.ndarray
    last_check: np.ndarray
    last_seen: np.ndarray  # (loans, signals): month each signal was last seen, -99 never
    known_diversion: np.ndarray
    entrusted: np.ndarray
    frozen: np.ndarray
    restructured: np.ndarray
    has_collateral: np.ndarray
    lawsuit_month: np.ndarray
    judgment: np.ndarray
    auction_open: np.ndarray
    disaster_region: np.ndarray
    acted: np.ndarray  # month of the last preventive action, -99 never
    check_hours: np.ndarray  # hours of a targeted check per loan
    check_demand: Callable[[MonitoringPolicy], float] | None = None  # hours a policy needs now
    hidden: dict | None = None

    def recent_alerts(self, months: int = 3, groups: tuple[str, ...] | None = None) -> np.ndarray:
        """Number of distinct non-payment signals seen in the last `months` months."""
        cols = [j for j, k in enumerate(SIGNAL_IDS) if k != "payment_late"
                and (groups is None or defaults.SIGNALS[k].group in groups)]
        return (self.last_seen[:, cols] > self.month - 1 - months).sum(axis=1)


class Simulation:
    """One run of a scenario with a seed, driven by a decider (a strategy or a person)."""

    def __init__(self, scenario: Scenario, seed: int | None = None, months: int | None = None,
                 decider: Callable[[Observation], Decision] | None = None,
                 oracle: bool = False, keep_history: bool = False):
        self.sc = scenario
        self.keep_history = keep_history
        self.history: list[dict] = []
        self.reports: list[dict] = []
        self.seed = scenario.seed if seed is None else int(seed)
        self.T = scenario.horizon_months if months is None else int(months)
        if self.T < 1:
            raise ValueError("months must be at least 1")
        self.decider = decider
        self.oracle = oracle
        ss = np.random.SeedSequence(self.seed)
        s_borrowers, s_macro, s_idio, s_signals, s_actions, s_names = ss.spawn(6)
        self.rng_macro = np.random.default_rng(s_macro)
        self.rng_idio = np.random.default_rng(s_idio)
        self.rng_signals = np.random.default_rng(s_signals)
        self.rng_actions = np.random.default_rng(s_actions)
        rng_b = np.random.default_rng(s_borrowers)
        self.pf = pf = build_portfolio(scenario, rng_b, int(s_names.generate_state(1)[0]))
        n = self.n = pf.n
        self.catalogue = catalogue(scenario)
        self.policy = scenario.monitoring
        self.prov_rates = provision_rates(scenario.provision_rates)
        self.lpr = {"lpr_1y": scenario.lpr_1y, "lpr_5y": scenario.lpr_5y}
        w = defaults.FACTOR_WEIGHTS
        self.w = (np.sqrt(w["economy"]), np.sqrt(w["industry"]), np.sqrt(w["region"]))
        # systematic factors start from their stationary law (drawn from the macro stream)
        self.f_econ = self.rng_macro.standard_normal()
        self.f_ind = self.rng_macro.standard_normal(len(pf.industries))
        self.f_reg = self.rng_macro.standard_normal(len(pf.regions))
        # hidden borrower health, stationary at the start and above the barrier
        # loans start performing: health drawn from its stationary law above the barrier
        u0 = self.rng_idio.random(n)
        x0 = self.w[0] * self.f_econ + self.w[1] * self.f_ind[pf.industry] + \
            self.w[2] * self.f_reg[pf.region]
        c0 = barrier(pf.gp, pf.sqrt_rho, x0)
        p_below = ndtr(c0)
        self.e = ndtri(np.clip(p_below + u0 * (1.0 - p_below), 1e-12, 1 - 1e-12))
        self.shift = np.zeros(n)  # persistent health shifts (events, actions, contagion)
        self.boost = np.zeros(n)  # one-month boosts (collection)
        # loan state
        self.status = np.zeros(n, dtype=np.int8)
        self.balance = pf.drawn0.copy()
        self.undrawn = pf.amount - pf.drawn0
        self.undrawn0 = self.undrawn.copy()
        self.disbursed = pf.drawn0.copy()
        self.repaid = np.zeros(n)
        self.written_off = np.zeros(n)
        self.recovered = np.zeros(n)
        self.rate = np.where(pf.floating, self._base(pf.base_5y) + pf.spread, pf.fixed_rate)
        self.rate0 = self.rate.copy()
        self.term = pf.term.copy()
        self.mob = pf.mob0.copy()
        self.misses = np.zeros(n, dtype=np.int32)
        self.dpd = np.zeros(n, dtype=np.int32)
        self.arrears_interest = np.zeros(n)
        self.defaulted = np.zeros(n, dtype=bool)
        self.default_month = np.full(n, -1, dtype=np.int32)
        self._chain_hit = np.zeros(n, dtype=bool)  # a guarantor's default hits its chain once
        self._ead_total = 0.0
        self._cured_balance = 0.0
        # discounted cash flows of the credit loss: exposure at default, recoveries, cures
        self._ead_pv = np.zeros(n)
        self._recovery_pv = np.zeros(n)
        self._cure_pv = np.zeros(n)
        self.ead = np.zeros(n)
        self.distress_months = np.zeros(n)
        self.preserved = np.zeros(n, dtype=bool)  # assets frozen by a lawsuit
        self.condition = pf.condition0.copy()
        self.extra_collateral = np.zeros(n)
        self.collateral_sold = np.zeros(n, dtype=bool)
        self.appraised = pf.appraised0.copy()
        self.appraisal_month = np.zeros(n, dtype=np.int32)
        self.diverting = np.zeros(n, dtype=bool)
        self.known_diversion = np.zeros(n, dtype=bool)
        self.entrusted = pf.entrusted.copy()
        self.frozen = np.zeros(n, dtype=bool)
        self.restructured_until = np.full(n, -1, dtype=np.int32)
        self.deferral_until = np.full(n, -1, dtype=np.int32)
        self.floor = np.zeros(n, dtype=np.int8)
        self.cls = np.zeros(n, dtype=np.int8)
        self.lawsuit_month = np.full(n, -1, dtype=np.int32)
        self.judgment = np.zeros(n, dtype=bool)
        self.auction_open = np.zeros(n, dtype=bool)
        self.relationship = np.ones(n)
        self.interest = np.zeros(n)
        self.costs = np.zeros(n)
        # seasoned loans were last checked within one routine interval, spread over it
        self.never_checked = pf.mob0 == 0
        spread = scenario.monitoring.interval_months.normal or 6
        self.last_check = np.where(self.never_checked, -1,
                                   -rng_b.integers(0, spread, n)).astype(np.int32)
        self.due_since = np.full(n, -1, dtype=np.int32)
        self.due_kind = np.zeros(n, dtype=np.int8)
        self.closer_until = np.full(n, -1, dtype=np.int32)
        self.last_seen = np.full((n, len(SIGNAL_IDS)), -99, dtype=np.int32)
        self.first_warning = np.full(n, -1, dtype=np.int32)
        self.first_warning_signal = np.full(n, -1, dtype=np.int16)
        self.first_action = np.full(n, -1, dtype=np.int32)
        self.acted = np.full(n, -99, dtype=np.int32)
        self.d = np.zeros(n)
        self.d_hist = np.zeros((13, n))
        self.check_hours = np.array([defaults.CHECK_HOURS[p] for p in
                                     ("working_capital", "fixed_asset", "real_estate_dev",
                                      "small_business", "consumer")])[pf.product]
        # macro state
        self.active_shocks: list[tuple[int, int, object]] = []  # (start, end, event)
        self.disaster_until = np.full(len(pf.regions), -1, dtype=np.int32)
        self.disaster_hit = np.zeros(n, dtype=bool)
        self.disaster_damage = np.zeros(n)
        self.index_points = [(p.month, p.value) for p in scenario.collateral_index]
        # logs
        self._events: list[tuple] = []
        self._chunks: list[tuple[int, np.ndarray, str, np.ndarray]] = []
        self._signals: list[tuple[int, np.ndarray, np.ndarray, int]] = []
        self._latent: list[tuple[int, np.ndarray, int]] = []  # conditions a check would show
        self._metrics: list[dict] = []
        self._checks = {"required": np.zeros(3), "on_time": np.zeros(3), "done": np.zeros(3),
                        "slipped": 0, "quality_sum": 0.0, "quality_n": 0}
        self.hours_used = 0.0
        self.workout_hours = 0.0
        self.hours_log: list[float] = []
        self.money_spent = 0.0
        self.t = 0
        self._n_signals = 0
        self._hours_left = 0.0
        self._index_now = 1.0
        self._targeted = []
        self._ticked = True
        self._done_this_month: set[tuple[int, str]] = set()
        self.month_report: dict = {}
        # SimPy
        self.env = simpy.Environment()
        self.staff_hours = scenario.staff.officers * scenario.staff.hours_per_officer_month
        self.hours = simpy.Container(self.env, capacity=self.staff_hours, init=self.staff_hours)
        self.env.process(self._macro_timeline())
        self.env.process(self._scripted_events())
        self.env.process(self._months())
        self._rates_reset_due = np.zeros(n, dtype=bool)
        keys = np.stack([pf.segment, pf.industry, pf.region])
        groups, self._group_of = np.unique(keys, axis=1, return_inverse=True)
        self._group_of = self._group_of.ravel()
        first = np.zeros(groups.shape[1], dtype=np.int64)
        first[self._group_of[::-1]] = np.arange(n)[::-1]
        self._groups = (groups[0], groups[1], groups[2])
        self._group_gp, self._group_sqrt_rho = pf.gp[first], pf.sqrt_rho[first]
        self._staged = np.isin(pf.product, (1, 2))  # fixed-asset and development loans draw in stages
        self.borrower_of_loan = np.arange(n)
        self.multi_loan = False
        # health at the first decision point
        self.d = self.e - c0
        self.d_hist[:] = self.d

    # ---------------------------------------------------------------- helpers
    def _base(self, base_5y: np.ndarray) -> np.ndarray:
        return np.where(base_5y, self.lpr["lpr_5y"], self.lpr["lpr_1y"])

    def month_now(self) -> int:
        return int(np.floor(self.env.now)) + 1

    def log(self, month: int, loan: int, event: str, amount: float = 0.0, details: str = "") -> None:
        self._events.append((month, loan, event, float(amount), details))

    def _log_many(self, month: int, idx: np.ndarray, event: str, amount: np.ndarray | None = None):
        if len(idx):
            self._chunks.append((month, idx.astype(np.int64), event,
                                 np.zeros(len(idx)) if amount is None else amount.astype(float)))

    def index_value(self, month: float) -> float:
        """Collateral price index (1.0 at the start), piecewise linear between points."""
        if not self.index_points:
            return 1.0
        ms = [0] + [m for m, _ in self.index_points]
        vs = [1.0 if self.index_points[0][0] != 0 else self.index_points[0][1]] + \
             [v for _, v in self.index_points]
        return float(np.interp(month, ms, vs))

    def collateral_value(self, idx=slice(None)) -> np.ndarray:
        """True market value of each loan's security now (hidden); idx selects loans."""
        base = np.where(self.collateral_sold[idx], 0.0,
                        self.pf.appraised0[idx] * self.condition[idx] * self._index_now)
        return base + self.extra_collateral[idx]

    def recoverable(self) -> np.ndarray:
        """What a workout started now would recover per loan, before time and fees (hidden)."""
        liq = np.array([defaults.COLLATERAL_LIQUIDITY[c] for c in COLLATERAL_TYPES])[
            self.pf.collateral_type]
        liq = np.where(self.extra_collateral > 0, np.maximum(liq, 0.8), liq)
        coll = self.collateral_value() * defaults.AUCTION_PRICE_SHARE * liq
        residual = self.balance * self._residual_share(self.distress_months)
        g = self.pf.guarantor
        sound = (g >= 0) & (self.d[np.maximum(g, 0)] > 0) & ~self.defaulted[np.maximum(g, 0)]
        guar = np.where(sound, self.balance * defaults.GUARANTEE_RECOVERY_SHARE, 0.0)
        return np.minimum(self.balance, coll + residual + guar)

    @staticmethod
    def _residual_share(distress_months):
        """Free assets left to recover, as a share of the claim: they halve every
        RESIDUAL_HALF_LIFE_MONTHS of distress (why late collection recovers less)."""
        return defaults.RESIDUAL_RECOVERY_SHARE * 0.5 ** (
            distress_months / defaults.RESIDUAL_HALF_LIFE_MONTHS)

    def discount(self, month: float) -> float:
        return (1.0 + self.sc.discount_rate_annual) ** (-month / 12.0)

    # ------------------------------------------------------------- processes
    def _macro_timeline(self):
        """Policy shocks, LPR changes, recessions and disasters at their months."""
        for ev in sorted(self.sc.macro, key=lambda e: e.month):
            wait = max(ev.month - 1, 0) - self.env.now
            if wait > 0:
                yield self.env.timeout(wait)
            m = max(ev.month, 1)
            if isinstance(ev, LprChange):
                keys = ("lpr_1y", "lpr_5y") if ev.base == "both" else (ev.base,)
                for k in keys:
                    self.lpr[k] = max(0.0, self.lpr[k] + ev.delta_bp / 10_000)
                self._rates_reset_due |= self.pf.floating
                self.log(m, -1, "lpr_change", ev.delta_bp, ",".join(keys))
            elif isinstance(ev, PolicyShock | Recession):
                self.active_shocks.append((m, m + ev.duration_months, ev))
                self.log(m, -1, ev.type, ev.severity, ",".join(getattr(ev, "segments", [])))
            elif isinstance(ev, Disaster):
                if ev.region in self.pf.regions:
                    r = self.pf.regions.index(ev.region)
                    self.disaster_until[r] = m + ev.duration_months
                    hit = self.pf.region == r
                    permanent = hit & (self.pf.disaster_u < ev.permanent_share)
                    self.disaster_hit |= hit
                    self.disaster_damage[hit] += ev.severity
                    self.shift[permanent] -= ev.severity * defaults.DISASTER_PERMANENT_HEALTH
                    self.active_shocks.append((m, m + ev.duration_months, ev))
                self.log(m, -1, "disaster", ev.severity, ev.region)
        yield self.env.timeout(0)

    def _scripted_events(self):
        """Authored events of named borrowers, at the months the case gives."""
        items = [(ev.month, self.pf.named_index[b.id], ev)
                 for b in self.sc.borrowers for ev in b.events]
        for month, i, ev in sorted(items, key=lambda x: (x[0], x[1])):
            wait = max(month - 1, 0) - self.env.now
            if wait > 0:
                yield self.env.timeout(wait)
            m = max(month, 1)
            s = ev.severity
            k = ev.kind
            if k in ("health_shock", "sales_drop"):
                self.shift[i] -= s
            elif k == "key_person_leaves":
                self.shift[i] -= 0.5 * s
                self._see(m, np.array([i]), "key_person", 0)
            elif k == "diversion_start":
                if not self.entrusted[i]:
                    self.diverting[i] = True
            elif k == "lawsuit_filed":
                self.shift[i] -= 0.3 * s
                self._see(m, np.array([i]), "lawsuit", 0)
            elif k == "tax_arrears":
                self.shift[i] -= 0.2 * s
                self._see(m, np.array([i]), "tax_arrears", 0)
            elif k == "collateral_damage":
                self.condition[i] *= max(0.0, 1.0 - 0.3 * s)
            elif k == "recovery":
                self.shift[i] += s
            if k == "sales_drop":
                self._see(m, np.array([i]), "turnover_drop", 0)
            self.log(m, i, "scripted_" + k, s, ev.note.en if ev.note else "")
        yield self.env.timeout(0)

    def _months(self):
        yield self.env.timeout(0.5)
        while self.t < self.T:
            self.t += 1
            self._month(self.t)
            yield self.env.timeout(1)

    def _lawsuit(self, i: int, months: float):
        """A lawsuit: judgment after `months`; enforcement against free assets."""
        yield self.env.timeout(months)
        m = self.month_now()
        if self.status[i] in (CLOSED, SOLD) or (self.status[i] == ACTIVE and not self.defaulted[i]):
            return
        self.judgment[i] = True
        u = self._u_act[i, 1] if self._u_act is not None else 0.5
        if u < defaults.ENFORCEMENT_SUCCESS:
            residual = self.balance_or_claim(i) * self._residual_share(self.distress_months[i])
            g = self.pf.guarantor[i]
            if g >= 0 and not self.defaulted[g] and self.d[g] > 0:
                residual += self.balance_or_claim(i) * defaults.GUARANTEE_RECOVERY_SHARE
            self._recover(m, i, residual, "judgment_enforced")
        else:
            self.log(m, i, "judgment", 0.0, "no free assets found")

    def _auction(self, i: int):
        """Online judicial auction: two rounds, then a sale period (domain.md)."""
        rounds = (("round1", 1.0, 1), ("round2", 1.0 - defaults.AUCTION_SECOND_ROUND_CUT, 1),
                  ("sale_period", 0.8 * (1.0 - defaults.AUCTION_SECOND_ROUND_CUT), 2))
        self.auction_open[i] = True
        for name, price_factor, months in rounds:
            yield self.env.timeout(months)
            m = self.month_now()
            if self.status[i] in (CLOSED, SOLD) or self.collateral_sold[i] or (
                    self.status[i] == ACTIVE and not self.defaulted[i]):
                self.auction_open[i] = False  # repaid, sold or cured: the auction stops
                return
            liq = defaults.COLLATERAL_LIQUIDITY[COLLATERAL_TYPES[self.pf.collateral_type[i]]]
            liq = max(liq, 0.8) if self.extra_collateral[i] > 0 else liq
            p_sell = defaults.AUCTION_SALE_PROBABILITY[name] * (0.5 + 0.5 * liq)
            if self._u_act[i, 0] < p_sell * 2.0:  # two bidders' chances over the round
                value = float(self.collateral_value(i))
                price = value * defaults.AUCTION_START_SHARE * price_factor / 0.7 * \
                    defaults.AUCTION_PRICE_SHARE
                self.collateral_sold[i] = True
                self.extra_collateral[i] = 0.0
                self.auction_open[i] = False
                self._recover(m, i, price, "auction_sold_" + name)
                return
            self.log(m, i, "auction_unsold_" + name)
        self.auction_open[i] = False

    def balance_or_claim(self, i: int) -> float:
        return float(self.balance[i] if self.status[i] in (ACTIVE, DEFAULTED)
                     else self.written_off[i])

    def _recover(self, m: int, i: int, cash: float, event: str) -> None:
        """Apply recovered cash to the claim; after write-off it writes back (账销案存)."""
        if self.status[i] in (ACTIVE, DEFAULTED):
            amt = min(cash, self.balance[i])
            self.balance[i] -= amt
        else:
            amt = min(cash, self.written_off[i])
            self.written_off[i] -= amt
        self.recovered[i] += amt
        self._recovery_pv[i] += amt * self.discount(m)
        self.log(m, i, event, amt)
        if self.status[i] in (ACTIVE, DEFAULTED) and self.balance[i] <= 0.5:
            self.balance[i] = 0.0
            self.status[i] = CLOSED

    # --------------------------------------------------------------- the month
    def observe(self) -> Observation:
        t = self.t
        obs = Observation(
            month=t, horizon=self.T, hours_available=self._hours_left, policy=self.policy,
            status=self.status, product=self.pf.product, segment=self.pf.segment,
            balance=self.balance, undrawn=np.where(self.frozen, 0.0, self.undrawn),
            dpd=self.dpd, cls=self.cls, last_check=self.last_check, last_seen=self.last_seen,
            known_diversion=self.known_diversion, entrusted=self.entrusted, frozen=self.frozen,
            restructured=self.restructured_until >= t,
            has_collateral=(~self.collateral_sold) & ((self.pf.collateral_type > 0)
                                                     | (self.extra_collateral > 0)),
            lawsuit_month=self.lawsuit_month, judgment=self.judgment,
            auction_open=self.auction_open,
            disaster_region=self.disaster_until[self.pf.region] >= t,
            acted=self.acted, check_hours=self.check_hours[:, 2],
            check_demand=lambda p: self.policy_hours(p, t),
        )
        if self.oracle:
            obs.hidden = {"health": self.d.copy(), "diverting": self.diverting.copy(),
                          "collateral_value": self.collateral_value(),
                          "recoverable": self.recoverable()}
        return obs

    def _month(self, t: int) -> None:
        n = self.n
        # fixed draws every month: the same numbers whatever is decided (common random numbers)
        z_idio = self.rng_idio.standard_normal(n)
        z_econ = self.rng_macro.standard_normal()
        z_ind = self.rng_macro.standard_normal(len(self.pf.industries))
        z_reg = self.rng_macro.standard_normal(len(self.pf.regions))
        self._u_sig = self.rng_signals.random((n, U_COLUMNS))
        self._u_act = self.rng_actions.random((n, 2))
        self._done_this_month = set()
        if self.hours.level < self.staff_hours:
            self.hours.put(self.staff_hours - self.hours.level)
        self._hours_left = start_hours = float(self.hours.level)
        self._index_now = self.index_value(t)
        self._targeted: list[int] = []
        self.month_report = {"month": t, "checks_done": 0, "checks_slipped": 0,
                             "check_quality": 1.0, "new_defaults": 0, "new_alerts": 0,
                             "rejected": []}
        n_sig_before = self._n_signals
        # the decision point
        if self.decider is not None:
            dec = self.decider(self.observe())
            if dec.policy is not None:
                self.policy = dec.policy
        # checks the policy requires come first; targeted work gets the hours left over
        self._ticked = False
        self._checks_due(t)
        if self.decider is not None:
            for i, a in dec.actions:
                self.act(int(i), a)
            for talk in dec.talks:
                apply_talk(self, talk)
            if self._targeted:
                self._do_checks(t, np.array(self._targeted), CHECK_KIND_CODES["targeted"], 1.0)
        self._draw_hours(start_hours)
        self._tick(t, z_idio, z_econ, z_ind, z_reg)
        self._ticked = True
        self._offsite_signals(t)
        used = start_hours - self._hours_left
        self.hours_used += used
        self.hours_log.append(used)
        self.month_report["new_alerts"] = self._n_signals - n_sig_before
        self.month_report["hours_used"] = used
        self._record_metrics(t, used)
        self.reports.append(self.month_report)
        if self.keep_history:
            noise = 1.0 + 0.06 * (self._u_sig[:, 0] - 0.5)
            self.history.append({
                "dpd": self.dpd.copy(), "due": self._last_due.copy(), "paid": self._last_paid.copy(),
                "balance": self.balance.copy(), "cls": self.cls.copy(),
                "turnover": 100.0 * np.exp(0.12 * np.clip(self.d, -3, 3)) * noise,
                "health": self.d.copy(),
            })

    # ------------------------------------------------------------ interventions
    def precondition(self, i: int, action: str) -> str | None:
        """The reason code an action cannot be taken on loan i now, or None."""
        it = self.catalogue.get(action)
        if it is None:
            return "available"
        for req in it.requires:
            if not self._holds(req, i, action):
                return req
        return None

    def _holds(self, req: str, i: int, action: str) -> bool:
        st = self.status[i]
        if req == "active":
            return st in (ACTIVE, DEFAULTED) or (action == "claim_sale" and st == WRITTEN_OFF)
        if req == "not_defaulted":
            return not self.defaulted[i] and st == ACTIVE
        if req == "has_undrawn":
            return self.undrawn[i] > 0 and not self.frozen[i]
        if req == "self_payment":
            return not self.entrusted[i]
        if req == "in_difficulty":
            return bool(self.dpd[i] > 0 or self.cls[i] >= SPECIAL_MENTION
                        or (self.last_seen[i] >= self.t - 3).any())
        if req == "disaster_hit":
            return bool(self.disaster_until[self.pf.region[i]] >= self.t)
        if req == "overdue":
            return bool(self.dpd[i] > 0)
        if req == "defaulted":
            return bool(self.defaulted[i]) or st == WRITTEN_OFF
        if req == "no_lawsuit":
            return self.lawsuit_month[i] < 0
        if req == "judgment_or_security":
            return bool(self.judgment[i] or (
                self.lawsuit_month[i] >= 0 and self.t - self.lawsuit_month[i]
                >= defaults.SECURITY_ENFORCEMENT_MONTHS)) and not self.auction_open[i]
        if req == "has_collateral":
            return (not self.collateral_sold[i]) and (
                self.pf.collateral_type[i] > 0 or self.extra_collateral[i] > 0)
        raise ValueError(f"unknown precondition {req}")

    def by_legal_team(self, action: str) -> bool:
        """Legal work goes to the asset-preservation team (资产保全部), not the officers."""
        it = self.catalogue.get(action)
        return it is not None and it.stage == "workout" and action != "accelerate"

    def _draw_hours(self, start_hours: float) -> None:
        """Take the month's hours from the officers' container in one draw."""
        spent = start_hours - self._hours_left
        if spent > 0:
            self.hours.get(min(spent, self.hours.level))

    def action_hours(self, i: int, action: str) -> float:
        if action == "onsite_check":
            return float(self.check_hours[i, 2])
        return float(self.catalogue[action].hours)

    def act(self, i: int, action: str) -> str | None:
        """Take an action on loan i now; returns a reason code if it could not be taken."""
        why = self.precondition(i, action)
        if why is None and (i, action) in self._done_this_month:
            why = "queued"
        it = self.catalogue.get(action)
        hours = self.action_hours(i, action) if why is None else 0.0
        team = self.by_legal_team(action)
        if why is None and not team and hours > self._hours_left + 1e-9:
            why = "hours"
        if why is not None:
            self.month_report.setdefault("rejected", []).append((i, action, why))
            return why
        self._done_this_month.add((i, action))
        if team:
            self.workout_hours += hours
        elif hours > 0:
            self._hours_left -= hours
        t = self.t
        cost = it.cost_cny + it.cost_share * max(self.balance_or_claim(i), 0.0)
        self.costs[i] += cost
        self.money_spent += cost
        healthy = self.d[i] > 1.0
        result = ""
        if it.stage in ("monitor", "prevent", "restructure") or action == "accelerate":
            if self.first_action[i] < 0:
                self.first_action[i] = t
            self.acted[i] = t
        if action == "closer_monitoring":
            self.closer_until[i] = t + int(it.duration_months)
        elif action == "onsite_check":
            self._targeted.append(i)  # done together after the month's actions
        elif action == "add_collateral":
            if self.d[i] > it.params["health_margin"]:
                top = it.params["top_up_ltv_share"] * self.balance[i]
                self.extra_collateral[i] += top
                self.appraised[i] += top
                result = "obtained"
            else:
                result = "refused"
            self.relationship[i] -= defaults.RELATIONSHIP_HIT["intrusive"]
        elif action == "freeze_line":
            self.frozen[i] = True
            result = "frozen"
            if healthy:
                result = self._damage(t, i)
        elif action == "entrusted_payment":
            self.entrusted[i] = True
            self.diverting[i] = False
            self.relationship[i] -= defaults.RELATIONSHIP_HIT["intrusive"]
        elif action == "restructure":
            p = it.params
            # relief works best before arrears build up (re-default is likelier later)
            stage = min(int(self.dpd[i]) // 30 * 30, 60)
            self.shift[i] += p["health_boost"] * p["stage_factor"][stage]
            self.rate[i] = max(0.0, self.rate[i] - p["rate_concession"])
            self.rate0[i] = max(0.0, self.rate0[i] - p["rate_concession"])
            remaining = max(self.term[i] - self.mob[i], 1)
            self.term[i] = self.mob[i] + int(np.ceil(remaining * 1.5)) + 6
            self.restructured_until[i] = t + p["observation_months"]
            self.misses[i] = 0
            self.dpd[i] = 0
        elif action == "emergency_deferral":
            self.deferral_until[i] = t + it.params["months"] - 1
            self.misses[i] = 0
            self.dpd[i] = 0
        elif action == "accelerate":
            if self.d[i] > it.params["repay_health"] and not self.defaulted[i]:
                self._repay_in_full(i)
                self.relationship[i] = 0.0
                result = "repaid"
            else:
                if not self.defaulted[i]:
                    self._default(t, np.array([i]))
                self.floor[i] = max(self.floor[i], SUBSTANDARD)
                self.frozen[i] = True
                result = "defaulted"
        elif action in ("collect_call", "collect_letter", "collect_visit"):
            self.boost[i] += it.params["cure_boost"]
        elif action == "lawsuit":
            self.lawsuit_month[i] = t
            self.preserved[i] = True
            self.env.process(self._lawsuit(i, it.duration_months))
        elif action == "auction":
            self.env.process(self._auction(i))
        elif action == "write_off":
            amt = self.balance[i]
            self.written_off[i] += amt
            self.balance[i] = 0.0
            self.status[i] = WRITTEN_OFF
            result = f"{amt:.0f}"
        elif action == "claim_sale":
            claim = self.balance_or_claim(i)
            if self.status[i] in (ACTIVE, DEFAULTED):
                value = self.recoverable()[i]
            else:
                bal = self.balance[i]
                self.balance[i] = claim
                value = self.recoverable()[i]
                self.balance[i] = bal
            share = defaults.CLAIM_SALE_VALUE_FACTOR
            price = min(claim, share * value)
            if self.status[i] in (ACTIVE, DEFAULTED):
                self._recover(t, i, price, "claim_sold")
                rest = self.balance[i]
                self.written_off[i] += rest
                self.balance[i] = 0.0
            else:
                self._recover(t, i, price, "claim_sold")
            self.status[i] = SOLD
        self.log(t, i, "action_" + action, cost, result)
        return None

    def _repay_in_full(self, i: int) -> float:
        """The borrower pays off the whole balance now and the line closes."""
        amt = float(self.balance[i])
        self.repaid[i] += amt
        self.balance[i] = 0.0
        self.undrawn[i] = 0.0
        self.status[i] = CLOSED
        return amt

    def _damage(self, t: int, i: int) -> str:
        """An aggressive action on a healthy borrower: the relationship suffers, it may leave."""
        self.relationship[i] -= defaults.RELATIONSHIP_HIT["aggressive_on_healthy"]
        if self._u_act[i, 1] < defaults.EARLY_REPAYMENT_ON_DAMAGE:
            self.log(t, i, "customer_left", self._repay_in_full(i))
            return "customer_left"
        return "relationship_damaged"

    # ------------------------------------------------------------------ checks
    def due_masks(self, policy: MonitoringPolicy, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(first check due, routine check due) under a policy at month t."""
        iv = policy.interval_months
        interval = np.array([iv.normal, iv.special_mention, iv.substandard, iv.doubtful,
                             iv.loss])[self.cls]
        interval = np.where(self.closer_until >= t, 1, interval)
        on_books = self.status <= DEFAULTED
        first_month = max(1, int(np.ceil(policy.first_check_days / 30)))
        never = self.never_checked
        first_due = on_books & never & (t >= first_month) & (policy.first_check_days > 0)
        routine_due = on_books & ~never & (interval > 0) & (t - self.last_check >= interval)
        return first_due, routine_due

    def policy_hours(self, policy: MonitoringPolicy, t: int) -> float:
        """Hours the checks due at month t under a policy would take, slipped ones included."""
        first_due, routine_due = self.due_masks(policy, t)
        due = first_due | routine_due | (self.due_since >= 0)
        kind = np.where(first_due, 0, 1)
        return float(self.check_hours[np.flatnonzero(due), kind[due]].sum())

    def _checks_due(self, t: int) -> None:
        """Routine and first checks the policy requires; overload makes them slip or rush."""
        first_due, routine_due = self.due_masks(self.policy, t)
        on_books = self.status <= DEFAULTED
        due = first_due | routine_due
        newly = due & (self.due_since < 0)
        self.due_since[newly] = t
        self.due_kind[newly & first_due] = CHECK_KIND_CODES["first"]
        self.due_kind[newly & ~first_due] = CHECK_KIND_CODES["routine"]
        np.add.at(self._checks["required"], self.due_kind[newly], 1)
        self.due_since[~due & (self.due_since >= 0) & ~on_books] = -1
        idx = np.flatnonzero(self.due_since >= 0)
        if not len(idx):
            return
        hours = self.check_hours[idx, self.due_kind[idx]]
        order = np.lexsort((-self.balance[idx], -self.cls[idx], self.due_since[idx]))
        idx, hours = idx[order], hours[order]
        avail = self._hours_left
        demand = float(hours.sum())
        if demand <= avail:
            done, quality = idx, 1.0
            spent = demand
        else:
            cum = np.cumsum(hours)
            k = int(np.searchsorted(cum, avail * defaults.RUSH_FACTOR, side="right"))
            done = idx[:k]
            spent = avail if k else 0.0  # nothing fits: the hours stay for other work
            quality = min(1.0, avail / float(cum[k - 1])) if k else 1.0
        self._hours_left -= min(spent, self._hours_left)
        slipped = len(idx) - len(done)
        self._checks["slipped"] += slipped
        self.month_report["checks_slipped"] = slipped
        if len(done):
            on_time = self.due_since[done] == t
            np.add.at(self._checks["on_time"], self.due_kind[done][on_time], 1)
            np.add.at(self._checks["done"], self.due_kind[done], 1)
            self._checks["quality_sum"] += quality * len(done)
            self._checks["quality_n"] += len(done)
            self.month_report["checks_done"] = len(done)
            self.month_report["check_quality"] = quality
            self.due_since[done] = -1
            self._do_checks(t, done, -1, quality)

    def _do_checks(self, t: int, idx: np.ndarray, kind: int, quality: float) -> None:
        """On-site checks on loans idx: reveal on-site signals, diversion and collateral."""
        if kind == CHECK_KIND_CODES["targeted"]:
            self._checks["required"][kind] += len(idx)
            self._checks["on_time"][kind] += len(idx)
            self._checks["done"][kind] += len(idx)
            self._checks["quality_sum"] += quality * len(idx)
            self._checks["quality_n"] += len(idx)
        self.last_check[idx] = t
        self.never_checked[idx] = False
        self.due_since[idx] = -1
        detect = quality ** defaults.QUALITY_EXPONENT
        u = self._u_sig[idx]
        for k, sig in defaults.SIGNALS.items():
            if sig.source != "onsite":
                continue
            j = SIG_INDEX[k]
            cond = self._condition(sig, idx)
            miss = self._override(sig, "miss_rate")
            fp = self._override(sig, "false_positive_rate")
            seen = (cond & (u[:, j] < (1 - miss) * detect)) | (~cond & (u[:, j] < fp))
            self._see(t, idx[seen], k, 1)
        found = self.diverting[idx] & (u[:, U_DIVERSION] < 0.85 * detect)
        self.known_diversion[idx[found]] = True
        true_value = self.collateral_value(idx)
        self.appraised[idx] = true_value * (1.0 + 0.25 * (1.0 - quality))
        self.appraisal_month[idx] = t
        self._log_many(t, idx, "check")

    def _condition(self, sig, idx: np.ndarray | slice) -> np.ndarray:
        """Whether the hidden state behind a signal holds for loans idx."""
        if sig.driver == "diversion":
            return self.diverting[idx]
        if sig.driver == "collateral":
            v = self.collateral_value(idx)
            return v < 0.85 * np.maximum(self.appraised[idx], 1.0)
        if sig.driver == "guarantor":
            g = self.pf.guarantor[idx]
            gg = np.maximum(g, 0)
            return (g >= 0) & ((self.d[gg] < 0.3) | self.defaulted[gg])
        if sig.driver == "payment":
            return self.dpd[idx] > 0
        # checks run before this month's tick, so they read health up to last month
        now = self.t - (0 if self._ticked else 1)
        lag_d = self.d_hist[(now - self._override(sig, "lag_months")) % 13][idx]
        return lag_d < defaults.SIGNAL_LEAD_TO_HEALTH * self._lead(sig)

    def _lead(self, sig) -> float:
        return self._override(sig, "lead_months")

    def _override(self, sig, name: str):
        """A signal parameter, from the scenario's overrides when it sets one."""
        ov = self.sc.signal_overrides.get(sig.id)
        value = None if ov is None else getattr(ov, name)
        return getattr(sig, name) if value is None else value

    def _see(self, t: int, idx: np.ndarray, signal: str, via: int) -> None:
        if not len(idx):
            return
        j = SIG_INDEX[signal]
        self.last_seen[idx, j] = t
        if signal != "payment_late":
            fresh = idx[self.first_warning[idx] < 0]
            self.first_warning[fresh] = t
            self.first_warning_signal[fresh] = j
        self._signals.append((t, idx.astype(np.int64), np.full(len(idx), j, dtype=np.int16), via))
        self._n_signals += len(idx)

    def _offsite_signals(self, t: int) -> None:
        live = np.flatnonzero(self.status <= DEFAULTED)
        u = self._u_sig[live]
        for k, sig in defaults.SIGNALS.items():
            if sig.source != "offsite":
                continue
            if sig.every_months > 1 and t % sig.every_months != 0:
                continue
            j = SIG_INDEX[k]
            miss = self._override(sig, "miss_rate")
            fp = self._override(sig, "false_positive_rate")
            cond = self._condition(sig, live)
            if k == "collection_bypass":
                cond = cond | self.diverting[live]
            seen = (cond & (u[:, j] < 1 - miss)) | (~cond & (u[:, j] < fp))
            self._see(t, live[seen], k, 0)
        # hidden conditions that a check would have shown, for the missed-warning score
        for k, sig in defaults.SIGNALS.items():
            if sig.source == "onsite" and sig.driver in ("health", "diversion"):
                cond = self._condition(sig, live)
                fresh = live[cond & (self.first_warning[live] < 0)]
                self.first_warning[fresh] = t
                self.first_warning_signal[fresh] = SIG_INDEX[k]
                held = live[cond]
                if len(held):
                    self._latent.append((t, held.astype(np.int64), SIG_INDEX[k]))

    # -------------------------------------------------------------------- tick
    def _tick(self, t: int, z_idio, z_econ, z_ind, z_reg) -> None:
        pf = self.pf
        phi_s = defaults.SYSTEMATIC_PHI_MONTHLY
        self.f_econ = factor_step(self.f_econ, z_econ, phi_s)
        self.f_ind = factor_step(self.f_ind, z_ind, phi_s)
        self.f_reg = factor_step(self.f_reg, z_reg, phi_s)
        we, wi, wr = self.w
        # the barrier depends on the loan only through (segment, industry, region): compute it
        # once per group and spread it over the group's loans
        g_seg, g_ind, g_reg = self._groups
        x = we * self.f_econ + wi * self.f_ind[g_ind] + wr * self.f_reg[g_reg]
        shock = np.zeros(self.n)
        self.active_shocks = [s for s in self.active_shocks if s[1] > t]
        for start, end, ev in self.active_shocks:
            if start > t:
                continue
            if isinstance(ev, Recession):
                x = x - ev.severity
            elif isinstance(ev, PolicyShock):
                seg_hit = np.isin(pf.segment, [pf.segment_ids.index(s) for s in ev.segments])
                shock[seg_hit] -= ev.severity
            elif isinstance(ev, Disaster):
                r = pf.regions.index(ev.region)
                fade = 1.0 - (t - start) / max(end - start, 1)
                shock[pf.region == r] -= ev.severity * max(fade, 0.0)
        # floating rates reprice at their next reset after an LPR change
        if self._rates_reset_due.any():
            reset_now = self._rates_reset_due & (self.mob % pf.reset_months == 0)
            if reset_now.any():
                new = self._base(pf.base_5y) + pf.spread
                old = self.rate.copy()
                conc = self.rate0 - (self._base0(pf.base_5y) + pf.spread)
                self.rate[reset_now] = np.maximum(0.0, new[reset_now] + conc[reset_now])
                self._log_many(t, np.flatnonzero(reset_now & (old != self.rate)), "rate_reset",
                               self.rate[reset_now & (old != self.rate)])
                self._rates_reset_due &= ~reset_now
        burden = np.where(pf.floating, -defaults.RATE_BURDEN_HEALTH_PER_PCT *
                          (self.rate - self.rate0) * 100.0, 0.0)
        # hidden health
        self.e = factor_step(self.e, z_idio, defaults.IDIO_PHI_MONTHLY)
        c = barrier(self._group_gp, self._group_sqrt_rho, x)[self._group_of]
        live = self.status <= DEFAULTED
        start_diverting = pf.diverter & ~self.entrusted & ~self.diverting & live & \
            (self.d < defaults.DIVERSION_ONSET_HEALTH) & (t > 1)
        self.diverting |= start_diverting
        self._log_many(t, np.flatnonzero(start_diverting), "diversion_started")
        self.shift[self.diverting & live] -= defaults.DIVERSION_DRAIN_PER_MONTH
        d = self.e - c + self.shift + shock + burden + self.boost
        self.boost[:] = 0.0
        self.d = d
        self.d_hist[t % 13] = d
        # drawdowns: staged tranches while healthy, the whole line when distressed
        can_draw = live & ~self.frozen & (self.undrawn > 0) & ~self.defaulted
        staged = self._staged
        tranche = np.where(staged & (d > 0), self.undrawn0 / defaults.SCHEDULED_DRAW_MONTHS, 0.0)
        tranche = np.where(d < defaults.DRAWDOWN_HEALTH, self.undrawn, tranche)
        draw = np.where(can_draw, np.minimum(tranche, self.undrawn), 0.0)
        self.undrawn -= draw
        self.balance += draw
        self.disbursed += draw
        # payments
        performing = (self.status == ACTIVE) & ~self.defaulted
        deferred = self.deferral_until >= t
        due = performing & ~deferred & (self.balance > 0)
        miss = due & (d < 0)
        pay = due & ~miss
        r = self.rate / 12.0
        remaining = np.maximum(self.term - self.mob, 1)
        interest_due = self.balance * r
        with np.errstate(divide="ignore", invalid="ignore"):
            annuity = np.where(r > 0, self.balance * r / (1 - (1 + r) ** (-remaining)),
                               self.balance / remaining)
        principal = np.select(
            [pf.repayment == 0, pf.repayment == 1],
            [annuity - interest_due, self.balance / remaining],
            np.where(remaining <= 1, self.balance, 0.0))
        principal = np.clip(principal, 0.0, self.balance)
        paid_principal = np.where(pay, principal, 0.0)
        self._last_due = np.where(due, principal + interest_due, 0.0)
        self._last_paid = np.where(pay, principal + interest_due + self.arrears_interest, 0.0)
        cured = pay & (self.misses > 0)
        self.interest += np.where(pay, interest_due + self.arrears_interest, 0.0)
        self.arrears_interest = np.where(pay, 0.0, self.arrears_interest + np.where(
            miss, interest_due, 0.0))
        self.balance -= paid_principal
        self.repaid += paid_principal
        self.arrears_interest += np.where(deferred & performing, interest_due, 0.0)
        self.misses = np.where(pay, 0, np.where(miss, self.misses + 1, self.misses))
        self._log_many(t, np.flatnonzero(cured), "cured")
        self._log_many(t, np.flatnonzero(miss & (self.misses == 1)), "payment_missed")
        self.mob += performing.astype(np.int32)
        matured = performing & (self.balance <= 0.5) & (self.undrawn <= 0.5)
        matured |= performing & (self.balance <= 0.5) & (self.mob >= self.term)
        self.balance[matured] = 0.0
        self.undrawn[matured] = 0.0
        self.status[matured] = CLOSED
        self._log_many(t, np.flatnonzero(matured), "repaid")
        # days past due and default (90+ days)
        self.dpd = np.where(self.defaulted & (self.status == DEFAULTED), self.dpd + 30,
                            self.misses * 30).astype(np.int32)
        new_default = ~self.defaulted & (self.status == ACTIVE) & \
            (self.misses >= defaults.MISSES_TO_DEFAULT)
        self._default(t, np.flatnonzero(new_default))
        # defaulted loans: self-cure is rare, collection helps
        dl = np.flatnonzero(self.status == DEFAULTED)
        if len(dl):
            chance = np.where(self.lawsuit_month[dl] >= 0, defaults.COLLECTION_CURE_DEFAULTED,
                              defaults.SELF_CURE_DEFAULTED)
            cure = dl[(self._u_act[dl, 0] < chance) & (d[dl] > 0.5) & (self.floor[dl] < 2)]
            if len(cure):
                self.status[cure] = ACTIVE
                self.defaulted[cure] = False
                self.misses[cure] = 0
                self.dpd[cure] = 0
                self._cure_pv[cure] += self.balance[cure] * self.discount(t)
                self._cured_balance += float(self.balance[cure].sum())
                self._log_many(t, cure, "default_cured", self.balance[cure])
        # distress wears down free assets and collateral
        distressed = live & (d < 0)
        self.distress_months += (distressed & ~self.preserved)
        self.condition[distressed] *= 1.0 - defaults.COLLATERAL_DECAY_PER_MONTH_DISTRESSED
        # classification and provisions (what the bank can see)
        # a disaster deferral is relief, not a restructuring: it does not flag the loan
        flagged = self.known_diversion | (self.restructured_until >= t)
        old = self.cls
        # one loan per borrower: the 10% rule across a borrower's loans cannot bite here, so
        # the borrower array is passed only when some borrower has several loans
        self.cls = classify(self.dpd, flagged & (self.status <= DEFAULTED), self.floor,
                            self.balance, self.borrower_of_loan if self.multi_loan else None)
        changed = np.flatnonzero((self.cls != old) & (self.status <= DEFAULTED))
        self._log_many(t, changed, "class_change", self.cls[changed])

    def _base0(self, base_5y):
        return np.where(base_5y, self.sc.lpr_5y, self.sc.lpr_1y)

    def _default(self, t: int, idx: np.ndarray) -> None:
        if not len(idx):
            return
        self.defaulted[idx] = True
        self.status[idx] = DEFAULTED
        first = idx[self.default_month[idx] < 0]
        self.default_month[first] = t
        self.ead[idx] = self.balance[idx]
        self._ead_pv[idx] += self.balance[idx] * self.discount(t)
        self._ead_total += float(self.balance[idx].sum())
        self.dpd[idx] = np.maximum(self.dpd[idx], 90)
        self.month_report["new_defaults"] = self.month_report.get("new_defaults", 0) + len(idx)
        self._log_many(t, idx, "default", self.balance[idx])
        # the guarantee chain: borrowers this one guaranteed lose its support
        fresh = idx[~self._chain_hit[idx]]
        self._chain_hit[fresh] = True
        hit = np.isin(self.pf.guarantor, fresh)
        self.shift[hit] -= defaults.GUARANTEE_CONTAGION_HEALTH

    def _record_metrics(self, t: int, used: float) -> None:
        on_books = self.status <= DEFAULTED
        bal = np.where(on_books, self.balance, 0.0)
        by_cls = np.bincount(self.cls, weights=bal, minlength=5)
        out = float(bal.sum())
        npl = float(by_cls[2:].sum())
        # undiscounted running loss: exposure at each default less recoveries and cures
        cum_loss = self._ead_total - float(self.recovered.sum()) - self._cured_balance
        row = {"month": t, "outstanding_cny": out, "npl_ratio": npl / out if out > 0 else 0.0}
        for k, v in zip(CLASS_KEYS, by_cls, strict=True):
            row["bal_" + k] = float(v)
        row.update({
            "provisions_cny": float((by_cls * self.prov_rates).sum()),
            "defaults": int(self.month_report.get("new_defaults", 0)),
            "cum_defaults": int((self.default_month >= 0).sum()),
            "cum_loss_cny": cum_loss,
            "interest_cny": float(self.interest.sum()),
            "hours_used": used,
            "lpr_1y": self.lpr["lpr_1y"],
        })
        self._metrics.append(row)

    # ---------------------------------------------------------------- results
    def run(self) -> RunResult:
        self.env.run()
        return self.result()

    def advance_to(self, month: int) -> None:
        """Run until just before the decision point of `month` + 1."""
        self.env.run(until=month + 0.5)

    def result(self) -> RunResult:
        return RunResult.from_sim(self)


EVENT_COLUMNS = ("month", "loan_id", "event", "amount_cny", "details")


def warning_frame(signals: pd.DataFrame, latent: list[tuple]) -> pd.DataFrame:
    """Early warnings per loan and month: signals seen (payment status excluded, it is not
    early) and, as via "latent", on-site conditions that a check that month would have shown."""
    seen = signals[signals["signal"] != "payment_late"]
    parts = [seen[["month", "loan_id", "signal", "via"]]]
    if latent:
        parts.append(pd.DataFrame({
            "month": np.concatenate([np.full(len(x[1]), x[0]) for x in latent]).astype(np.int32),
            "loan_id": np.concatenate([x[1] for x in latent]),
            "signal": np.concatenate([np.full(len(x[1]), SIGNAL_IDS[x[2]], dtype=object)
                                      for x in latent]),
            "via": "latent"}))
    return pd.concat(parts, ignore_index=True)


def event_frame(single: list[tuple], chunks: list[tuple]) -> pd.DataFrame:
    """The event log as one frame: single events plus vectorised chunks, by month."""
    months = [np.array([e[0] for e in single], dtype=np.int64)]
    loans = [np.array([e[1] for e in single], dtype=np.int64)]
    names = [np.array([e[2] for e in single], dtype=object)]
    amounts = [np.array([e[3] for e in single], dtype=float)]
    details = [np.array([e[4] for e in single], dtype=object)]
    for month, idx, name, amt in chunks:
        months.append(np.full(len(idx), month, dtype=np.int64))
        loans.append(idx)
        names.append(np.full(len(idx), name, dtype=object))
        amounts.append(amt)
        details.append(np.full(len(idx), "", dtype=object))
    m = np.concatenate(months)
    order = np.lexsort((np.concatenate(loans), m))
    return pd.DataFrame({
        "month": m[order], "loan_id": np.concatenate(loans)[order],
        "event": np.concatenate(names)[order], "amount_cny": np.concatenate(amounts)[order],
        "details": np.concatenate(details)[order],
    })
METRIC_COLUMNS = ("month", "outstanding_cny", "npl_ratio", "bal_normal", "bal_special_mention",
                  "bal_substandard", "bal_doubtful", "bal_loss", "provisions_cny", "defaults",
                  "cum_defaults", "cum_loss_cny", "interest_cny", "hours_used", "lpr_1y")


@dataclass
class RunResult:
    """Outputs of a run. events: month, loan_id (-1 for the whole book), event, amount_cny,
    details. metrics: one row per month with the columns in METRIC_COLUMNS."""

    scenario_id: str
    seed: int
    months: int
    n_loans: int
    disbursed_cny: float
    events: pd.DataFrame
    metrics: pd.DataFrame
    loans: pd.DataFrame  # per-loan outcome: defaulted, default_month, loss_cny, interest_cny...
    signals: pd.DataFrame  # month, loan_id, signal, via ("offsite"/"onsite")
    warnings: pd.DataFrame  # month, loan_id, signal, via: seen signals and what a check would show
    loss_cny: float
    interest_cny: float
    hours: float  # staff hours: officers plus the asset-preservation team
    cost_cny: float
    compliance: pd.DataFrame
    check_quality: float
    checks_slipped: int
    relationship: float

    @classmethod
    def from_sim(cls, s: Simulation) -> RunResult:
        n = s.n
        T = s.T
        disc_T = s.discount(T)
        ead_pv, rec_pv, cure_pv = s._ead_pv, s._recovery_pv, s._cure_pv
        unresolved = s.status == DEFAULTED
        mark = np.where(unresolved, defaults.CLAIM_SALE_VALUE_FACTOR * s.recoverable(), 0.0)
        # written-off claims still alive keep a small value only if a lawsuit is under way
        late = (s.status == ACTIVE) & ~s.defaulted & (s.dpd >= 30)
        roll = np.where(s.dpd >= 60, defaults.ROLL_TO_DEFAULT_AT_HORIZON[60],
                        defaults.ROLL_TO_DEFAULT_AT_HORIZON[30])
        expected = np.where(late, roll * (s.balance - s.recoverable()), 0.0) * disc_T
        loss_i = ead_pv - rec_pv - cure_pv - mark * disc_T + expected
        events = event_frame(s._events, s._chunks)
        events = events.sort_values(["month", "loan_id"], kind="stable").reset_index(drop=True)
        if s._signals:
            sm = np.concatenate([np.full(len(x[1]), x[0]) for x in s._signals])
            si = np.concatenate([x[1] for x in s._signals])
            sj = np.concatenate([x[2] for x in s._signals])
            sv = np.concatenate([np.full(len(x[1]), x[3]) for x in s._signals])
        else:
            sm = si = sj = sv = np.zeros(0, dtype=np.int64)
        signals = pd.DataFrame({"month": sm.astype(np.int32), "loan_id": si.astype(np.int64),
                                "signal": np.array(SIGNAL_IDS, dtype=object)[sj.astype(int)]
                                if len(sj) else np.zeros(0, dtype=object),
                                "via": np.where(sv == 1, "onsite", "offsite")})
        warnings = warning_frame(signals, s._latent)
        loans = pd.DataFrame({
            "loan_id": np.arange(n), "segment": np.array(s.pf.segment_ids)[s.pf.segment],
            "status": np.array(STATUS_KEYS)[s.status], "defaulted": s.default_month >= 0,
            "default_month": s.default_month, "ead_cny": s.ead, "loss_cny": loss_i,
            "interest_cny": s.interest, "first_warning_month": s.first_warning,
            "first_warning_signal": np.where(
                s.first_warning_signal >= 0,
                np.array(SIGNAL_IDS, dtype=object)[np.maximum(s.first_warning_signal, 0)], ""),
            "first_action_month": s.first_action, "relationship": s.relationship,
            "disbursed_cny": s.disbursed, "balance_cny": s.balance,
        })
        ck = s._checks
        comp = pd.DataFrame({"kind": list(defaults.CHECK_KINDS), "required": ck["required"],
                             "on_time": ck["on_time"], "done": ck["done"]})
        comp["share"] = np.where(comp["required"] > 0, comp["on_time"] / comp["required"].clip(1),
                                 1.0)
        metrics = pd.DataFrame(s._metrics, columns=list(METRIC_COLUMNS))
        return cls(
            scenario_id=s.sc.id, seed=s.seed, months=T, n_loans=n,
            disbursed_cny=float(s.disbursed.sum()), events=events, metrics=metrics, loans=loans,
            signals=signals, warnings=warnings, loss_cny=float(loss_i.sum()), interest_cny=float(s.interest.sum()),
            hours=float(s.hours_used + s.workout_hours), cost_cny=float(s.money_spent),
            compliance=comp,
            check_quality=ck["quality_sum"] / ck["quality_n"] if ck["quality_n"] else 1.0,
            checks_slipped=int(ck["slipped"]), relationship=float(s.relationship.mean()),
        )

    @property
    def defaults(self) -> int:
        return int(self.loans["defaulted"].sum())

    def summary(self) -> dict:
        m = self.metrics
        return {
            "scenario": self.scenario_id, "seed": self.seed, "loans": self.n_loans,
            "months": self.months, "defaults": self.defaults,
            "default_rate": self.defaults / self.n_loans,
            "npl_ratio_end": float(m["npl_ratio"].iloc[-1]) if len(m) else 0.0,
            "npl_ratio_peak": float(m["npl_ratio"].max()) if len(m) else 0.0,
            "loss": self.loss_cny, "loss_rate": self.loss_cny / self.disbursed_cny
            if self.disbursed_cny else 0.0,
            "interest": self.interest_cny, "hours": self.hours, "cost": self.cost_cny,
            "provisions_end": float(m["provisions_cny"].iloc[-1]) if len(m) else 0.0,
        }


def simulate(scenario: Scenario, seed: int | None = None, months: int | None = None,
             strategy: str | object | None = None, rules=None) -> RunResult:
    """Run a scenario to its horizon under a strategy (default: no post-loan actions)."""
    from sim.strategies import make_strategy

    strat = make_strategy(strategy or "do-nothing", rules=rules)
    sim = Simulation(scenario, seed=seed, months=months, decider=strat.decide,
                     oracle=getattr(strat, "needs_hidden", False))
    return sim.run()
