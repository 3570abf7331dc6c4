"""Cautions on valid cases (sim.plausibility): the slips an instructor makes that load and
run but teach nothing, each named with its field, in both languages."""

from __future__ import annotations

import pytest

from sim.plausibility import cautions
from sim.scenario import load_scenario, parse_scenario, scenario_paths
from training import i18n

CASE = """
id: slips
title: {{zh: 核对, en: Checks}}
briefing: {{zh: 核对, en: Checks}}
horizon_months: {horizon}
staff: {{officers: 1}}
segments:
  - id: wc
    name: {{zh: 流贷, en: Working capital}}
    product: working_capital
    count: 20
    amount: {{median_cny: 2000000}}
    term_months: {term}
    seasoning_months: {seasoning}
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.045}}
    pd_annual: {pd}
    industry: manufacturing
    region: {region}
  - id: sb
    name: {{zh: 小微, en: Small business}}
    product: small_business
    count: 20
    amount: {{median_cny: 500000}}
    term_months: 36
    repayment: equal_instalment
    rate: {{kind: fixed, annual: 0.05}}
    pd_annual: 0.04
    industry: manufacturing
    region: zhejiang
"""


def case(horizon=24, term=36, pd=0.03, region="zhejiang", seasoning=0):
    return parse_scenario(CASE.format(horizon=horizon, term=term, pd=pd, region=region,
                                      seasoning=seasoning), "slips.yaml")


def codes(sc) -> list[tuple[str, str]]:
    return [(c.path, c.code) for c in cautions(sc)]


def test_an_ordinary_case_and_every_shipped_case_have_no_caution():
    assert codes(case()) == []
    for path in scenario_paths():
        assert cautions(load_scenario(path)) == [], path.name


@pytest.mark.parametrize("change, expected", [
    ({"pd": 0.5}, ("segments[0].pd_annual", "pd_high")),  # 0.5 meant as 0.5%
    ({"horizon": 1}, ("horizon_months", "horizon_short")),
    ({"term": 3}, ("segments[0].term_months", "term_short")),  # repaid in month 3 of 24
    ({"region": "Zhejiang"}, ("segments[1].region", "region_spelling")),
])
def test_each_likely_slip_is_named_with_its_field(change, expected):
    assert expected in codes(case(**change))


def test_seasoning_does_not_make_a_live_segment_look_repaid():
    """Months on book are drawn from 0 to seasoning_months, so the youngest loans run to the
    end of their term: a 36-month segment seasoned up to 120 months still has loans at
    month 24 of 24, and one repaid by month 12 of 36 is repaid by its term, not term less
    seasoning."""
    seasoned = case(term=36, seasoning=120)
    assert ("segments[0].term_months", "term_short") not in codes(seasoned)
    (c,) = [c for c in cautions(case(horizon=36, term=12, seasoning=6)) if c.code == "term_short"]
    assert c.values["month"] == 12


def test_the_caution_says_what_to_write_in_both_languages():
    (c,) = [c for c in cautions(case(pd=0.5)) if c.code == "pd_high"]
    en = i18n.t(f"author.caution.{c.code}", lang="en", **c.values)
    zh = i18n.t(f"author.caution.{c.code}", lang="zh", **c.values)
    assert "50%" in en and "0.005" in en
    assert "50%" in zh and "0.005" in zh
    for code in ("horizon_short", "pd_high", "term_short", "region_spelling",
                 "industry_spelling", "month_zero"):
        for lang in i18n.LANGS:
            assert f"author.caution.{code}" in i18n.catalogue(lang)


def test_a_note_that_counts_months_from_zero_is_named_in_its_language():
    """The desk's first month is month 1: a debrief note or goal about "month 0" points
    the trainee to a month that never appears on the desk."""
    text = CASE.format(horizon=24, term=36, pd=0.03, region="zhejiang", seasoning=0) + """
objectives:
  - {zh: 第1个月就调整检查计划, en: Reset the check plan in month 1}
debrief_notes:
  - {zh: "第0-3个月：先核对用途", en: "Months 1-3: check the use of funds first"}
  - {zh: 第10个月：催收, en: "Month 0: reset the plan"}
"""
    found = [(c.path, c.values["text"]) for c in cautions(parse_scenario(text, "notes.yaml"))
             if c.code == "month_zero"]
    assert found == [("debrief_notes[0].zh", "第0-"), ("debrief_notes[1].en", "Month 0")]
    msg = i18n.t("author.caution.month_zero", lang="zh", text="第0-")
    assert "第 1 个月" in msg


