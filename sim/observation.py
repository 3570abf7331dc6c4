"""What a strategy sees and what it may do: Observation, Decision, and the one
rule for whether an action is admissible and what it costs.

The engine, the desk (sim.game) and the pages all call `admissible` and
`action_cost`, so the cost a button shows, the cost the queue shows and the
cost the engine charges cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from sim.checks import policy_demand, policy_load
from sim.codes import CheckKind
from sim.compiled import compiled
from sim.defaults import (
    ALERT_WINDOW_MONTHS,
    COURT_FEE_BANDS,
    COURT_FEE_FIRST_CNY,
    InterventionType,
)
from sim.interventions.catalogue import difficulty_and_alerts, precondition
from sim.interventions.kernels_act import court_fee as kernel_court_fee
from sim.interventions.workouts import (
    NO_COLLATERAL,
    appraised_security,
    balance_or_claim,
    collateral_value,
    recovery_value,
)
from sim.policy import MonitoringPolicy
from sim.signals import recent_alerts
from sim.staff import by_legal_team

TARGETED = CheckKind.TARGETED.value  # a plain int: indexing with an IntEnum member is slow
HOURS_TOLERANCE = 1e-9
"""Rounding slack when comparing an action's hours with the hours left."""


class Action(NamedTuple):
    """One action a strategy or a trainee takes: an intervention id on a loan."""

    loan_id: int
    action_id: str


class ActionColumns(Sequence):
    """A decision's actions as a strategy that ranks them holds them: the (loan, action id)
    `pairs` first, then action `names[codes[k]]` on loan `loans[k]` for each k, in that
    order. Read as a sequence it is the list of those pairs (built when first read);
    `sim.interventions.batch.act_many` takes the columns as they are, so a month's hundred
    ranked actions (sim.strategies.triage) are not turned into pairs only to be parsed
    back."""

    def __init__(self, pairs: list[tuple[int, str]], loans: np.ndarray, codes: np.ndarray,
                 names: Sequence[str]):
        self.pairs, self.loans, self.codes, self.names = pairs, loans, codes, names
        self._listed: list[tuple[int, str]] | None = None

    def as_list(self) -> list[tuple[int, str]]:
        """The actions as (loan, action id) pairs, in order."""
        if self._listed is None:
            self._listed = [*self.pairs, *zip(self.loans.tolist(),
                                              map(self.names.__getitem__, self.codes.tolist()),
                                              strict=True)]
        return self._listed

    def __len__(self) -> int:
        return len(self.pairs) + len(self.loans)

    def __getitem__(self, k):
        return self.as_list()[k]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return iter(self.as_list())

    def __eq__(self, other) -> bool:
        """Equal to the same actions as pairs, whether held as columns or as a list."""
        if isinstance(other, ActionColumns):
            other = other.as_list()
        return self.as_list() == other

    __hash__ = None  # a list's equality: not hashable


@dataclass
class Decision:
    """What a strategy decides at a month's start: a policy (None keeps it), actions and
    judgement classifications."""

    policy: MonitoringPolicy | None = None
    actions: list[Action | tuple[int, str]] | ActionColumns = field(default_factory=list)
    classify: list[tuple[int, int, str]] = field(default_factory=list)
    """Judgements (loan id, LoanClass, reason code from sim.judgement.JUDGEMENT_REASONS):
    at or below the objective floor's quality; a judgement at the floor lifts it."""
    talks: list = field(default_factory=list)  # sim.conversation.Talk: what meetings established
    routine_hours: float | None = None
    """Hours given to the policy's checks due this month (None: all they need, rushed when
    the hours run short). Checks beyond them slip to next month, oldest done first, and
    are not rushed: an officer catching up on a backlog."""


