"""Tests for sim.field_types: the field types every case file shares refuse the loose
values YAML lets through (yes for 1, 2.0 for 2), and a text needs both languages."""

from __future__ import annotations

import re

import pydantic
import pytest

from sim.field_types import MONTH_PATTERN, Bool, Int, Month, Share, Slug, Text
from sim.inputs import Strict


class Fields(Strict):
    count: Int = 1
    flag: Bool = False
    key: Slug = "a"
    share: Share = 0.0
    month: Month = 0
    text: Text | None = None


def refused(**data) -> list[str]:
    with pytest.raises(pydantic.ValidationError) as info:
        Fields.model_validate(data)
    return [str(e["loc"][0]) for e in info.value.errors()]


def test_text_gives_chinese_for_zh_and_english_otherwise():
    t = Text(zh="正常", en="Normal")
    assert (t.get("zh"), t.get("en"), t.get("fr")) == ("正常", "Normal", "Normal")


@pytest.mark.parametrize("text", [{"zh": "正常"}, {"zh": "", "en": "Normal"}, "Normal"])
def test_a_text_needs_both_languages(text):
    assert refused(text=text) == ["text"]


@pytest.mark.parametrize("value", [True, 2.0, "2"])
def test_a_whole_number_refuses_flags_floats_and_text(value):
    assert refused(count=value) == ["count"]


@pytest.mark.parametrize("value", [1, "yes", "true"])
def test_a_flag_is_true_or_false_only(value):
    assert refused(flag=value) == ["flag"]


@pytest.mark.parametrize("value", ["WC", "wc loans", "_wc", "", "a" * 65])
def test_a_slug_is_short_lower_case_without_spaces(value):
    assert refused(key=value) == ["key"]


def test_good_values_pass():
    f = Fields(count=3, flag=True, key="real_estate-1", share=0.25, month=600,
               text=Text(zh="甲", en="A"))
    assert (f.count, f.flag, f.key, f.share, f.month) == (3, True, "real_estate-1", 0.25, 600)


@pytest.mark.parametrize(("field", "value"), [("share", 1.5), ("share", -0.1),
                                              ("month", 601), ("month", -1)])
def test_shares_and_months_keep_their_range(field, value):
    assert refused(**{field: value}) == [field]


@pytest.mark.parametrize(("month", "ok"), [("2024-01", True), ("2024-12", True),
                                           ("2024-13", False), ("2024-1", False),
                                           ("24-01", False)])
def test_month_pattern_is_year_dash_two_digit_month(month, ok):
    assert bool(re.fullmatch(MONTH_PATTERN, month)) is ok
