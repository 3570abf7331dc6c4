"""The debrief's note on each missed warning says what acting on it would have changed."""

from __future__ import annotations

import pandas as pd

from training.debrief import _effects


def test_a_missed_warning_says_what_early_action_was_worth_never_about_zero():
    # loan 0: the reference policy kept it; 1: it lost 30,000 less; 2: it lost the same;
    # 3: it lost 300 yuan less (rounds to nothing in 万元)
    missed = pd.DataFrame({"loan_id": [0, 1, 2, 3], "via": ["offsite", "latent", "offsite",
                                                             "offsite"],
                           "first_warning_month": [2, 3, 4, 5],
                           "loss_cny": [50_000.0, 80_000.0, 40_000.0, 10_300.0]})
    reference = pd.DataFrame({"defaulted": [False, True, True, True],
                              "loss_cny": [0.0, 50_000.0, 40_000.0, 10_000.0]})
    zh, en = _effects(missed, reference)
    assert en[0] == "The reference early-warning policy kept this loan out of default."
    assert en[1] == ("An on-site check in month 3 would have shown it. "
                     "Acting early would have cut the loss by about CNY\u00a030.0k.")
    assert "3.0\u00a0万元" in zh[1] and zh[1].startswith("第3月若做一次现场检查即可发现")
    for k in (2, 3):
        assert "did not avoid this default either" in en[k]
        assert "同样未能避免这笔违约" in zh[k]
        assert "0\u00a0万元" not in zh[k] and "CNY\u00a00" not in en[k]


def test_a_warning_your_own_check_missed_is_not_called_none_done():
    """A busy trainee checked L0061 in months 3 and 7, rushed (67% of the hours), and the
    debrief said 'a check would have shown it (none done)' and 'An on-site check in month 3
    would have shown it': the checks were done, and missed it."""
    missed = pd.DataFrame({"loan_id": [0, 1, 2], "via": ["latent"] * 3,
                           "first_warning_month": [3, 3, 3], "default_month": [11, 11, 11],
                           "loss_cny": [50_000.0] * 3})
    reference = pd.DataFrame({"defaulted": [False] * 3, "loss_cny": [0.0] * 3})
    checks = {0: [1, 3, 7, 11], 1: [5]}  # loan 2: never checked; month 11 is the default's
    zh, en = _effects(missed, reference, checks, quality=0.67)
    assert en[0].startswith("Your checks in months 3, 7 did not catch it: your checks got 67% of the hours")
    assert en[1].startswith("Your check in month 5 did not catch it: your checks got 67%")
    assert en[2].startswith("An on-site check in month 3 would have shown it.")
    assert zh[0].startswith("第3、7月你做了检查，却没有发现：你的检查平均只得到应有工时的67%")
    full_zh, full_en = _effects(missed, reference, checks, quality=1.0)
    assert "rushed" not in full_en[0] and "a check can miss a warning" in full_en[0]
    assert "走过场" not in full_zh[0]


