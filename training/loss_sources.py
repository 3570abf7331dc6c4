"""Where your loss came from: your run against a reference run, loan by loan.

Both runs share the seed, so they face the same borrowers and the same economy
(common random numbers) and every difference in a loan's loss was caused by the
decisions. For each loan whose loss differs, the debrief shows the two timelines
side by side (signals seen, actions taken, default month, recovered, loss), the
gap in CNY and a one-line lesson; the loans are sorted by gap (the largest extra
loss first), and what the listed loans leave over is one "other loans" line, so
the gaps add up exactly to the difference in total loss.

Inputs are two run results with the engine's documented frames: ``loans``
(loan_id, default_month, loss_cny), ``events`` (month, loan_id, event,
amount_cny) and ``signals`` (month, loan_id, signal).

Given the case's discount rate, each loan's loss is also split into the engine's own
terms (sim.results.loss_per_loan), read from the same events: what was owed at
default, less what was recovered and what came back to performing, plus the loss
still expected at the end. The gap splits the same way, so the reason named and the
rest of the gap are figures that add up to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.defaults import INTERVENTIONS

#: Events whose amount is money recovered on a defaulted loan.
RECOVERY_EVENTS = ("auction_sold", "deposit_set_off", "judgment_enforced", "claim_sold")
#: A loan is listed when its gap is at least this many CNY (smaller gaps join "other loans").
MIN_GAP_CNY = 1_000.0
#: At most this many loans are listed; the rest join "other loans".
MAX_LOANS = 12
#: Actions that demand money or cut credit at once (a recall, a frozen line): the catalogue's
#: aggressive ones. Taken on a loan that then defaults sooner than under the reference, they
#: are what the lesson names.
AGGRESSIVE = frozenset(k for k, it in INTERVENTIONS.items() if it.aggressive)
REVEALS_ONLY = frozenset({"onsite_check", "closer_monitoring"})
"""Actions that only show a loan's state (a check; closer monitoring, which adds checks):
never named as what saved a loan."""
FREEZE = "freeze_line"
"""Freezing the undrawn line (冻结额度): the exposure it keeps off the books is named."""


ON_BOOKS_AT_END = frozenset({"active"})
"""A loan's status at the end when it is still performing on the books (sim.codes)."""
IN_WORKOUT_AT_END = frozenset({"defaulted", "written_off"})
"""Statuses at the end of a claim still being worked out (账销案存 after a write-off)."""


@dataclass(frozen=True)
class Parts:
    """One loan's discounted loss in the engine's terms (sim.results.loss_per_loan):
    loss = owed - recovered - cured + ahead."""

    owed_cny: float  # exposure at each default, discounted to the start
    recovered_cny: float  # cash recovered on the claim, discounted
    cured_cny: float  # balance that came back to performing after a default, discounted
    ahead_cny: float  # the loss still expected at the end: a claim's workout still to come
    # (negative: what it is expected to bring) or a live loan's chance of default times its loss

    @property
    def loss_cny(self) -> float:
        return self.owed_cny - self.recovered_cny - self.cured_cny + self.ahead_cny


PART_KEYS = ("owed", "recovered", "cured", "ahead")
"""The parts of a loan's gap, in the order they are said (catalogue ``loss.part.``)."""


@dataclass(frozen=True)
class Timeline:
    """One strategy's story of one loan."""

    signals: tuple[tuple[int, str], ...]  # (month first seen, signal id), each signal once
    actions: tuple[tuple[int, str], ...]  # (month, action id) taken
    checks: int  # checks done on the loan (routine, first or targeted)
    default_month: int | None
    lawsuit_month: int | None
    recovered_cny: float
    loss_cny: float
    disbursed_cny: float = 0.0  # drawn in the run: a frozen line draws no more
    parts: Parts | None = None  # the loss in the engine's terms (None: no discount rate given)
    status_end: str = ""  # the loan's status at the end (sim.codes.LoanStatus key)
    balance_end_cny: float = 0.0  # still owed on the books at the end
    guarantor_id: int | None = None  # the loan id of its guarantor's loan (None: no guarantor)
    guarantor_default: int | None = None  # month its guarantor's loan first defaulted in this run
    backed_id: int | None = None  # the loan id of the first loan it guarantees to default (None: none)
    backed_default: int | None = None  # month that loan first defaulted in this run


