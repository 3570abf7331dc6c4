"""training.loss_sources: the loans that made the difference, their gaps adding up to the total."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.engine import Simulation, simulate
from sim.scenario import load_scenario
from training import report
from training.loss_sources import Timeline, gap_parts, lesson, loss_sources, timeline

ROOT = Path(__file__).resolve().parents[1]


def run(loss: dict[int, float], default: dict[int, int], events: list[tuple] = (), signals: list[tuple] = ()):
    """A tiny run result with the engine's documented frames."""
    ids = sorted(loss)
    return SimpleNamespace(
        loans=pd.DataFrame({"loan_id": ids, "loss_cny": [loss[i] for i in ids],
                            "default_month": [default.get(i, -1) for i in ids]}),
        events=pd.DataFrame(list(events), columns=["month", "loan_id", "event", "amount_cny"]),
        signals=pd.DataFrame(list(signals), columns=["month", "loan_id", "signal"]),
        loss_cny=sum(loss.values()))


def tl(**kw) -> Timeline:
    base = {"signals": (), "actions": (), "checks": 0, "default_month": None, "lawsuit_month": None,
            "recovered_cny": 0.0, "loss_cny": 0.0}
    return Timeline(**{**base, **kw})


@pytest.mark.parametrize(("strategy", "seed"), [("early-warning", 2), ("do-nothing", 5), ("oracle", 3)])
def test_per_loan_gaps_add_up_to_the_total_gap_and_are_sorted(strategy, seed):
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    you, late = simulate(sc, seed=seed, strategy=strategy), simulate(sc, seed=seed, strategy="late-collection")
    src = loss_sources(you, late, max_loans=5)
    assert src.total_gap_cny == pytest.approx(you.loss_cny - late.loss_cny)
    assert sum(g.gap_cny for g in src.loans) + src.other_gap_cny == pytest.approx(src.total_gap_cny)
    gaps = [g.gap_cny for g in src.loans]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) <= 5
    # the table shows the same figures (in 万元) and ends with the total
    table = report.loss_sources_table(src, {g.loan_id: (f"L{g.loan_id + 1:04d}", "") for g in src.loans}, "zh")
    column = table["与逾期后催收的差额(万元)"]
    assert column.iloc[-1] == pytest.approx(src.total_gap_cny / 1e4, abs=0.051)
    assert column.iloc[:-1].sum() == pytest.approx(src.total_gap_cny / 1e4, abs=0.06 * len(column))


def test_a_timeline_reads_signals_once_actions_lawsuit_and_recoveries_from_the_run():
    r = run({0: 100.0}, {0: 5}, events=[
        (3, 0, "action_restructure", 5000.0), (3, 0, "check", 0.0), (6, 0, "action_lawsuit", 900.0),
        (9, 0, "auction_sold_round1", 40_000.0), (10, 0, "judgment_enforced", 2_000.0)],
        signals=[(2, 0, "turnover_drop"), (4, 0, "turnover_drop"), (4, 0, "tax_arrears")])
    t = timeline(r, 0)
    assert t.signals == ((2, "turnover_drop"), (4, "tax_arrears"))
    assert t.actions == ((3, "restructure"), (6, "lawsuit"))
    assert (t.checks, t.default_month, t.lawsuit_month) == (1, 5, 6)
    assert t.recovered_cny == pytest.approx(42_000.0)


@pytest.mark.parametrize(("you", "base", "key"), [
    (tl(default_month=10, lawsuit_month=12, loss_cny=9.0), tl(default_month=10, lawsuit_month=11, loss_cny=1.0),
     "sued_later"),
    (tl(default_month=10, loss_cny=9.0), tl(default_month=10, lawsuit_month=11, loss_cny=1.0), "never_sued"),
    (tl(default_month=8, signals=((2, "a"), (4, "b"), (6, "c")), loss_cny=9.0), tl(loss_cny=0.0),
     "never_checked"),
    (tl(default_month=8, checks=2, actions=((5, "restructure"),), loss_cny=9.0), tl(loss_cny=0.0),
     "restructured_then_defaulted"),
    (tl(actions=((3, "add_collateral"),)), tl(default_month=7, loss_cny=5.0), "saved_by"),
])
def test_each_loan_gets_the_lesson_that_explains_its_gap(you, base, key):
    found = lesson(you, base)
    assert found.key == key
    for lang in ("zh", "en"):
        text = report.lesson_text(found, lang)
        assert text and "{" not in text and "loss.lesson" not in text
        assert "add_collateral" not in text and "restructure" not in text  # names, not ids


