"""Triage within the hours: the competent officer's way of choosing what to do.

Every month the officer (1) leaves defaulted loans to the asset-preservation team's
standing workout, (2) keeps the case's own routine-check policy (the bank's rules) when
the team can, catching up a backlog oldest first, else books the closest lighter policy
that fits a share of the hours, so checks are never rushed into formalities, and (3)
spends what is left on
the actions with the highest expected avoided loss per hour, across all loans and all
actions at once. What the officer believes about each loan (its chance of default)
is the one thing the early-warning officer and the oracle do differently: one reads
it from the signals it has seen, the other from the hidden health.

The value model is deliberately simple and the same for both: expected loss is
risk x exposure x loss given default; an action's value is the part of that expected
loss it removes, less what the action costs the bank: its fee, for a restructuring the
interest its rate concession gives up over the remaining term on a loan that goes on
paying, and for a freeze the margin lost if a sound borrower it offends repays and
leaves. An action worth less than it costs is not taken, hours or no hours: a bank does
not restructure a borrower whose warnings are most likely false alarms at a price above
the loss it could prevent. The model only ranks actions; the engine decides what
they really do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.codes import LoanStatus, Repayment
from sim.defaults import EARLY_REPAYMENT_ON_DAMAGE, INTERVENTIONS
from sim.interventions.effects import cut_of
from sim.observation import HOURS_TOLERANCE, ActionColumns, Decision, Observation
from sim.policy import ClassIntervals, MonitoringPolicy
from sim.strategies.base import (
    Budget,
    Strategy,
    action_hours,
    in_difficulty,
    offered,
    workout,
)
from sim.strategies.kernels_decide import (
    assemble,
    due_checks,
    exposure_terms,
    ranked_within_hours,
    relief_gains,
    triage_risk,
    triage_sets,
)


@dataclass(frozen=True)
class TriageParams:
    """How the officer values actions (assumptions; none is tuned on a case)."""

    policy_share: float = 0.6
    """When the case's own policy is beyond the team, the lighter routine policy the officer
    books instead may take at most this share of the month's hours."""
    sustainable_share: float = 0.8
    """The case's own policy is within the team's reach when its routine checks need at most
    this share of the month's hours on average (sim.checks.policy_load); a backlog is then
    caught up, oldest first, rather than dropped for a lighter policy."""
    keeps_case_policy: bool = True
    """Whether the officer answers to the case's own policy at all (the oracle does not:
    an upper bound on what can be avoided spends its hours where they avoid the most)."""
    catch_up_months: int = 3
    """...if the hours the policy leaves spare clear the backlog within this many months
    (a quarter); a longer one (a whole large book's first checks on a few officers) is
    not caught up: the officer triages."""
    alert_months: int = 3
    """Signals seen within this many months count as recent."""
    min_alerts: int = 2
    """Distinct recent signals that make a loan suspect."""
    recheck_months: int = 2
    """A suspect loan is checked again after this many months."""
    confirmed_within_months: int = 1
    """Warnings count as confirmed when a check this recent stands behind them."""
    repeat_after_months: int = 6
    """The same preventive action is not repeated on a loan within this many months."""
    lgd_secured: float = 0.35
    """Loss given default the officer assumes for a secured loan (domain: secured
    workouts 22%, plus the time and auction discounts of a late sale)."""
    lgd_unsecured: float = 0.75
    """Loss given default assumed for an unsecured loan (domain: 45% senior unsecured
    under foundation IRB; small borrowers' free assets are thinner)."""
    risk_base: float = 0.025
    """Chance of default within a year the officer gives a loan with nothing against it.

    The belief's terms read what the model makes of what an officer sees: the share of
    loans that default within 12 months, untreated, on generated cases other than the 40
    the lesson is tested on (`benchmarks/officer_beliefs.py`: cases 100-159, 2 runs each,
    610,819 loan-months). Measured: 2.7% with no warning, 3.6% / 6.8% / 9.8% / 11.3% /
    12.7% with 1 / 2 / 3 / 4 / 6 distinct recent warnings, 14.9% with 7 or more; 15.6%
    once misuse of funds is found; 40% at 30-59 and 66% at 60-89 days past due. The
    terms were three to six times these (12 points a warning): the officer valued every
    action as many times too high, and restructured, froze and asked for collateral at
    a cost above the loss it avoided (early warning's net value fell below late
    collection's on half the generated cases)."""
    risk_per_alert: float = 0.02
    """Added belief per distinct recent warning signal..."""
    max_alerts: int = 6
    """...counted up to this many: warnings beyond it add little (measured above)."""
    risk_overdue: tuple[float, float, float] = (0.135, 0.135, 0.22)
    """Added belief at 1+, 30+ and 60+ days past due (domain: roll rates fall with depth;
    the engine counts days past due by month, so the first two fall together)."""
    risk_diversion: float = 0.025
    """Added belief when misuse of funds has been found (on top of the watch list's)."""
    risk_watch: float = 0.03
    """Added belief for a loan classified special mention or worse."""
    relief_effect: float = 0.6
    """Share of the default risk a restructuring or deferral before arrears removes."""
    relief_stage: tuple[float, float] = (0.5, 0.25)
    """The same at 30+ and at 60+ days past due (relief works less once arrears build up)."""
    call_effect: float = 0.08
    """Share of the risk of an overdue loan a collection call removes."""
    diversion_effect: float = 0.3
    """Share of the risk that stopping found misuse of funds removes."""
    collateral_lgd_cut: float = 0.18
    """Loss-given-default cut from extra collateral (top-up 30% of the balance sold at
    77% of value with 80% liquidity: domain auction figures), as a share of the balance;
    at most the part of the exposure the loan's own security leaves uncovered
    (`_exposure`)."""
    early_relief_below_dpd: int = 1
    """Relief on confirmed warnings is offered below this many days past due (before
    arrears, for an officer who reads signals; the 30+ dpd rule covers the rest)."""
    visit_after_months: int = 3
    """Any loan not visited for this many months is worth a visit in proportion to what it
    could lose: with hours to spare, the officer sees its largest exposures on site at
    least quarterly (domain: routine checks quarterly) whatever the routine policy could
    afford for the whole book, and small retail loans stay with off-site monitoring."""
    check_value_share: float = 0.08
    """Value of a targeted check as a share of the suspect loan's expected loss (what a
    check is worth is what it lets the officer do next)."""
    max_risk: float = 0.95
    min_relief_weight: float = 0.25
    """Even a restructuring that barely cuts the payment resets the arrears: the officer
    gives it at least this share of the value of a full one."""


