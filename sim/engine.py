"""The engine: a SimPy timeline over a portfolio held in numpy columns.

This module only wires the model together. Each concept lives in its own module
and owns its columns on the Simulation: the credit model (sim.credit), the
macro timeline (sim.macro), scripted borrower events (sim.scripted), the loan
book (sim.loanbook), classification (sim.classification), signals
(sim.signals), checks (sim.checks), staff hours (sim.staff), interventions
(sim.interventions), what strategies see (sim.observation), the data collector
(sim.recorder) and the results (sim.results).

Month t runs at SimPy time t - 0.5: events dated month t fire at time t - 1,
before the month's decision point. The month: draw the month's random numbers,
refill the staff's hours, ask the decider, run the checks due, take the
decided actions, then tick the book (health, payments, default, classification)
and look for off-site signals.

Randomness: one SeedSequence per run, child streams per purpose. Every stream
draws the same amount each month whatever the decisions, so two strategies on
one seed face the same borrowers, economy and idiosyncratic draws.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import Initialize

from sim import checks, classification, credit, judgement, loanbook, macro, scripted, signals, staff
from sim.classification import provision_rates
from sim.codes import ON_BOOKS, CheckKind, LoanStatus
from sim.conversation import apply_talk
from sim.draws import DrawTape, MonthMacro, draw_month
from sim.foresight import draw_ahead
from sim.interventions import workouts
from sim.interventions.batch import act_many
from sim.interventions.catalogue import catalogue, precondition
from sim.interventions.effects import act
from sim.observation import Decision, Observation, action_hours, observe
from sim.policy import MonitoringPolicy
from sim.portfolio import build_portfolio
from sim.recorder import METRIC_COLUMNS, FiguresRecorder, MonthRecord, Recorder, event_frame
from sim.results import RunBrief, RunResult
from sim.scenario import Scenario
from sim.signals import SIG_INDEX, SIGNAL_IDS, U_COLUMNS
from sim.tail import finish_workouts

ACTIVE, DEFAULTED, CLOSED, WRITTEN_OFF, SOLD = LoanStatus
_ACTIVE = ACTIVE.value  # a plain int: comparing a column with an IntEnum member is slower
STATUS_KEYS = tuple(s.name.lower() for s in LoanStatus)
ACTION_UNIFORMS = 2
"""Uniform draws per loan per month for intervention outcomes (cure, enforcement...)."""

__all__ = ["ACTIVE", "CLOSED", "DEFAULTED", "METRIC_COLUMNS", "SIGNAL_IDS", "SIG_INDEX",
           "SOLD", "STATUS_KEYS", "WRITTEN_OFF", "Decision", "Observation", "RunResult",
           "Simulation", "event_frame", "simulate"]


class _Steps:
    """A generator of SimPy events run on the environment as a simpy.Process runs it:
    started by SimPy's own Initialize event (now, before the timeouts due now) and
    resumed by a callback on each event it yields, without a Process's bookkeeping: the
    Process event itself and the end event it schedules, which nothing here waits on. A
    study's replication starts about 900 lawsuits and auctions; every step keeps SimPy's
    time and order (the end events moved only the ids of the events after them)."""

    __slots__ = ("_generator",)

    def __init__(self, env: simpy.Environment, generator):
        self._generator = generator
        Initialize(env, self)  # calls `_resume` when it is processed

    def _resume(self, event) -> None:
        try:
            wait = self._generator.send(event.value)
        except StopIteration:
            return
        wait.callbacks.append(self._resume)


class Simulation:
    """One run of a scenario with a seed, driven by a decider (a strategy or a person)."""

    def __init__(self, scenario: Scenario, seed: int | None = None, months: int | None = None,
                 decider: Callable[[Observation], Decision] | None = None,
                 oracle: bool = False, keep_history: bool = False, warnings: bool = True,
                 tape: DrawTape | None = None, signals_read: bool = True):
        self.sc = scenario
        self.keep_history = keep_history
        # whether the run keeps its warnings (each loan's first warning, the conditions a
        # check would have shown) and its event log for the frames: a run only summarised
        # (`run_brief`) need not, nothing in the model reads them
        self.warnings = warnings
        # the month's off-site monitoring, or None: its sightings are read by the decider
        # and its actions' preconditions (`signals_read`: a strategy's `reads_signals`), by
        # the warnings and by the desk's history; a run that keeps neither, of a decider
        # that reads none, would look for them for nobody
        self._offsite = signals.offsite_sightings if (
            signals_read or warnings or keep_history) else None
        self.history: list[dict] = []
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
        self.n = scenario.n_loans
        # the months' draws and the book: the run's own, or shared by the runs of a seed
        # (sim.draws)
        self._tape = tape
        self._tape_role = None if tape is None else tape.role(
            self, 8 * self.n * (2 + U_COLUMNS + ACTION_UNIFORMS))  # draws and shocks
        if self._tape_role == "replay":
            self.pf, rng_b = tape.book()
        else:
            rng_b = np.random.default_rng(s_borrowers)
            self.pf = build_portfolio(scenario, rng_b, int(s_names.generate_state(1)[0]))
            if self._tape_role == "record":
                tape.keep_book(self.pf, rng_b)
        self.catalogue = catalogue(scenario)
        self.policy = scenario.monitoring
        self.prov_rates = provision_rates(scenario.provision_rates)
        # a run kept for its figures only keeps no event log (sim.recorder)
        self.rec = Recorder(SIGNAL_IDS) if warnings else FiguresRecorder(SIGNAL_IDS)
        self.env = simpy.Environment()
        self._processes: list = []  # the generators `start` put on the clock
        self._talks_now: dict = {}  # this month's talks by loan, for their meetings
        self._init_state(rng_b)
        # the oracle's foresight: the draws of every month ahead, from copies of the streams
        self._ahead = draw_ahead(self) if oracle else None
        self.start(macro.timeline(self))
        self.start(scripted.timeline(self))
        self.start(self._months())

    def _init_state(self, rng_b: np.random.Generator) -> None:
        """Each component sets up the columns it owns."""
        n = self.n
        macro.init(self)
        credit.init_health(self)
        loanbook.init_columns(self)
        workouts.init_columns(self)
        signals.init_columns(self)
        checks.init_columns(self, rng_b)
        staff.init(self)
        self.floor = np.zeros(n, dtype=np.int8)  # a minimum class set by events
        # the month from which a cured non-performing loan may be upgraded (sim.loanbook)
        self.upgrade_from = np.full(n, -1, dtype=np.int32)
        self._upgrades_pending = False
        self._observations_open = False  # any restructuring under observation (sim.loanbook)
        self.cls = np.zeros(n, dtype=np.int8)
        judgement.init_columns(self)
        self.relationship = np.ones(n)
        self.costs = np.zeros(n)
        self.money_spent = 0.0
        self.funding_cny = 0.0  # cost of funding the performing balance (net value)
        self._funding_month = self.sc.funding_rate_annual / 12.0  # as the loans accrue interest
        self.first_action = np.full(n, -1, dtype=np.int32)
        self.acted = np.full(n, -99, dtype=np.int32)
        self.borrower_of_loan = self.pf.borrower if self.pf.borrower is not None else np.arange(n)
        self.multi_loan = bool((self.borrower_of_loan != np.arange(n)).any())
        # the 10% rule binds a non-retail debtor's claims together (2023 classification
        # rules): a household's loans are each classified on their own
        self.npl_debtor = np.where(self.pf.retail, np.arange(n), self.borrower_of_loan)
        self.npl_debtor_rule = bool((self.npl_debtor != np.arange(n)).any())
        self.t = 0
        self._u_sig = self._u_act = None
        self._ticked = True
        self._targeted: list[int] = []
        self._done_this_month: set[tuple[int, str]] = set()
        self.month_report = MonthRecord(month=0)

    # ------------------------------------------------------------------ time
    def start(self, process) -> None:
        """Put `process` (a generator of SimPy events: the months, the timelines, a lawsuit,
        an auction) on the run's clock, kept so that `close` can end it."""
        self._processes.append(process)
        _Steps(self.env, process)

    def close(self) -> None:
        """End the processes still waiting when the run is done (a lawsuit or an auction
        whose next step lies past the tail, a timeline's next event). A waiting process's
        frame holds the run and the clock's queue holds the process: a reference cycle that
        only a full garbage collection frees, so without this every finished run of a
        study's worker stayed in memory until one came. Nothing is recorded: the run is not
        stepped again."""
        for process in self._processes:
            process.close()
        self._processes.clear()

    def month_now(self) -> int:
        return math.floor(self.env.now) + 1  # np.floor's integer, without a numpy call

    def discount(self, month: float) -> float:
        return (1.0 + self.sc.discount_rate_annual) ** (-month / 12.0)

    def _months(self):
        yield self.env.timeout(0.5)
        while self.t < self.T:
            self.t += 1
            self._month(self.t)
            yield self.env.timeout(1)

    def _month(self, t: int) -> None:
        # fixed draws every month: the same numbers whatever is decided (common random numbers)
        if self._tape_role == "replay":
            z = self._tape.months[t - 1]
        elif self._tape_role == "record":
            z = self._tape.record(self, t, U_COLUMNS, ACTION_UNIFORMS)
        else:
            z = draw_month(self, U_COLUMNS, ACTION_UNIFORMS)
        self._u_sig, self._u_act = z.u_sig, z.u_act
        self._done_this_month = set()
        start_hours = staff.refill(self)
        self._index_now = macro.index_value(self.index_points, t)
        self._targeted = []
        self.month_report = MonthRecord(month=t)
        self._decide_and_act(t)
        staff.close_month(self, start_hours)
        self._tick(t, z.z_idio, z.z_econ, z.z_ind, z.z_reg)
        if self._offsite is not None:
            self._offsite(self, t)
        rep = self.month_report
        # every sighting dated this month, those logged before its decision point too (the
        # month's alert list shows them; counting from the decision point missed them)
        rep.new_alerts = self.rec.signals_in.get(t, 0)
        rep.hours_used = start_hours - self._hours_left
        self.rec.record_metrics(self, t, rep.hours_used, rep.new_defaults)
        self.rec.months.append(rep)
        if self.keep_history:
            self._keep_history()

    def _decide_and_act(self, t: int) -> None:
        """The decision point: the decider's policy, the checks due, then its actions."""
        dec = None
        if self.decider is not None:
            dec = self.decider(observe(self))
            if dec.policy is not None:
                self.policy = dec.policy
        # checks the policy requires come first; targeted work gets the hours left over
        self._ticked = False
        checks.run_due(self, t, None if dec is None else dec.routine_hours)
        if dec is not None:
            # each meeting's talk, for the moment its meeting is held (sim.conversation)
            self._talks_now = {int(talk.loan_id): talk for talk in dec.talks}
            act_many(self, dec.actions)
            for i, c, reason in dec.classify:
                judgement.apply(self, t, int(i), int(c), str(reason))
            for talk in dec.talks:  # what the month's meetings established
                apply_talk(self, talk)
            if self._targeted:
                checks.do_checks(self, t, np.array(self._targeted), CheckKind.TARGETED, 1.0)
        checks.against_bank_policy(self, t)

    def _tick(self, t: int, z_idio, z_econ, z_ind, z_reg) -> None:
        """The whole book moves one month at once."""
        loanbook.reprice(self, t)
        # the month's funding of the balance that earns interest (performing loans): the
        # product numpy's `balance @ performing` works out, given the mask as the floats it
        # would cast it to (a mixed-type product costs twice the cast and the dot)
        performing = (self.status == _ACTIVE).astype(float)
        self.funding_cny += self._funding_month * float(np.dot(self.balance, performing))
        c_group, shock = self._month_macro(t, z_econ, z_ind, z_reg)
        d = credit.step_health(self, t, c_group, shock, z_idio)
        loanbook.step(self, t, d)
        classification.reclassify(self, t)
        self._ticked = True

    def _month_macro(self, t: int, z_econ, z_ind, z_reg) -> tuple[np.ndarray, np.ndarray]:
        """Month t's barrier per group and health shock per loan, the systematic factors
        moved a month (credit.step_factors, macro.shocks, credit.group_barrier). They
        depend on the seed's macro draws and the case's schedule alone, so a run that
        replays a draw tape reads the recording run's off it (sim.draws.MonthMacro)."""
        if self._tape_role == "replay":
            got = self._tape.macro[t - 1]
            self.f_econ, self.f_ind, self.f_reg = got.f_econ, got.f_ind, got.f_reg
            macro.drop_ended(self, t)
            return got.barrier, got.shock
        x = credit.step_factors(self, z_econ, z_ind, z_reg)
        x, shock = macro.shocks(self, t, x)
        c_group = credit.group_barrier(self, x)
        if self._tape_role == "record":
            self._tape.keep_macro(MonthMacro(self.f_econ, self.f_ind, self.f_reg, c_group,
                                             shock))
        return c_group, shock

    def _keep_history(self) -> None:
        """Per-month copies of what the loan file shows (the desk keeps these)."""
        self.history.append({
            "dpd": self.dpd.copy(), "due": self._last_due.copy(), "paid": self._last_paid.copy(),
            "balance": self.balance.copy(), "cls": self.cls.copy(),
            "cls_objective": self.cls_objective.copy(),
            "cls_warranted": judgement.warranted(self, self.t),
            "on_books": self.status <= ON_BOOKS,
            "turnover": signals.turnover_index(self.d, self._u_sig[:, 0]),
            "health": self.d.copy(),
        })

    # ----------------------------------------------------- the components' API
    @property
    def reports(self) -> list[MonthRecord]:
        return self.rec.months

    def observe(self) -> Observation:
        return observe(self)

    def act(self, i: int, action: str) -> str | None:
        return act(self, i, action)

    def precondition(self, i: int, action: str) -> str | None:
        return precondition(self, i, action)

    def action_hours(self, i: int, action: str) -> float:
        return action_hours(self, i, action)

    def by_legal_team(self, action: str) -> bool:
        return staff.by_legal_team(self.catalogue, action)

    def due_masks(self, policy: MonitoringPolicy, t: int) -> tuple[np.ndarray, np.ndarray]:
        return checks.due_masks(self, policy, t)

    def policy_hours(self, policy: MonitoringPolicy, t: int) -> float:
        return checks.policy_hours(self, policy, t)

    def collateral_value(self, idx=slice(None)) -> np.ndarray:
        return workouts.collateral_value(self, idx)

    def recoverable(self) -> np.ndarray:
        return workouts.recovery_value(self)

    def balance_or_claim(self, i: int) -> float:
        return workouts.balance_or_claim(self, i)

    def index_value(self, month: float) -> float:
        return macro.index_value(self.index_points, month)

    # ---------------------------------------------------------------- results
    def run(self) -> RunResult:
        """Run to the horizon, then let open workouts finish (sim.tail), and report."""
        finish_workouts(self)
        return self.result()

    def run_brief(self) -> RunBrief:
        """`run`, reported as figures only (what a study's replication keeps)."""
        finish_workouts(self)
        return RunBrief.from_sim(self)

    def streams_at_horizon(self) -> None:
        """Past the horizon only the action stream draws (sim.tail); a run that replayed its
        months from a tape takes it as the recording run had it at the horizon."""
        if self._tape_role == "replay":
            self.rng_actions = copy.deepcopy(self._tape.actions_at_horizon)
        # the months are done: let the tape go with the study's replication, not with this
        # run (a finished run is garbage in reference cycles, freed only at a full
        # collection: holding the tape, a worker's memory would grow by a tape a run)
        self._tape = None

    def advance_to(self, month: int) -> None:
        """Run until just before the decision point of `month` + 1."""
        self.env.run(until=month + 0.5)

    def result(self) -> RunResult:
        if not self.warnings:
            raise ValueError("this run kept its figures only (warnings=False): "
                             "build it with warnings=True for its frames")
        return RunResult.from_sim(self)


