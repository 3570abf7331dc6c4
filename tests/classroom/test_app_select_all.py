"""No multiselect offers Streamlit's own "Select all" / "Select n matches" entry: it is
English on the Chinese page (Streamlit has no way to translate it), and on a test's
"pick all that apply" question it would pick every answer in one click. An instructor
choosing pre-test questions saw "Select all" first in the list, and one click put every
question of every lesson in the test."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest

from tests.classroom.test_app_classroom import School, app_as, ok
from training import classroom as cr
from training.db import now
from training.lessons import QuestionType, load_lesson

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def school(db_url):
    return School()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_pre_and_post_test_pickers_have_no_select_all(school, lang):
    at = app_as(school.teacher, lang=lang)
    at.switch_page("app_pages/cohort_admin.py")
    ok(at.run())
    for key in ("assign_pre", "assign_post"):
        box = at.multiselect(key=key)
        assert len(box.options) > 2  # the lessons' questions are offered
        assert box.proto.select_all == 0, key  # 0: never shown


def test_a_pick_all_that_apply_question_has_no_select_all(school):
    lesson = load_lesson("early-warning", "zh")
    multi = next(q for q in lesson.questions if q.type is QuestionType.MULTI)
    cr.withdraw_assignment(school.db, school.teacher, school.assignment.id)
    a = cr.assign_case(school.db, school.teacher, school.cohort.id, school.version.id,
                       now() - timedelta(hours=1), now() + timedelta(days=2),
                       pre_test=[cr.TestQuestion(lesson.id, multi.id)])
    at = app_as(school.ann, lang="zh")
    at.switch_page("app_pages/my_attempts.py")
    ok(at.run())
    box = at.multiselect(key=f"t_pre_{a.id}_{lesson.id}_{multi.id}")
    assert box.proto.select_all == 0


def test_every_multiselect_in_the_pages_turns_select_all_off():
    """Whatever page a multiselect is on (desk filters, lab strategies, the author's forms,
    the lesson reader): the entry would be English on the Chinese page."""
    calls = []
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "multiselect"):
                off = any(k.arg == "select_all" and isinstance(k.value, ast.Constant)
                          and k.value.value is False for k in node.keywords)
                calls.append((f"{path.name}:{node.lineno}", off))
    assert len(calls) >= 8
    assert [where for where, off in calls if not off] == []