DEFAULT_TRIAGE = TriageParams()

ACTIONS = tuple(INTERVENTIONS)
ACTIVE = LoanStatus.ACTIVE.value  # a plain int: comparing with an IntEnum member is slow
ACTION_CODES = {a: k for k, a in enumerate(ACTIONS)}
MIN_HOURS_FOR_RANKING = 0.25
"""Actions cheaper than this are ranked as if they took this long (no free lunch)."""
PART_CODES = np.array([ACTION_CODES[a] for a in (
    "entrusted_payment", "restructure", "collect_call", "freeze_line", "emergency_deferral",
    "add_collateral", "restructure", "onsite_check")], dtype=np.int64)
"""The action of each part of `Triage.candidates`, in order (the late part's by loan:
a restructuring, or a disaster's deferral in a disaster's region)."""
RELIEF_LATE_DPD = 30
"""Days past due from which relief is weighed for any loan (not only on confirmed warnings)."""
RELIEF_DEEP_DPD = 60
"""Days past due from which late relief works at the second of relief_stage's shares."""
NO_LOANS = np.zeros(0, dtype=np.int64)
"""No loans (an empty column of loans or of action codes)."""
NO_REGION = np.zeros(0, dtype=bool)
NO_REGION.flags.writeable = False  # read-only like the observation's columns: one compiled form
"""No loan in a disaster's region (an observation without the column)."""