@dataclass(frozen=True)
class HiddenState:
    """What only the oracle sees: true health, diversion, collateral and recovery values,
    and the untreated health of the months ahead (`foresight`, sim.foresight).

    The collateral and recovery values are worked out when first read (the engine's state
    does not move while a strategy decides), so an oracle that does not read them does not
    pay for them every month."""

    health: np.ndarray
    diverting: np.ndarray
    sim: object = field(repr=False, compare=False)

    @cached_property
    def collateral_value(self) -> np.ndarray:
        return read_only(collateral_value(self.sim))

    @cached_property
    def recoverable(self) -> np.ndarray:
        return read_only(recovery_value(self.sim))

    def recoverable_of(self, idx: np.ndarray) -> np.ndarray:
        """`recoverable` of loans idx only (the same figures; a reader of a few loans does
        not pay for the whole book)."""
        if "recoverable" in self.__dict__:
            return self.recoverable[idx]
        return recovery_value(self.sim, np.asarray(idx, dtype=np.int64))

    @cached_property
    def foresight(self):
        """Each loan's untreated health over the months ahead (sim.foresight.Foresight)."""
        from sim.foresight import look_ahead

        f = look_ahead(self.sim)
        for a in (f.health, f.margin, f.margin_fresh):
            a.flags.writeable = False
        return f