@dataclass(frozen=True)
class Lesson:
    """A catalogue key under ``loss.lesson.`` and its values."""

    key: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LoanGap:
    loan_id: int
    you: Timeline
    base: Timeline
    lesson: Lesson

    @property
    def gap_cny(self) -> float:
        """Your loss less the reference's: above 0 you lost more on this loan."""
        return self.you.loss_cny - self.base.loss_cny


@dataclass(frozen=True)
class LossSources:
    loans: list[LoanGap]  # sorted by gap, largest extra loss first
    other_gap_cny: float  # every loan not listed, together
    total_gap_cny: float  # your total loss less the reference's


def parts(run: Any, loan_id: int, discount_rate_annual: float) -> Parts:
    """A loan's loss split as the engine counts it, from the run's events: the "default"
    events carry the balance owed, the recovery events the cash, "default_cured" the balance
    back to performing, each discounted to its month; what the loss holds beyond them is
    the loss still expected at the end (sim.results.horizon_loss)."""
    ev = run.events[run.events["loan_id"] == loan_id]
    pv = ev["amount_cny"].to_numpy(dtype=float) * np.power(
        1.0 + discount_rate_annual, -ev["month"].to_numpy(dtype=float) / 12.0)
    name = ev["event"].astype(str)
    owed = float(pv[(name == "default").to_numpy()].sum())
    recovered = float(pv[name.str.startswith(RECOVERY_EVENTS).to_numpy()].sum())
    cured = float(pv[(name == "default_cured").to_numpy()].sum())
    loss = float(run.loans.set_index("loan_id").loc[loan_id, "loss_cny"])
    return Parts(owed, recovered, cured, loss - owed + recovered + cured)


def timeline(run: Any, loan_id: int, discount_rate_annual: float | None = None,
             guarantor: int = -1, backed: tuple[int, ...] = ()) -> Timeline:
    """One run's story of one loan; with the case's discount rate, its loss in parts too.
    ``guarantor``: the loan id of its guarantor (-1: none), whose default month is read;
    ``backed``: the loan ids of the loans it guarantees, whose first default is read."""
    lo = run.loans.set_index("loan_id").loc[loan_id]
    ev = run.events[run.events["loan_id"] == loan_id]
    sig = run.signals[run.signals["loan_id"] == loan_id]
    # each signal once, in the month it was first seen
    first_seen = sig.sort_values("month", kind="stable").groupby("signal", sort=False)["month"].first()
    first_seen = first_seen.sort_values(kind="stable")
    acts = ev[ev["event"].str.startswith("action_")]
    lawsuits = acts.loc[acts["event"] == "action_lawsuit", "month"]
    recovered = ev.loc[ev["event"].str.startswith(RECOVERY_EVENTS), "amount_cny"].sum()
    return Timeline(
        signals=tuple((int(m), str(s)) for s, m in first_seen.items()),
        actions=tuple((int(m), str(e)[len("action_"):]) for m, e in zip(acts["month"], acts["event"], strict=True)),
        checks=int((ev["event"] == "check").sum()),
        default_month=int(lo["default_month"]) if lo["default_month"] >= 0 else None,
        lawsuit_month=int(lawsuits.min()) if len(lawsuits) else None,
        recovered_cny=float(recovered),
        loss_cny=float(lo["loss_cny"]),
        disbursed_cny=float(lo.get("disbursed_cny", 0.0)),
        parts=parts(run, loan_id, discount_rate_annual) if discount_rate_annual is not None else None,
        status_end=str(lo.get("status", "")),
        balance_end_cny=float(lo.get("balance_cny", 0.0)),
        guarantor_id=guarantor if guarantor >= 0 else None,
        guarantor_default=_default_month(run, guarantor),
        **_first_backed_default(run, backed),
    )


def _first_backed_default(run: Any, backed: tuple[int, ...]) -> dict:
    """The first of the loans ``backed`` to default in the run and its month, as Timeline
    fields (none: {})."""
    fell = [(m, j) for j in backed if (m := _default_month(run, j)) is not None]
    if not fell:
        return {}
    month, loan = min(fell)
    return {"backed_id": loan, "backed_default": month}