def test_a_saved_loan_is_credited_to_the_step_that_changed_its_course_not_to_monitoring():
    """A trainee put a borrower on closer monitoring in month 1 and asked for collateral in
    month 3; the debrief said month 1's closer monitoring kept the loan out of default,
    though checks only show a loan's state (seen playing review_meeting)."""
    you = tl(actions=((1, "closer_monitoring"), (2, "onsite_check"), (3, "add_collateral")))
    found = lesson(you, tl(default_month=7, loss_cny=5.0))
    assert (found.key, found.values) == ("saved_by", {"action": "add_collateral", "month": 3})
    watched = lesson(tl(actions=((1, "closer_monitoring"),)), tl(default_month=7, loss_cny=5.0))
    assert watched.key == "saved"  # no step of its own to name


def test_never_checked_counts_the_alerts_and_sued_later_the_months():
    found = lesson(tl(default_month=8, signals=((2, "a"), (4, "b"), (6, "c")), loss_cny=9.0), tl())
    assert report.lesson_text(found, "en") == "Never checked despite 3 alerts."
    later = lesson(tl(default_month=10, lawsuit_month=12, loss_cny=9.0), tl(default_month=10, lawsuit_month=10))
    assert report.lesson_text(later, "en").startswith("Sued 2 months after late collection")


def test_against_early_warning_the_debrief_says_what_was_lost_and_what_it_did():
    """A trainee who waits for defaults reads, in words, that late collection lost as much
    and early warning less, and on each loan of the gap which step early warning took."""
    sc = load_scenario(ROOT / "scenarios" / "intro.yaml")
    you, late, ew = (simulate(sc, seed=7, strategy=s)
                     for s in ("late-collection", "late-collection", "early-warning"))
    table = pd.DataFrame({"strategy": ["you", "late-collection", "early-warning"],
                          "loss_cny": [you.loss_cny, late.loss_cny, ew.loss_cny]})
    d = SimpleNamespace(table=table)
    assert ew.loss_cny < you.loss_cny  # the case teaches: acting early loses less
    zh, en = report.verdict_text(d, "zh"), report.verdict_text(d, "en")
    assert "与只在逾期 90 天后才催收（逾期后催收）损失相同" in zh and "早期预警比你少损失" in zh
    assert "late collection" in en and "lost CNY" in en and "less than you" in en
    src = loss_sources(you, ew)
    assert src.total_gap_cny == pytest.approx(you.loss_cny - ew.loss_cny)
    names = {g.loan_id: (f"L{g.loan_id + 1:04d}", "") for g in src.loans}
    table = report.loss_sources_table(src, names, "en", "early-warning")
    assert "Gap to early warning (CNY k)" in table.columns
    lessons = [report.lesson_text(g.lesson, "en", "early-warning") for g in src.loans]
    assert any(text.startswith("Early warning took") for text in lessons)
    assert not any("late collection" in text for text in lessons)


def test_a_loan_the_reference_kept_names_the_step_it_took():
    you = tl(signals=((2, "turnover_drop"),), checks=1, default_month=8, loss_cny=50_000.0)
    base = tl(signals=((2, "turnover_drop"),), checks=4,
              actions=((3, "onsite_check"), (4, "collect_call"), (5, "add_collateral"), (6, "collect_call"),
                       (7, "restructure"), (9, "collect_call")))
    found = lesson(you, base)
    assert found.key == "base_acted"
    # every step it took before your default, each once, not only the first (a call alone saves nothing)
    assert report.lesson_text(found, "zh", "early-warning") == \
        "在你手中于第 8 月违约；早期预警从第 4 月起做了“电话催收”、“追加抵押或保证人”、“展期或重组”，这笔贷款没有违约。"
    assert report.lesson_text(found, "en", "early-warning") == (
        'Defaulted in month 8 under you; early warning took "Collection call", "Additional collateral or '
        'guarantor", "Extension or restructuring" from month 4 on and the loan did not default.')


def test_a_loan_you_lost_less_on_names_the_steps_you_took():
    you = tl(actions=((12, "restructure"), (13, "collect_call")), loss_cny=10_000.0)
    base = tl(actions=((13, "collect_call"),), loss_cny=15_000.0)
    found = lesson(you, base)
    assert found.key == "you_acted_less"
    assert report.lesson_text(found, "zh") == "你从第 12 月起做了“展期或重组”，逾期后催收没有做；你在这笔上损失更少。"


