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
                     "Acting early would have cut the loss by about CNY 30.0k.")
    assert "3.0 万元" in zh[1] and zh[1].startswith("第3月若做一次现场检查即可发现")
    for k in (2, 3):
        assert "did not avoid this default either" in en[k]
        assert "同样未能避免这笔违约" in zh[k]
        assert "0 万元" not in zh[k] and "CNY 0" not in en[k]