def relief_health(obs: Observation, idx: np.ndarray) -> np.ndarray:
    """Health a restructuring of loans idx would give now, by the engine's own rule (the
    cut in the payment it brings), before any discount for arrears."""
    it = obs.actions.get("restructure") if obs.actions else None
    if it is None or obs.rate is None or not len(idx):
        return np.zeros(len(idx))
    prm = it.params
    cut = cut_of(idx, obs.balance, obs.rate, obs.remaining_months, obs.longest_remaining,
                 obs.repayment, prm)
    return np.minimum(prm["health_per_payment_cut"] * cut, prm["max_health_boost"])


POLICIES = tuple(
    MonitoringPolicy(interval_months=ClassIntervals(
        normal=n, special_mention=sm, substandard=0, doubtful=0, loss=0),
        first_check_days=first)
    for n, sm, first in ((3, 1, 30), (6, 2, 30), (6, 3, 30), (12, 3, 30), (12, 6, 30),
                         (0, 3, 30), (0, 6, 30), (0, 12, 30), (0, 0, 0)))
"""Candidate routine policies from closest to lightest. The later ones rely on off-site
monitoring for performing loans and visit only the watch list; the last books no routine
visit at all, so a very short team spends every hour on targeted work instead of
rushing checks into formalities."""


def catalogue_entry(obs: Observation, action: str):
    """The case's entry for an action, or the default catalogue's."""
    return (obs.actions or {}).get(action) or INTERVENTIONS[action]


def rate_concession(obs: Observation) -> float:
    """The cut in the annual rate the case's restructuring gives (none if it names none)."""
    return float(catalogue_entry(obs, "restructure").params.get("rate_concession", 0.0))


def _interest_terms(obs: Observation) -> tuple:
    """What `assemble` reads to charge an action the interest it gives up (sim.strategies.
    kernels_decide.assemble, owed_years): the restructuring code and the rate concession of
    the case's restructuring; the freeze code, the chance that a sound borrower whose line
    is frozen repays and leaves (sim.interventions.effects: a freeze on a healthy borrower;
    the bank's experience, defaults.EARLY_REPAYMENT_ON_DAMAGE), each loan's rate and the
    case's funding rate (what leaves with the customer is the margin over funding; the
    officer cannot see health, so it takes a loan to be sound unless it defaults); each
    loan's months to maturity and repayment code, and the interest-only code. Empty
    columns where the observation has none."""
    none = np.zeros(0)
    return (ACTION_CODES["restructure"], rate_concession(obs), ACTION_CODES["freeze_line"],
            EARLY_REPAYMENT_ON_DAMAGE, none if obs.rate is None else obs.rate,
            float(obs.funding_rate),
            none.astype(np.int64) if obs.remaining_months is None else obs.remaining_months,
            none.astype(np.int64) if obs.repayment is None else obs.repayment,
            Repayment.INTEREST_ONLY_BULLET.value)


def _exposure(obs: Observation, p: TriageParams) -> tuple[np.ndarray, ...]:
    """(live loans, the loss given default assumed for each, the loss if each defaulted
    now, the part of each exposure its security leaves uncovered): what the officer and the
    oracle both read off the book at a decision point, in one pass (kernels_decide.
    exposure_terms).

    Uncovered: the part of each loan's exposure (balance and open line) that the security
    it already holds would not cover even at the auction's lowest price, by the bank's
    last appraisal (`security_cny`); all of it where the observation carries no appraisal.
    Extra collateral can cut a loss by no more than this: a bank does not ask for more
    security on a loan its property covers at any price the court accepts. (Before
    December 2026 the officer did: on a calm book of amortising small-business loans
    secured on property at 60% loan-to-value it topped up over half the loans at CNY 2,000
    each, more than late collection's whole loss, and avoided next to nothing.)"""
    security = np.zeros(0) if obs.security_cny is None else obs.security_cny
    terms = exposure_terms(obs.status, obs.balance, obs.undrawn, obs.has_collateral, security,
                           ACTIVE, p.lgd_secured, p.lgd_unsecured)
    for a in terms:
        a.flags.writeable = False
    return terms


