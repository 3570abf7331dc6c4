"""Workouts (不良处置): lawsuits, judicial auctions, and what a claim can recover.

A lawsuit freezes the borrower's assets and ends in a judgment after its
duration; enforcement, ENFORCEMENT_MONTHS later, finds free assets with some chance. An online
judicial auction runs two rounds and a sale period (domain.md). What any
workout can recover is `recovery_value`: collateral at auction prices, free
assets that decay with months of distress, and a sound guarantor.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from sim import defaults
from sim.codes import LoanClass, LoanStatus
from sim.interventions.kernels_act import (
    collateral_of,
    recovery_of,
    security_held,
    security_of,
    workout_sales,
)
from sim.portfolio import COLLATERAL_TYPES

NO_COLLATERAL = COLLATERAL_TYPES.index("none")
"""The collateral type code of an unsecured loan."""
DEPOSIT = COLLATERAL_TYPES.index("deposit")
"""The collateral type code of a pledged deposit (存单质押): cash the bank holds, worth its
face value whatever the property market or the borrower's distress, and set off against
the debt at once on enforcement instead of going to auction; only security taken on top
of it (a top-up) is auctioned."""
LIQUIDITY_BY_TYPE = np.array([defaults.COLLATERAL_LIQUIDITY[c] for c in COLLATERAL_TYPES])
ON_BOOKS_STATUSES = (LoanStatus.ACTIVE.value, LoanStatus.DEFAULTED.value)
# plain ints for per-loan code: comparing a numpy scalar with an IntEnum member makes
# numpy probe the enum class for array attributes, which is slow in a per-action path
ACTIVE, DEFAULTED, CLOSED, WRITTEN_OFF, SOLD = (s.value for s in LoanStatus)
SUBSTANDARD = LoanClass.SUBSTANDARD.value  # a loan with this class floor cannot cure
ONE_LOAN = (int, np.integer)
"""The index types of one loan, which the helpers below work out on scalars (a tuple: an
`int | np.integer` union is built anew at each test, in the auction's every round)."""
LUCK_STREAM_KEY = 6
"""Spawn key of the workout-luck stream: the child of the run's SeedSequence after the
engine's six (borrowers, macro, idiosyncratic, signals, actions, names), so drawing it
moves no other stream."""


def init_columns(sim) -> None:
    n = sim.n
    pf = sim.pf
    sim.recovered = np.zeros(n)
    sim._recovery_pv = np.zeros(n)
    sim.distress_months = np.zeros(n)
    sim.preserved = np.zeros(n, dtype=bool)  # assets frozen by a lawsuit
    sim.condition = pf.condition0.copy()
    sim.extra_collateral = np.zeros(n)
    sim.collateral_sold = np.zeros(n, dtype=bool)
    sim.appraised = pf.appraised0.copy()
    sim.deposit_pledged = pf.collateral_type == DEPOSIT
    sim.lawsuit_month = np.full(n, -1, dtype=np.int32)
    sim.judgment = np.zeros(n, dtype=bool)
    sim.enforced = np.zeros(n, dtype=bool)  # the judgment's enforcement has ended
    sim.auction_open = np.zeros(n, dtype=bool)
    sim.auctions_held = np.zeros(n, dtype=np.int32)
    # Workout luck belongs to the lot and the debtor, not to the month the bank gets to
    # them: how keen bidders are on this lot in each round of its first auction, and
    # whether this debtor has assets a court can find. Drawn once per loan, so two
    # strategies that take the same loan to auction in different months meet the same
    # bidders and the same debtor (common random numbers for the workout, sim/engine.py).
    luck = np.random.default_rng(np.random.SeedSequence(sim.seed, spawn_key=(LUCK_STREAM_KEY,)))
    sim.lot_luck = luck.random((n, len(AUCTION_ROUNDS)))
    sim.assets_luck = luck.random(n)


def has_security(sim, idx=slice(None)) -> np.ndarray:
    """Whether loans idx hold security now: their own collateral, not yet sold or set off,
    or a top-up not yet sold (the column form of the `has_collateral` precondition).
    `collateral_sold` is the loan's own collateral gone; a sale also takes the top-up
    (`extra_collateral` to 0), a deposit's set-off leaves it to be auctioned. One loan (an
    int: each round of an auction asks) is worked out on scalars; the whole book, or an
    array of loan numbers (a month's checks), in one compiled pass (kernels_act.
    security_held: the signals read it every month)."""
    if isinstance(idx, ONE_LOAN):
        return bool((not sim.collateral_sold[idx] and sim.pf.collateral_type[idx] != NO_COLLATERAL)
                    or sim.extra_collateral[idx] > 0)
    if isinstance(idx, slice) and idx == slice(None):
        idx = np.arange(len(sim.collateral_sold), dtype=np.int64)  # one compiled version
    if isinstance(idx, np.ndarray) and idx.dtype == np.int64:
        return security_held(idx, sim.collateral_sold, sim.pf.collateral_type, NO_COLLATERAL,
                             sim.extra_collateral)
    return (~sim.collateral_sold[idx] & (sim.pf.collateral_type[idx] != NO_COLLATERAL)) | (
        sim.extra_collateral[idx] > 0)


def collateral_value(sim, idx=slice(None)) -> np.ndarray:
    """True market value of each loan's security now (hidden); idx selects loans (one
    loan, an int, is worked out on scalars, and an array of loan numbers loan by loan in
    compiled code, kernels_act.collateral_of: the same figures without building columns)."""
    deposit = sim.deposit_pledged  # a deposit keeps its face value
    if isinstance(idx, ONE_LOAN):
        base = 0.0 if sim.collateral_sold[idx] else sim.pf.appraised0[idx] if deposit[idx] \
            else sim.pf.appraised0[idx] * sim.condition[idx] * sim._index_now
        return base + sim.extra_collateral[idx]
    if isinstance(idx, np.ndarray) and idx.dtype == np.int64:
        return collateral_of(idx, sim.collateral_sold, sim.pf.appraised0, sim.condition,
                             float(sim._index_now), sim.extra_collateral, deposit)
    base = np.where(sim.collateral_sold[idx], 0.0, np.where(
        deposit[idx], sim.pf.appraised0[idx],
        sim.pf.appraised0[idx] * sim.condition[idx] * sim._index_now))
    return base + sim.extra_collateral[idx]


def set_off(sim, idx=slice(None)):
    """Whether loans idx hold a pledged deposit not yet set off, which enforcement sets off
    against the claim at face value, with certainty, when the first round of its auction
    falls due, instead of selling it; a top-up taken beside it goes to auction alone. One
    loan (an int) is worked out on scalars."""
    if isinstance(idx, ONE_LOAN):
        return bool(sim.deposit_pledged[idx] and not sim.collateral_sold[idx])
    return sim.deposit_pledged[idx] & ~sim.collateral_sold[idx]


def deposit_value(sim, idx=slice(None)):
    """Face value of the pledged deposit of loans idx still to be set off (0 for others)."""
    return np.where(set_off(sim, idx), sim.pf.appraised0[idx], 0.0)


def lot_value(sim, idx=slice(None)):
    """True value of what an auction of loans idx would sell (hidden): all the security,
    except a pledged deposit, which is set off rather than sold, so that a deposit-secured
    loan's lot is its top-up alone."""
    return np.where(set_off(sim, idx), sim.extra_collateral[idx], collateral_value(sim, idx))


def residual_share(distress_months):
    """Free assets left to recover, as a share of the claim: they halve every
    RESIDUAL_HALF_LIFE_MONTHS of distress (why late collection recovers less)."""
    return defaults.RESIDUAL_RECOVERY_SHARE * 0.5 ** (
        distress_months / defaults.RESIDUAL_HALF_LIFE_MONTHS)


def liquidity(sim, idx=slice(None)):
    """Ease of selling each loan's lot at auction (property = 1); a lot with a top-up sells
    at least as easily as EXTRA_COLLATERAL_LIQUIDITY, and a top-up sold alone (the loan's
    own collateral sold, or a pledged deposit, which is set off instead) at exactly that."""
    liq = LIQUIDITY_BY_TYPE[sim.pf.collateral_type[idx]]
    if isinstance(idx, ONE_LOAN):  # one loan: on scalars (Python's `or`, not numpy's `|`)
        if not sim.extra_collateral[idx] > 0:
            return liq
        return defaults.EXTRA_COLLATERAL_LIQUIDITY \
            if sim.collateral_sold[idx] or sim.deposit_pledged[idx] \
            else max(liq, defaults.EXTRA_COLLATERAL_LIQUIDITY)
    alone = sim.collateral_sold[idx] | sim.deposit_pledged[idx]
    return np.where(sim.extra_collateral[idx] > 0, np.where(
        alone, defaults.EXTRA_COLLATERAL_LIQUIDITY,
        np.maximum(liq, defaults.EXTRA_COLLATERAL_LIQUIDITY)), liq)


def guarantee_value(sim, claim, idx=slice(None)):
    """What a guarantor that is still sound pays on a claim (nothing if it is not). One
    loan (an int: a lawsuit's enforcement asks) is worked out on scalars."""
    if isinstance(idx, ONE_LOAN):
        g = int(sim.pf.guarantor[idx])
        sound = g >= 0 and sim.d[g] > 0 and not sim.defaulted[g]
        return claim * defaults.GUARANTEE_RECOVERY_SHARE if sound else 0.0
    g = sim.pf.guarantor[idx]
    gg = np.maximum(g, 0)
    sound = (g >= 0) & (sim.d[gg] > 0) & ~sim.defaulted[gg]
    return np.where(sound, claim * defaults.GUARANTEE_RECOVERY_SHARE, 0.0)


def recovery_value(sim, idx=slice(None)) -> np.ndarray:
    """What a workout started now would recover per loan, before time and fees (hidden):
    the collateral at auction prices, free assets left, and a sound guarantor; idx selects
    loans (each loan's figure is its own, whichever others are worked out with it); an
    array of loan numbers in compiled code (kernels_act.recovery_of), the same figures."""
    if isinstance(idx, np.ndarray) and idx.dtype == np.int64:
        balance = sim.balance[idx]
        return recovery_of(idx, balance * residual_share(sim.distress_months[idx]), balance,
                           sim.collateral_sold, sim.deposit_pledged, sim.pf.appraised0,
                           sim.condition, float(sim._index_now), sim.extra_collateral,
                           sim.pf.collateral_type, LIQUIDITY_BY_TYPE,
                           defaults.EXTRA_COLLATERAL_LIQUIDITY, defaults.AUCTION_PRICE_SHARE,
                           sim.pf.guarantor, sim.d, sim.defaulted,
                           defaults.GUARANTEE_RECOVERY_SHARE)
    # a pledged deposit at face value, the rest (its top-up, or all other security) at
    # auction prices
    coll = deposit_value(sim, idx) + lot_value(sim, idx) * (
        defaults.AUCTION_PRICE_SHARE * liquidity(sim, idx))
    balance = sim.balance[idx]
    residual = balance * residual_share(sim.distress_months[idx])
    return np.minimum(balance, coll + residual + guarantee_value(sim, balance, idx))


def appraised_security(sim, idx=slice(None)) -> np.ndarray:
    """What the bank can count on its security of loans idx to fetch in a workout, by what
    it sees: a pledged deposit at face value, the rest at the lowest price the auction
    accepts (FLOOR_SHARE) times its ease of sale (`liquidity`, as in `recovery_value`), on
    the bank's last appraisal rather than the hidden true value. The floor, not the 77%
    average sale: a lot may sell only in a later round, after months of wear, and the
    appraisal may overstate it. The appraisal is renewed at each check (sim.checks) and
    counts a top-up when it is taken; 0 for a loan that holds no security."""
    if isinstance(idx, slice) and idx == slice(None):  # the whole book: one compiled pass
        return security_of(sim.collateral_sold, sim.deposit_pledged, sim.pf.collateral_type,
                           NO_COLLATERAL, sim.extra_collateral, sim.appraised,
                           sim.pf.appraised0, LIQUIDITY_BY_TYPE,
                           defaults.EXTRA_COLLATERAL_LIQUIDITY, FLOOR_SHARE)
    deposit = deposit_value(sim, idx)
    lot = np.where(has_security(sim, idx), np.maximum(sim.appraised[idx] - deposit, 0.0), 0.0)
    return deposit + lot * (FLOOR_SHARE * liquidity(sim, idx))


def balance_or_claim(sim, i: int) -> float:
    """What the bank is owed on loan i: the balance on the books, the claim after write-off."""
    return float(sim.balance[i] if sim.status[i] in ON_BOOKS_STATUSES else sim.written_off[i])


def recover(sim, m: int, i: int, cash: float, event: str) -> None:
    """Apply recovered cash to the claim; after write-off it writes back (账销案存)."""
    on_books = sim.status[i] in ON_BOOKS_STATUSES  # the status does not move until the end
    if on_books:
        amt = min(cash, sim.balance[i])
        sim.balance[i] -= amt
    else:
        amt = min(cash, sim.written_off[i])
        sim.written_off[i] -= amt
    sim.recovered[i] += amt
    sim._recovery_pv[i] += amt * sim.discount(m)
    sim.rec.log(m, i, event, amt)
    if on_books and sim.balance[i] <= defaults.PAID_OFF_TOLERANCE_CNY:
        sim.balance[i] = 0.0
        sim.status[i] = CLOSED


def _resolved(sim, i: int) -> bool:
    """Repaid, sold, or cured: a workout in flight stops."""
    st = sim.status[i]
    return st in (CLOSED, SOLD) or (st == ACTIVE and not sim.defaulted[i])


def lawsuit(sim, i: int, months: float):
    """A lawsuit: a judgment after `months` (it opens the auction of the security and the
    sale of the claim); ENFORCEMENT_MONTHS later, enforcement against free assets and a
    sound guarantor, unless the claim was settled meanwhile."""
    yield sim.env.timeout(months)
    if _resolved(sim, i):
        return
    sim.judgment[i] = True
    sim.rec.log(sim.month_now(), i, "judgment", 0.0, "")
    yield sim.env.timeout(defaults.ENFORCEMENT_MONTHS)
    m = sim.month_now()
    if _resolved(sim, i):
        return
    sim.enforced[i] = True
    if sim.assets_luck[i] < defaults.ENFORCEMENT_SUCCESS:
        claim = balance_or_claim(sim, i)
        found = claim * residual_share(sim.distress_months[i]) + float(
            guarantee_value(sim, claim, i))
        recover(sim, m, i, found, "judgment_enforced")
    else:
        sim.rec.log(m, i, "enforcement", 0.0, "no_free_assets")


AUCTION_ROUNDS = (
    # (round, start price as a share of appraisal, bidding lifts it, months)
    ("round1", defaults.AUCTION_START_SHARE, True, 1),
    ("round2", defaults.AUCTION_START_SHARE * (1.0 - defaults.AUCTION_SECOND_ROUND_CUT), True, 1),
    ("sale_period", defaults.AUCTION_START_SHARE * (1.0 - defaults.AUCTION_SECOND_ROUND_CUT),
     False, 2),
)
"""Online judicial auction (domain): two rounds, the second up to 20% lower, then a
sale period at the second round's reserve."""
FLOOR_SHARE = min(share for _, share, _, _ in AUCTION_ROUNDS)
"""The lowest price the judicial auction accepts, as a share of appraisal: the sale
period's, at the second round's reserve (domain: rounds start at 70% or more of appraisal,
the second up to 20% lower, then a 60-day sale period)."""


def sale_chance(name: str, liquidity):
    """Chance the collateral sells in an auction round, by its liquidity."""
    f = defaults.AUCTION_ILLIQUID_SALE_FACTOR
    chance = defaults.AUCTION_SALE_PROBABILITY[name] * (f + (1 - f) * liquidity) \
        * defaults.AUCTION_ROUND_CHANCES
    return min(1.0, chance) if isinstance(chance, float) else np.minimum(1.0, chance)


def round_price(value, start_share: float, bidding: bool):
    """What the collateral fetches when it sells in a round."""
    return value * start_share * (defaults.AUCTION_BID_PREMIUM if bidding else 1.0)


def auction(sim, i: int):
    """Online judicial auction: two rounds, then a sale period (domain.md). A pledged
    deposit is set off against the claim at face value when the first round falls due;
    a top-up taken beside it is then auctioned alone, by the same law, for what is left."""
    sim.auction_open[i] = True
    first = sim.auctions_held[i] == 0
    sim.auctions_held[i] += 1
    for r, (name, start_share, bidding, months) in enumerate(AUCTION_ROUNDS):
        yield sim.env.timeout(months)
        m = sim.month_now()
        if not has_security(sim, i) or _resolved(sim, i):
            sim.auction_open[i] = False  # repaid, sold or cured: the auction stops
            return
        # the lot's own bidders at its first auction; a lot offered again meets the month's
        u = sim.lot_luck[i, r] if first else sim._u_act[i, 0]
        if set_off(sim, i):
            face = float(sim.pf.appraised0[i])
            sim.collateral_sold[i] = True  # the deposit is gone; a top-up stays to be sold
            sim.appraised[i] = max(float(sim.appraised[i]) - face, 0.0)
            recover(sim, m, i, face, "deposit_set_off")
            if not sim.extra_collateral[i] > 0 or _resolved(sim, i):
                sim.auction_open[i] = False
                return
        if u < sale_chance(name, float(liquidity(sim, i))):
            price = round_price(float(collateral_value(sim, i)), start_share, bidding)
            sim.collateral_sold[i] = True
            sim.extra_collateral[i] = 0.0
            sim.auction_open[i] = False
            recover(sim, m, i, price, "auction_sold_" + name)
            return
        sim.rec.log(m, i, "auction_unsold_" + name)
    sim.auction_open[i] = False


MARK_AUCTIONS = 3
"""Auctions of an unsold lot the mark counts (the standing order re-offers it at once): after
three, under 0.1% of a property lot is still unsold. With one, the mark left 6% of a large,
well-secured claim unrecovered, and charged a rescued 80 million loan 3.4 million where its
actual default, sold at the first auction, lost 0.75 million."""


def expected_workout_recovery(sim, idx: np.ndarray, claim: np.ndarray,
                              barrier: np.ndarray | None = None) -> np.ndarray:
    """What the standing workout is expected to recover on loans idx from the end of the
    run, discounted to the run's start: a pledged deposit set off at face value when the
    first round falls due, auctions of the rest of the security by the auction law above,
    round by round, offered again while unsold (MARK_AUCTIONS), and enforcement of a
    judgment against free assets and a sound guarantor when its enforcement ends.

    Values claims still open when the run ends, the same way for every strategy, so a
    default near the end is not a total loss for want of calendar.

    `barrier` (each loan's effective health barrier) values a default still to come, of a
    loan performing at the end: while the bank sues, such a claim may also cure, as the
    run's own defaults do (sim.loanbook.step), and a cure gives back the whole claim
    (`cure_hazard`). Month by month, a round's sale comes first and a cure after it; a
    claim that has cured is not sold and not enforced. Without `barrier` the claims are
    ones the tail has already worked, where no month passes for a cure."""
    T = sim.T
    n = len(idx)
    filed = sim.lawsuit_month[idx] >= 0
    # months from filing to the end of the judgment's enforcement (the case's lawsuit, then
    # ENFORCEMENT_MONTHS); a claim not yet sued is sued at the next decision point
    suit = sim.catalogue.get("lawsuit")
    judged = int(np.ceil(suit.duration_months if suit is not None else defaults.LAWSUIT_MONTHS))
    since = T - sim.lawsuit_month[idx]
    to_judgment = np.where(filed, np.maximum(judged - since, 0), judged + 1)
    to_end = judged + defaults.ENFORCEMENT_MONTHS
    to_enforced = np.where(filed, np.maximum(to_end - since, 0), to_end + 1)
    # collateral: security enforcement (after filing), then the rounds of the auction
    first = np.where(filed | sim.auction_open[idx], 0, 1 + defaults.SECURITY_ENFORCEMENT_MONTHS)
    liq = liquidity(sim, idx)
    deposit = deposit_value(sim, idx)  # set off in the first round, at face value
    cash = set_off(sim, idx)
    value = lot_value(sim, idx)  # what the rounds sell: all but the deposit
    rest = np.maximum(claim - deposit, 0.0)  # what is owed once the deposit is set off
    # the standing order offers an unsold lot again as soon as an auction ends (sim.strategies
    # .base.workout): MARK_AUCTIONS auctions of the same rounds, one after the other
    rounds = AUCTION_ROUNDS * MARK_AUCTIONS
    ends = first[:, None] + np.cumsum([r[3] for r in rounds])[None, :]  # (n, rounds)
    span = int(max(ends.max(initial=0), to_enforced.max(initial=0)))
    hazard = np.zeros((n, span))
    if barrier is not None and span:
        # a claim cures only while it is open: a secured one until its lot sells (the
        # auctions), one with nothing to sell until the judgment (about when it is classed
        # a loss and written off: a written-off claim no longer cures, sim.loanbook.step)
        open_until = np.where((value > 0) | cash, ends[:, -1], to_judgment)
        months = np.arange(1, span + 1)[None, :]
        hazard = cure_hazard(barrier, span) * (sim.floor[idx] < SUBSTANDARD)[:, None] \
            * (months <= open_until[:, None])
    # the rounds and the cures month by month, loan by loan (kernels_act.workout_sales)
    coll, cures, cures_rest, cured_at_enforcement = workout_sales(
        ends, cash, deposit, claim, rest, value,
        np.array([sale_chance(name, liq) for name, _, _, _ in rounds]),
        np.array([round_price(value, share, bidding) for _, share, bidding, _ in rounds]),
        hazard, to_enforced, np.array([_discount(sim, T + k) for k in range(1, span + 1)]))
    # free assets and a sound guarantor, found with some chance by the enforcement, on what
    # the collateral is not expected to cover, unless the claim has cured by then
    last = ends[:, -1]
    left = np.maximum(claim - coll / _discount(sim, T + last), 0.0)
    distress = sim.distress_months[idx] + np.where(sim.preserved[idx], 0, 1)
    found = left * residual_share(distress) + guarantee_value(sim, left, idx)
    pending = ~sim.enforced[idx]  # an enforcement that has ended found what it could
    free = (pending * defaults.ENFORCEMENT_SUCCESS * found * (1.0 - cured_at_enforcement)
            * _discount(sim, T + to_enforced))
    return np.minimum(claim * _discount(sim, T),
                      coll + free + claim * cures + rest * cures_rest)


def cure_hazard(barrier: np.ndarray, months: int) -> np.ndarray:
    """Per loan (rows) and month of a workout (columns 1..months), the chance that a loan
    defaulting now at effective barrier `barrier` cures in that month, had it not yet.

    The run's law (sim.loanbook.step): a defaulted loan the bank sues cures with chance
    COLLECTION_CURE_DEFAULTED in a month its health is above CURE_HEALTH. Its
    idiosyncratic health, at DEFAULT_DEPTH below the barrier when it defaults, returns to
    its mean as the AR(1) of the credit model (IDIO_PHI_MONTHLY, unit stationary
    variance) while the barrier stays where it is."""
    phi_k = defaults.IDIO_PHI_MONTHLY ** np.arange(1, months + 1)
    e0 = np.asarray(barrier, dtype=float)[:, None] + defaults.DEFAULT_DEPTH
    above = ndtr((phi_k * e0 - barrier[:, None] - defaults.CURE_HEALTH)
                 / np.sqrt(1.0 - phi_k * phi_k))
    return defaults.COLLECTION_CURE_DEFAULTED * above


def _discount(sim, months):
    return (1.0 + sim.sc.discount_rate_annual) ** (-np.asarray(months, dtype=float) / 12.0)
