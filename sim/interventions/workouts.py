"""Workouts (不良处置): lawsuits, judicial auctions, and what a claim can recover.

A lawsuit freezes the borrower's assets and ends in a judgment after its
duration; enforcement then finds free assets with some chance. An online
judicial auction runs two rounds and a sale period (domain.md). What any
workout can recover is `recovery_value`: collateral at auction prices, free
assets that decay with months of distress, and a sound guarantor.
"""

from __future__ import annotations

import numpy as np

from sim import defaults
from sim.codes import LoanStatus
from sim.portfolio import COLLATERAL_TYPES

LIQUIDITY_BY_TYPE = np.array([defaults.COLLATERAL_LIQUIDITY[c] for c in COLLATERAL_TYPES])
ON_BOOKS_STATUSES = (LoanStatus.ACTIVE, LoanStatus.DEFAULTED)


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
    sim.lawsuit_month = np.full(n, -1, dtype=np.int32)
    sim.judgment = np.zeros(n, dtype=bool)
    sim.auction_open = np.zeros(n, dtype=bool)


def collateral_value(sim, idx=slice(None)) -> np.ndarray:
    """True market value of each loan's security now (hidden); idx selects loans."""
    base = np.where(sim.collateral_sold[idx], 0.0,
                    sim.pf.appraised0[idx] * sim.condition[idx] * sim._index_now)
    return base + sim.extra_collateral[idx]


def residual_share(distress_months):
    """Free assets left to recover, as a share of the claim: they halve every
    RESIDUAL_HALF_LIFE_MONTHS of distress (why late collection recovers less)."""
    return defaults.RESIDUAL_RECOVERY_SHARE * 0.5 ** (
        distress_months / defaults.RESIDUAL_HALF_LIFE_MONTHS)


def recovery_value(sim) -> np.ndarray:
    """What a workout started now would recover per loan, before time and fees (hidden)."""
    liq = LIQUIDITY_BY_TYPE[sim.pf.collateral_type]
    liq = np.where(sim.extra_collateral > 0, np.maximum(liq, 0.8), liq)
    coll = collateral_value(sim) * defaults.AUCTION_PRICE_SHARE * liq
    residual = sim.balance * residual_share(sim.distress_months)
    g = sim.pf.guarantor
    sound = (g >= 0) & (sim.d[np.maximum(g, 0)] > 0) & ~sim.defaulted[np.maximum(g, 0)]
    guar = np.where(sound, sim.balance * defaults.GUARANTEE_RECOVERY_SHARE, 0.0)
    return np.minimum(sim.balance, coll + residual + guar)


def balance_or_claim(sim, i: int) -> float:
    """What the bank is owed on loan i: the balance on the books, the claim after write-off."""
    return float(sim.balance[i] if sim.status[i] in ON_BOOKS_STATUSES else sim.written_off[i])


def recover(sim, m: int, i: int, cash: float, event: str) -> None:
    """Apply recovered cash to the claim; after write-off it writes back (账销案存)."""
    if sim.status[i] in ON_BOOKS_STATUSES:
        amt = min(cash, sim.balance[i])
        sim.balance[i] -= amt
    else:
        amt = min(cash, sim.written_off[i])
        sim.written_off[i] -= amt
    sim.recovered[i] += amt
    sim._recovery_pv[i] += amt * sim.discount(m)
    sim.rec.log(m, i, event, amt)
    if sim.status[i] in ON_BOOKS_STATUSES and sim.balance[i] <= 0.5:
        sim.balance[i] = 0.0
        sim.status[i] = LoanStatus.CLOSED


def _resolved(sim, i: int) -> bool:
    """Repaid, sold, or cured: a workout in flight stops."""
    st = sim.status[i]
    return st in (LoanStatus.CLOSED, LoanStatus.SOLD) or (
        st == LoanStatus.ACTIVE and not sim.defaulted[i])


def lawsuit(sim, i: int, months: float):
    """A lawsuit: judgment after `months`; enforcement against free assets."""
    yield sim.env.timeout(months)
    m = sim.month_now()
    if _resolved(sim, i):
        return
    sim.judgment[i] = True
    u = sim._u_act[i, 1] if sim._u_act is not None else 0.5
    if u < defaults.ENFORCEMENT_SUCCESS:
        residual = balance_or_claim(sim, i) * residual_share(sim.distress_months[i])
        g = sim.pf.guarantor[i]
        if g >= 0 and not sim.defaulted[g] and sim.d[g] > 0:
            residual += balance_or_claim(sim, i) * defaults.GUARANTEE_RECOVERY_SHARE
        recover(sim, m, i, residual, "judgment_enforced")
    else:
        sim.rec.log(m, i, "judgment", 0.0, "no free assets found")


def auction(sim, i: int):
    """Online judicial auction: two rounds, then a sale period (domain.md)."""
    rounds = (("round1", 1.0, 1), ("round2", 1.0 - defaults.AUCTION_SECOND_ROUND_CUT, 1),
              ("sale_period", 0.8 * (1.0 - defaults.AUCTION_SECOND_ROUND_CUT), 2))
    sim.auction_open[i] = True
    for name, price_factor, months in rounds:
        yield sim.env.timeout(months)
        m = sim.month_now()
        if sim.collateral_sold[i] or _resolved(sim, i):
            sim.auction_open[i] = False  # repaid, sold or cured: the auction stops
            return
        liq = defaults.COLLATERAL_LIQUIDITY[COLLATERAL_TYPES[sim.pf.collateral_type[i]]]
        liq = max(liq, 0.8) if sim.extra_collateral[i] > 0 else liq
        p_sell = defaults.AUCTION_SALE_PROBABILITY[name] * (0.5 + 0.5 * liq)
        if sim._u_act[i, 0] < p_sell * 2.0:  # two bidders' chances over the round
            value = float(collateral_value(sim, i))
            price = value * defaults.AUCTION_START_SHARE * price_factor / 0.7 * \
                defaults.AUCTION_PRICE_SHARE
            sim.collateral_sold[i] = True
            sim.extra_collateral[i] = 0.0
            sim.auction_open[i] = False
            recover(sim, m, i, price, "auction_sold_" + name)
            return
        sim.rec.log(m, i, "auction_unsold_" + name)
    sim.auction_open[i] = False
