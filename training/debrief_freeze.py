"""The lines you froze (冻结额度), against late collection on the same seed: the exposure a
freeze kept off the books, which no loss figure shows (Bian Que's eldest brother, whose
cures were never seen because the illness never came).

The engine stops a frozen line's drawdowns and records nothing else about it: the event
log has the freeze (``action_freeze_line``, its month) and the per-loan frame what each
loan drew in the run (``disbursed_cny``). Late collection never freezes, and both runs face
the same borrowers and economy (common random numbers), so on a loan you froze, what late
collection's borrower drew beyond yours is what your decisions on that loan kept off the
books. A borrower that weakens draws its whole line (sim.kernels.book), so the amount is
largest where it matters. Part of it was drawn by borrowers that then defaulted under late
collection: exposure that reached default there. Whatever that saved is already inside your
credit loss (the loss of each loan is the engine's), so it is said, never added again; the
interest the undrawn money did not earn is said beside it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from training import units
from training.i18n import t

FREEZE_EVENT = "action_freeze_line"
SHOWN_CNY = 500.0
"""The least amount the text names: 0.1 万元 rounds from 500 yuan (less reads "0 万元")."""


@dataclass(frozen=True)
class FrozenLine:
    """One loan whose line you froze, beside the same loan under late collection."""

    loan_id: int
    month: int  # the month you froze it
    kept_off_cny: float  # late collection's borrower drew this much more than yours
    defaulted_late: bool  # the loan defaulted under late collection
    loss_gap_cny: float  # late collection's loss on it less yours (above 0: you lost less)
    interest_gap_cny: float  # late collection's interest on it less yours


@dataclass(frozen=True)
class FrozenLines:
    lines: list[FrozenLine]

    @property
    def kept_off_cny(self) -> float:
        """What the frozen borrowers drew under late collection beyond what they drew under you."""
        return float(sum(max(x.kept_off_cny, 0.0) for x in self.lines))

    @property
    def reached_default_cny(self) -> float:
        """Of it, what borrowers that defaulted under late collection drew (before their default:
        a defaulted loan draws nothing)."""
        return float(sum(max(x.kept_off_cny, 0.0) for x in self.lines if x.defaulted_late))

    @property
    def loss_gap_cny(self) -> float:
        return float(sum(x.loss_gap_cny for x in self.lines))

    @property
    def interest_gap_cny(self) -> float:
        return float(sum(x.interest_gap_cny for x in self.lines))

    @property
    def undrawn_anyway(self) -> int:
        """Lines late collection's borrower did not draw further either: nothing kept off."""
        return sum(1 for x in self.lines if x.kept_off_cny < SHOWN_CNY)


def frozen_lines(you: Any, late: Any) -> FrozenLines | None:
    """Your frozen lines against late collection (run results on the same seed); None when
    you froze none."""
    ev = you.events
    froze = ev[ev["event"] == FREEZE_EVENT]
    if froze.empty:
        return None
    first = froze.groupby("loan_id")["month"].min()
    mine = you.loans.set_index("loan_id")
    theirs = late.loans.set_index("loan_id")
    lines = []
    for loan_id, month in first.items():
        a, b = mine.loc[loan_id], theirs.loc[loan_id]
        lines.append(FrozenLine(
            int(loan_id), int(month), float(b["disbursed_cny"] - a["disbursed_cny"]),
            bool(b["default_month"] >= 0), float(b["loss_cny"] - a["loss_cny"]),
            float(b["interest_cny"] - a["interest_cny"])))
    return FrozenLines(lines)


def _gap(key: str, v: float, lang: str, **kw) -> str:
    """The "_less" / "_more" / "_same" text of a gap key (above 0: in your favour)."""
    side = "same" if abs(v) < SHOWN_CNY else ("less" if v > 0 else "more")
    return t(f"{key}_{side}", lang, amount=units.money(abs(v), lang), **kw)


def freeze_lines(frozen: FrozenLines | None, lang: str) -> list[str]:
    """The frozen lines in words, in ``lang``: what they kept off the books, how much of that
    reached default under late collection, the loss difference already in your loss, and the
    interest given up. Empty when you froze no line."""
    if frozen is None:
        return []
    n = len(frozen.lines)
    form = "one" if n == 1 else "other"
    loans = t(f"conduct.count.loans_{form}", lang, n=units.number(n, 0))
    them, those = t(f"freeze.them_{form}", lang), t(f"freeze.those_{form}", lang)
    out = []
    if frozen.kept_off_cny >= SHOWN_CNY:
        out.append(t("freeze.kept_off", lang, loans=loans, those=those,
                     amount=units.money(frozen.kept_off_cny, lang)))
        if frozen.reached_default_cny >= SHOWN_CNY:
            out.append(t("freeze.reached_default", lang,
                         amount=units.money(frozen.reached_default_cny, lang)))
    else:
        out.append(t("freeze.nothing_kept", lang, loans=loans, those=those))
    if frozen.undrawn_anyway and frozen.kept_off_cny >= SHOWN_CNY:
        out.append(t("freeze.undrawn_anyway", lang, n=frozen.undrawn_anyway))
    out.append(_gap("freeze.loss", frozen.loss_gap_cny, lang, them=them))
    if frozen.interest_gap_cny >= SHOWN_CNY:
        out.append(t("freeze.interest", lang, them=them,
                     amount=units.money(frozen.interest_gap_cny, lang)))
    return out


def freeze_html(frozen: FrozenLines | None, lang: str) -> list[str]:
    """The same as an HTML section of the downloadable report (none when no line was frozen)."""
    lines = freeze_lines(frozen, lang)
    if not lines:
        return []
    body = "".join(f"<p>{html.escape(x)}</p>" for x in lines)
    return [f"<h2>{html.escape(t('freeze.title', lang))}</h2>{body}"]
