"""Tests for sim.codes: the named codes match the case-file vocabulary and the catalogues."""

from __future__ import annotations

from typing import get_args

import pytest

from sim import codes
from sim.policy import ClassIntervals, ProvisionRates
from sim.portfolio import REPAYMENT_CODES
from sim.segments import Product, Repayment
from training.i18n import catalogue


def test_codes_follow_the_scenario_vocabulary():
    """A case file's product and class words are exactly the engine's codes, in code order."""
    assert get_args(Product) == codes.PRODUCTS
    assert get_args(Repayment) == codes.REPAYMENT_KEYS
    assert tuple(ClassIntervals.model_fields) == codes.CLASS_KEYS
    assert tuple(ProvisionRates.model_fields) == codes.CLASS_KEYS
    assert {k: i for i, k in enumerate(codes.REPAYMENT_KEYS)} == REPAYMENT_CODES


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_has_a_word_in_each_language(lang):
    cat = catalogue(lang)
    for group, keys in (("cls", codes.CLASS_KEYS), ("product", codes.PRODUCTS),
                        ("check", codes.CHECK_KINDS), ("source", codes.SOURCE_KEYS)):
        missing = [k for k in keys if f"{group}.{k}" not in cat]
        assert not missing, (group, missing)


def test_statuses_on_the_books_come_first():
    on = [s for s in codes.LoanStatus if s <= codes.ON_BOOKS]
    assert on == [codes.LoanStatus.ACTIVE, codes.LoanStatus.DEFAULTED]