def test_a_loan_neither_side_acted_on_points_to_the_other_loans():
    """Generated case 5: early warning lost 185 万元 less on L0038 with nothing but on-site
    checks there, which only reveal; the lesson read 'you lost more on this loan'."""
    you = tl(signals=((4, "guarantor_trouble"), (10, "payment_late")), loss_cny=2_058_000.0)
    base = tl(signals=((4, "guarantor_trouble"),), checks=8,
              actions=((1, "onsite_check"), (4, "onsite_check")), loss_cny=208_000.0)
    found = lesson(you, base)
    assert found.key == "other_loans"
    text = report.lesson_text(found, "en", "early-warning")
    assert text.startswith("Neither side took an action on this loan (early warning checked it 8 times, you 0")
    assert "other loans" in text
    assert lesson(base, you).key == "other_loans"  # the same when you lost less


def test_a_recall_that_pushed_a_loan_into_default_is_named_as_the_cause():
    """An over-reacting trainee recalled loans at the first warning: the lesson read 'defaulted
    in month 9 under you, but not under late collection', which left the recall unnamed."""
    you = tl(signals=((8, "turnover_drop"),), checks=5, actions=((9, "accelerate"), (10, "lawsuit")),
             default_month=9, lawsuit_month=10, loss_cny=218_000.0)
    found = lesson(you, tl())
    assert found.key == "pushed"
    assert report.lesson_text(found, "zh") == (
        "你在第 9 月的“提前收回贷款”使这笔贷款在第 9 月违约；在逾期后催收下它没有违约。")
    assert report.lesson_text(found, "en").startswith(
        'Your "Accelerate (recall the loan early)" in month 9 pushed this loan into default in month 9; '
        "under late collection it did not default.")
    # the reference defaulted too, but later: the recall brought the default forward
    sooner = lesson(you, tl(default_month=12, lawsuit_month=13, loss_cny=100_000.0))
    assert sooner.key == "pushed_sooner"
    assert "held out until month 12" in report.lesson_text(sooner, "en", "early-warning")
    # a recall after the default is a workout step, not the cause
    late_recall = tl(actions=((10, "accelerate"),), default_month=9, loss_cny=9.0)
    assert lesson(late_recall, tl()).key != "pushed"


def test_recovering_less_names_what_the_reference_secured_before_the_default():
    """L0151 of rising_lpr: 'Recovered CNY 87.3k less than early warning.' said nothing a
    trainee could do; early warning had taken extra collateral in month 11, before the
    default in month 22."""
    you = tl(checks=5, actions=((23, "lawsuit"),), default_month=22, lawsuit_month=23,
             recovered_cny=52_600.0, loss_cny=295_900.0)
    base = tl(checks=2, actions=((10, "onsite_check"), (11, "add_collateral"), (21, "collect_call"),
                                 (23, "lawsuit"), (24, "auction")),
              default_month=22, lawsuit_month=23, recovered_cny=139_900.0, loss_cny=215_400.0)
    found = lesson(you, base)
    assert found.key == "recovered_less_after"
    en = report.lesson_text(found, "en", "early-warning")
    assert en.startswith('Recovered CNY\u00a087.3k less than early warning, which took "Additional collateral or '
                         'guarantor", "Collection call" from month 11 on, before the default')
    assert "auction" not in en.lower()  # its steps after the default are not the lesson
    assert "第 11 月起做了“追加抵押或保证人”、“电话催收”" in report.lesson_text(found, "zh", "early-warning")
    # nothing done before the default: the plain line stays
    bare = tl(actions=((23, "lawsuit"), (24, "auction")), default_month=22, lawsuit_month=23,
              recovered_cny=139_900.0, loss_cny=215_400.0)
    assert lesson(you, bare).key == "recovered_less"


def parts_of(owed=0.0, recovered=0.0, cured=0.0, ahead=0.0) -> dict:
    """A timeline's loss in parts (training.loss_sources.Parts), with its loss to match."""
    from training.loss_sources import Parts
    p = Parts(owed, recovered, cured, ahead)
    return {"parts": p, "loss_cny": p.loss_cny}


