"""Case authoring: validation with field paths and lines, uploads, form helpers, starts,
and the teaching preview with its warnings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import defaults
from sim.field_types import Text
from sim.policy import Staff
from sim.scenario import load_scenario, parse_scenario
from sim.segments import Segment
from sim.storyline import LprChange, NamedBorrower, PolicyShock, ScriptedEvent
from training import authoring, preview
from training.authoring import AuthoringError, Section
from training.i18n import fmt_pct

BADINPUT = Path(__file__).parent / "badinput"


def line_of(text: str, needle: str, after: int = 0) -> int:
    """1-based number of the first line at or after `after` that contains needle."""
    for n, line in enumerate(text.splitlines(), start=1):
        if n >= after and needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")


def blank() -> str:
    return authoring.blank_text()


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


# --- validation ------------------------------------------------------------------------
def test_blank_template_and_shipped_cases_are_valid():
    v = authoring.validate_text(blank())
    assert v.ok and v.problems == ()
    assert v.scenario.title.zh and v.scenario.title.en
    for case in authoring.shipped_cases():
        assert authoring.validate_text(authoring.shipped_text(case)).ok, case


def test_a_bad_value_is_reported_at_its_field_and_line():
    text = edit(blank(), "annual: 0.045", "annual: 0.9")
    v = authoring.validate_text(text)
    assert not v.ok
    [p] = v.problems
    assert p.path == "segments[0].rate.annual"
    assert p.line == line_of(text, "annual: 0.9")
    assert "0.36" in p.message


def test_an_unknown_key_points_at_the_key_and_a_missing_one_at_its_parent():
    text = edit(blank(), "    count: 30\n", "    count: 30\n    colour: red\n")
    text = edit(text, "  officers: 1\n", "")
    problems = {p.path: p for p in authoring.validate_text(text).problems}
    assert problems["segments[0].colour"].line == line_of(text, "colour: red")
    assert problems["staff.officers"].line == line_of(text, "staff:")
    assert "add this field" in problems["staff.officers"].message


def test_a_conversation_pasted_into_the_case_editor_is_named_as_one():
    # an instructor who wrote a conversation from the docs and opened it here read
    # "briefing: Field required", "unknown key 'kind'; did you mean 'id'?" and more
    text = (Path(__file__).resolve().parents[1] / "roleplays" / "jiahe_extension.yaml"
            ).read_text(encoding="utf-8")
    v = authoring.validate_text(text)
    (p,) = v.problems
    assert not v.ok and (p.path, p.line) == ("kind", 1)
    assert "role-play conversation" in p.text("en") and "bianque validate" in p.text("en")
    assert "角色扮演对话文件" in p.text("zh")


def test_problems_come_sorted_by_line():
    text = edit(blank(), "pd_annual: 0.06", "pd_annual: 2")
    text = edit(text, "horizon_months: 12", "horizon_months: 0")
    lines = [p.line for p in authoring.validate_text(text).problems]
    assert len(lines) == 2 and lines == sorted(lines)


def test_yaml_syntax_errors_and_duplicate_keys_have_lines():
    text = edit(blank(), "horizon_months: 12", "horizon_months: 12: 3")
    [p] = authoring.validate_text(text).problems
    assert p.path == authoring.FILE_PATH and p.line == line_of(text, "12: 3")
    dup = blank() + "id: again\n"
    [p] = authoring.validate_text(dup).problems
    assert p.line == line_of(dup, "id: again") and "duplicate" in p.message


def test_a_reference_error_in_a_macro_event_points_at_the_event():
    text = edit(blank(), "macro:\n", "macro:\n  - type: policy_shock\n    month: 2\n"
                "    severity: 1.0\n    segments: [nosuch]\n")
    [p] = authoring.validate_text(text).problems
    assert p.path == "macro[0].segments[0]"
    assert p.line == line_of(text, "segments: [nosuch]")


def test_every_bad_input_file_gets_a_place():
    """The CLI's bad-input corpus: each problem with a field has a line to go to."""
    for path in sorted(BADINPUT.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        v = authoring.validate_text(text)
        assert not v.ok, path.name
        for p in v.problems:
            assert p.message
            if p.path != authoring.FILE_PATH:
                assert p.line is not None and p.line >= 1, (path.name, p)


def test_validation_matches_the_cli_loader():
    text = edit(blank(), "count: 30", "count: yes")
    v = authoring.validate_text(text)
    with pytest.raises(Exception) as exc:
        parse_scenario(text)
    assert [(p.path, p.message) for p in v.problems] == exc.value.problems


# --- uploads and export ---------------------------------------------------------------------
def test_uploads_are_limited_in_size_and_must_be_utf8():
    with pytest.raises(AuthoringError) as too_big:
        authoring.read_upload(b"#" * (authoring.MAX_UPLOAD_BYTES + 1))
    assert too_big.value.key == "upload_too_large"
    with pytest.raises(AuthoringError) as latin:
        authoring.read_upload("id: caf\xe9".encode("latin-1"))
    assert latin.value.key == "upload_not_utf8"
    assert authoring.read_upload(b"\xef\xbb\xbfid: x\n") == "id: x\n"  # a BOM is dropped
    for empty in (b"", b"\xef\xbb\xbf", b" \n\t\n"):  # imported, it wiped the editor's case
        with pytest.raises(AuthoringError) as nothing:
            authoring.read_upload(empty)
        assert nothing.value.key == "upload_empty"


@pytest.mark.parametrize("data, key", [
    ("id: 小微贷款\n".encode("gbk"), "upload_not_utf8_gbk"),
    ("id: x\n".encode("utf-16"), "upload_not_utf8_utf16"),
    (b"PK\x03\x04" + bytes(range(256)), "upload_not_utf8_excel"),
    # these two decode as UTF-8 all the same: they were imported into the editor as text
    ("id: x\nhorizon_months: 12\n".encode("utf-16-le"), "upload_not_utf8_utf16"),
    (b"PK\x03\x04\x14\x00" + b"[Content_Types].xml" * 10, "upload_not_utf8_excel")],
    ids=["gbk", "utf16", "excel", "utf16_no_mark", "excel_ascii_header"])
def test_an_upload_that_is_not_utf8_is_named_for_what_it_is(data, key):
    """A case saved in GBK by Notepad, or an Excel workbook renamed .yaml, was "not UTF-8
    text (byte 4)": now each is named, with where to change it, in both languages."""
    from training.i18n import t

    with pytest.raises(AuthoringError) as err:
        authoring.read_upload(data)
    assert err.value.key == key
    said = {lang: t(f"author.error.{key}", lang, detail=err.value.detail) for lang in ("en", "zh")}
    word = {"upload_not_utf8_gbk": "GBK", "upload_not_utf8_utf16": "UTF-16",
            "upload_not_utf8_excel": "Excel"}[key]
    assert all(word in text and "UTF-8" in text for text in said.values()), said


@pytest.mark.parametrize("name", ["start_impossible_day.yaml", "deeply_nested.yaml"])
def test_the_form_helpers_take_a_text_that_does_not_load(name):
    """A start typed as an impossible day ('start: 2025-02-30') made PyYAML raise a bare
    ValueError, and lists nested thousands deep a RecursionError, in the helpers the page
    calls on every run (listing a section's items, the staff form, a form's edit): a
    traceback on the authoring page. The check names the field; the helpers list nothing,
    and an edit either goes through, keeping the author's text, or says to fix the YAML."""
    text = (BADINPUT / name).read_text(encoding="utf-8")
    result = authoring.validate_text(text)
    assert not result.ok and result.problems
    for section in Section:
        assert isinstance(authoring.items(text, section), list)
    authoring.staff_in_text(text)
    authoring.segment_at(text, 0)
    try:
        after = authoring.checked_edit(text, authoring.add_objective(text, Text(zh="目标", en="goal")))
    except AuthoringError as err:
        assert err.key == "fix_yaml_first"
    else:
        assert "2025-02-30" in after and "goal" in after


def test_an_impossible_start_day_is_named_at_its_field_with_the_month_to_write():
    text = (BADINPUT / "start_impossible_day.yaml").read_text(encoding="utf-8")
    (problem,) = authoring.validate_text(text).problems
    assert problem.path == "start" and problem.line == line_of(text, "start: 2025-02-30")
    assert '"2025-02"' in problem.text("en") and '"2025-02"' in problem.text("zh")


def test_export_name_uses_the_case_id():
    assert authoring.export_name(blank()) == "my_case.yaml"
    assert authoring.export_name("not yaml at all") == "case.yaml"


# --- form helpers ------------------------------------------------------------------------
SEGMENT = Segment.model_validate({
    "id": "retail", "name": {"zh": "个人消费贷", "en": "Consumer loans"},
    "product": "consumer", "count": 40, "amount": {"median_cny": 80000},
    "term_months": 36, "repayment": "equal_instalment",
    "rate": {"kind": "floating", "spread": 0.02}, "pd_annual": 0.04,
    "industry": "household", "region": "zhejiang"})


def test_form_helpers_build_a_valid_case_piece_by_piece():
    text = authoring.add_segment(blank(), SEGMENT)
    text = authoring.add_macro_event(text, LprChange(type="lpr_change", month=3, delta_bp=25))
    text = authoring.add_macro_event(text, PolicyShock(
        type="policy_shock", month=4, segments=["retail"], severity=1.5))
    text = authoring.add_borrower(text, NamedBorrower(
        id="acme", segment="sme", company=Text(zh="甲公司", en="Acme"),
        legal_rep=Text(zh="张三", en="Zhang San"), diverts=True))
    text = authoring.add_borrower_event(text, "acme", ScriptedEvent(
        month=5, kind="sales_drop", severity=0.8, note=Text(zh="订单\n减少", en="Orders fall")))
    text = authoring.set_staff(text, Staff(officers=3, hours_per_officer_month=70))
    text = authoring.add_objective(text, Text(zh="学会分类", en="Classify"))
    text = authoring.add_debrief_note(text, Text(zh="第5个月", en="Month 5"))
    v = authoring.validate_text(text)
    assert v.ok, v.problems
    sc = v.scenario
    assert [s.id for s in sc.segments] == ["sme", "retail"]
    assert sc.segments[1] == SEGMENT
    assert [e.type for e in sc.macro] == ["recession", "lpr_change", "policy_shock"]
    assert sc.borrowers[0].events[0].note.zh == "订单\n减少"
    assert sc.staff == Staff(officers=3, hours_per_officer_month=70)
    assert sc.objectives[-1].en == "Classify" and sc.debrief_notes[-1].zh == "第5个月"


def test_a_form_writes_an_amount_as_a_person_types_it():
    """A segment's median and a borrower's amount from the forms were written
    'median_cny: 800000.0' and 'amount_cny: 3000000.0' in the case file."""
    seg = SEGMENT.model_copy(update={"amount": SEGMENT.amount.model_copy(
        update={"median_cny": 800000.0})})
    text = authoring.add_segment(blank(), seg)
    text = authoring.add_borrower(text, NamedBorrower(
        id="hengda", segment="retail", company=Text(zh="恒达", en="Hengda"),
        legal_rep=Text(zh="李建华", en="Li Jianhua"), amount_cny=3000000.0))
    assert "median_cny: 800000\n" in text and "amount_cny: 3000000\n" in text
    assert ".0\n" not in text.split("id: retail")[1].split("macro:")[0]
    sc = authoring.validate_text(text).scenario
    assert sc.segments[1].amount.median_cny == 800000 and sc.borrowers[0].amount_cny == 3000000


def test_helpers_keep_the_authors_comments_and_untouched_text():
    text = authoring.add_objective(blank(), Text(zh="新目标", en="New objective"))
    assert text.startswith(blank().split("id:")[0])  # the header comment block
    old = blank().splitlines()
    seg_start = old.index("segments:")
    new = text.splitlines()
    assert new[new.index("segments:"):new.index("segments:") + 10] == old[seg_start:seg_start + 10]


@pytest.mark.parametrize("case", sorted(authoring.shipped_cases()))
def test_an_edit_undone_gives_back_the_file_byte_for_byte(case):
    """The round trip keeps an author's file as written: add an objective, remove it."""
    text = authoring.shipped_text(case)
    added = authoring.add_objective(text, Text(zh="临时", en="Temporary"))
    assert added != text
    n = len(authoring.items(added, Section.OBJECTIVES))
    assert authoring.remove_item(added, Section.OBJECTIVES, n - 1) == text


@pytest.mark.parametrize("word", ["no", "on", "yes", "2024-01-01", "1.5", "null", "~"])
def test_words_yaml_would_read_as_something_else_stay_text(word):
    text = authoring.add_objective(blank(), Text(zh=word, en=word))
    sc = authoring.validate_text(text).scenario
    assert sc is not None and sc.objectives[-1] == Text(zh=word, en=word)


def test_replace_and_remove():
    text = authoring.add_segment(blank(), SEGMENT)
    bigger = SEGMENT.model_copy(update={"count": 99})
    text = authoring.replace_segment(text, 1, bigger)
    assert authoring.segment_at(text, 1).count == 99
    text = authoring.remove_item(text, Section.SEGMENTS, 0)
    sc = authoring.validate_text(text).scenario
    assert [s.id for s in sc.segments] == ["retail"]
    with pytest.raises(AuthoringError) as err:
        authoring.remove_item(text, Section.BORROWERS, 0)
    assert err.value.key == "no_such_item"


def test_a_segment_saved_from_its_form_keeps_the_fields_its_author_wrote():
    """An instructor wrote `rho: 0.12` (the default) in a segment; saving the segment from its
    form with a new count dropped that line. Written fields stay; unwritten defaults stay out."""
    text = authoring.add_segment(blank(), SEGMENT)
    hand = text.replace("    pd_annual: 0.04\n", "    pd_annual: 0.04\n    rho: 0.12\n", 1)
    assert authoring.segment_at(hand, 1).rho == 0.12 and "rho: 0.12" in hand
    saved = authoring.replace_segment(hand, 1, authoring.segment_at(hand, 1).model_copy(
        update={"count": 50}))
    piece = authoring.items(saved, Section.SEGMENTS)[1]
    assert piece["rho"] == 0.12 and piece["count"] == 50
    assert "sigma" not in piece  # a default nobody wrote is still left out
    assert authoring.validate_text(saved).scenario is not None


def test_helpers_refuse_text_that_does_not_parse_and_name_the_line():
    broken = blank() + "oops: [\n"
    with pytest.raises(AuthoringError) as err:
        authoring.add_objective(broken, Text(zh="甲", en="a"))
    assert err.value.key == "fix_yaml_first" and "line" in err.value.detail
    with pytest.raises(AuthoringError) as err:
        authoring.add_objective("- a list\n", Text(zh="甲", en="a"))
    assert err.value.key == "not_a_mapping"
    with pytest.raises(AuthoringError) as err:
        authoring.add_borrower_event(blank(), "nobody", ScriptedEvent(month=1, kind="recovery"))
    assert err.value.key == "no_such_item"


def test_helpers_start_an_empty_file():
    text = authoring.add_segment("", SEGMENT)
    assert yaml.safe_load(text)["segments"][0]["id"] == "retail"


def test_items_and_labels_for_the_forms():
    text = authoring.shipped_text("intro")
    borrowers = authoring.items(text, Section.BORROWERS)
    assert borrowers and all("id" in b for b in borrowers)
    label = authoring.item_label(Section.BORROWERS, borrowers[0], "zh")
    assert borrowers[0]["id"] in label and borrowers[0]["company"]["zh"] in label
    assert authoring.items("not: [valid", Section.SEGMENTS) == []


# --- where a case starts -------------------------------------------------------------------
def test_scenario_text_round_trips():
    sc = load_scenario(authoring.shipped_cases()["intro"])
    again = parse_scenario(authoring.scenario_text(sc))
    assert again.content_hash() == sc.content_hash()


def test_the_generator_is_offered_only_when_installed():
    if authoring.generator_available():
        text = authoring.generated_text(7)
        assert authoring.validate_text(text).ok
        assert authoring.generated_text(7) == text  # a seed gives the same case
    else:
        with pytest.raises(AuthoringError) as err:
            authoring.generated_text(7)
        assert err.value.key == "no_generator"
        assert authoring.generator_options() == {}


def test_unknown_shipped_case():
    with pytest.raises(AuthoringError) as err:
        authoring.shipped_text("no_such_case")
    assert err.value.key == "no_such_case"


# --- teaching preview -------------------------------------------------------------------------
def test_the_preview_says_when_the_future_a_class_plays_will_have_no_index():
    """Every trainee plays the case's own seed, and the preview's replications run on other
    seeds: a case the preview said teaches (index 0.48) gave each debrief and the cohort
    dashboard "no index for this future" on that seed. The preview now runs late collection
    and the oracle on it, as the debrief does, and says so in a note, naming the seed."""
    from sim.engine import simulate
    from sim.scenario import load_scenario

    quiet = authoring.validate_text((Path(__file__).parent / "data" / "minimal.yaml").read_text(
        encoding="utf-8").replace("pd_annual: 0.03", "pd_annual: 0.001")).scenario
    played = preview.played_future(quiet)
    late = simulate(quiet, seed=quiet.seed, strategy="late-collection")
    assert played.seed == quiet.seed and played.late_cny == late.loss_cny
    assert not played.has_index
    r = preview.run_preview(quiet, reps=2)
    [note] = [n for n in r.notes if n.code == preview.WarningCode.CLASS_SEED_NO_INDEX]
    assert f"seed ({quiet.seed})" in note.text("en")
    assert f"随机种子（{quiet.seed}）" in note.text("zh")
    kept, _ = preview.from_kept(preview.to_kept(r))  # kept with the draft, read back
    assert kept.notes == r.notes
    # a preview of the first months only says nothing of the whole case's future
    assert not any(n.code == preview.WarningCode.CLASS_SEED_NO_INDEX
                   for n in preview.run_preview(quiet, reps=2, months=6).notes)
    assert preview.played_future(load_scenario(Path(__file__).parents[1] / "scenarios" /
                                               "intro.yaml")).has_index
    assert preview.played_note(preview.played_future(load_scenario(
        Path(__file__).parents[1] / "scenarios" / "intro.yaml"))) == ()


def test_preview_reports_every_baseline_with_intervals_and_progress():
    sc = authoring.validate_text(blank()).scenario
    calls = []
    r = preview.run_preview(sc, reps=4, months=6, progress=lambda d, n: calls.append((d, n)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert r.reps == 4 and r.months == 6 and r.seconds > 0
    assert list(r.baselines) == list(preview.BASELINES)
    for b in r.baselines.values():
        assert b.loss_cny.lo <= b.loss_cny.mean <= b.loss_cny.hi and b.loss_cny.n == 4
        if b.compliance.n:
            assert 0.0 <= b.compliance.mean <= 1.0
    assert r.baselines["do-nothing"].compliance.n == 0  # it is required to check nothing
    late, oracle = (r.baselines[k].loss_cny.mean for k in ("late-collection", "oracle"))
    assert r.headroom_cny.mean == pytest.approx(late - oracle, rel=1e-9, abs=1e-6)
    frame = r.loss_frame()
    assert list(frame["strategy"]) == list(preview.BASELINES)
    assert frame["loss_cny"].tolist() == [b.loss_cny.mean for b in r.baselines.values()]
    assert r.staff.available_hours_month == sc.staff.officers * sc.staff.hours_per_officer_month
    staff = r.staff.frame()  # the staff chart: one row a month, agreeing with the figure
    assert staff["month"].tolist() == list(range(1, 7))
    assert staff["demanded_hours"].mean() == pytest.approx(r.staff.demanded_hours_month.mean)
    assert 1 <= r.difficulty.level <= 5 and r.difficulty.declared == sc.difficulty


def test_preview_repeats_and_does_not_depend_on_the_executor():
    sc = authoring.validate_text(blank()).scenario
    a = preview.run_preview(sc, reps=3, months=4)
    with ThreadPoolExecutor(2) as pool:
        b = preview.run_preview(sc, reps=3, months=4, executor=pool)
    assert a.loss_frame().equals(b.loss_frame())
    assert a.staff == b.staff and a.ew_index == b.ew_index


def test_a_kept_preview_reads_back_figure_for_figure():
    """The preview kept with a draft (to_kept, plain JSON: no NaN, which PostgreSQL's JSON
    refuses) reads back as the same result; what does not read gives nothing, not an error."""
    import json
    import math

    sc = authoring.validate_text(blank()).scenario
    r = preview.run_preview(sc, reps=3, months=4)
    asked = preview.PreviewRequest(sc.content_hash(), 3, 4, 2)
    kept = json.loads(json.dumps(preview.to_kept(r, asked), allow_nan=False))
    back, pending = preview.from_kept(kept)
    assert pending == asked
    assert preview.to_kept(back) == preview.to_kept(r)
    assert back.loss_frame().equals(r.loss_frame()) and back.staff == r.staff
    assert (back.ew_index, back.difficulty, back.warnings, back.notes) == (
        r.ew_index, r.difficulty, r.warnings, r.notes)
    # a figure that is not a number (no checks: no compliance) stays one
    odd = preview.to_kept(r)
    odd["result"]["baselines"]["do-nothing"]["compliance"]["mean"] = "nan"
    assert math.isnan(preview.from_kept(odd)[0].baselines["do-nothing"].compliance.mean)
    for junk in (None, "x", {"version": 0, "result": {}}, {"version": 1, "result": {"a": 1}}):
        assert preview.from_kept(junk) == (None, None)


def test_policy_demand_is_the_hours_of_the_checks_falling_due():
    """Monthly checks of every loan: one first check each, then one routine check a month,
    at the product's hours from sim.defaults; one officer cannot do them, which does not
    change what the policy asks."""
    text = edit(blank(), "staff:\n", "monitoring:\n  interval_months:\n    normal: 1\n"
                "  first_check_days: 30\nstaff:\n")
    text = edit(text, "pd_annual: 0.06", "pd_annual: 0.001")
    sc = authoring.validate_text(text).scenario
    assert sc is not None
    r = preview.run_preview(sc, reps=2, months=6)
    first, routine, _ = defaults.CHECK_HOURS["small_business"]
    n, months = sc.n_loans, 6
    expected = n * (first + (months - 1) * routine) / months
    assert r.staff.demanded_hours_month.mean == pytest.approx(expected, rel=0.05)


def test_a_swamped_case_is_flagged_in_both_languages():
    text = edit(blank(), "hours_per_officer_month: 60", "hours_per_officer_month: 5")
    text = edit(text, "count: 30", "count: 200")
    sc = authoring.validate_text(text).scenario
    r = preview.run_preview(sc, reps=3, months=4)
    assert r.staff.load_share > preview.SWAMPED_LOAD
    codes = [w.code for w in r.warnings]
    assert preview.WarningCode.STAFF_SWAMPED in codes
    w = r.warnings[codes.index(preview.WarningCode.STAFF_SWAMPED)]
    zh, en = w.text("zh"), w.text("en")
    assert "人手" in zh and "swamped" in en
    assert f"{sc.staff.hours_per_officer_month:,.0f}" in en  # the hours available, in words
    # early warning keeps the checks it books, not the case's policy: the warning says both,
    # and does not call 100% "only"
    ew = r.baselines["early-warning"]
    assert ew.policy_compliance.mean < 0.5
    assert w.values["policy_compliance"] == ew.policy_compliance.mean
    assert fmt_pct(ew.policy_compliance.mean, 0) in en and "only 100%" not in en
    assert fmt_pct(ew.policy_compliance.mean, 0) in zh and "贷款月份" in zh
    if ew.compliance.n:  # the checks it booked, as a share
        assert fmt_pct(ew.compliance.mean, 0) in en
    else:  # with 5 hours it books none: said in words, not as "—"
        assert "no routine check" in en and "—" not in en and "排不出" in zh
    assert not r.teaches
    assert r.difficulty.staff == 1.0


def test_a_case_where_nothing_is_avoidable_is_flagged():
    text = edit(blank(), "pd_annual: 0.06", "pd_annual: 0.0001")
    sc = authoring.validate_text(text).scenario
    r = preview.run_preview(sc, reps=3, months=3)
    codes = [w.code for w in r.warnings]
    assert preview.WarningCode.NOTHING_AVOIDABLE in codes
    assert preview.WarningCode.LATE_AS_GOOD not in codes  # one reason, not two
    assert "oracle" in r.warnings[codes.index(preview.WarningCode.NOTHING_AVOIDABLE)].text("en")


def test_no_index_in_the_preview_where_the_debrief_gives_none():
    """A few hundred yuan of headroom on a book of millions: the debrief, the score and the
    dashboard give no index there (sim.scoring.material_index), so the preview, which says
    nothing is avoidable, must not headline one either (it showed 0.98, -0.18 to 2.14)."""
    sc = authoring.validate_text(blank()).scenario
    rng = np.random.default_rng(3)

    def rep(seed: int) -> preview.Replication:
        late = 70_000.0 + rng.normal(0, 20_000)
        oracle = late - 100.0 - rng.uniform(0, 50)  # some 100 yuan avoidable: under the stakes
        losses = {"do-nothing": late * 5, "late-collection": late,
                  "early-warning": oracle + rng.uniform(0, 5), "oracle": oracle}
        return preview.Replication(
            seed=seed, loss_cny=losses, defaults=dict.fromkeys(losses, 2),
            hours=dict.fromkeys(losses, 20.0), compliance=dict.fromkeys(losses, 1.0),
            policy_compliance=dict.fromkeys(losses, 1.0), policy_demand_hours=[3.0] * 12,
            disbursed_cny=3e6)

    r = preview.summarise(sc, [rep(s) for s in range(30)], months=12, seconds=1.0)
    assert preview.WarningCode.NOTHING_AVOIDABLE in [w.code for w in r.warnings]
    assert (r.ew_index, r.ew_index_lo, r.ew_index_hi) == (None, None, None)
    assert "Early-warning index n/a" in preview.report_text(r, "en")
    # where something material is avoidable, the index is there as before
    rich = preview.summarise(sc, [preview.Replication(
        seed=s, loss_cny={"do-nothing": 5e5, "late-collection": 3e5, "early-warning": 2e5,
                          "oracle": 1e5}, defaults=dict.fromkeys(preview.BASELINES, 2),
        hours=dict.fromkeys(preview.BASELINES, 20.0),
        compliance=dict.fromkeys(preview.BASELINES, 1.0),
        policy_compliance=dict.fromkeys(preview.BASELINES, 1.0), policy_demand_hours=[3.0] * 12,
        disbursed_cny=3e6) for s in range(5)], months=12, seconds=1.0)
    assert rich.ew_index == pytest.approx(0.5)


def test_a_headroom_under_the_unit_reads_as_less_than_it_not_zero():
    """400 yuan of headroom read "少损失 0 万元" (40 yuan "loses only CNY 0k less"): a figure
    the sentence says is not zero, shown as zero. It reads "< 0.1 万元" / "< CNY 0.1k"."""
    w = preview.TeachingWarning(preview.WarningCode.NOTHING_AVOIDABLE, {
        "headroom": 400.0, "late": 72_300.0, "stakes": 3_600.0, "share": 0.005})
    zh, en = w.text("zh"), w.text("en")
    assert "少损失 <\u00a00.1\u00a0万元" in zh and "少损失 0\u00a0万元" not in zh
    assert "loses only CNY\u00a00.4k less" in en  # 400 yuan is 0.4k: shown as it is
    small = preview.TeachingWarning(preview.WarningCode.NOTHING_AVOIDABLE, {
        "headroom": 40.0, "late": 72_300.0, "stakes": 3_600.0, "share": 0.0005})
    assert "loses only <\u00a0CNY\u00a00.1k less" in small.text("en")
    assert "7.2\u00a0万元" in zh  # the other figures as before
    assert preview.headroom_text(40.0, "en") == "<\u00a0CNY\u00a00.1k"
    assert preview.headroom_text(0.0, "zh") == "0\u00a0元"  # zero, not a rounded amount
    assert preview.headroom_text(12_700.0, "en") == "CNY\u00a012.7k"


def interval(mean: float, half: float = 0.0) -> preview.Interval:
    return preview.Interval(mean, mean - half, mean + half, 30)


def staff_load(demand: float, available: float = 100.0) -> preview.StaffLoad:
    return preview.StaffLoad(interval(demand), available)


def test_late_as_good_when_early_warning_saves_nothing():
    ws = preview.teaching_warnings(late=interval(1e6), saving=interval(-1e4, 5e3),
                                   headroom=interval(5e5), ew_index=-0.02,
                                   staff=staff_load(50), ew_compliance=1.0, disbursed_cny=1e8)
    assert [w.code for w in ws] == [preview.WarningCode.LATE_AS_GOOD]
    assert "-0.02" in ws[0].text("en")
    teaches = preview.teaching_warnings(late=interval(1e6), saving=interval(3e5, 1e5),
                                        headroom=interval(5e5), ew_index=0.6,
                                        staff=staff_load(50), ew_compliance=1.0,
                                        disbursed_cny=1e8)
    assert teaches == ()


def test_a_tight_policy_is_a_note_and_an_impossible_one_a_warning():
    assert [n.code for n in preview.teaching_notes(staff_load(150))] == [
        preview.WarningCode.TIGHT_POLICY]
    assert preview.teaching_notes(staff_load(80)) == ()
    ws = preview.teaching_warnings(late=interval(1e6), saving=interval(3e5, 1e5),
                                   headroom=interval(5e5), ew_index=0.6,
                                   staff=staff_load(150), ew_compliance=0.5, disbursed_cny=1e8)
    # the hours suffice on average (150% of the policy is a note) but the checks come
    # late: that is said as it is, not as 'swamped' next to figures that say otherwise
    assert [w.code for w in ws] == [preview.WarningCode.CHECKS_LATE]
    assert "bunch up" in ws[0].text("en") and "swamped" not in ws[0].text("en")
    ws = preview.teaching_warnings(late=interval(1e6), saving=interval(3e5, 1e5),
                                   headroom=interval(5e5), ew_index=0.6,
                                   staff=staff_load(250), ew_compliance=0.5, disbursed_cny=1e8)
    assert [w.code for w in ws] == [preview.WarningCode.STAFF_SWAMPED]
    assert preview.WarningCode.TIGHT_POLICY not in [
        n.code for n in preview.teaching_notes(staff_load(250), swamped=True)]
    # a policy two and a half times the hours whose triage works (early warning keeps the
    # checks it books, the lesson shows) teaches setting priorities: a note with its scale,
    # not a failed case (an ordinary 3 officers for 300 loans on quarterly visits)
    ws = preview.teaching_warnings(late=interval(1e6), saving=interval(3e5, 1e5),
                                   headroom=interval(5e5), ew_index=0.7,
                                   staff=staff_load(250), ew_compliance=1.0, disbursed_cny=1e8)
    assert ws == ()
    (note,) = preview.teaching_notes(staff_load(250))
    assert note.code == preview.WarningCode.TIGHT_POLICY and "(2.5 times)" in note.text("en")
    assert "（2.5 倍）" in note.text("zh")
    # an index whose interval reaches zero is a note: the lesson may not show in one play
    notes = preview.teaching_notes(staff_load(80), index_lo=-0.06, index_hi=0.36, index=0.14)
    assert [n.code for n in notes] == [preview.WarningCode.LESSON_UNCLEAR]
    assert "-0.06 to 0.36" in notes[0].text("en")
    assert preview.teaching_notes(staff_load(80), index_lo=0.2, index_hi=0.6, index=0.4) == ()


def test_difficulty_rises_with_staff_load_and_with_what_early_warning_misses():
    sc = authoring.validate_text(blank()).scenario
    easy = preview.difficulty(sc, load_share=0.3, ew_index=0.9)
    tight = preview.difficulty(sc, load_share=1.4, ew_index=0.9)
    hard = preview.difficulty(sc, load_share=1.4, ew_index=0.1)
    assert easy.level <= tight.level <= hard.level and easy.level < hard.level


def test_suggested_months_keep_the_wait_in_budget():
    sc = authoring.validate_text(blank()).scenario
    assert preview.suggested_months(sc) == sc.horizon_months  # a small book: all of it
    big = authoring.validate_text(edit(edit(blank(), "count: 30", "count: 100000"),
                                       "horizon_months: 12", "horizon_months: 60")).scenario
    months = preview.suggested_months(big)
    assert 12 <= months < 60
    assert preview.estimated_seconds(big, preview.DEFAULT_REPS, months) <= \
        preview.estimated_seconds(big, preview.DEFAULT_REPS, 60)


def test_preview_refuses_bad_settings():
    sc = authoring.validate_text(blank()).scenario
    with pytest.raises(ValueError):
        preview.run_preview(sc, reps=0)
    with pytest.raises(ValueError):
        preview.run_preview(sc, reps=2, months=0)


# --- the same preview from the command line -----------------------------------------------------
def test_cli_preview_prints_json_and_refuses_bad_input(capsys, tmp_path):
    import json

    from training.cli import EXIT_BAD_INPUT, EXIT_OK, main

    case = tmp_path / "case.yaml"
    case.write_text(blank(), encoding="utf-8")
    assert main(["preview", str(case), "--reps", "2", "--months", "3", "--json"]) == EXIT_OK
    out = json.loads(capsys.readouterr().out)
    assert list(out["baselines"]) == list(preview.BASELINES)
    assert out["reps"] == 2 and out["months"] == 3 and "load_share" in out["staff"]
    assert main(["preview", str(case), "--months", "13"]) == EXIT_BAD_INPUT
    case.write_text(edit(blank(), "count: 30", "count: 0"), encoding="utf-8")
    assert main(["preview", str(case), "--reps", "2"]) == EXIT_BAD_INPUT
    assert "segments[0].count" in capsys.readouterr().err


def test_cli_preview_report_names_the_warnings(capsys, tmp_path):
    from training.cli import EXIT_OK, main

    case = tmp_path / "swamped.yaml"
    text = edit(blank(), "hours_per_officer_month: 60", "hours_per_officer_month: 5")
    case.write_text(edit(text, "count: 30", "count: 200"), encoding="utf-8")
    assert main(["preview", str(case), "--reps", "2", "--months", "3", "--lang", "zh"]) == EXIT_OK
    out = capsys.readouterr().out
    # the whole report in the language asked, warnings included, the hours in 小时
    # the warnings in words, not their codes (those are for scripts, in --json)
    assert "警告：人手严重不足" in out and "小时" in out and "3 个月" in out
    assert not any(w in out for w in ("WARNING", "loss", "headroom", "replications", " h ",
                                      "staff_swamped", "nothing_avoidable", "late_as_good"))
    assert main(["preview", str(case), "--reps", "2", "--months", "3"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "WARNING: The officers are swamped" in out and "Oracle headroom" in out
    assert "人手" not in out and "staff_swamped" not in out and "3 months" in out
    assert "The case does not teach yet" in out and "The case teaches." not in out
    assert "warning(s)" not in out
    # a shortened run says so, with the fix; one replication gives no interval: refused
    assert "Only the first 3 of the case's 12 months were run" in out and "--months 12" in out
    # ...and its staff figure is of those months, not the case's (a briefing's figure for
    # all of them can differ: the first checks bunch up early)
    assert "Staff: in the 3 months run, the monitoring policy asks" in out
    assert "a figure for all 12 months can differ" in out
    assert main(["preview", str(case), "--reps", "2", "--months", "3", "--lang", "zh"]) == EXIT_OK
    assert "人手：在所运行的 3 个月中" in capsys.readouterr().out
    assert main(["preview", str(case), "--reps", "2", "--months", "12"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Staff: the monitoring policy asks" in out and "months run" not in out
    assert main(["preview", str(case), "--reps", "1"]) == 2
    assert "reps" in capsys.readouterr().err


def test_the_generator_gets_the_chosen_options(monkeypatch):
    """A stand-in generator: the options reach it, and what it draws becomes YAML text."""
    import importlib.machinery
    import sys
    import types

    calls = []
    base = load_scenario(authoring.shipped_cases()["intro"])

    def generate(seed, products=None, shocks=None, staffing=None):
        calls.append((seed, products, shocks, staffing))
        return base.model_copy(update={"id": f"generated-{seed}"})

    fake = types.ModuleType("sim.generate")
    fake.__spec__ = importlib.machinery.ModuleSpec("sim.generate", None)
    fake.generate, fake.SHOCK_KINDS = generate, ("lpr_rise", "recession")
    fake.PRODUCTS, fake.STAFFING_BANDS = ("consumer",), {"short": (0.5, 0.9)}
    monkeypatch.setitem(sys.modules, "sim.generate", fake)
    assert authoring.generator_available()
    assert authoring.generator_options() == {
        "products": ("consumer",), "shocks": ("lpr_rise", "recession"), "staffing": ("short",)}
    text = authoring.generated_text(5, ["consumer"], [], "short")
    assert calls == [(5, ["consumer"], None, "short")]  # no shocks chosen: the generator's pick
    assert authoring.validate_text(text).scenario.id == "generated-5"


def test_a_segment_id_is_taken_once_and_a_stale_pick_picks_nothing():
    """Adding or saving a segment under another segment's id is refused before the case is
    touched (the case would then fail to validate); a picker that hands back a label
    instead of an index (after a rename and undo) picks no segment, it does not crash."""
    text = authoring.add_segment(blank(), SEGMENT)
    with pytest.raises(AuthoringError) as err:
        authoring.add_segment(text, SEGMENT)
    assert err.value.key == "duplicate_id" and SEGMENT.id in err.value.detail
    first = authoring.items(text, Section.SEGMENTS)[0]["id"]
    with pytest.raises(AuthoringError, match="duplicate_id"):
        authoring.replace_segment(text, 1, SEGMENT.model_copy(update={"id": first}))
    # saving a segment under its own id is an edit, not a clash
    assert authoring.replace_segment(text, 1, SEGMENT.model_copy(update={"count": 7}))
    assert authoring.segment_at(text, "sme · SME loans") is None
    assert authoring.segment_at(text, 1).id == SEGMENT.id


def test_a_case_that_links_a_missing_lesson_is_refused_with_the_lessons_there_are():
    """A briefing's lesson link must open a lesson: an unknown id is a problem at its line,
    in the editor as on the command line."""
    text = blank() + "lessons:\n- early-warnings\n"
    got = authoring.validate_text(text)
    assert got.scenario is None
    (problem,) = got.problems
    assert problem.path == "lessons[0]" and problem.line == text.count("\n")
    assert "did you mean 'early-warning'" in problem.message
    assert "是不是 'early-warning'" in problem.text("zh")
    assert authoring.validate_text(blank() + "lessons:\n- early-warning\n").scenario is not None


def test_preview_report_counts_its_warnings_and_months_for_one_and_for_many():
    import dataclasses

    sc = authoring.validate_text(edit(blank(), "hours_per_officer_month: 60",
                                      "hours_per_officer_month: 5")).scenario
    result = preview.run_preview(sc, reps=2, months=1)
    assert len(result.warnings) >= 1
    one = dataclasses.replace(result, warnings=result.warnings[:1])
    two = dataclasses.replace(result, warnings=result.warnings[:1] * 2)
    assert "fix the warning above." in preview.report_text(one, "en")
    assert "fix the 2 warnings above." in preview.report_text(two, "en")
    assert "请先处理上面的警告。" in preview.report_text(one, "zh")
    assert "请先处理上面的 2 条警告。" in preview.report_text(two, "zh")
    assert "2 replications, 1 month," in preview.report_text(one, "en")


def test_a_form_entry_is_refused_only_for_problems_in_what_it_changed():
    """An event after the horizon is refused; the same entry on a case still being written
    (no id, title or briefing yet) is not, since what is missing is elsewhere."""
    from sim.storyline import Recession

    late = Recession(type="recession", month=99, severity=1.0, duration_months=3)
    valid = authoring.blank_text()
    with pytest.raises(authoring.EditBreaksCase) as err:
        authoring.checked_edit(valid, authoring.add_macro_event(valid, late))
    assert [p.path for p in err.value.problems] == ["macro[1].month"]
    early = Recession(type="recession", month=2, severity=1.0, duration_months=3)
    for unfinished in ("", "horizon_months: 12\n"):
        after = authoring.add_macro_event(unfinished, early)
        assert authoring.checked_edit(unfinished, after) == after


def test_the_blank_template_explains_itself_in_both_languages():
    """The blank template opened with English comments only, on the Chinese page too."""
    head = [line for line in authoring.blank_text().splitlines() if line.startswith("#")]
    assert any("空白案例" in line for line in head) and any("Blank case" in line for line in head)
    assert authoring.validate_text(authoring.blank_text()).scenario is not None


@pytest.mark.parametrize("lang, word", [("en", "check"), ("zh", "请核对")])
def test_cli_preview_names_the_cases_cautions_as_validate_does(capsys, tmp_path, lang, word):
    """`bianque preview` is where an author checks a case from the command line too: a
    slip that loads ('retial', an event in the last month) is named there as `validate`
    names it, in the language asked."""
    from training.cli import EXIT_OK, main

    case = tmp_path / "retial.yaml"
    case.write_text(edit(blank(), "industry: manufacturing", "industry: retial"), encoding="utf-8")
    assert main(["preview", str(case), "--reps", "2", "--months", "3", "--lang", lang]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{case}: segments[0].industry: {word}: " in out and "retail_services" in out
    assert main(["validate", str(case), "--lang", lang]) == EXIT_OK
    line = next(x for x in capsys.readouterr().out.splitlines() if "segments[0].industry" in x)
    assert line in out
    # scripts read the JSON as before: its keys, nothing else on stdout
    assert main(["preview", str(case), "--reps", "2", "--months", "3", "--json"]) == EXIT_OK
    __import__("json").loads(capsys.readouterr().out)


@pytest.mark.parametrize("avoidable", [0.0, -333.6, -12_700.0])
def test_the_seed_note_says_nothing_or_more_when_perfect_information_avoids_no_loss(avoidable):
    """A case whose own seed loses nothing to late collection (PD 0.1%) said "even perfect
    information avoids only CNY 0k" / "只能少损失 0 万元", and one where the oracle lost 334
    yuan more read "-CNY 0.3k" in English and "0 万元" in Chinese. The note now says that
    nothing is avoided, or how much more the oracle loses, never an amount shown as 0."""
    note = preview.TeachingWarning(preview.WarningCode.CLASS_SEED_NO_INDEX, {
        "seed": 1.0, "avoidable": avoidable, "stakes": 40_162.4})
    en, zh = note.text("en"), note.text("zh")
    for text in (en, zh):
        assert "0k" not in text.replace("40.2k", "") and "\u00a00\u00a0" not in text, text
        assert " 0\u00a0万元" not in text and "-" not in text, text
    assert "CNY\u00a040.2k" in en and "4.0\u00a0万元" in zh
    if avoidable == 0:
        assert "avoids nothing" in en and "避免不了任何损失" in zh
    else:
        assert "more than late collection" in en and "反而多损失" in zh
        assert preview.headroom_text(-avoidable, "en") in en
        assert preview.headroom_text(-avoidable, "zh") in zh


def test_a_small_negative_headroom_does_not_read_zero():
    """The preview's headroom metric: the oracle losing 40 yuan more on average read
    "0 万元" in Chinese (and -CNY 0k in English); it reads as more than -0.1 of the unit."""
    assert preview.headroom_text(-40.0, "zh") == ">\u00a0-0.1\u00a0万元"
    assert preview.headroom_text(-40.0, "en") == ">\u00a0-CNY\u00a00.1k"
    assert preview.headroom_text(-12_700.0, "en") == "-\u2060CNY\u00a012.7k"
    assert preview.headroom_text(0.0, "en") == "CNY\u00a00"  # zero, not a rounded amount


def test_nothing_avoidable_with_no_headroom_at_all_says_both_lose_the_same():
    """Late collection and the oracle losing the same read "loses only CNY 0k less"."""
    w = preview.TeachingWarning(preview.WarningCode.NOTHING_AVOIDABLE, {
        "headroom": 0.0, "late": 72_300.0, "stakes": 3_600.0, "share": 0.0})
    en, zh = w.text("en"), w.text("zh")
    assert "0k" not in en and " 0\u00a0万元" not in zh
    assert "CNY\u00a072.3k" in en and "7.2\u00a0万元" in zh
    nothing = preview.TeachingWarning(preview.WarningCode.NOTHING_AVOIDABLE, {
        "headroom": -40.0, "late": 0.0, "stakes": 44_600.0, "share": 0.0})
    # seen in a preview: late collection lost nothing, "(whose loss is CNY 0k)"
    assert "(whose loss is CNY\u00a00)" in nothing.text("en")
    assert "（损失 0\u00a0元）" in nothing.text("zh")