@dataclass(frozen=True)
class Observation:
    """What an officer can see at a decision point. `hidden` is set only for the oracle.

    Read-only: the arrays are views the strategy cannot write (numpy raises
    "assignment destination is read-only"), so a strategy changes nothing but
    through its Decision. `actions` is the case's own catalogue (hours, costs)."""

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
    pledged: np.ndarray  # extra collateral already taken (a borrower tops up once)
    lawsuit_month: np.ndarray
    judgment: np.ndarray
    enforced: np.ndarray  # the judgment's enforcement has ended
    auction_open: np.ndarray
    disaster_region: np.ndarray
    acted: np.ndarray  # month of the last preventive action, -99 never
    check_hours: np.ndarray  # hours of a targeted check per loan
    check_demand: Callable[[MonitoringPolicy], float] | None = None  # hours a policy needs now
    hidden: HiddenState | None = None
    actions: Mapping[str, InterventionType] = field(default_factory=dict)
    staff_hours: float = 0.0  # the officers' hours per month
    rate: np.ndarray | None = None  # annual interest rate of each loan now
    funding_rate: float = 0.0  # what the bank pays a year to fund a balance (the case's)
    remaining_months: np.ndarray | None = None  # months to maturity
    longest_remaining: np.ndarray | None = None
    """Months to the latest maturity an extension may still reach (the loan's contract
    and 贷款通则 Art. 12: sim.loanbook.longest_remaining): how far a restructuring can
    stretch the term."""
    repayment: np.ndarray | None = None  # Repayment code of each loan
    cls_objective: np.ndarray | None = None  # the objective floor (sim.judgement)
    judgement: np.ndarray | None = None  # the officer's class on judgement, NORMAL = none
    check_load: Callable[[MonitoringPolicy], float] | None = None
    """Hours a month a policy's routine checks take on average once any backlog is cleared
    (sim.checks.policy_load): whether the team can keep it at all."""
    security_cny: np.ndarray | None = None
    """What the bank expects each loan's security to fetch in a workout, by its last
    appraisal (sim.interventions.workouts.appraised_security): how much of a default the
    collateral it already holds would cover."""
    case_policy: MonitoringPolicy | None = None
    """The case's own monitoring policy (the bank's rules), whatever policy the officer runs
    now (`policy`): what the run's compliance is held to (sim.checks.against_bank_policy)."""
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    """Figures read off the visible columns at this decision point, kept for their next
    reader (`derived`): the state does not move while strategies decide, and the oracle's
    officer reads the same columns (`seen_only` shares this dict). They are the
    decision point's: after the engine moves, take a new observation (`observe`)."""

    @classmethod
    def of(cls, /, **fields) -> Observation:
        """`Observation(**fields)`, built without the generated __init__: a frozen
        dataclass's sets each of its forty-odd fields through object.__setattr__, some 30 us
        an observation on a busy machine, and the engine takes one every month of every
        run. This sets the defaults and then `fields` in the instance's dict: the same
        object, every field set and no other (a missing or unknown field raises, as
        __init__ would). `cls` is positional only: an observation has a field of that
        name (the loans' classes)."""
        if not (_REQUIRED <= fields.keys() <= _FIELDS):
            raise TypeError(f"Observation fields: missing {sorted(_REQUIRED - fields.keys())}, "
                            f"unknown {sorted(fields.keys() - _FIELDS)}")
        obs = object.__new__(cls)
        state = obs.__dict__
        state.update(_DEFAULTS)
        for name, make in _FACTORIES:
            state[name] = make()
        state.update(fields)
        return obs

    def seen_only(self) -> Observation:
        """This observation without the hidden state: what an officer at the same decision
        point sees (`dataclasses.replace(self, hidden=None)`, which rebuilt all forty
        fields through __init__; this is a shallow copy, sharing `memo` the same way: the
        instance's dict copied into a new one, as copy.copy would through __reduce_ex__)."""
        seen = object.__new__(type(self))
        seen.__dict__.update(self.__dict__)
        seen.__dict__["hidden"] = None
        return seen

    def derived(self, key: tuple, make: Callable[[], object]):
        """`make()` worked out once per decision point under `key`; arrays come back
        read-only, so no reader can change what the next one gets."""
        got = self.memo.get(key)
        if got is None:
            got = make()
            if isinstance(got, np.ndarray):
                got.flags.writeable = False
            self.memo[key] = got
        return got

    def recent_alerts(self, months: int = 3, groups: tuple[str, ...] | None = None) -> np.ndarray:
        """Number of distinct non-payment signals seen in the last `months` months."""
        groups = None if groups is None else tuple(groups)
        got = self.memo.get(("recent_alerts", months, groups))
        if got is not None:
            return got
        if groups is None:  # all signals: read with the difficulty, in one pass
            return self._read_signals(months)[1]
        return self.derived(("recent_alerts", months, groups), lambda: recent_alerts(
            self.last_seen, self.month, months, groups))

    def in_difficulty(self) -> np.ndarray:
        """Loans whose difficulty the bank can see (the ground for relief), as the engine
        judges it (sim.interventions.catalogue.difficulty_and_alerts)."""
        got = self.memo.get(("in_difficulty",))
        if got is None:
            got = self._read_signals(ALERT_WINDOW_MONTHS)[0]
        return got

    def _read_signals(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """(`in_difficulty`, `recent_alerts(months)`), read off last_seen together and each
        kept under its own key (a figure already kept is kept: the same values)."""
        difficult, alerts = difficulty_and_alerts(self.dpd, self.cls, self.last_seen,
                                                  self.month, months)
        return (self.derived(("in_difficulty",), lambda: difficult),
                self.derived(("recent_alerts", months, None), lambda: alerts))


_FIELDS = frozenset(f.name for f in dataclasses.fields(Observation))
_REQUIRED = frozenset(f.name for f in dataclasses.fields(Observation)
                      if f.default is dataclasses.MISSING
                      and f.default_factory is dataclasses.MISSING)
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Observation)
             if f.default is not dataclasses.MISSING}
_FACTORIES = tuple((f.name, f.default_factory) for f in dataclasses.fields(Observation)
                   if f.default_factory is not dataclasses.MISSING)
"""An Observation's fields, those without a default, the defaults and the default
factories: what `Observation.of` sets."""


def read_only(a: np.ndarray) -> np.ndarray:
    """A view of `a` that cannot be written through."""
    v = a.view()
    v.flags.writeable = False
    return v


_ENGINE_COLUMNS = ("status", "balance", "dpd", "cls", "last_check", "last_seen",
                   "known_diversion", "entrusted", "frozen", "lawsuit_month", "judgment",
                   "enforced", "auction_open", "acted", "rate", "cls_objective", "judgement")
