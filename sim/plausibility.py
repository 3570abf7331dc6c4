"""Cautions on a valid case: what loads and runs but is most likely not what the author meant.

Validation (sim.scenario) refuses what cannot run. A case can also run and teach
nothing because of a slip the schema has no reason to refuse: a default rate of 0.5 meant
as 0.5% (it reads 50% a year), a one-month case that ends before a missed payment can
become a default, loans that are repaid in the first months and leave the rest of the case
with no book, one region written two ways, which makes two regional factors where the
author meant one, a region or industry the app does not know ("retial" for retail makes
an industry factor of its own), an event dated month 0 (it happens with month 1's) or in
the case's last month (nothing it causes, nor anything done about it, can show before the
end), or a loan-to-value written for a segment with no collateral (``type: none``), which
the engine cannot use: the author meant a security the case does not have.
`cautions` names each with the field it is about; the author's page and ``bianque
validate`` say it in the reader's language (training.locales, ``author.caution``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sim.scenario import Scenario

PD_HIGH = 0.25
"""An annual default rate above this is a book in crisis; below 1, 0.5 most often meant 0.5%."""
HORIZON_SHORT_MONTHS = 6
"""Shorter than this, a case ends before early action can show: a default takes three
missed payments, and a workout months more."""
TERM_SHORT_SHARE = 0.5
"""A segment whose loans are all repaid within this share of the horizon leaves the rest of
the case with nothing of it to manage (the book takes no new loans). Seasoning does not
bring that month forward: a loan's months on book are drawn from 0 up."""
MONTH_ZERO = re.compile(r"\bmonths?\s+0(?![\d.])|第\s*0\s*(?:个月|[-–—至到~])", re.IGNORECASE)
"""A month 0 named in a case's text ("Months 0-3", "第0个月"): the trainee's first month on
the desk, and every month a case's events name, is month 1."""


@dataclass(frozen=True)
class Caution:
    """A likely slip: the field it is about, what kind (a key under ``author.caution``) and
    the figures its text quotes."""

    path: str
    code: str
    values: dict = field(default_factory=dict)


def cautions(scenario: Scenario,
             names: Mapping[str, Mapping[str, Iterable[str]]] | None = None) -> list[Caution]:
    """The case's likely slips, in the order of its fields.

    names: for "region" and "industry", each id's names in words (the app's catalogues:
    ``{"region": {"zhejiang": ["浙江", "Zhejiang"]}}``), so that a region written once as
    its id and once by its name ("zhejiang", "浙江") is named too: to the engine they are
    two regions; and a region or industry that is none of them is named, with the known
    ids (the schema allows a new one, but most often it is a typo)."""
    out: list[Caution] = []
    h = scenario.horizon_months
    if h < HORIZON_SHORT_MONTHS:
        out.append(Caution("horizon_months", "horizon_short",
                           {"months": h, "least": HORIZON_SHORT_MONTHS}))
    for k, seg in enumerate(scenario.segments):
        if seg.pd_annual > PD_HIGH:
            out.append(Caution(f"segments[{k}].pd_annual", "pd_high", {
                "segment": seg.id, "pd": f"{seg.pd_annual:g}", "pct": f"{seg.pd_annual:.0%}",
                "meant": f"{seg.pd_annual:g}%", "write": f"{seg.pd_annual / 100:g}"}))
        if seg.collateral.type == "none" and "ltv" in seg.collateral.model_fields_set:
            out.append(Caution(f"segments[{k}].collateral.ltv", "ltv_without_collateral", {
                "segment": seg.id, "ltv": f"{seg.collateral.ltv:g}"}))
        # the youngest loan may start new (months on book are drawn from 0 to
        # seasoning_months), so the segment is all repaid by the end of its term
        left = seg.term_months
        if h > 1 and left < TERM_SHORT_SHARE * h:
            out.append(Caution(f"segments[{k}].term_months", "term_short", {
                "segment": seg.id, "month": max(left, 0), "months": h}))
    texts = [("briefing", scenario.briefing)]
    texts += [(f"objectives[{k}]", t) for k, t in enumerate(scenario.objectives)]
    texts += [(f"debrief_notes[{k}]", t) for k, t in enumerate(scenario.debrief_notes)]
    for path, text in texts:
        for lang in ("zh", "en"):
            found = MONTH_ZERO.search(text.get(lang))
            if found:
                out.append(Caution(f"{path}.{lang}", "month_zero", {"text": found.group(0)}))
    for i, b in enumerate(scenario.borrowers):
        for k, ev in enumerate(b.events):
            out += _event_month(f"borrowers[{i}].events[{k}].month", ev.month, h)
    for i, ev in enumerate(scenario.macro):
        out += _event_month(f"macro[{i}].month", ev.month, h)
    for attr in ("region", "industry"):
        alias = {_fold(word): _fold(key)
                 for key, words in ((names or {}).get(attr) or {}).items() for word in words}
        known = sorted((names or {}).get(attr) or {})
        seen: dict[str, str] = {}
        for k, seg in enumerate(scenario.segments):
            name = getattr(seg, attr)
            folded = _fold(name)
            key = alias.get(folded, folded)
            if known and key not in seen and key not in {_fold(n) for n in known}:
                near = _nearest(name, known)
                out.append(Caution(f"segments[{k}].{attr}",
                                   f"{attr}_unknown_near" if near else f"{attr}_unknown", {
                                       "name": name, "segment": seg.id,
                                       "known": ", ".join(known), "near": near}))
            other = seen.setdefault(key, name)
            if other == name:
                continue
            code = f"{attr}_spelling" if _fold(other) == folded else f"{attr}_alias"
            out.append(Caution(f"segments[{k}].{attr}", code,
                               {"name": name, "other": other, "segment": seg.id}))
    return out


def _fold(name: str) -> str:
    """A name without spaces or letter case: how two spellings of one name compare."""
    return "".join(name.split()).casefold()


def _event_month(path: str, month: int, horizon: int) -> list[Caution]:
    """An event that happens with month 1's (month 0), or in the case's last month."""
    if month == 0:
        return [Caution(path, "event_month_zero", {"month": month})]
    if month == horizon and horizon > 1:
        return [Caution(path, "event_at_horizon", {"month": month, "months": horizon})]
    return []


def _nearest(name: str, known: list[str]) -> str:
    """The known id closest to name, or its part ("retial" is near "retail_services"), or
    "" if none is close."""
    parts: dict[str, str] = {}
    for k in known:  # a part two ids share ("retail") goes to the first in order
        for p in [k, *k.split("_")]:
            parts.setdefault(_fold(p), k)
    best = difflib.get_close_matches(_fold(name), list(parts), n=1, cutoff=0.6)
    return parts[best[0]] if best else ""