def test_the_debrief_says_what_a_busy_and_an_over_reacting_trainee_did():
    """Counted from the event log: all checks and no step, and recalls of loans that late
    collection never lost, with the interest they stopped paying."""
    from types import SimpleNamespace

    from training import report
    from training.conduct import RECALL_EVENTS, heavy_hand, work_mix

    late = SimpleNamespace(loans=pd.DataFrame({
        "loan_id": [0, 1, 2], "default_month": [-1, -1, 6], "loss_cny": [0.0, 0.0, 30_000.0],
        "interest_cny": [40_000.0, 40_000.0, 5_000.0]}), events=pd.DataFrame(
        {"month": [7], "loan_id": [2], "event": ["action_lawsuit"]}))
    busy = SimpleNamespace(events=pd.DataFrame({
        "month": [1, 2, 3, 4], "loan_id": [0, 0, 1, 2], "event": ["check"] * 4}))
    ew = SimpleNamespace(events=pd.DataFrame({
        "month": [1, 2, 3], "loan_id": [2, 2, 2],
        "event": ["check", "action_add_collateral", "action_collect_call"]}))
    mix, ew_mix = work_mix(busy, late), work_mix(ew, late)
    assert (mix.checks, mix.quiet_checks, mix.actions) == (4, 3, 0)
    assert (ew_mix.checks, ew_mix.actions, ew_mix.loans_acted) == (1, 2, 1)
    d = SimpleNamespace(work={"you": mix, "early-warning": ew_mix}, heavy=None)
    en = report.conduct_lines(d, "en")
    assert en[0] == ("Your officers made 4 checks and took no step that changes a borrower's course "
                     "(securing, restructuring, collecting, recalling); early warning made 1 check and "
                     "took 2 steps of that kind on 1 loan.")
    assert report.conduct_lines(d, "zh")[0] == (
        "你的团队做了 4 次检查，却没有采取任何改变借款人走向的措施（追加担保、重组、催收、提前收回等）；"
        "早期预警做了 1 次检查，对 1 笔贷款采取了 2 项这样的措施。")
    assert en[1].startswith("3 of your checks (75%) went to loans that never defaulted even under late")
    assert en[2].startswith("A check only shows a loan's state; a step changes it.")
    assert len(report.conduct_lines(d, "zh")) == 3

    over = SimpleNamespace(events=pd.DataFrame({
        "month": [2, 2, 3], "loan_id": [0, 1, 1],
        "event": ["action_accelerate", "action_freeze_line", "action_accelerate"]}),
        loans=pd.DataFrame({"loan_id": [0, 1, 2], "default_month": [2, -1, 6],
                            "loss_cny": [20_000.0, 0.0, 30_000.0],
                            "interest_cny": [1_000.0, 3_000.0, 5_000.0]}))
    heavy = heavy_hand(over, late, RECALL_EVENTS)  # as the debrief counts: recalls only
    assert (heavy.loans, heavy.healthy) == (2, 2)
    assert heavy.interest_lost_cny == 76_000.0 and heavy.loss_added_cny == 20_000.0
    d = SimpleNamespace(work={"you": work_mix(over, late), "early-warning": ew_mix}, heavy=heavy)
    zh = report.conduct_lines(d, "zh")
    assert zh == ["你提前收回了 2 笔贷款，其中 2 笔在逾期后催收下从未违约；在这些贷款上，"
                  "你比逾期后催收多损失 2.0\u00a0万元。",
                  "这些贷款付给你的利息也比逾期后催收下少 7.6\u00a0万元：提前收回会立刻终结一笔贷款——"
                  "借款人还不起就违约，还得起就提前还清，此后不再付息。",
                  report.t("conduct.heavy_advice", "zh")]
    assert heavy_hand(busy, late) is None
    assert report.conduct_lines(SimpleNamespace(table=None), "en") == []  # a debrief stored before


def test_rushed_checks_that_also_slipped_are_not_said_to_be_on_time():
    """A busy trainee booked every normal loan for a monthly check (961 h against 135 h):
    the compliance table showed 1% of routine checks on time, and the note below it said
    such a plan 'keeps them on time and rushes them'."""
    from types import SimpleNamespace

    from training import report

    table = pd.DataFrame({"strategy": ["you", "early-warning"], "check_quality": [0.67, 1.0],
                          "compliance": [0.02, 1.0]})
    en = report.check_quality_note(SimpleNamespace(table=table), "en")
    assert "only 2% of the checks due were done on time" in en and "keeps them on time" not in en
    assert "只有 2% 按时完成" in report.check_quality_note(SimpleNamespace(table=table), "zh")
    table["compliance"] = [1.0, 1.0]  # on time, rushed: the note as before
    assert "keeps them on time" in report.check_quality_note(SimpleNamespace(table=table), "en")