def _default_month(run: Any, loan_id: int) -> int | None:
    if loan_id < 0:
        return None
    m = int(run.loans.set_index("loan_id").loc[loan_id, "default_month"])
    return m if m >= 0 else None


def gap_parts(you: Timeline, base: Timeline) -> dict[str, float]:
    """The loan's gap (your loss less the reference's) in parts that add up to it exactly:
    owed more at default, recovered less, less back to performing, more still expected at
    the end (each above 0 when it adds to your loss). {} without parts."""
    if you.parts is None or base.parts is None:
        return {}
    y, b = you.parts, base.parts
    return {"owed": y.owed_cny - b.owed_cny, "recovered": b.recovered_cny - y.recovered_cny,
            "cured": b.cured_cny - y.cured_cny, "ahead": y.ahead_cny - b.ahead_cny}


def lesson(you: Timeline, base: Timeline) -> Lesson:
    """The one line a trainee should take from this loan, the most telling rule first."""
    gap = you.loss_cny - base.loss_cny
    # the first step that changes the borrower's course: a check, or closer monitoring (more
    # checks), only reveals (sim.checks), so it cannot be what kept the loan out of default
    first_action = next(((m, a) for m, a in you.actions if a not in REVEALS_ONLY), None)
    if gap <= 0:
        if base.default_month is not None and you.default_month is None:
            if first_action:
                return Lesson("saved_by", {"action": first_action[1], "month": first_action[0]})
            return Lesson("saved", {})
        if you.lawsuit_month is not None and base.lawsuit_month is not None \
                and you.lawsuit_month < base.lawsuit_month:
            return Lesson("sued_earlier", {"months": base.lawsuit_month - you.lawsuit_month})
        kept = _kept_off(you, base)
        if kept is not None:
            return kept
        acted = _steps(you, skip={a for _, a in base.actions})
        if acted:  # the steps you took and the reference did not
            return Lesson("you_acted_less", acted)
        if not _steps(base) and not _steps(you):
            return _elsewhere(you, base)
        return Lesson("lost_less", {})
    pushed = _pushed(you, base)
    if pushed is not None:
        return pushed
    if you.default_month is not None and base.default_month is not None:
        if you.lawsuit_month is None and base.lawsuit_month is not None:
            return Lesson("never_sued", {"month": base.lawsuit_month})
        if you.lawsuit_month is not None and base.lawsuit_month is not None \
                and you.lawsuit_month > base.lawsuit_month:
            return Lesson("sued_later", {"months": you.lawsuit_month - base.lawsuit_month})
    seen = [m for m, _ in you.signals if you.default_month is None or m <= you.default_month]
    if you.default_month is not None and seen and you.checks == 0:
        return Lesson("never_checked", {"n": len(seen)})
    restructured = [m for m, a in you.actions if a == "restructure"]
    if restructured and you.default_month is not None and you.default_month > restructured[0]:
        return Lesson("restructured_then_defaulted", {"month": restructured[0], "default": you.default_month})
    chain = _claim(you, base) or _chain(you, base)
    if chain is not None:
        return chain
    if you.default_month is not None and base.default_month is None:
        # what the reference did before your default: the reason it kept the loan
        acted = _steps(base, until=you.default_month)
        if acted:
            return Lesson("base_acted", {"month": you.default_month, **acted})
        return Lesson("defaulted_only_you", {"month": you.default_month})
    split = gap_parts(you, base)
    recovered_less = split["recovered"] if split else base.recovered_cny - you.recovered_cny
    if recovered_less > 0 and (not split or max(split, key=split.__getitem__) == "recovered"):
        # the discounted difference, when it is what most made the gap: the very part of
        # the gap the parts line shows (the rest is said beside it)
        amount = {"amount_cny": recovered_less}
        # what the reference did before the default and you did not: why it had more to recover
        before = _steps(base, until=base.default_month, skip={a for _, a in you.actions}) \
            if base.default_month is not None else {}
        if before:
            return Lesson("recovered_less_after", {**amount, **before})
        return Lesson("recovered_less", amount)
    acted = _steps(base, skip={a for _, a in you.actions})
    if acted:  # the steps the reference took and you did not
        return Lesson("base_acted_less", acted)
    by_parts = _largest_part(you, base)
    if by_parts is not None:
        return by_parts
    if not _steps(base) and not _steps(you):
        return _elsewhere(you, base)
    return Lesson("lost_more", {})


