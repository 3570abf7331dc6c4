"""Every loan you lost more on says why, and the figures beside it add up to its gap.

Trainees who do little, who restructure what the alerts show and who recall it play
shipped and generated cases through the step API; each loan of their loss sources
against late collection and early warning must carry a reason read from the run
(never the bare "you lost more"), and the parts of its gap, as the debrief says them,
must add up to the gap within the rounding of the display unit. Relations only: the
engine's figures move as its rules do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.engine import simulate
from sim.generate import generate
from sim.results import horizon_loss
from sim.scenario import load_scenario
from tests.careful_player import inbox
from training import report, units
from training.desk import Desk
from training.loss_sources import PART_KEYS, gap_parts, loss_sources, parts

ROOT = Path(__file__).resolve().parents[1]
SEED = 7
ROUTINE_HOURS = 60.0
"""The trainee keeps routine checks to these hours a month, leaving some for actions."""
PER_MONTH = 6
"""Alerted loans the trainee works a month."""


def play(sc, wanted: tuple[str, ...]) -> Desk:
    """A trainee who, on each loan of the alerts inbox (the first PER_MONTH), queues the
    first of ``wanted`` the desk lets it queue."""
    g = Desk(sc, SEED)
    if wanted:
        g.set_routine_hours(ROUTINE_HOURS)
    while not g.finished:
        if wanted and g.month:
            for i in inbox(g)[:PER_MONTH]:
                can = {o.id for o in g.options(i) if o.available}
                action = next((a for a in wanted if a in can), None)
                if action is not None:
                    g.queue(i, action)
        g.end_month(g.month)
    return g


CASES = {"guarantee_chain": lambda: load_scenario(ROOT / "scenarios" / "guarantee_chain.yaml"),
         "real_estate": lambda: load_scenario(ROOT / "scenarios" / "real_estate.yaml"),
         "generated": lambda: generate(3)}
TRAINEES = {"does little": (), "restructures": ("restructure", "collect_call"),
            "recalls": ("accelerate",)}


@pytest.mark.parametrize("case", list(CASES))
def test_every_loan_lost_more_says_why_and_its_parts_add_up(case):
    sc = CASES[case]()
    bases = {b: simulate(sc, SEED, strategy=b) for b in ("late-collection", "early-warning")}
    listed = 0
    for trainee, wanted in TRAINEES.items():
        g = play(sc, wanted)
        you = g.result()
        for base, run in bases.items():
            src = loss_sources(you, run, discount_rate_annual=sc.discount_rate_annual,
                               guarantor=g.sim.pf.guarantor, label=g.sim.pf.label)
            for gap in src.loans:
                split = gap_parts(gap.you, gap.base)
                # the parts are the engine's loss, split: they add up to the gap exactly
                assert sum(split.values()) == pytest.approx(gap.gap_cny, abs=1.0), (trainee, gap.loan_id)
                if gap.gap_cny <= 0:
                    continue
                listed += 1
                assert gap.lesson.key != "lost_more", (case, trainee, base, gap.loan_id)
                for lang in ("zh", "en"):
                    line = report.reason_text(gap, lang, base)
                    assert "{" not in line
                    # the parts said (each rounded as shown) add up to the gap as shown
                    shown = report.shown_parts(gap, lang)
                    half_unit = units.money_unit(lang).scale_cny * 0.05
                    assert sum(shown.values()) == pytest.approx(
                        gap.gap_cny, abs=half_unit * (len(PART_KEYS) + 1)), (trainee, gap.loan_id, lang)
                    # the reason's amount, when it names one, is one of those parts
                    named = gap.lesson.values.get("amount_cny")
                    if named is not None and gap.lesson.key not in ("froze_kept_off",):
                        assert any(abs(named - v) < 1.0 for v in split.values()), (gap.lesson, split)
    assert listed, "no trainee lost more than a reference on any loan: the test tested nothing"


def test_a_loans_parts_are_the_engines_own_loss():
    """Read from the events, owed, recovered and cured are the engine's discounted sums, and
    what is left of the loss is the loss it still expects at the end (sim.results)."""
    sc = CASES["guarantee_chain"]()
    g = play(sc, ("restructure", "collect_call"))
    run, s = g.result(), g.sim
    ahead = horizon_loss(s)
    for i in range(s.n):
        p = parts(run, i, sc.discount_rate_annual)
        assert p.owed_cny == pytest.approx(s._ead_pv[i], abs=1e-3)
        assert p.recovered_cny == pytest.approx(s._recovery_pv[i], abs=1e-3)
        assert p.cured_cny == pytest.approx(s._cure_pv[i], abs=1e-3)
        assert p.ahead_cny == pytest.approx(ahead[i], abs=1e-3)
