"""Scripted borrower events (sim.scripted): what a case's author makes happen to a named
borrower reaches every loan that borrower holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.codes import LoanClass
from sim.engine import Simulation
from sim.scenario import load_scenario
from sim.scripted import borrower_loans

CASE = Path(__file__).resolve().parents[1] / "scenarios" / "guarantee_chain.yaml"


@pytest.fixture(scope="module")
def case():
    return load_scenario(CASE)


def huafang(sim: Simulation) -> np.ndarray:
    return borrower_loans(sim, sim.pf.named_index["huafang"])


def test_the_shipped_chain_case_has_a_borrower_with_two_loans(case):
    sim = Simulation(case, seed=11)
    loans = huafang(sim)
    assert len(loans) == 2
    assert sorted(sim.pf.amount[loans]) == [30_000_000, 50_000_000]  # the briefing's 80 million


@pytest.mark.parametrize("seed", [1, 11, 29])
def test_an_event_hits_every_loan_of_the_borrower(case, seed):
    sim = Simulation(case, seed=seed)
    loans = huafang(sim)
    for month in (2, 4, 5, 6, 7):  # sales drop, lawsuit, owner missing, tax arrears, collapse
        sim.advance_to(month)
        assert sim.shift[loans[0]] == sim.shift[loans[1]] < 0
    # one borrower, one fate: the two loans fall behind and are classified together
    sim.advance_to(case.horizon_months)
    assert sim.dpd[loans[0]] == sim.dpd[loans[1]] > 0
    assert sim.cls[loans[0]] == sim.cls[loans[1]] >= LoanClass.SUBSTANDARD


def test_the_public_record_shows_the_lawsuit_on_both_loan_files(case):
    sim = Simulation(case, seed=11)
    loans = huafang(sim)
    sim.advance_to(4)  # Huafang is sued in month 4: court records show it on the borrower
    seen = sim.rec.signal_frame()
    sued = seen[(seen.month == 4) & (seen.signal == "lawsuit") & (seen.via == "offsite")]
    assert set(loans) <= set(sued.loan_id)


def test_a_borrower_with_one_loan_is_hit_alone(case):
    sim = Simulation(case, seed=11)
    jinlun = sim.pf.named_index["jinlun"]
    assert list(borrower_loans(sim, jinlun)) == [jinlun]
