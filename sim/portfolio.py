"""The portfolio: one numpy column per loan attribute, built from a scenario.

Each loan has its own borrower (one loan per borrower in generated books).
Borrower identities (company, legal representative) come from sim.identities:
made lazily, only for the loans someone looks at, from the run's name seed and
the loan's index, with a name that fits the loan's industry and region.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from sim import defaults
from sim.codes import HOUSEHOLD_PRODUCTS, PRODUCTS, borrower_kind
from sim.identities import Identity, borrower_identity
from sim.scenario import Scenario
from sim.segments import shared_loans

REPAYMENT_CODES = {"equal_instalment": 0, "equal_principal": 1, "interest_only_bullet": 2}
COLLATERAL_TYPES = tuple(defaults.COLLATERAL_LIQUIDITY)
RETAIL_PRODUCTS = tuple(PRODUCTS[p] for p in HOUSEHOLD_PRODUCTS)


@dataclass
class Portfolio:
    """Static attributes of the loans at disbursement (what does not change)."""

    n: int
    segment: np.ndarray
    product: np.ndarray
    industry: np.ndarray
    region: np.ndarray
    amount: np.ndarray  # line size, CNY
    drawn0: np.ndarray  # drawn at the start, CNY
    term: np.ndarray
    mob0: np.ndarray  # months on book at the start
    repayment: np.ndarray
    floating: np.ndarray
    fixed_rate: np.ndarray
    spread: np.ndarray
    base_5y: np.ndarray
    reset_months: np.ndarray
    gp: np.ndarray  # G(pd)
    sqrt_rho: np.ndarray
    collateral_type: np.ndarray
    appraised0: np.ndarray  # appraised collateral value at the start, CNY
    condition0: np.ndarray  # hidden true value / appraised value
    guarantor: np.ndarray  # index of the guarantor loan, -1 none
    diverter: np.ndarray  # hidden: prone to divert loan money
    entrusted: np.ndarray
    disaster_u: np.ndarray  # hidden: uniform draw; below a disaster's permanent_share the damage lasts
    retail: np.ndarray
    kind: np.ndarray  # sim.codes.BorrowerKind of the loan's borrower, by its product
    segment_ids: list[str]
    industries: list[str]
    regions: list[str]
    named: dict[int, object] = field(default_factory=dict)  # loan index -> NamedBorrower
    named_index: dict[str, int] = field(default_factory=dict)
    name_seed: int = 0
    borrower: np.ndarray | None = None  # index of each loan's borrower's first loan
    # loan index -> generated identity; filled lazily (a dict store is atomic, and every
    # thread computes the same value, so sessions may share a portfolio)
    _identity_cache: dict[int, Identity] = field(default_factory=dict, repr=False)

    def identity(self, i: int, lang: str = "zh") -> tuple[str, str]:
        """(company, legal representative) for loan i in ``lang``; deterministic for the run's seed.

        e.g. ("台州明泰模具有限公司", "陈国平") or ("Taizhou Mingtai Mould Co., Ltd.", "Chen Guoping").
        """
        if self.borrower is not None:  # a borrower's further loans carry its name
            i = int(self.borrower[i])
        nb = self.named.get(i)
        if nb is not None:
            return nb.company.get(lang), nb.legal_rep.get(lang)
        hit = self._identity_cache.get(i)
        if hit is None:
            hit = borrower_identity(
                self.name_seed, i, self.n, industry=self.industries[int(self.industry[i])],
                region=self.regions[int(self.region[i])],
                small_business=PRODUCTS[int(self.product[i])] == "small_business",
                taken=frozenset(nb.company.get("zh") for nb in self.named.values()))
            self._identity_cache[i] = hit
        return hit.company(lang), hit.legal_rep(lang)

    def label(self, i: int) -> str:
        return f"L{i + 1:04d}"


def build_portfolio(sc: Scenario, rng: np.random.Generator, name_seed: int) -> Portfolio:
    """Draw the loans of every segment; named borrowers take the first slots of theirs."""
    n = sc.n_loans
    seg_ids = [s.id for s in sc.segments]
    industries = sorted({s.industry for s in sc.segments})
    regions = sorted({s.region for s in sc.segments})
    cols: dict[str, list] = {k: [] for k in (
        "segment", "product", "industry", "region", "amount", "drawn0", "term", "mob0",
        "repayment", "floating", "fixed_rate", "spread", "base_5y", "reset_months", "gp",
        "sqrt_rho", "collateral_type", "appraised0", "condition0", "guarantor", "diverter",
        "entrusted", "retail", "kind")}
    start = 0
    named: dict[int, object] = {}
    named_index: dict[str, int] = {}
    for si, s in enumerate(sc.segments):
        k = s.count
        amt = s.amount.median_cny * np.exp(s.amount.sigma * rng.standard_normal(k))
        amt = np.clip(amt, s.amount.min_cny or 0.0, s.amount.max_cny or np.inf)
        for j, nb in enumerate(b for b in sc.borrowers if b.segment == s.id):
            named[start + j] = nb
            named_index[nb.id] = start + j
            if nb.amount_cny is not None:
                amt[j] = nb.amount_cny
        for j, (_, loan) in enumerate(_other_loans(sc, s.id), start=_named_count(sc, s.id)):
            if loan.amount_cny is not None:
                amt[j] = loan.amount_cny
        # to the unit, and never below it: a log-normal tail (median CNY 1,000, sigma 2.5
        # draws one loan in nine under CNY 50) would otherwise round to a loan of CNY 0
        amt = np.maximum(np.round(amt, -2), defaults.LOAN_AMOUNT_UNIT_CNY)
        drawn = np.round(amt * (1.0 - s.undrawn_share), -2)
        mob = (rng.integers(0, s.seasoning_months + 1, k) if s.seasoning_months
               else np.zeros(k, dtype=np.int64))
        mob = np.minimum(mob, s.term_months - 1)
        cols["segment"].append(np.full(k, si))
        cols["product"].append(np.full(k, PRODUCTS.index(s.product)))
        cols["industry"].append(np.full(k, industries.index(s.industry)))
        cols["region"].append(np.full(k, regions.index(s.region)))
        cols["amount"].append(amt)
        cols["drawn0"].append(drawn)
        cols["term"].append(np.full(k, s.term_months))
        cols["mob0"].append(mob)
        cols["repayment"].append(np.full(k, REPAYMENT_CODES[s.repayment]))
        fl = s.rate.kind == "floating"
        cols["floating"].append(np.full(k, fl))
        cols["fixed_rate"].append(np.full(k, s.rate.annual or 0.0))
        cols["spread"].append(np.full(k, s.rate.spread or 0.0))
        cols["base_5y"].append(np.full(k, s.rate.base == "lpr_5y"))
        cols["reset_months"].append(np.full(k, s.rate.reset_months))
        cols["gp"].append(np.full(k, ndtri(s.pd_annual)))
        cols["sqrt_rho"].append(np.full(k, np.sqrt(s.rho)))
        ct = COLLATERAL_TYPES.index(s.collateral.type)
        cols["collateral_type"].append(np.full(k, ct))
        cols["appraised0"].append(amt / s.collateral.ltv if ct else np.zeros(k))
        cols["condition0"].append(np.exp(-0.05 + 0.1 * rng.standard_normal(k)) if ct
                                  else np.zeros(k))
        cols["guarantor"].append(_guarantee_links(s, start, k, rng))
        self_pay = s.payment_mode == "self"
        cols["diverter"].append((rng.random(k) < s.diversion_share) & self_pay)
        cols["entrusted"].append(np.full(k, not self_pay))
        cols["retail"].append(np.full(k, s.product in RETAIL_PRODUCTS))
        cols["kind"].append(np.full(k, int(borrower_kind(s.product))))
        start += k
    arr = {k: np.concatenate(v) for k, v in cols.items()}
    for nb in sc.borrowers:
        i = named_index[nb.id]
        # a named borrower's links are the ones the case gives, nothing drawn at random
        arr["guarantor"][i] = named_index[nb.guarantor] if nb.guarantor is not None else -1
        if nb.diverts:
            arr["diverter"][i] = True
    perm_draw = rng.random(n)
    starts = dict(zip(seg_ids, np.cumsum([0] + [s.count for s in sc.segments[:-1]]), strict=True))
    borrower = _borrowers(sc, starts, named_index)
    # a named borrower's further loans are its loans too: the case's guarantor backs them
    # and a borrower who diverts money diverts it from any of them
    further = np.flatnonzero(borrower != np.arange(n))
    for i in further[np.isin(borrower[further], list(named))].tolist():
        first = int(borrower[i])
        arr["guarantor"][i] = arr["guarantor"][first]
        arr["diverter"][i] = named[first].diverts or (
            arr["diverter"][first] and not arr["entrusted"][i])
    return Portfolio(
        borrower=borrower,
        n=n,
        segment=arr["segment"].astype(np.int32), product=arr["product"].astype(np.int8),
        industry=arr["industry"].astype(np.int32), region=arr["region"].astype(np.int32),
        amount=arr["amount"], drawn0=arr["drawn0"], term=arr["term"].astype(np.int32),
        mob0=arr["mob0"].astype(np.int32), repayment=arr["repayment"].astype(np.int8),
        floating=arr["floating"].astype(bool), fixed_rate=arr["fixed_rate"],
        spread=arr["spread"], base_5y=arr["base_5y"].astype(bool),
        reset_months=arr["reset_months"].astype(np.int32), gp=arr["gp"],
        sqrt_rho=arr["sqrt_rho"], collateral_type=arr["collateral_type"].astype(np.int8),
        appraised0=arr["appraised0"], condition0=arr["condition0"],
        guarantor=arr["guarantor"].astype(np.int64), diverter=arr["diverter"].astype(bool),
        entrusted=arr["entrusted"].astype(bool), disaster_u=perm_draw,
        retail=arr["retail"].astype(bool), kind=arr["kind"].astype(np.int8),
        segment_ids=seg_ids, industries=industries,
        regions=regions, named=named, named_index=named_index, name_seed=name_seed,
    )


def _named_count(sc: Scenario, segment: str) -> int:
    return sum(1 for b in sc.borrowers if b.segment == segment)


def _other_loans(sc: Scenario, segment: str) -> list:
    """(named borrower, loan) for the further loans named borrowers hold in a segment."""
    return [(b, loan) for b in sc.borrowers for loan in b.other_loans if loan.segment == segment]


def _borrowers(sc: Scenario, starts: dict[str, int], named_index: dict[str, int]) -> np.ndarray:
    """Each loan's borrower, as the index of that borrower's first loan.

    A named borrower's further loans take the slots after the named ones of their
    segment. A segment that shares borrowers with another gives its next loans to the
    borrowers of that segment's next free loans (a working-capital line and a
    fixed-asset loan to one firm, say). Everyone else has one loan."""
    borrower = np.arange(sc.n_loans)
    used = {s.id: _named_count(sc, s.id) for s in sc.segments}
    for s in sc.segments:
        for b, _ in _other_loans(sc, s.id):
            borrower[starts[s.id] + used[s.id]] = named_index[b.id]
            used[s.id] += 1
    for s in sc.segments:
        k = shared_loans(s)
        if not k:
            continue
        other = s.shared_borrowers.with_segment
        own = starts[s.id] + used[s.id] + np.arange(k)
        theirs = starts[other] + used[other] + np.arange(k)
        borrower[own] = borrower[theirs]
        used[s.id] += k
        used[other] += k
    return borrower


def _guarantee_links(s, start: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Guarantor index for each loan of a segment: rings (互保), chains or single links."""
    g = np.full(k, -1, dtype=np.int64)
    st = s.guarantee.structure
    if st == "none" or s.guarantee.share <= 0:
        return g
    members = np.flatnonzero(rng.random(k) < s.guarantee.share)
    size = s.guarantee.group_size
    if st == "single":
        if k > 1:
            other = rng.integers(0, k - 1, len(members))
            other = other + (other >= members)
            g[members] = start + other
        return g
    # the members in groups of `size` in their order (a last lone member joins none): each
    # guaranteed by the next in its group, and in a ring the last by the first (all groups
    # at once: a group at a time cost some 30 us each)
    m = len(members)
    at = np.arange(m)
    first = at - at % size
    end = np.minimum(first + size, m)
    nxt = np.where(at + 1 < end, at + 1, first)
    linked = (end - first >= 2) & ((at + 1 < end) | (st != "chain"))
    g[members[linked]] = start + members[nxt[linked]]
    return g