def test_a_guarantor_that_defaulted_only_under_you_is_the_reason_named():
    """guarantee_chain: loans whose guarantor defaulted under the trainee only read "You lost
    more on this loan"; the guarantee chain is what happened, read from the guarantor's
    default month in each run."""
    you = tl(default_month=14, guarantor_id=0, guarantor_default=9, **parts_of(owed=900_000.0))
    base = tl(guarantor_id=0, **parts_of(ahead=20_000.0))
    found = lesson(you, base)
    assert found.key == "guarantor_defaulted"
    found = type(found)(found.key, {**found.values, "guarantor": "L0001"})
    assert "guarantor's loan L0001 defaulted in month 9 under you, and not under early warning" \
        in report.lesson_text(found, "en", "early-warning")
    assert "保证人贷款 L0001 在你手中于第 9 月违约" in report.lesson_text(found, "zh", "early-warning")
    # the guarantor defaulted later than this loan: not the cause
    after = tl(default_month=5, guarantor_id=0, guarantor_default=9, **parts_of(owed=900_000.0))
    assert not lesson(after, base).key.startswith("guarantor")
    # the guarantor defaulted under both, sooner under the reference: not the cause either
    both = tl(guarantor_id=0, guarantor_default=4, **parts_of(ahead=20_000.0))
    assert not lesson(you, both).key.startswith("guarantor")


def test_a_loan_it_guarantees_that_defaulted_only_under_you_is_the_reason_named():
    """The guarantee chain's main channel: a loan this borrower guarantees defaulted under
    the trainee only, and the bank called this guarantor to pay (代偿). The claim is named
    before the lost guarantee when both happened."""
    you = tl(default_month=14, backed_id=3, backed_default=9, guarantor_id=0,
             guarantor_default=10, **parts_of(owed=900_000.0))
    base = tl(**parts_of(ahead=20_000.0))
    found = lesson(you, base)
    assert found.key == "backed_defaulted"
    found = type(found)(found.key, {**found.values, "backed": "L0004"})
    assert "A loan it guarantees, L0004, defaulted in month 9 under you, and not under early " \
        "warning: the bank then calls the guarantor to pay" in \
        report.lesson_text(found, "en", "early-warning")
    assert "它担保的贷款 L0004 在你手中于第 9 月违约" in report.lesson_text(found, "zh", "early-warning")
    sooner = lesson(you, tl(backed_id=3, backed_default=12, **parts_of(ahead=20_000.0)))
    assert sooner.key == "backed_defaulted_sooner" and sooner.values["base_default"] == 12
    # the loan it guarantees defaulted after this one: not the cause
    after = tl(default_month=5, backed_id=3, backed_default=9, **parts_of(owed=900_000.0))
    assert not lesson(after, base).key.startswith("backed")


def test_the_claim_lesson_names_the_guaranteed_loan_by_its_number():
    """loss_sources reads, for each listed loan, the loans it guarantees from the
    portfolio's guarantor links; a claim lesson names the first to default by its loan
    number, as the desk shows it."""
    sc = load_scenario(ROOT / "scenarios" / "guarantee_chain.yaml")
    pf = Simulation(sc, seed=404).pf
    you, base = (simulate(sc, seed=404, strategy=s) for s in ("early-warning", "oracle"))
    src = loss_sources(you, base, max_loans=40, guarantor=pf.guarantor, label=pf.label)
    claims = [g for g in src.loans if g.lesson.key.startswith("backed_defaulted")]
    assert claims, [g.lesson.key for g in src.loans]
    for g in claims:
        backed = g.lesson.values["backed_id"]
        assert pf.guarantor[backed] == g.loan_id
        assert g.lesson.values["backed"] == pf.label(backed)
        assert g.you.backed_default == int(you.loans.set_index("loan_id").loc[backed, "default_month"])


def test_a_loan_still_owed_at_the_end_names_the_restructuring_and_the_parts_add_up():
    """A restructuring that stretched the repayment leaves the loan on the books at the end,
    where the reference's was repaid: the loss still expected on it is the whole gap."""
    you = tl(actions=((2, "restructure"),), status_end="active", balance_end_cny=38_000_000.0,
             **parts_of(ahead=210_000.0))
    base = tl(status_end="closed", **parts_of())
    found = lesson(you, base)
    assert found.key == "owed_at_end_after"
    assert found.values["amount_cny"] == pytest.approx(210_000.0)
    en = report.lesson_text(found, "en", "late-collection")
    assert "owing CNY\u00a038,000k (under late collection: repaid)" in en
    assert '"Extension or restructuring" in month 2' in en


