"""The oracle's foresight: each borrower's health over the months ahead, left untreated.

The engine's randomness is common random numbers (sim.engine): every month draws a fixed
number of idiosyncratic normals (one per loan) and macro normals (economy, industries,
regions), whatever is decided. So the shocks of the months ahead are fixed when a run
starts. For the oracle only, the engine draws them once from copies of its generators,
or reads them off the draw tape the runs of a study's seed share (`draw_ahead`): the
run's own streams are not touched, and the copies give the very numbers the run will
draw.

`look_ahead` projects each loan's hidden health d (sim.credit.step_health) over the next
months with those shocks: the AR(1) idiosyncratic health, the systematic factors and the
barrier they set, the case's policy shocks, recessions and disasters (those already active
and those scheduled), the scripted events of named borrowers, diversion's drain on a
diverting borrower (a diverter starts when its health falls below the onset level), the
payments missed and the defaults they make, and the guarantee chain when a projected
default reaches it (the guarantor called to pay, the guaranteed borrower losing its
guarantee), and LPR changes with floating rates repriced at their resets.
What it leaves out is whatever the bank does. So for a loan the bank leaves alone
the projection is the run's own future (tests/test_oracle.py).
Interventions move health by persistent shifts and reset arrears, and the shocks are
exogenous, so the untreated path tells the oracle what a shift of a given size would do
(`Foresight.margin`). See docs/model.md §14.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from sim import credit, defaults, macro
from sim.codes import ON_BOOKS, LoanStatus
from sim.compiled import compiled
from sim.loanbook import base_rate
from sim.scripted import borrower_loans
from sim.storyline import Disaster, LprChange

# the parameters the compiled month reads (numba takes module globals as constants)
DIVERSION_ONSET_HEALTH = defaults.DIVERSION_ONSET_HEALTH
DIVERSION_DRAIN_PER_MONTH = defaults.DIVERSION_DRAIN_PER_MONTH
MISSES_TO_DEFAULT = defaults.MISSES_TO_DEFAULT
GUARANTEE_CLAIM_HEALTH = defaults.GUARANTEE_CLAIM_HEALTH
GUARANTEE_LOST_HEALTH = defaults.GUARANTEE_LOST_HEALTH
RATE_BURDEN_HEALTH_PER_PCT = defaults.RATE_BURDEN_HEALTH_PER_PCT
ACTIVE = LoanStatus.ACTIVE.value  # a plain int: comparing with an IntEnum member is slow


@dataclass(frozen=True)
class ShocksAhead:
    """The random numbers every month of a run will draw for health, month m in row m - 1.

    `idio` is kept month by month, as the months draw it: the look-ahead reads a loan's
    twelve months one after the other (`_look_ahead`), twelve rows walked side by side,
    which the cache streams in. Kept loan by loan (a loan's months together, in rows of
    the run's 60 months) its window at each look-ahead was a scattered 96 bytes a loan,
    and the look-ahead took a quarter longer in a run."""

    idio: np.ndarray  # (months, loans)
    econ: np.ndarray  # (months,)
    industry: np.ndarray  # (months, industries)
    region: np.ndarray  # (months, regions)
    # month -> (events in force, the systematic factors after it): what the macro draws
    # and the case's schedule make of a month does not change from one decision to the
    # next, so each month's is worked out once per run (`_month_ahead`), not at all
    # twelve look-aheads; its barrier and shock are kept in row m - 1 of these two
    # (months, groups) arrays, which a look-ahead passes on as views, without a copy.
    # Kept per (segment, industry, region) group (sim.credit.init_health), each loan
    # reading its group's: the barrier is the group's, and every health shock falls on
    # whole groups (a policy shock's segments, a disaster's region: sim.macro.shocks_from).
    # Per loan they were two more (loans, months) arrays, built for every run and read
    # at every look-ahead.
    macro_months: dict = field(default_factory=dict, compare=False, repr=False)
    barrier_rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    shock_rows: np.ndarray | None = field(default=None, compare=False, repr=False)
    group_first: np.ndarray | None = field(default=None, compare=False, repr=False)
    """Each group's first loan (whose shock is the group's)."""
    # whether the rows hold every month already: read off a draw tape, whose recording
    # run kept what each month made of the macro draws (sim.draws.MonthMacro)
    rows_known: bool = field(default=False, compare=False, repr=False)


def draw_ahead(sim) -> ShocksAhead:
    """The draws `Simulation._month` will make, month by month in the same order: a run
    that replays a draw tape (sim.draws) reads them off the tape, any other draws them
    from copies of its generators (the run's own streams do not move). Off a tape, every
    month's barriers and shocks come too: the ones the engine will use."""
    n, k, r, T = sim.n, len(sim.pf.industries), len(sim.pf.regions), sim.T
    group_first = np.unique(sim._group_of, return_index=True)[1]
    if sim._tape_role == "replay":
        months, macro_months = sim._tape.months, sim._tape.macro
        return ShocksAhead(np.stack([z.z_idio for z in months]),
                           np.array([z.z_econ for z in months]),
                           np.stack([z.z_ind for z in months]).reshape(T, k),
                           np.stack([z.z_reg for z in months]).reshape(T, r),
                           barrier_rows=np.stack([m.barrier for m in macro_months]),
                           shock_rows=np.stack([m.shock[group_first] for m in macro_months]),
                           group_first=group_first, rows_known=True)
    idio, mac = copy.deepcopy(sim.rng_idio), copy.deepcopy(sim.rng_macro)
    z_idio, z_econ = np.empty((T, n)), np.empty(T)
    z_ind, z_reg = np.empty((T, k)), np.empty((T, r))
    for m in range(T):
        z_idio[m] = idio.standard_normal(n)
        z_econ[m] = mac.standard_normal()
        z_ind[m] = mac.standard_normal(k)
        z_reg[m] = mac.standard_normal(r)
    return ShocksAhead(z_idio, z_econ, z_ind, z_reg,
                       barrier_rows=np.empty((T, len(group_first))),
                       shock_rows=np.empty((T, len(group_first))), group_first=group_first)


@dataclass(frozen=True)
class Foresight:
    """What the months ahead hold for each loan if nothing is done.

    health: (months, loans) projected health after each of the next months' ticks (row 0
    is the month being decided);
    margin: how far above the line of default the untreated path keeps: the loan
    defaults within the window, left alone, exactly when margin < 0, and a persistent
    shift of health s (a restructuring's relief) saves it when margin + s > 0;
    margin_fresh: the same with the arrears cleared (what relief does to them);
    +inf where the loan cannot default in the window (matured, closed, defaulted).
    """

    health: np.ndarray
    margin: np.ndarray
    margin_fresh: np.ndarray

    def defaults(self) -> np.ndarray:
        """Loans that default within the window if left untreated."""
        return self.margin < 0


def look_ahead(sim, months: int = defaults.FORESIGHT_MONTHS) -> Foresight:
    """The untreated projection from the current decision point (before month sim.t's
    tick) over `months` months, cut at the horizon."""
    t, pf = sim.t, sim.pf
    ahead: ShocksAhead = sim._ahead
    K = max(min(months, sim.T - t + 1), 0)
    n = sim.n
    for past in [m for m in ahead.macro_months if m < t]:  # never asked again
        del ahead.macro_months[past]
    # the months' macro side: systematic factors, the barrier, the shocks (known from
    # the start off a draw tape)
    events = list(sim.active_shocks) + macro.scheduled_shocks(sim, t)
    if not ahead.rows_known:
        spans = [(start, end, id(ev)) for start, end, ev in events]
        factors = (sim.f_econ, sim.f_ind, sim.f_reg)
        for m in range(t, t + K):
            in_force = tuple(span for span in spans if span[0] <= m < span[1])
            kept = ahead.macro_months.get(m)
            if kept is not None and kept[0] == in_force:
                factors = kept[1]
            else:
                factors = _month_ahead(sim, ahead, m, factors, events)
                ahead.macro_months[m] = (in_force, factors)
    barriers = ahead.barrier_rows[t - 1:t - 1 + K]
    shocks = ahead.shock_rows[t - 1:t - 1 + K]
    ops = _lasting_hits(sim, t, events)
    # LPR changes, and the rate each floating loan would reset to (sim.loanbook.reprice)
    lpr = dict(sim.lpr)
    lpr_changes = [(max(ev.month, 1), ev) for ev in sim.sc.macro
                   if isinstance(ev, LprChange) and max(ev.month, 1) > t]
    lpr_month = np.zeros(K, dtype=bool)
    # the rate a reset would give in month t + k: row rate_row[k] of new_rates (a new row
    # from each LPR change on)
    rate_row = np.zeros(K, dtype=np.int64)
    rows = [(lpr["lpr_1y"], lpr["lpr_5y"])]
    for k in range(K):
        for when, ev in lpr_changes:
            if when == t + k:
                for key in (("lpr_1y", "lpr_5y") if ev.base == "both" else (ev.base,)):
                    lpr[key] = max(0.0, lpr[key] + ev.delta_bp / 10_000)
                lpr_month[k] = True
                rows.append((lpr["lpr_1y"], lpr["lpr_5y"]))
        rate_row[k] = len(rows) - 1
    guaranteed, chained, guarantor_of, guarantor, backs_first, backs = _chain(sim)
    shared = sim._health_shared  # one health per borrower (credit._shared)
    phi = defaults.IDIO_PHI_MONTHLY
    path = np.empty((n, K)).T  # (months, loans), each loan's months together
    margin, fresh = _look_ahead(
        t, sim.e, ahead.idio[t - 1:t - 1 + K], phi,
        float(np.sqrt(1.0 - phi * phi)),  # as credit.factor_step has it
        shared, pf.borrower if shared else np.zeros(0, np.int64), sim._group_of, barriers,
        shocks,
        sim.shift, ops.month, ops.kind, ops.amount, ops.start, ops.loans,
        bool(lpr_changes), sim._rates_reset_due, sim.rate, sim.rate0, pf.floating,
        _reset_rates(sim, {"lpr_1y": sim.sc.lpr_1y, "lpr_5y": sim.sc.lpr_5y}),
        pf.reset_months, lpr_month, rate_row, _stacked_rates(sim, tuple(rows)),
        sim.status, ON_BOOKS, sim.defaulted, sim.diverting, pf.diverter, sim.entrusted,
        sim.d, sim.deferral_until, sim.term, sim.mob, sim.misses, sim._chain_hit, chained,
        guaranteed, guarantor_of, guarantor, backs_first, backs, path)
    return Foresight(path, margin, fresh)


def _reset_rates(sim, lpr: dict) -> np.ndarray:
    """The rate each loan would reset to on the LPRs `lpr`, before the loan's concession
    (sim.loanbook.reprice). Kept per run by the LPRs (a run sees a handful), read-only."""
    memo = sim.__dict__.get("_foresight_rates")
    if memo is None:
        memo = sim._foresight_rates = {}
    key = (lpr["lpr_1y"], lpr["lpr_5y"])
    got = memo.get(key)
    if got is None:
        got = memo[key] = base_rate(lpr, sim.pf.base_5y) + sim.pf.spread
        got.flags.writeable = False
    return got


def _stacked_rates(sim, lprs: tuple[tuple[float, float], ...]) -> np.ndarray:
    """`_reset_rates` on each of the LPRs `lprs` ((1-year, 5-year) pairs), one row each:
    kept per run by the LPRs in the window (a run sees a handful), read-only."""
    memo = sim.__dict__.get("_foresight_stacked")
    if memo is None:
        memo = sim._foresight_stacked = {}
    got = memo.get(lprs)
    if got is None:
        got = memo[lprs] = np.stack([_reset_rates(sim, {"lpr_1y": one, "lpr_5y": five})
                                     for one, five in lprs])
        got.flags.writeable = False
    return got


def _chain(sim) -> tuple[np.ndarray, bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(guaranteed loans, whether any is, each one's guarantor: 0 for the others, empty
    when none is, the loans that guarantee another, and the loans each loan guarantees:
    backs[backs_first[i]:backs_first[i + 1]] for loan i, in the book's order) of the book:
    the portfolio's, worked out once per run."""
    got = sim.__dict__.get("_foresight_chain")
    if got is None:
        pf = sim.pf
        guaranteed = pf.guarantor >= 0 if pf.guarantor is not None else \
            np.zeros(sim.n, dtype=bool)
        chained = bool(guaranteed.any())
        guarantor_of = np.where(guaranteed, pf.guarantor, 0) if chained else \
            np.zeros(0, np.int64)
        guarantor = np.zeros(sim.n, dtype=bool)
        backs_first = np.zeros(sim.n + 1, np.int64)
        backs = np.zeros(0, np.int64)
        if chained:
            guarantor[guarantor_of[guaranteed]] = True
            backed = np.flatnonzero(guaranteed)
            order = np.argsort(guarantor_of[backed], kind="stable")
            backs = backed[order].astype(np.int64)
            backs_first[1:] = np.cumsum(np.bincount(guarantor_of[backed], minlength=sim.n))
        got = sim._foresight_chain = (guaranteed, chained, guarantor_of, guarantor,
                                      backs_first, backs)
    return got


_SHIFT, _DIVERT = 0, 1  # what a lasting hit does: lowers health, or starts a diversion


@dataclass(frozen=True)
class LastingHits:
    """What moves borrowers' health for good before the ticks of the months ahead, in the
    order the engine meets it: each hit's month, kind, health lost and loans
    (loans[start[j]:start[j + 1]] for hit j)."""

    month: np.ndarray
    kind: np.ndarray
    amount: np.ndarray
    start: np.ndarray
    loans: np.ndarray


def _lasting_hits(sim, t: int, events: list) -> LastingHits:
    """The scripted events of named borrowers (sim.scripted), then the permanent damage of
    disasters (sim.macro), after month t."""
    pf = sim.pf
    hits: list[tuple[int, int, float, np.ndarray]] = []
    if not sim.sc.borrowers and not any(isinstance(ev, Disaster) for _, _, ev in events):
        return _NO_HITS
    for b in sim.sc.borrowers:
        i = pf.named_index[b.id]
        for ev in b.events:
            m = max(ev.month, 1)
            if m <= t:
                continue
            if ev.kind in defaults.SCRIPTED_HEALTH_HIT:
                hits.append((m, _SHIFT, defaults.SCRIPTED_HEALTH_HIT[ev.kind] * ev.severity,
                             borrower_loans(sim, i)))
            elif ev.kind == "diversion_start" and not sim.entrusted[i]:
                hits.append((m, _DIVERT, 0.0, np.array([i])))
    for start, _, ev in events:
        if start > t and isinstance(ev, Disaster):  # it fires before its month's decision
            hit = (pf.region == pf.regions.index(ev.region)) & \
                (pf.disaster_u < ev.permanent_share)
            hits.append((start, _SHIFT, ev.severity * defaults.DISASTER_PERMANENT_HEALTH,
                         np.flatnonzero(hit)))
    hits.sort(key=lambda h: h[0])  # stable: within a month, the order above
    return LastingHits(
        month=np.array([h[0] for h in hits], dtype=np.int64),
        kind=np.array([h[1] for h in hits], dtype=np.int64),
        amount=np.array([h[2] for h in hits], dtype=float),
        start=np.cumsum([0] + [len(h[3]) for h in hits]).astype(np.int64),
        loans=np.concatenate([h[3] for h in hits]).astype(np.int64) if hits
        else np.zeros(0, np.int64))


_NO_HITS = LastingHits(month=np.zeros(0, np.int64), kind=np.zeros(0, np.int64),
                       amount=np.zeros(0), start=np.zeros(1, np.int64),
                       loans=np.zeros(0, np.int64))
"""What `_lasting_hits` gives a book with no named borrowers and no disaster ahead."""


@compiled
def _look_ahead(t, e0, Z, phi, coef, shared, owner_of, group_of, barriers, shocks, shift0,
                op_month, op_kind, op_amount, op_start, op_loans,
                lpr_changes, reset_due0, rate_now, rate0, floating, start_rates, reset_months,
                lpr_month, rate_row, new_rates, status, on_books, defaulted, diverting0,
                diverter, entrusted, d_prev0, deferral_until, term, mob0, misses0, chain_hit0,
                chained, guaranteed, guarantor_of, guarantor, backs_first, backs, path):
    """Each loan's months ahead on the books from the engine's columns as they stand (the
    columns are left as they are), written into `path` (months, loans), then
    `default_margins` of the path: (margin, margin_fresh).

    A loan's months, one by one, as the engine's tick would make them with nothing done:
    its lasting hits (`LastingHits`), its floating rate reset after an LPR change
    (sim.loanbook.reprice) and its burden, the idiosyncratic health's AR(1) step
    (credit.factor_step; with one health per borrower, that of the borrower's first
    loan), diversion's onset and drain and the health (credit.step_health), then the
    payments, misses and default and the guarantee chain (sim.loanbook): the engine's
    operations on the loan in the engine's order, so the numbers are the
    engine's to the last bit (tests/test_oracle.py).

    Loan by loan, each loan's state in registers over its months (a month at a time over
    the book, it was some twenty arrays passed twelve times at every decision of the
    oracle). A loan's months depend on no other loan's but through the chain: a loan's
    fresh default strikes from the next month on its guarantor (a claim for each loan it
    guaranteed that fell, `GUARANTEE_CLAIM_HEALTH`) and the loans it guarantees (their
    guarantee lost, `GUARANTEE_LOST_HEALTH`), in the engine's order (the lost guarantee,
    then the claims). So every loan is projected as if no loan of the chain fell, then a
    loan again whenever the month one of its sources falls in has moved (its guarantor's,
    `hit_at`, or one of the loans it guarantees, `claimed_at`), until none moves: with
    each strike a month behind its cause, the months settle one by one into what the
    engine's month over the whole book makes.

    The payments (misses, default, months on book) are followed only for the loans whose
    projection reads them: a loan of the chain (a guarantor, whose default strikes the
    loans it guarantees, and a guaranteed loan, whose default strikes its guarantor) and
    a loan whose rate can reset on its months on book (`track_rates`). Another loan's
    payments change nothing projected (its margins read its path alone: `_margins`), and
    following them was a third of the projection's time.

    Only the loans on the books are projected: one off them (closed, written off, sold)
    cannot default, so reaches no other, and nothing reads its months ahead; by a run's
    last year most of a book is off. Its column of `path` is NaN."""
    K, n = path.shape
    # each loan's lasting hits, in the hits' order: hit op_of[j], j in op_first[i]:op_first[i + 1]
    op_first = np.zeros(n + 1, np.int64)
    for j in range(len(op_loans)):
        op_first[op_loans[j] + 1] += 1
    for i in range(n):
        op_first[i + 1] += op_first[i]
    op_of = np.empty(len(op_loans), np.int64)
    filled = op_first[:n].copy()
    for h in range(len(op_month)):
        for j in range(op_start[h], op_start[h + 1]):
            op_of[filled[op_loans[j]]] = h
            filled[op_loans[j]] += 1
    # what only some books need: the rates (a reset due, or an LPR change ahead); a book
    # without them skips the work
    track_rates = lpr_changes
    for i in range(n):
        track_rates |= reset_due0[i] and status[i] <= on_books
    going0 = np.empty(n, np.bool_)
    remaining = np.empty(n, np.int64)
    deferred = np.empty(n, np.int64)
    for i in range(n):
        going0[i] = status[i] == ACTIVE and not defaulted[i]
        # months to the last scheduled payment, counting this one (at least one: a loan
        # past its term still owes what it did not pay, sim.kernels.book.book_step)
        remaining[i] = max(term[i] - mob0[i], 1) if going0[i] else 0
        deferred[i] = min(max(deferral_until[i] - t + 1, 0), K)
    # with one health per borrower, each loan's idiosyncratic health reads its borrower's
    # first loan's (credit._shared): stepped over the book a month at a time, as the
    # engine steps it, and kept loan by loan
    shared_e = np.empty((n, K if shared else 0))
    if shared:
        e = e0.copy()
        stepped = np.empty(n)
        for k in range(K):
            for i in range(n):
                stepped[i] = _idio_step(e[i], phi, coef, Z[k, i])
            for i in range(n):
                e[i] = shared_e[i, k] = stepped[owner_of[i]]
    fell = np.full(n, -1, np.int64)  # the month each loan defaults afresh in, -1 none
    hit_at = np.full(n, -1, np.int64)  # the month of its guarantor's it was projected with
    # the month of each loan it guarantees it was projected with (`backs`' places)
    claimed_at = np.full(len(backs), -1, np.int64)
    first = True
    moved = True
    while moved:
        moved = False
        for i in range(n):
            if status[i] > on_books:
                if first:
                    for k in range(K):
                        path[k, i] = np.nan
                continue
            if not first:
                stale = guaranteed[i] and hit_at[i] != fell[guarantor_of[i]]
                for j in range(backs_first[i], backs_first[i + 1]):
                    stale |= claimed_at[j] != fell[backs[j]]
                if not stale:
                    continue
                if guaranteed[i]:
                    hit_at[i] = fell[guarantor_of[i]]
                for j in range(backs_first[i], backs_first[i + 1]):
                    claimed_at[j] = fell[backs[j]]
            e = e0[i]
            g = group_of[i]  # the loan's group: its barrier and shock (`ShocksAhead`)
            shift = shift0[i]
            rate = rate_now[i]
            reset_due = reset_due0[i]
            diverting = diverting0[i]
            can_divert = diverter[i] and not entrusted[i]
            concession = rate0[i] - start_rates[i]  # rate0 moves with restructurings
            burden = -RATE_BURDEN_HEALTH_PER_PCT * (rate - rate0[i]) * 100.0 \
                if floating[i] else 0.0
            d_prev = d_prev0[i]
            going = going0[i]
            # the arrears, for a chain member's fall or the months a rate resets in
            pays = guarantor[i] or guaranteed[i] or \
                (track_rates and (reset_due or (lpr_changes and floating[i])))
            misses = np.int64(misses0[i])
            mob = np.int64(mob0[i])
            now = -1
            next_op = op_first[i]
            if not (pays or can_divert or diverting or hit_at[i] >= 0
                    or next_op < op_first[i + 1]):
                # a plain loan (no hit, diversion, reset or chain ahead, no payments to
                # follow; most of a book): only its shocks move it, in a loop of its own
                # without the others' branches (the projection a sixth to a quarter faster)
                for k in range(K):
                    e = shared_e[i, k] if shared else _idio_step(e, phi, coef, Z[k, i])
                    path[k, i] = _health(e, barriers[k, g], shift, shocks[k, g], burden)
                continue
            for k in range(K):
                m = t + k
                while next_op < op_first[i + 1] and op_month[op_of[next_op]] <= m:
                    h = op_of[next_op]
                    if op_kind[h] == _SHIFT:
                        shift -= op_amount[h]
                    else:
                        diverting = True
                    next_op += 1
                if track_rates:
                    if lpr_month[k]:
                        reset_due |= floating[i]
                    if reset_due and mob % reset_months[i] == 0:
                        rate = max(0.0, new_rates[rate_row[k], i] + concession)
                        reset_due = False
                        burden = -RATE_BURDEN_HEALTH_PER_PCT * (rate - rate0[i]) * 100.0 \
                            if floating[i] else 0.0
                e = shared_e[i, k] if shared else _idio_step(e, phi, coef, Z[k, i])
                # a borrower able to divert starts when its health falls below the onset
                if can_divert and not diverting and d_prev < DIVERSION_ONSET_HEALTH and m > 1:
                    diverting = True
                if diverting:
                    shift -= DIVERSION_DRAIN_PER_MONTH
                d = _health(e, barriers[k, g], shift, shocks[k, g], burden)
                path[k, i] = d
                d_prev = d
                if m == hit_at[i]:
                    shift -= GUARANTEE_LOST_HEALTH
                for j in range(backs_first[i], backs_first[i + 1]):
                    if m == claimed_at[j]:
                        shift -= GUARANTEE_CLAIM_HEALTH
                if not pays:
                    continue
                # a payment is due every month the loan is not deferred, until one paid at
                # or after its last scheduled month closes it (one missed at maturity
                # stays due)
                if going and deferral_until[i] < m:
                    if d < 0:
                        misses += 1
                    elif k >= remaining[i] - 1:
                        misses = 0
                        going = False
                        mob += 1
                    else:
                        misses = 0
                if going:
                    mob += 1
                    if misses >= MISSES_TO_DEFAULT:
                        going = False
                        if not chain_hit0[i]:  # one that defaulted before does not spread
                            now = m
            moved |= chained and now != fell[i]
            fell[i] = now
        first = False
    return _margins(path, misses0.astype(np.int64), deferred, remaining)


@compiled
def _idio_step(e, phi, coef, z):
    """A loan's idiosyncratic health a month on (credit.factor_step)."""
    return phi * e + coef * z


@compiled
def _health(e, barrier, shift, shock, burden):
    """A loan's health d from its idiosyncratic health, barrier, shift, shock and rate
    burden, in the engine's order (credit.step_health)."""
    return e - barrier + shift + shock + burden


def _month_ahead(sim, ahead: ShocksAhead, m: int, factors: tuple, events: list) -> tuple:
    """The systematic factors of month m, from those of month m - 1, with each group's
    barrier and shock of month m written into row m - 1 of `ahead`'s rows: the operations
    of `Simulation._tick` (credit.step_factors, macro.shocks, credit.step_health), so the
    very numbers it will use. `look_ahead` keeps them per run by month and the events in
    force then; the factors are a chain of the macro draws alone, so a kept month also
    gives the factors the next month starts from."""
    phi_s = defaults.SYSTEMATIC_PHI_MONTHLY
    f_econ = credit.factor_step(factors[0], ahead.econ[m - 1], phi_s)
    f_ind = credit.factor_step(factors[1], ahead.industry[m - 1], phi_s)
    f_reg = credit.factor_step(factors[2], ahead.region[m - 1], phi_s)
    we, wi, wr = sim.w
    _, g_ind, g_reg = sim._groups
    x = we * f_econ + wi * f_ind[g_ind] + wr * f_reg[g_reg]
    x, shock = macro.shocks_from(sim, m, x, events)
    ahead.barrier_rows[m - 1] = credit.barrier(sim._group_gp, sim._group_sqrt_rho, x)
    ahead.shock_rows[m - 1] = shock[ahead.group_first]
    return f_econ, f_ind, f_reg


def default_margins(path: np.ndarray, misses: np.ndarray, deferred_months: np.ndarray,
                    due_months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(margin, margin with arrears cleared) of each loan's health path (months, loans).

    A payment is due in each month after the first `deferred_months`, up to the loan's
    last scheduled payment, `due_months` from now counting this month's (0: none, the loan
    is not performing), and after it for as long as it is missed: a loan closes at its
    first payment made at or after that month (sim.kernels.book.book_step: what is owed
    stays due). A payment is missed when health is below zero, and MISSES_TO_DEFAULT
    misses in a row, counting the `misses` a loan already has, are a default
    (sim.loanbook). A deferral keeps the count. So the loan defaults exactly when some run
    of that many due months, starting no later than its last scheduled payment (or the
    first after its deferral), all lie below zero (or, counting its misses, the first few
    due months do), and the margin is the least over those runs of the run's highest
    health."""
    K, n = path.shape
    if K == 0:  # past the horizon: nothing left to foresee
        return np.full(n, np.inf), np.full(n, np.inf)
    return _margins(path, np.asarray(misses, dtype=np.int64),
                    np.asarray(deferred_months, dtype=np.int64),
                    np.asarray(due_months, dtype=np.int64))


@compiled
def _margins(path, misses, deferred, due_months):
    """`default_margins`, loan by loan (compiled: it runs at every decision of the oracle,
    and as array operations it was a dozen passes over months x loans)."""
    K, n = path.shape
    need = MISSES_TO_DEFAULT
    margin, fresh = np.empty(n), np.empty(n)
    eff = np.empty(K)  # the loan's health in its due months, moved to the front
    for i in range(n):
        if due_months[i] <= 0:  # not performing: nothing is due
            margin[i] = fresh[i] = np.inf
            continue
        for j in range(K):
            src = j + deferred[i]
            eff[j] = path[min(src, K - 1), i] if src < K else np.inf
        # a run starts by the last scheduled payment (after it, a paid month closes the
        # loan, and a missed one was already a run's part)
        starts = min(K - need + 1, max(due_months[i] - deferred[i], 1))
        least = np.inf  # the least over runs of `need` due months of the run's highest
        for start in range(starts):
            top = eff[start]
            for lag in range(1, need):
                top = max(top, eff[start + lag])
            least = min(least, top)
        fresh[i] = least
        had = misses[i]  # a loan `had` misses in already needs need - had more
        if 1 <= had < need and need - had <= K:
            top = eff[0]
            for j in range(1, need - had):
                top = max(top, eff[j])
            least = min(least, top)
        margin[i] = least
    return margin, fresh
