"""sim.identities: generated borrowers are deterministic across threads, unique within a
case in both languages, and named for their industry and region."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from sim.codes import PRODUCTS
from sim.identities import PLACES, TRADES, borrower_identity, places_of
from sim.portfolio import build_portfolio
from sim.scenario import load_scenario, scenario_paths

ROOT = Path(__file__).resolve().parents[1]
CASES = scenario_paths(ROOT / "scenarios")
HAN = re.compile(r"[\u3400-\u9fff]")


def book(path: Path, name_seed: int = 7):
    sc = load_scenario(path)
    return sc, build_portfolio(sc, np.random.default_rng(sc.seed), name_seed)


def test_eight_threads_name_the_same_loans_identically():
    sc, _ = book(ROOT / "scenarios" / "small_loan_company.yaml")
    loans = list(range(sc.n_loans))

    def names(_: int) -> list[tuple[str, str, str, str]]:
        # each thread its own book (as each session has its own game) and a shared one
        pf = build_portfolio(sc, np.random.default_rng(sc.seed), 7)
        return [(*pf.identity(i), *shared.identity(i, "en")) for i in loans]

    _, shared = book(ROOT / "scenarios" / "small_loan_company.yaml")
    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(names, range(16)))
    _, fresh = book(ROOT / "scenarios" / "small_loan_company.yaml")
    expected = [(*fresh.identity(i), *fresh.identity(i, "en")) for i in loans]
    assert all(run == expected for run in runs)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_names_are_unique_within_every_shipped_case_in_both_languages(path):
    """Every borrower has a name of its own; a borrower's loans all carry it."""
    sc, pf = book(path)
    borrowers = sorted(set(pf.borrower.tolist()))
    for lang in ("zh", "en"):
        companies = [pf.identity(b, lang)[0] for b in borrowers]
        assert len(set(companies)) == len(borrowers), lang
        assert all(pf.identity(i, lang)[0] == pf.identity(int(pf.borrower[i]), lang)[0]
                   for i in range(pf.n)), lang


def test_names_stay_unique_in_a_large_book_and_another_seed_names_it_differently():
    n = 6_000  # more loans than two-character brands allow: brands grow a character
    a = [borrower_identity(3, i, n, "manufacturing", "zhejiang").company_en for i in range(n)]
    assert len(set(a)) == n
    b = [borrower_identity(4, i, n, "manufacturing", "zhejiang").company_en for i in range(50)]
    assert a[:50] != b


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_generated_names_fit_the_loans_industry_and_region(path):
    sc, pf = book(path)
    for i in range(pf.n):
        if i in pf.named:
            continue
        industry, region = pf.industries[pf.industry[i]], pf.regions[pf.region[i]]
        company, rep = pf.identity(i)
        company_en, _ = pf.identity(i, "en")
        if industry == "households":
            assert company.startswith(rep) and "(个人)" in company and "individual" in company_en
            continue
        trades = TRADES.get(industry, TRADES["generic"])
        assert any(zh in company and en in company_en for zh, en in trades), (industry, company)
        places = places_of(region)
        assert any(company.startswith(zh) and company_en.startswith(en) for zh, en in places)
        assert HAN.search(rep) and company_en.isascii()
        if PRODUCTS[pf.product[i]] != "small_business":
            assert company.endswith("公司")


def test_a_named_borrowers_name_is_never_given_to_a_generated_loan():
    first = borrower_identity(11, 5, 100, "textiles", "shaoxing")
    moved = borrower_identity(11, 5, 100, "textiles", "shaoxing", taken=frozenset({first.company_zh}))
    assert moved.company_zh != first.company_zh
    others = {borrower_identity(11, i, 100, "textiles", "shaoxing").company_zh for i in range(100)}
    assert moved.company_zh not in others, "the spare name is nobody else's"


@pytest.mark.parametrize("region, zh, en", [("ningbo", "宁波", "Ningbo"), ("Wenzhou", "温州", "Wenzhou"),
                                            ("宁波", "宁波", "Ningbo"), ("xian", "西安", "Xi'an"),
                                            ("sichuan", "绵阳", "Mianyang")])
def test_borrowers_are_named_after_the_region_the_instructor_wrote(region, zh, en):
    """A case written for Ningbo (region: ningbo) named its borrowers after Wuhan and
    Chengdu: a region the word lists do not have is read as the place it names, in Chinese
    or pinyin (a province the generator draws keeps its own cities)."""
    names = [borrower_identity(7, i, 60, "manufacturing", region) for i in range(60)]
    assert any(n.company_zh.startswith(zh) and n.company_en.startswith(en) for n in names)
    assert all(n.company_zh.startswith(tuple(p for p, _ in places_of(region))) for n in names)
    assert not any(n.company_zh.startswith(("武汉", "成都")) for n in names)


def test_a_region_that_names_no_one_place_keeps_the_generic_places():
    # 台州 and 泰州 are both Taizhou: neither is guessed
    assert places_of("taizhou") == places_of("nowhere") == PLACES["generic"]


def test_no_brand_reads_in_english_as_a_place_a_class_would_stop_at():
    """泰万 is a plain shop's brand in Chinese, but its pinyin, "Taiwan", put "Huzhou Taiwan
    Supermarket" on a bank class's desk: no pair of brand characters spells such a name."""
    from sim.identities import BRAND_CHARS, _syllables

    places = {"Taiwan", "Xizang", "Xinjiang", "Xianggang", "Aomen", "Hongkong"}
    spelled = {_syllables([a, b]) for _, a in BRAND_CHARS for _, b in BRAND_CHARS if a != b}
    assert not spelled & places
