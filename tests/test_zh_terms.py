"""One Chinese word for one thing across the catalogues (training/locales/zh*): the
glossary's and the lessons' words. 保证人 is the guarantor (担保 stays the verb and the
compounds 担保链, 互保, 追加担保); 押品 is the collateral the bank manages (its value,
condition, control); 抵押物 is the mortgaged thing a court auctions or the bank disposes
of."""

from __future__ import annotations

from training.i18n import catalogue


def test_the_guarantor_is_the_baozhengren():
    found = [k for k, text in catalogue("zh").items() if "担保人" in text]
    assert not found, f"{found}: say 保证人"


def test_the_mortgaged_thing_is_named_only_where_it_is_auctioned_or_disposed_of():
    found = [(k, text) for k, text in catalogue("zh").items()
             if "抵押物" in text and not any(w in text for w in ("拍卖", "处置"))]
    assert not found, f"{found}: its value or condition is the 押品's"


def test_checks_that_wait_for_next_month_have_one_name():
    """The desk says the checks beyond the hours given are 顺延 to next month; the month's
    figure that counts them must use the same word (逾期 is a loan past due)."""
    zh = catalogue("zh")
    assert "顺延" in zh["desk.checks_wait"]
    assert "顺延" in zh["fig.checks_slipped"] and "逾期" not in zh["fig.checks_slipped"]


def test_a_lawsuits_lead_in_months_runs_into_the_verb():
    """"你比早期预警早 1 个月 起诉" had a space inside the Chinese phrase (seen on the
    review_meeting debrief): a space sits beside a digit, never between two characters."""
    import re

    from training import report
    from training.loss_sources import Lesson

    for key in ("sued_earlier", "sued_later"):
        text = report.lesson_text(Lesson(key, {"months": 1}), "zh", "early-warning")
        assert "1 个月" in text, text
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", text), text