@pytest.mark.parametrize("first, second", [("浙江", "zhejiang"), ("Zhejiang", "浙江")])
def test_a_region_written_as_its_id_and_by_its_name_is_named(first, second):
    """'zhejiang' in one segment and '浙江' in another are two regions to the engine: a
    disaster on one misses the other. The author's page and `validate` say so."""
    from training.authoring import case_cautions

    sc = case(region=first)  # segment 0 in `first`, segment 1 in zhejiang
    seg1 = sc.segments[1].model_copy(update={"region": second})
    sc = sc.model_copy(update={"segments": [sc.segments[0], seg1, *sc.segments[2:]]})
    found = [c for c in case_cautions(sc) if c.code == "region_alias"]
    assert [c.path for c in found] == ["segments[1].region"]
    assert found[0].values == {"name": second, "other": first, "segment": seg1.id}
    for lang in i18n.LANGS:
        text = i18n.t("author.caution.region_alias", lang=lang, **found[0].values)
        assert second in text and first in text
    # the engine alone, without the catalogue's names, cannot tell
    assert "region_alias" not in [c.code for c in cautions(sc)]


def test_the_shipped_cases_have_no_caution_with_the_names_either():
    from training.authoring import case_cautions

    for path in scenario_paths():
        assert case_cautions(load_scenario(path)) == [], path.name


UNSECURED = """
    collateral:
      type: none
      ltv: 0.7
"""


def test_an_ltv_on_a_segment_without_collateral_is_named_with_its_fix():
    """`type: none` with an ltv loads (stored and generated cases must still open) and runs
    as unsecured: the ltv is ignored, so the author is told which field, and both fixes."""
    text = CASE.format(horizon=24, term=36, pd=0.03, region="zhejiang", seasoning=0)
    first_seg_end = text.index("  - id: sb")
    slip = parse_scenario(text[:first_seg_end].rstrip("\n") + UNSECURED + text[first_seg_end:],
                          "unsecured.yaml")
    assert ("segments[0].collateral.ltv", "ltv_without_collateral") in codes(slip)
    # what the engine builds is the unsecured book: the ltv changed nothing
    import numpy as np

    from sim.portfolio import build_portfolio

    plain = parse_scenario(text, "plain.yaml")
    books = [build_portfolio(sc, np.random.default_rng(1), 1) for sc in (slip, plain)]
    assert not books[0].appraised0.any() and (books[0].appraised0 == books[1].appraised0).all()
    (c,) = [c for c in cautions(slip) if c.code == "ltv_without_collateral"]
    en = i18n.t("author.caution.ltv_without_collateral", lang="en", **c.values)
    zh = i18n.t("author.caution.ltv_without_collateral", lang="zh", **c.values)
    for msg in (en, zh):
        assert "'wc'" in msg or "“wc”" in msg
        assert "0.7" in msg and "collateral.type" in msg and "property" in msg and "ltv" in msg
    assert "delete the ltv line" in en and "删去 ltv" in zh
    # left out, or with a security to value, there is nothing to say
    secured = parse_scenario(text[:first_seg_end].rstrip("\n")
                             + UNSECURED.replace("none", "property") + text[first_seg_end:],
                             "secured.yaml")
    assert "ltv_without_collateral" not in [c.code for c in cautions(plain) + cautions(secured)]


def case_with(industry="manufacturing", region="zhejiang", events=""):
    text = CASE.format(horizon=24, term=36, pd=0.03, region="zhejiang", seasoning=0)
    text = text.replace("industry: manufacturing\n    region: zhejiang\n  - id: sb",
                        f"industry: {industry}\n    region: {region}\n  - id: sb", 1)
    return parse_scenario(text + events, "names.yaml")