def _claim(you: Timeline, base: Timeline) -> Lesson | None:
    """The guarantee chain's main channel: a loan this borrower guarantees defaulted under
    you, and not (or later) under the reference, before this loan defaulted or, if it did
    not, before the end. The bank then calls the guarantor to pay (代偿, the claim of
    sim.kernels.book.default_loans), which drains it; what to do is act on the borrower it
    backs while that one can be saved, or get more security from this guarantor first."""
    return _linked_default(you, base, "backed_default", "backed_id", "backed_defaulted")


def _chain(you: Timeline, base: Timeline) -> Lesson | None:
    """The guarantee chain: this loan's guarantor defaulted under you, and not (or later)
    under the reference, before this loan defaulted or, if it did not, before the end. A
    guarantor's default costs the borrowers it backs their guarantee (the chain's
    secondary channel, sim.kernels.book.default_loans), so the loss came down the chain;
    what to do is act on the guarantor, or get other security from this borrower while it
    can still give it. The main channel, the claim on a guarantor, is `_claim`'s."""
    return _linked_default(you, base, "guarantor_default", "guarantor_id",
                           "guarantor_defaulted")


def _linked_default(you: Timeline, base: Timeline, month: str, linked: str,
                    key: str) -> Lesson | None:
    """A loan linked to this one by a guarantee (its ``linked`` id) defaulted under you in
    the Timeline's ``month`` field, and not (or later) under the reference, before this
    loan defaulted or, if it did not, before the end: the lesson ``key``, or
    ``key``_sooner when the reference's default came later."""
    m_you, m_base = getattr(you, month), getattr(base, month)
    if m_you is None or (m_base is not None and m_base <= m_you):
        return None
    if you.default_month is not None and m_you > you.default_month:
        return None
    values = {"month": m_you, linked: getattr(you, linked)}
    if m_base is None:
        return Lesson(key, values)
    return Lesson(f"{key}_sooner", {**values, "base_default": m_base})


def _largest_part(you: Timeline, base: Timeline) -> Lesson | None:
    """The part of the gap that adds most to your loss, as a reason read from the run."""
    split = gap_parts(you, base)
    if not split:
        return None
    key, amount = max(split.items(), key=lambda kv: kv[1])
    if amount <= 0:
        return None
    if key == "ahead":
        if you.status_end in ON_BOOKS_AT_END:
            stretched = next(((m, a) for m, a in you.actions
                              if a in ("restructure", "emergency_deferral")), None)
            values = {"amount_cny": amount, "owed_cny": you.balance_end_cny,
                      "base_owed_cny": base.balance_end_cny}
            if stretched is not None and base.balance_end_cny < you.balance_end_cny:
                return Lesson("owed_at_end_after", {**values, "action": stretched[1],
                                                    "month": stretched[0]})
            return Lesson("owed_at_end", values)
        if you.status_end in IN_WORKOUT_AT_END:
            return Lesson("workout_open", {"amount_cny": amount})
        return None
    if key == "owed":
        if you.default_month is not None and (base.default_month is None
                                              or you.default_month < base.default_month):
            return Lesson("owed_more_sooner" if base.default_month is not None else "owed_more_only_you",
                          {"amount_cny": amount, "month": you.default_month,
                           **({"base_default": base.default_month}
                              if base.default_month is not None else {})})
        return Lesson("owed_more", {"amount_cny": amount})
    if key == "cured":
        return Lesson("cured_base", {"amount_cny": amount})
    return Lesson("recovered_less", {"amount_cny": amount})


