"""Number boxes out of range say so in the page's language (AppTest).

Streamlit's own ``min_value``/``max_value`` refuse a typed number outside them with an
English tooltip on an icon, keep the old value and, in a form, make the submit button do
nothing (seen in Chromium: tests/e2e/test_numbers_browser.py). The app's boxes leave those
bounds out and check the number themselves: a form's through its schema (the field and
its fix), any other through ``common.number_field`` (the field, what was typed, the range).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_app_author import open_page
from tests.app.test_app_desk import desk
from tests.app.test_app_lab import open_lab
from training import lab
from training.i18n import t


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def bounded(at: AppTest) -> list[str]:
    """The number boxes drawn with Streamlit's own bounds."""
    return [n.key for n in at.number_input if n.proto.has_min or n.proto.has_max]


def test_no_number_box_uses_streamlits_english_bounds():
    at = desk()
    assert at.number_input(key="f_dpd")
    assert bounded(at) == []
    ok(at.segmented_control(key="desk_view").set_value("policy").run())
    assert at.number_input(key="routine_hours")
    assert bounded(at) == []
    at = open_page("zh")
    assert at.number_input(key="seg_rate") and at.number_input(key="pv_reps")
    assert bounded(at) == []
    at = open_lab("zh")
    assert at.number_input(key="lab_reps") and at.number_input(key="lab_iv_normal")
    assert bounded(at) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_share_typed_as_a_percentage_is_named_with_its_fix_and_the_form_kept(lang):
    """An author typing 3 for a 3% rate: the form says which box and to write 0.03."""
    at = open_page(lang)
    before = at.text_area(key="author_yaml").value
    at.text_input(key="seg_id").set_value("farm")
    at.number_input(key="seg_rate").set_value(3.0)
    ok(at.button(key=f"FormSubmitter:segment_form-{t('author.segment_add', lang)}").click().run())
    assert at.text_area(key="author_yaml").value == before
    field, problem = t("author.col.field", lang), t("author.col.problem", lang)
    # the form's problems are a static table (it wraps every message; a grid cut them)
    table = next(d.value for d in at.table if field in d.value.columns
                 and problem in d.value.columns)
    said = dict(zip(table[field], table[problem], strict=True))
    rate = f"{t('author.f.rate', lang)} · rate.annual"
    assert "0.03" in said[rate] and "3%" in said[rate]
    assert at.text_input(key="seg_id").value == "farm"  # what was typed stays
    assert at.number_input(key="seg_rate").value == 3.0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_lab_names_a_number_out_of_range_and_runs_nothing_until_it_is_fixed(lang):
    at = open_lab(lang)
    seed = at.number_input(key="lab_seed").value
    assert isinstance(seed, int)  # a whole number still, without Streamlit's bounds to say so
    ok(at.number_input(key="lab_reps").set_value(1).run())
    said = t("common.out_of_range", lang, field=t("lab.page.reps", lang), value="1", lo="2",
             hi=f"{lab.MAX_REPS:,}")
    assert said in [e.value for e in at.error]
    ok(at.number_input(key="lab_iv_normal").set_value(30).run())
    assert t("common.out_of_range", lang, field=t("cls.normal", lang), value="30", lo="0",
             hi="24") in [e.value for e in at.error]
    ok(at.button(key="lab_run").click().run())
    assert t("common.fix_numbers", lang) in [e.value for e in at.error]
    assert "lab_job" not in at.session_state
    assert at.number_input(key="lab_seed").value == seed  # the other boxes keep theirs
    assert at.number_input(key="lab_reps").value == 1
    ok(at.number_input(key="lab_reps").set_value(3).run())
    assert said not in [e.value for e in at.error]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_desk_says_so_for_negative_hours_and_a_filter_out_of_range(lang):
    at = desk(lang=lang)
    ok(at.number_input(key="f_dpd").set_value(900).run())
    assert t("common.out_of_range", lang, field=t("desk.filter_dpd", lang), value="900",
             lo="0", hi="720") in [e.value for e in at.error]
    ok(at.segmented_control(key="desk_view").set_value("policy").run())
    ok(at.number_input(key="routine_hours").set_value(-5.0).run())
    assert t("common.at_least", lang, field=t("policy.routine_hours", lang), value="-5",
             lo="0") in [e.value for e in at.error]
    assert at.number_input(key="routine_hours").value is None  # back to what the game has


@pytest.mark.parametrize("lang, words", [("en", "outside the range"), ("zh", "超出")])
def test_the_dpd_filter_out_of_range_is_said_under_the_filters_not_in_its_column(lang, words):
    """900 typed in the desk's days-past-due filter: the message was drawn in the box's
    column, a fifth of the page, and ran down it a word a line. It is said under the row
    of filters, the page's width, as the lab's editor says its boxes'."""
    at = desk(lang=lang)
    ok(at.number_input(key="f_dpd").set_value(900).run())
    said = [e.value for e in at.error if words in e.value]
    assert said and t("desk.filter_dpd", lang) in said[0] and "720" in said[0], said
    in_columns = [e.value for c in at.columns for e in c.error]
    assert not any(words in v for v in in_columns), in_columns


@pytest.mark.parametrize("lang, words", [("en", "outside the range"), ("zh", "超出")])
def test_the_previews_boxes_out_of_range_are_said_under_their_row(lang, words):
    """The teaching preview's replications and months boxes stand in a quarter of the
    editor's width each: 1 replication typed was said in that quarter, a few words a line.
    It is said under their row."""
    at = open_page(lang)
    ok(at.number_input(key="pv_reps").set_value(1).run())
    said = [e.value for e in at.error if words in e.value]
    assert said and t("author.preview_reps", lang) in said[0], said
    in_columns = [e.value for c in at.columns for e in c.error]
    assert not any(words in v for v in in_columns), in_columns