def test_an_industry_no_catalogue_knows_is_named_with_the_known_ones():
    """'retial' for retail loads (the schema allows a new industry) but makes an industry
    factor of its own: the author's page and `validate` name the field, the value and the
    industries the app knows, with the nearest one, in both languages."""
    from training.authoring import case_cautions

    found = [c for c in case_cautions(case_with(industry="retial"))
             if c.code.startswith("industry")]
    assert [(c.path, c.code) for c in found] == [("segments[0].industry",
                                                  "industry_unknown_near")]
    values = found[0].values
    assert values["name"] == "retial" and values["segment"] == "wc"
    assert values["near"] in ("retail_services", "wholesale_retail")  # both sell retail
    for lang in i18n.LANGS:
        text = i18n.t("author.caution.industry_unknown_near", lang=lang, **values)
        assert "retial" in text and values["near"] in text and "manufacturing" in text
        assert "real_estate" in text  # the list of the known ones, not only the nearest
    # a known industry by its id or by its name in either language is no slip
    for name in ("manufacturing", "制造业", "Real estate"):
        assert not [c for c in case_cautions(case_with(industry=name))
                    if c.code.startswith("industry_unknown")], name


def test_a_region_no_catalogue_knows_is_named_once_and_without_a_guess_when_none_is_near():
    from training.authoring import case_cautions

    found = [c for c in case_cautions(case_with(region="atlantis")) if c.code == "region_unknown"]
    assert [c.path for c in found] == ["segments[0].region"]
    assert found[0].values["near"] == ""
    for lang in i18n.LANGS:
        text = i18n.t("author.caution.region_unknown", lang=lang, **found[0].values)
        assert "atlantis" in text and "zhejiang" in text and "jiangsu" in text
    # the engine alone, without the catalogue, cannot tell a new region from a slip
    assert "region_unknown" not in [c.code for c in cautions(case_with(region="atlantis"))]


EVENTS = """
borrowers:
  - id: acme
    segment: wc
    company: {{zh: 甲公司, en: Acme}}
    legal_rep: {{zh: 张三, en: Zhang San}}
    events:
      - {{month: {first}, kind: lawsuit_filed}}
      - {{month: 5, kind: sales_drop}}
      - {{month: {last}, kind: health_shock}}
macro:
  - {{type: recession, month: {last}, severity: 1}}
"""


def test_an_event_at_month_0_or_in_the_last_month_is_named_with_its_field():
    """Month 0 is not a month of the desk (it fires with month 1's), and an event in the
    last month comes after the trainee's last decision: nothing can be done about it and
    nothing of it shows in the results. Both load; both are named."""
    sc = case_with(events=EVENTS.format(first=0, last=24))
    found = [(c.path, c.code) for c in cautions(sc) if c.code.startswith("event_")]
    assert found == [("borrowers[0].events[0].month", "event_month_zero"),
                     ("borrowers[0].events[2].month", "event_at_horizon"),
                     ("macro[0].month", "event_at_horizon")]
    for c in cautions(sc):
        if c.code.startswith("event_"):
            for lang in i18n.LANGS:
                text = i18n.t(f"author.caution.{c.code}", lang=lang, **c.values)
                assert str(c.values["month"]) in text and "{" not in text
    assert not [c for c in cautions(case_with(events=EVENTS.format(first=1, last=23)))
                if c.code.startswith("event_")]


def test_a_copy_of_a_case_under_a_new_id_is_told_its_conversations_stay_behind():
    """Conversations (roleplays/*.yaml) name their case by its id: a shipped case copied in
    the editor and given a new id keeps its named borrowers but offers its trainees none of
    their conversations. The author is told which, and how to keep them."""
    from sim.scenario import SCENARIO_DIR
    from training.authoring import case_cautions

    text = (SCENARIO_DIR / "real_estate.yaml").read_text(encoding="utf-8")
    assert not [c for c in case_cautions(parse_scenario(text, "real_estate.yaml"))
                if c.code == "roleplays_left_behind"]
    copy = parse_scenario(text.replace("id: real_estate", "id: real_estate_monday", 1), "copy.yaml")
    (c,) = [c for c in case_cautions(copy) if c.code == "roleplays_left_behind"]
    assert c.path == f"borrowers[{[b.id for b in copy.borrowers].index('jinlan')}].id"
    assert c.values["roleplays"] == "jinlan_diversion" and c.values["case"] == "real_estate"
    for lang in i18n.LANGS:
        msg = i18n.t("author.caution.roleplays_left_behind", lang=lang, **c.values)
        assert "jinlan_diversion" in msg and "real_estate_monday" in msg
        assert "id: real_estate" in msg  # the way to keep them