def _kept_off(you: Timeline, base: Timeline) -> Lesson | None:
    """Your freeze, on a loan whose borrower drew more under the reference and defaulted:
    the exposure the freeze kept off the books is the cause to name (the reference's
    borrower drew it before its default: a defaulted loan draws nothing)."""
    froze = next((m for m, a in you.actions if a == FREEZE), None)
    extra = base.disbursed_cny - you.disbursed_cny
    if froze is None or base.default_month is None or extra < MIN_GAP_CNY:
        return None
    return Lesson("froze_kept_off", {"month": froze, "amount_cny": extra,
                                     "base_default": base.default_month})


def _pushed(you: Timeline, base: Timeline) -> Lesson | None:
    """Your recall or frozen line, taken up to your default, on a loan that the reference
    kept out of default or saw default later: the action is the cause to name."""
    if you.default_month is None or (base.default_month is not None
                                     and base.default_month <= you.default_month):
        return None
    hit = next(((m, a) for m, a in you.actions if a in AGGRESSIVE and m <= you.default_month), None)
    if hit is None:
        return None
    values = {"action": hit[1], "month": hit[0], "default": you.default_month}
    if base.default_month is None:
        return Lesson("pushed", values)
    return Lesson("pushed_sooner", {**values, "base_default": base.default_month})


def _elsewhere(you: Timeline, base: Timeline) -> Lesson:
    """Neither side acted on the loan: checks only reveal (sim.checks), so the difference
    in its loss came from what was done on other loans (its guarantor, a related firm)."""
    return Lesson("other_loans", {"n": base.checks, "mine": you.checks})


STEPS_NAMED = 3
"""At most this many of the reference's steps are named in a lesson."""


def _steps(tl: Timeline, until: int | None = None, skip: set[str] = frozenset()) -> dict:
    """A timeline's distinct actions (checks aside) up to month ``until``, in the order
    taken, as lesson values: the first month and up to STEPS_NAMED action ids; {} if none."""
    steps = [(m, a) for m, a in tl.actions
             if a != "onsite_check" and a not in skip and (until is None or m <= until)]
    names = tuple(dict.fromkeys(a for _, a in steps))[:STEPS_NAMED]
    return {"base_month": steps[0][0], "actions": names} if steps else {}


def loss_sources(you: Any, base: Any, min_gap_cny: float = MIN_GAP_CNY,
                 max_loans: int = MAX_LOANS, discount_rate_annual: float | None = None,
                 guarantor: Any = None, label: Callable[[int], str] | None = None) -> LossSources:
    """Per-loan gaps between ``you`` and ``base`` (run results on the same seed).

    ``discount_rate_annual`` (the case's) splits each loss and gap into parts;
    ``guarantor`` (loan id -> its guarantor's loan id, -1 none: sim.portfolio) lets a
    lesson name the guarantee chain, with ``label`` giving the loan number of the guarantor
    or of the loan it guarantees."""
    a = you.loans.set_index("loan_id")["loss_cny"]
    b = base.loans.set_index("loan_id")["loss_cny"].reindex(a.index, fill_value=0.0)
    gaps = (a - b).sort_values(ascending=False, kind="stable")
    listed = gaps[gaps.abs() >= min_gap_cny]
    listed = listed.reindex(listed.abs().sort_values(ascending=False, kind="stable").index[:max_loans])
    listed = listed.sort_values(ascending=False, kind="stable")
    backs: dict[int, tuple[int, ...]] = {}  # guarantor's loan id -> the loans it guarantees
    if guarantor is not None:
        for j, g in enumerate(guarantor):
            if g >= 0:
                backs[int(g)] = (*backs.get(int(g), ()), j)
    rows = []
    for loan_id in listed.index:
        g = int(guarantor[int(loan_id)]) if guarantor is not None else -1
        y, r = (timeline(run, int(loan_id), discount_rate_annual, g, backs.get(int(loan_id), ()))
                for run in (you, base))
        les = lesson(y, r)
        # the guarantor, or the loan it guarantees, by its loan number, as the desk shows it
        for key, name in (("guarantor_id", "guarantor"), ("backed_id", "backed")):
            if key in les.values:
                gid = les.values[key]
                les = Lesson(les.key, {**les.values, name: label(gid) if label else str(gid + 1)})
        rows.append(LoanGap(int(loan_id), y, r, les))
    total = float(gaps.sum())
    return LossSources(rows, total - float(listed.sum()), total)
