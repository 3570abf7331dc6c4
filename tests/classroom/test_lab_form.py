"""The strategy lab's form kept per manager (training.lab_form): what was left on the form
comes back as it was, the files it had uploaded too; what no longer fits (a case or a
strategy no longer offered, an uploaded file that could not be kept, a rule that no
longer checks out, a figure out of range) is left at its default and named, never
raised; only its owner, with the lab's role, keeps or reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.strategies import load_rules
from training import accounts, db, lab_form
from training.authz import Forbidden
from training.lab_jobs import Where
from training.models import LabFormRow, Role

ROOT = Path(__file__).resolve().parents[2]
PW = "a-long-password-1"
INTRO = load_scenario(ROOT / "scenarios" / "intro.yaml")
DEFAULT = lab_form.TableForm.of(load_rules(ROOT / "scenarios" / "rules" / "tuned.yaml"))
CASES = {"intro": INTRO}
STRATEGIES = ["early-warning", "late-collection", "tuned", lab_form.EDITED]


def a_form(**changes) -> lab_form.LabForm:
    rows = [dict(DEFAULT.rows[0], min_dpd=15, actions=["restructure", "entrusted_payment"]),
            *DEFAULT.rows[1:]]
    table = lab_form.TableForm(**{**DEFAULT.__dict__, "name": "mine", "rows": rows,
                                  "intervals": {**DEFAULT.intervals, "normal": 3},
                                  "reserve_share": 0.25, "checks_beyond_reserve": "slip"})
    base = dict(case="intro", strategies=["tuned", lab_form.EDITED], table=table,
                case_title={"zh": "入门", "en": "Intro"}, reps=12, seed=99, sweep=True,
                staff=(2, 5), sweep_strategy=lab_form.EDITED, officer_cost_cny_per_month=9000.0,
                where="dask", address="tcp://127.0.0.1:8786")
    return lab_form.LabForm(**{**base, **changes})


@pytest.fixture
def people(database):
    make = accounts.create_user
    return (make(database, "boss", PW, Role.MANAGER), make(database, "other", PW, Role.MANAGER),
            make(database, "ann", PW))


def test_a_kept_form_comes_back_as_it_was_left(database, people):
    boss, other, _ = people
    form = a_form()
    assert lab_form.save(database, boss, form)
    data, when = lab_form.load(database, boss)
    assert when is not None and when.tzinfo is not None
    back = lab_form.restore(data, CASES, STRATEGIES, DEFAULT)
    assert back.problems == []
    v = back.values
    assert v[lab_form.CASE] == "intro" and v[lab_form.CASE_SEEN] == INTRO.id
    assert v[lab_form.STRATEGIES] == ["tuned", lab_form.EDITED]
    assert (v[lab_form.REPS], v[lab_form.SEED], v[lab_form.SWEEP]) == (12, 99, True)
    assert v[lab_form.STAFF] == (2, 5) and v[lab_form.SWEEP_STRATEGY] == lab_form.EDITED
    assert v[lab_form.OFFICER_COST] == 9000.0
    assert v[lab_form.WHERE] is Where.DASK and v[lab_form.ADDRESS] == "tcp://127.0.0.1:8786"
    assert v[lab_form.NAME] == "mine" and v[lab_form.interval_key("normal")] == 3
    assert (v[lab_form.RESERVE], v[lab_form.BEYOND_KEY]) == (0.25, "slip")
    assert back.rows == form.table.rows
    # the same table as was kept, checked as a file is
    assert lab_form.TableForm(**{**form.table.__dict__, "rows": back.rows}).check() \
        == form.table.check()
    # one form per manager, replaced each time; another manager's is their own
    assert lab_form.save(database, boss, a_form(reps=40))
    assert lab_form.load(database, boss)[0]["reps"] == 40
    assert lab_form.load(database, other) is None


def test_only_a_signed_in_manager_keeps_a_form(database, people):
    _, _, ann = people
    assert lab_form.save(database, None, a_form()) is False
    assert lab_form.load(database, None) is None
    with pytest.raises(Forbidden):
        lab_form.save(database, ann, a_form())
    with pytest.raises(Forbidden):
        lab_form.load(database, ann)


def test_nothing_kept_gives_the_forms_defaults():
    back = lab_form.restore(None, CASES, STRATEGIES, DEFAULT)
    assert back.problems == [] and back.rows is None
    assert lab_form.CASE not in back.values and lab_form.STRATEGIES not in back.values
    assert back.values[lab_form.REPS] == lab_form.DEFAULT_REPS
    assert back.values[lab_form.NAME] == lab_form.DEFAULT_TABLE_NAME


def test_a_stale_form_gives_back_what_still_fits_and_names_the_rest(database, people):
    """A case taken away, a rule table file renamed, an uploaded file (not kept), a rule
    whose action no longer exists, a rule that no longer checks out, figures out of range:
    the rest comes back and each of these is said, in both languages."""
    boss = people[0]
    data = a_form().to_json()
    data["case"] = "closed_case"
    data["case_title"] = {"zh": "已下架的案例", "en": "A withdrawn case"}
    data["strategies"] = ["early-warning", "old-table", lab_form.UPLOADED + "mine.yaml"]
    good = data["table"]["rows"][0]
    data["table"]["rows"] = [good, {**good, "actions": ["teleport"]},
                             {**good, "min_dpd": 90, "max_dpd": 30}, {**good, "min_dpd": "x"}]
    data["table"]["intervals"]["normal"] = 99
    data["reps"] = 1
    with db.session_scope(database) as s:
        s.add(LabFormRow(user_id=boss.id, form=data, updated_at=db.now()))
    back = lab_form.restore(lab_form.load(database, boss)[0], CASES, STRATEGIES, DEFAULT)
    v = back.values
    assert lab_form.CASE not in v and lab_form.SEED not in v  # the first case, its own seed
    assert v[lab_form.STRATEGIES] == ["early-warning"]
    assert back.rows == [good]
    assert v[lab_form.interval_key("normal")] == DEFAULT.intervals["normal"]
    assert v[lab_form.interval_key("special_mention")] == DEFAULT.intervals["special_mention"]
    assert v[lab_form.RESERVE] == 0.25  # what was fine stays
    assert v[lab_form.REPS] == lab_form.DEFAULT_REPS
    en = [p.text("en") for p in back.problems]
    zh = [p.text("zh") for p in back.problems]
    assert any("A withdrawn case" in x and "no longer offered" in x for x in en), en
    assert any("mine.yaml" in x and "upload it again" not in x and "upload" in x for x in en)
    assert any("old-table" in x for x in en)
    assert any("Row(s) 2, 3, 4" in x for x in en), en
    assert any("Normal" in x for x in en) and any("Futures" in x for x in en)
    assert any("已下架的案例" in x for x in zh) and any("第 2、3、4 行" in x for x in zh), zh
    assert any("正常" in x for x in zh) and any("未来情景数" in x for x in zh), zh


def test_a_table_left_unfinished_comes_back_unfinished():
    """A table that did not check out when it was left (a rule half typed) is given back as
    it was, for the editor to show its problem again, not pruned to the rows that check."""
    half = {**DEFAULT.rows[0], "min_dpd": 90, "max_dpd": 30}
    data = a_form(table=lab_form.TableForm(**{**DEFAULT.__dict__, "rows": [half],
                                              "valid": False})).to_json()
    back = lab_form.restore(data, CASES, STRATEGIES, DEFAULT)
    assert back.rows == [half] and back.problems == []


@pytest.mark.parametrize("junk", ["not a form", {"table": "junk", "reps": "many"},
                                  {"case": ["intro"], "strategies": "tuned", "staff": 7}])
def test_a_form_that_does_not_read_opens_at_the_defaults(junk):
    back = lab_form.restore(junk, CASES, STRATEGIES, DEFAULT)
    assert back.values[lab_form.NAME] == DEFAULT.name
    assert back.problems and all(p.text("zh") and p.text("en") for p in back.problems)


WATCHFUL = """name: watchful
rules:
  - when: {min_alerts: 2, max_dpd: 0}
    do: [onsite_check]