class Triage(Strategy):
    """Routine checks within a share of the hours, then actions by value per hour."""

    def __init__(self, params: TriageParams | None = None):
        super().__init__()
        self.params = params or DEFAULT_TRIAGE
        self._topped_month: np.ndarray | None = None
        self._sets: tuple[Observation, np.ndarray, np.ndarray] | None = None
        self._every_loan = np.ones(0, dtype=bool)

    # --- what differs between the officer and the oracle --------------------------
    def risk(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Believed chance of default of each loan, from what the officer has seen."""
        p = self.params
        # base + per alert + at 1+, 30+ and 60+ days past due + found misuse + on the watch
        # list (special mention or worse), clipped to [0, max_risk]: compiled, term by term
        return triage_risk(alerts, obs.dpd, obs.known_diversion, obs.cls, p.risk_base,
                           p.risk_per_alert, p.max_alerts, *p.risk_overdue, p.risk_diversion,
                           p.risk_watch, p.max_risk)

    def suspects(self, obs: Observation, alerts: np.ndarray) -> np.ndarray:
        """Loans the officer believes are weakening."""
        return alerts >= self.params.min_alerts

    def confirmed(self, obs: Observation, suspects: np.ndarray) -> np.ndarray:
        """Suspects (`suspects`' mask) whose warnings a recent check stands behind."""
        return suspects & (obs.last_check >= obs.month - self.params.confirmed_within_months)

    def securable(self, obs: Observation, suspects: np.ndarray,
                  confirmed: np.ndarray) -> np.ndarray:
        """Loans worth asking for extra security: confirmed warnings, before arrears (the
        masks of `suspects` and `confirmed`, worked out once a decision point)."""
        return (obs.dpd == 0) & confirmed

    def relief_gain(self, obs: Observation, risk: np.ndarray, idx: np.ndarray,
                    stage: np.ndarray) -> np.ndarray:
        """Drop in the chance of default that relief on loans idx would bring, at the share
        of relief each would still get (`stage`): more when the restructuring really cuts
        the payment (the officer knows the loans' terms). In a disaster's region the
        relief is the disaster's deferral (`relief_sets`), which stops the whole payment
        for its months (sim.interventions.effects): a full relief, whatever a
        restructuring would have cut. (Weighed by the restructuring's cut, a deferral of a
        household's loan counted a quarter: on a book of consumer loans flooded twice,
        the officer called 285 overdue borrowers and deferred none, and early warning
        avoided 16% of what the oracle did.) Compiled: kernels_decide.relief_gains."""
        full = obs.actions["restructure"].params["max_health_boost"] \
            if obs.actions and "restructure" in obs.actions else 1.0
        disaster = NO_REGION if obs.disaster_region is None else obs.disaster_region
        return relief_gains(idx, relief_health(obs, idx), disaster, float(full),
                            self.params.min_relief_weight, np.asarray(risk, dtype=float),
                            self.params.relief_effect, stage)

    def diverting(self, obs: Observation) -> np.ndarray:
        return obs.known_diversion

    def can_secure(self, obs: Observation) -> np.ndarray:
        """Loans on which asking for extra collateral is worth trying: every one (one
        read-only column kept for the book's size)."""
        every = self._every_loan
        if len(every) != len(obs.status):
            every = self._every_loan = np.ones(len(obs.status), dtype=bool)
            every.flags.writeable = False
        return every

    def check_values(self, obs: Observation, live, suspects, risk, loss_if_default):
        """(loans, values) of targeted checks: suspects not checked lately, and any loan not
        visited for a while (compiled: sim.strategies.kernels_decide.due_checks)."""
        p = self.params
        return due_checks(live, suspects, obs.last_check, obs.month, p.recheck_months,
                          p.visit_after_months, np.asarray(risk, dtype=float),
                          loss_if_default, p.check_value_share)

    def choose_policy(self, obs: Observation) -> tuple[MonitoringPolicy, float | None]:
        """(policy, hours for its checks due now; None: all they need) for this month.

        The case's own policy (the bank's rules) whenever its checks due fit the month's
        hours without rushing; or, when the team can keep it on average (its routine
        checks need at most `sustainable_share` of the hours once the backlog is cleared),
        the bank's policy still, its checks done oldest first within the hours and the rest
        slipping to next month, unrushed (a first month's checks of a whole new book, a
        quarter's checks falling together). Only a policy beyond the team's hours makes the
        officer triage: the closest lighter policy whose checks fit the routine share; so
        does a backlog the hours the policy leaves spare would not clear within
        `catch_up_months`."""
        p, hours = self.params, obs.hours_available
        case = obs.case_policy if p.keeps_case_policy else None
        if case is not None:
            if obs.check_demand is None:
                return case, None
            demand = obs.check_demand(case)
            if demand <= hours:
                return case, None
            spare = hours - (obs.check_load(case) if obs.check_load is not None else math.inf)
            if spare >= hours * (1.0 - p.sustainable_share) and \
                    demand - hours <= spare * p.catch_up_months:
                return case, hours
        cap = hours * p.policy_share
        for pol in POLICIES:
            if obs.check_demand is None or obs.check_demand(pol) <= cap:
                return pol, None
        return POLICIES[-1], None

    # --- the month ------------------------------------------------------------------
    def decide(self, obs: Observation) -> Decision:
        actions, policy, routine_hours, loans, codes = self.decide_columns(obs)
        return Decision(policy=policy, actions=ActionColumns(actions, loans, codes, ACTIONS),
                        routine_hours=routine_hours)

    def decide_columns(self, obs: Observation) -> tuple[list[tuple[int, str]],
                                                        MonitoringPolicy, float | None,
                                                        np.ndarray, np.ndarray]:
        """`decide` in parts: the standing workout's steps, the policy and the hours for
        its checks due, and the ranked actions taken as columns (loans, action codes), so
        no caller (the decision's ActionColumns, the oracle's officer) builds the pairs."""
        actions: list = []
        workout(obs, Budget(obs.hours_available), actions)
        policy, routine_hours = self.choose_policy(obs)
        demand = obs.check_demand(policy) if obs.check_demand else 0.0
        if routine_hours is not None:
            demand = min(demand, routine_hours)
        loans, codes, value = self.candidates(obs)
        extra_loans, extra_codes = self._afterwards_columns(obs)
        # ranked by value (ties by loan, then action, then place), the extra ones after,
        # and each (loan, action) once, every one that still fits in the hours: a greedy
        # pass, compiled (sim.strategies.kernels_decide.ranked_within_hours), which also
        # notes the month extra collateral is asked of a loan
        loans, codes = ranked_within_hours(
            (-value).argsort(), loans, codes, value, extra_loans, extra_codes,
            self._actions_now(obs)[1], ACTION_CODES["onsite_check"], obs.check_hours,
            len(ACTIONS), len(obs.status), max(obs.hours_available - demand, 0.0),
            HOURS_TOLERANCE, self._topped(obs), obs.month, ACTION_CODES["add_collateral"])
        return actions, policy, routine_hours, loans, codes

    def candidates(self, obs: Observation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (loan, action) worth doing now with its value per hour (CNY of expected
        loss avoided per staff hour)."""
        p = self.params
        t = obs.month
        alerts = obs.recent_alerts(p.alert_months)
        risk = self.risk(obs, alerts)
        live, lgd, lid, uncovered = obs.derived(
            ("triage_exposure", p.lgd_secured, p.lgd_unsecured), lambda: _exposure(obs, p))
        suspects = self.suspects(obs, alerts)
        confirmed = self.confirmed(obs, suspects)
        # the loans each action is weighed for, in one pass over the book (kernels_decide)
        # and relief in three places, valued together (relief_gain is loan by loan): late
        # (a restructured loan can still be granted a disaster's deferral: the two are
        # different reliefs, and a disaster-relief deferral covers every borrower it hit),
        # a disaster's deferral, and early relief on confirmed warnings (relief_sets)
        table, counts, relief, stage, kind = triage_sets(
            t, live, obs.dpd, obs.restructured, obs.disaster_region, obs.acted, obs.entrusted,
            obs.frozen, obs.undrawn, in_difficulty(obs), obs.pledged, self._topped(obs), alerts,
            self.diverting(obs), suspects, confirmed, self.securable(obs, suspects, confirmed),
            self.can_secure(obs), p.early_relief_below_dpd,
            RELIEF_LATE_DPD, p.repeat_after_months, *p.relief_stage, RELIEF_DEEP_DPD,
            ACTION_CODES["restructure"], ACTION_CODES["emergency_deferral"])
        self._sets = (obs, table, counts)
        gain = self.relief_gain(obs, risk, relief, stage)  # times the loss: in `assemble`
        check, check_value = self.check_values(obs, live, suspects, risk, lid)
        offered_now, per_action, money, money_share = self._actions_now(obs)
        return assemble(table, counts, kind, np.asarray(gain, dtype=float),
                        np.asarray(check, dtype=np.int64), np.asarray(check_value, dtype=float),
                        np.asarray(risk, dtype=float), lid, lgd, obs.undrawn, obs.balance,
                        uncovered, p.diversion_effect, p.call_effect, p.collateral_lgd_cut,
                        PART_CODES, offered_now, per_action, ACTION_CODES["onsite_check"],
                        obs.check_hours, MIN_HOURS_FOR_RANKING, money, money_share,
                        *_interest_terms(obs))

    def afterwards(self, obs: Observation) -> list[tuple[int, str]]:
        """Further actions for hours left over once the ranked ones are taken."""
        return []

    def _afterwards_columns(self, obs: Observation) -> tuple[np.ndarray, np.ndarray]:
        """`afterwards` as columns: (loans, action codes)."""
        extra = self.afterwards(obs)
        if not extra:  # the triage's own: none
            return NO_LOANS, NO_LOANS
        return (np.array([i for i, _ in extra], dtype=np.int64),
                np.array([ACTION_CODES[a] for _, a in extra], dtype=np.int64))

    # --- helpers ----------------------------------------------------------------------
    def _topped(self, obs: Observation) -> np.ndarray:
        """Month extra collateral was last asked of each loan (-99 never)."""
        if getattr(self, "_topped_month", None) is None or len(self._topped_month) != len(obs.status):
            self._topped_month = np.full(len(obs.status), -99, dtype=np.int64)
        return self._topped_month

    def _actions_now(self, obs: Observation) -> tuple[np.ndarray, ...]:
        """(whether the case offers each of ACTIONS, its hours (0 for a check, whose hours
        depend on the loan), its fee in CNY, its fee as a share of the balance), worked out
        again only when the case's catalogue changes, and looked up once a decision point
        (several steps of a decision, and the oracle's officer, read it)."""
        return obs.derived(("actions_now",), lambda: self._action_table(obs))

    def _action_table(self, obs: Observation) -> tuple[np.ndarray, ...]:
        """`_actions_now`, kept while the catalogue's entries are the same."""
        key = tuple(obs.actions.items()) if obs.actions else ()
        got = getattr(self, "_actions_seen", None)
        if got is None or got[0] != key:  # the same catalogue entries: compared by identity
            its = [catalogue_entry(obs, a) for a in ACTIONS]
            table = (np.array([offered(obs, a) for a in ACTIONS]),
                     np.array([action_hours(obs, 0, a) if a != "onsite_check" else 0.0
                               for a in ACTIONS]),
                     np.array([float(it.cost_cny) for it in its]),
                     np.array([float(it.cost_share) for it in its]))
            self._actions_seen = got = (key, table)
        return got[1]