"""The engine's columns an observation shows as they are (read-only views)."""
_PORTFOLIO_COLUMNS = ("product", "segment", "repayment")
"""The portfolio's columns an observation shows as they are."""


def _views(sim) -> dict[str, np.ndarray]:
    """Read-only views of the columns an observation shows as they are, kept on the run
    between decision points: a view shows its array's values as they stand, so one view
    serves every month while the column is the same array (a column replaced by a new
    array, or a copied run, gets a new view: a view is kept only while its base is the
    column itself and it is still read-only)."""
    kept = sim.__dict__.get("_observed_views")
    if kept is None:
        kept = sim._observed_views = {}
    out: dict[str, np.ndarray] = {}
    pf = sim.pf
    for owner, names in ((sim, _ENGINE_COLUMNS), (pf, _PORTFOLIO_COLUMNS)):
        for name in names:
            a = getattr(owner, name)
            view = kept.get(name)
            if view is None or view.base is not a or view.flags.writeable:
                view = kept[name] = read_only(a)
            out[name] = view
    hours = sim.check_hours
    view = kept.get("check_hours")
    if view is None or view.base is not hours or view.flags.writeable:
        view = kept["check_hours"] = read_only(hours[:, TARGETED])
    out["check_hours"] = view
    return out


def observe(sim) -> Observation:
    """The observation at the current decision point."""
    t = sim.t
    pf = sim.pf
    hidden = None
    if sim.oracle:
        health, diverting = sim.d.copy(), sim.diverting.copy()
        health.flags.writeable = diverting.flags.writeable = False
        hidden = HiddenState(health=health, diverting=diverting, sim=sim)
    worked_out = _visible(t, sim.frozen, sim.undrawn, sim.restructured_until,
                          sim.collateral_sold, pf.collateral_type, NO_COLLATERAL,
                          sim.extra_collateral, sim.disaster_until, pf.region, sim.term,
                          sim.mob, sim.latest_term)
    security = appraised_security(sim)
    for a in (*worked_out, security):  # the observation's own arrays: read-only as they are
        a.flags.writeable = False
    undrawn, restructured, has_collateral, pledged, disaster_region, remaining, longest = \
        worked_out
    v = _views(sim)
    return Observation.of(
        month=t, horizon=sim.T, hours_available=sim._hours_left, policy=sim.policy,
        status=v["status"], product=v["product"], segment=v["segment"],
        balance=v["balance"], undrawn=undrawn,
        dpd=v["dpd"], cls=v["cls"], last_check=v["last_check"],
        last_seen=v["last_seen"], known_diversion=v["known_diversion"],
        entrusted=v["entrusted"], frozen=v["frozen"],
        restructured=restructured, has_collateral=has_collateral,
        pledged=pledged,
        lawsuit_month=v["lawsuit_month"], judgment=v["judgment"], enforced=v["enforced"],
        auction_open=v["auction_open"],
        disaster_region=disaster_region,
        acted=v["acted"], check_hours=v["check_hours"],
        check_demand=policy_demand(sim, t), hidden=hidden,
        actions=MappingProxyType(sim.catalogue), staff_hours=float(sim.staff_hours),
        rate=v["rate"], funding_rate=float(sim.sc.funding_rate_annual),
        remaining_months=remaining,
        longest_remaining=longest,
        repayment=v["repayment"],
        cls_objective=v["cls_objective"], judgement=v["judgement"], case_policy=sim.sc.monitoring,
        security_cny=security,
        check_load=lambda policy: policy_load(sim, policy, t),
    )