def _simulation(scenario: Scenario, seed: int | None, months: int | None,
                strategy: str | object | None, rules, warnings: bool = True,
                tape: DrawTape | None = None) -> Simulation:
    from sim.strategies import make_strategy

    strat = make_strategy(strategy or "do-nothing", rules=rules)
    return Simulation(scenario, seed=seed, months=months, decider=strat.decide,
                      oracle=getattr(strat, "needs_hidden", False), warnings=warnings,
                      tape=tape, signals_read=getattr(strat, "reads_signals", True))


def simulate(scenario: Scenario, seed: int | None = None, months: int | None = None,
             strategy: str | object | None = None, rules=None,
             tape: DrawTape | None = None) -> RunResult:
    """Run a scenario to its horizon under a strategy (default: no post-loan actions)."""
    return _released(_simulation(scenario, seed, months, strategy, rules, tape=tape), "run")


def simulate_brief(scenario: Scenario, seed: int | None = None, months: int | None = None,
                   strategy: str | object | None = None, rules=None,
                   tape: DrawTape | None = None) -> RunBrief:
    """`simulate`, keeping the figures only: the same run, without its frames (and without
    the warning bookkeeping and the event log only the frames read). Runs of one seed
    given one `tape` draw their months once (sim.draws)."""
    return _released(_simulation(scenario, seed, months, strategy, rules, warnings=False,
                                 tape=tape), "run_brief")


def _released(sim: Simulation, how: str):
    """``sim.<how>()``, then the run lets go of its strategy and ends its waiting processes
    (`Simulation.close`). A strategy keeps its last observation, whose look-ups (check
    demand and load) hold the run, and so does a waiting process: reference cycles that
    only a full garbage collection frees, rare in a worker, so a study's worker grew by a
    run's arrays a replication until one came. Let go, the run is freed as soon as it is
    done."""
    try:
        return getattr(sim, how)()
    finally:
        sim.decider = None
        sim.close()