def test_the_amounts_said_are_parts_of_the_gap_that_add_up_to_it():
    """Recovered less is the difference of the discounted recoveries, one part of the gap;
    the line beside it says the rest, so the figures add up to the gap."""
    from training.loss_sources import LoanGap
    you = tl(default_month=6, recovered_cny=0.0, **parts_of(owed=2_936_000.0))
    base = tl(default_month=23, recovered_cny=965_000.0,
              actions=((4, "add_collateral"), (25, "lawsuit")),
              **parts_of(owed=2_087_000.0, recovered=868_000.0))
    found = lesson(you, base)
    assert found.key == "recovered_less_after"
    assert found.values["amount_cny"] == pytest.approx(868_000.0)  # discounted, not 965k
    gap = LoanGap(0, you, base, found)
    split = gap_parts(you, base)
    assert sum(split.values()) == pytest.approx(gap.gap_cny)
    en = report.reason_text(gap, "en", "early-warning")
    assert "You lost CNY\u00a01,717k more than early warning on this loan: recovered " \
           "CNY\u00a0868.0k less; owed CNY\u00a0849.0k more at default." in en
    zh = report.reason_text(gap, "zh", "early-warning")
    assert "你在这笔贷款上比早期预警多损失 171.7\u00a0万元，其中：少回收 86.8\u00a0万元；" \
           "违约时多欠 84.9\u00a0万元。" in zh
    # owing more at default is the larger part: the reason says so, with the earlier default
    sooner = tl(default_month=6, **parts_of(owed=4_000_000.0))
    found = lesson(sooner, tl(default_month=23, **parts_of(owed=2_087_000.0, recovered=100_000.0)))
    assert found.key == "owed_more_sooner"
    assert "Defaulted in month 6 under you, under late collection only in month 23" in \
        report.lesson_text(found, "en")


def test_a_loan_you_lost_less_on_says_so_without_a_minus_sign():
    """A negative gap (you lost less than the reference) is said as the trainee reads it:
    "You lost ... less", with the amount unsigned, and the parts still add up to it."""
    from training.loss_sources import LoanGap
    you = tl(default_month=20, recovered_cny=9_000_000.0,
             **parts_of(owed=10_000_000.0, recovered=8_000_000.0))
    base = tl(default_month=6, **parts_of(owed=14_000_000.0, recovered=1_341_000.0))
    gap = LoanGap(0, you, base, lesson(you, base))
    assert gap.gap_cny == pytest.approx(-10_659_000.0)
    assert sum(gap_parts(you, base).values()) == pytest.approx(gap.gap_cny)
    en = report.reason_text(gap, "en")
    assert "You lost CNY\u00a010,659k less than late collection on this loan: " \
           "recovered CNY\u00a06,659k more; owed CNY\u00a04,000k less at default." in en
    assert "-CNY" not in en and "gap of" not in en
    zh = report.reason_text(gap, "zh")
    assert "你在这笔贷款上比逾期后催收少损失 1,066\u00a0万元，其中：多回收 665.9\u00a0万元；" \
           "违约时少欠 400.0\u00a0万元。" in zh
    assert "-" not in zh


def test_a_loan_whose_reason_only_says_who_lost_more_says_it_once_with_the_amount():
    """The hurried play of guarantee_chain read "You lost less on this loan. You lost
    CNY 1,707k less than early warning on this loan, all of it from this: ...": the
    generic reason and the parts line said the same thing twice."""
    from training.loss_sources import Lesson, LoanGap
    you = tl(**parts_of(ahead=1_000_000.0))
    base = tl(actions=((9, "restructure"),), **parts_of(ahead=2_707_000.0))
    gap = LoanGap(0, you, base, Lesson("lost_less", {}))
    en = report.reason_text(gap, "en", "early-warning")
    assert en == ("You lost CNY\u00a01,707k less than early warning on this loan: "
                  "CNY\u00a01,707k less loss still expected at the end.")
    zh = report.reason_text(gap, "zh", "early-warning")
    assert zh.startswith("你在这笔贷款上比早期预警少损失 170.7\u00a0万元") and "你在这笔上" not in zh


@pytest.mark.parametrize(("gap_cny", "en", "zh"), [
    (-1_707_000.0, "you lost CNY\u00a01,707k less", "你少损失 170.7\u00a0万元"),
    (11_228_000.0, "you lost CNY\u00a011,228k more", "你多损失 1,123\u00a0万元"),
    (30.0, "about the same loss", "损失大致相同"),
])
def test_a_loan_heading_says_the_gap_in_words_not_a_signed_figure(gap_cny, en, zh):
    """The headings under the gap table read "L0003 · Hengfeng · -CNY 1,707k"."""
    gap = SimpleNamespace(gap_cny=gap_cny)
    assert report.gap_title("L0003", "Hengfeng", gap, "en") == f"L0003 · Hengfeng · {en}"
    assert report.gap_title("L0003", "恒丰", gap, "zh") == f"L0003 · 恒丰 · {zh}"
    assert "-" not in report.gap_title("L0003", "恒丰", gap, "zh")