@compiled
def _visible(t: int, frozen, undrawn, restructured_until, collateral_sold, collateral_type,
             no_collateral: int, extra_collateral, disaster_until, region, term, mob,
             latest_term):
    """The columns an observation works out of the engine's, in one pass over the book:
    undrawn lines (none once frozen), under a restructuring's observation period, secured
    (its own collateral not sold or set off, or a top-up not sold), topped up (extra
    collateral pledged), in a region a disaster still hits, months to maturity (at least
    one), and months to the latest maturity the extension limit allows (sim.loanbook.
    longest_remaining)."""
    n = len(frozen)
    open_line = np.empty(n)
    restructured = np.empty(n, dtype=np.bool_)
    secured = np.empty(n, dtype=np.bool_)
    pledged = np.empty(n, dtype=np.bool_)
    disaster = np.empty(n, dtype=np.bool_)
    remaining = np.empty_like(term)
    longest = np.empty_like(term)
    for i in range(n):
        open_line[i] = 0.0 if frozen[i] else undrawn[i]
        restructured[i] = restructured_until[i] >= t
        pledged[i] = extra_collateral[i] > 0
        secured[i] = (not collateral_sold[i] and collateral_type[i] != no_collateral) \
            or pledged[i]
        disaster[i] = disaster_until[region[i]] >= t
        remaining[i] = max(term[i] - mob[i], 1)
        longest[i] = max(latest_term[i] - mob[i], remaining[i])
    return open_line, restructured, secured, pledged, disaster, remaining, longest


def action_hours(sim, i: int, action: str) -> float:
    """Staff hours an action on loan i takes (a check's depend on the loan's product)."""
    if action == "onsite_check":
        return float(sim.check_hours[i, TARGETED])
    return float(sim.catalogue[action].hours)


def action_cost(sim, i: int, action: str) -> float:
    """Money an action on loan i costs now: the fixed cost plus its share of the claim, and
    for a lawsuit the court's fee on the claim (`court_fee`)."""
    it = sim.catalogue[action]
    claim = max(balance_or_claim(sim, i), 0.0)
    fee = court_fee(claim) if it.params.get("court_fee") else 0.0
    return it.cost_cny + it.cost_share * claim + fee


COURT_FEE_LOWS = np.array([low for low, _ in COURT_FEE_BANDS], dtype=float)
COURT_FEE_RATES = np.array([rate for _, rate in COURT_FEE_BANDS], dtype=float)
"""sim.defaults.COURT_FEE_BANDS as columns: where each band starts, and its rate."""


def court_fee(claim: float) -> float:
    """The case acceptance fee of a lawsuit for `claim` CNY, tier by tier
    (sim.defaults.COURT_FEE_BANDS); nothing for no claim. The compiled rule
    (sim.interventions.kernels_act.court_fee), which the batched lawsuits use too."""
    return kernel_court_fee(float(claim), COURT_FEE_FIRST_CNY, COURT_FEE_LOWS, COURT_FEE_RATES)


def admissible(sim, i: int, action: str, taken, hours_left: float,
               month: int | None = None) -> str | None:
    """The reason code an action cannot be taken on loan i at a decision point, or None.

    taken: the (loan, action) pairs already queued or done this month;
    hours_left: officers' hours still free (legal work does not use them);
    month: the decision month (default: the engine's current month). The desk asks
    between months, about the decision of the month to come."""
    return why_not(sim, i, action, taken, hours_left, month)[0]


def why_not(sim, i: int, action: str, taken, hours_left: float,
            month: int | None = None) -> tuple[str | None, bool, float]:
    """`admissible`'s reason code, with what it read on the way for an engine about to take
    the action: whether the legal team does it and its hours (0.0 when refused before the
    hours are read)."""
    why = precondition(sim, i, action, month)
    if why is None and (i, action) in taken:
        why = "queued"
    if why is not None:
        return why, False, 0.0
    legal = by_legal_team(sim.catalogue, action)
    hours = action_hours(sim, i, action)
    if not legal and hours > hours_left + HOURS_TOLERANCE:
        return "hours", legal, hours
    return None, legal, hours