"""


def test_the_uploaded_files_the_form_chose_are_kept_with_it(database, people):
    """A manager's own case file and rule table came back as 'upload it again' after a
    reload; now their text is kept with the form and the page offers them again."""
    boss, _, _ = people
    case_text = (ROOT / "scenarios" / "intro.yaml").read_text(encoding="utf-8")
    uploads = {lab_form.CASE_FILE + "branch.yaml": case_text,
               lab_form.UPLOADED + "watchful.yaml": WATCHFUL}
    form = a_form(case=lab_form.CASE_FILE + "branch.yaml",
                  strategies=["tuned", lab_form.UPLOADED + "watchful.yaml"], uploads=uploads)
    assert lab_form.save(database, boss, form)
    data, _ = lab_form.load(database, boss)
    assert lab_form.uploads_of(data) == uploads
    # the page offers them again (sim and lab read them as uploads): nothing to upload again
    offered = {**CASES, lab_form.CASE_FILE + "branch.yaml": INTRO}
    back = lab_form.restore(data, offered, [*STRATEGIES, lab_form.UPLOADED + "watchful.yaml"],
                            DEFAULT)
    assert back.problems == []
    assert back.values[lab_form.CASE] == lab_form.CASE_FILE + "branch.yaml"
    assert back.values[lab_form.STRATEGIES] == ["tuned", lab_form.UPLOADED + "watchful.yaml"]


def test_uploads_past_the_limit_are_asked_for_again_and_the_form_is_kept(database, people,
                                                                        monkeypatch):
    boss, _, _ = people
    monkeypatch.setattr(lab_form, "MAX_UPLOADS_CHARS", len(WATCHFUL) + 10)
    big, small = lab_form.UPLOADED + "big.yaml", lab_form.UPLOADED + "watchful.yaml"
    form = a_form(strategies=["tuned", big, small],
                  uploads={big: WATCHFUL + "#" * 100, small: WATCHFUL})
    assert lab_form.save(database, boss, form)
    data, _ = lab_form.load(database, boss)
    assert lab_form.uploads_of(data) == {small: WATCHFUL}  # the one that fits
    back = lab_form.restore(data, CASES, [*STRATEGIES, small], DEFAULT)
    assert back.values[lab_form.STRATEGIES] == ["tuned", small]
    [problem] = back.problems
    assert "big.yaml" in problem.text("en") and "upload them again" in problem.text("en")
    assert "big.yaml" in problem.text("zh") and "重新上传" in problem.text("zh")


def test_a_form_kept_before_files_were_gives_none_back():
    assert lab_form.uploads_of({"case": "intro"}) == {}
    assert lab_form.uploads_of({"uploads": {"intro": "not an upload", 3: "x"}}) == {}
    assert lab_form.uploads_of(None) == {}
