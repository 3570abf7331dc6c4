"""The desk's controls do what they show, even when the trainee is quicker than a redraw.

A trainee who picks a loan in the alerts inbox and clicks "Open file" before the
page has redrawn sends both in one request: the file that opens must be the loan
shown in the picker, not the one picked before. And a restructuring shows what it
would do to the payment, so a trainee can tell a real cut from none.
"""

from __future__ import annotations

from tests.app.test_app_pages import end_month, live_game, no_exception, start, texts, to_desk


def test_open_file_opens_the_loan_the_alert_picker_shows_even_before_a_redraw():
    from training.report import visible_alerts

    at = to_desk(start(lang="en"))
    g = live_game(at)
    while len(set(visible_alerts(g.alerts())["loan_id"])) < 2 and not g.finished:
        end_month(at)
    at.segmented_control(key="desk_view").set_value("alerts").run()
    no_exception(at)
    inbox = list(dict.fromkeys(int(i) for i in visible_alerts(g.alerts())["loan_id"]))
    pick = at.selectbox(key="alert_pick")
    assert pick.value == inbox[0]
    # the choice and the click arrive together, as from a quick trainee on a busy server
    pick.set_value(inbox[1])
    at.button(key="open_alert_loan").click().run()
    no_exception(at)
    assert at.segmented_control(key="desk_view").value == "loans"
    assert at.selectbox(key="loan_pick").value == inbox[1]


def test_the_restructuring_option_shows_the_payment_cut_it_would_bring():
    at = to_desk(start(lang="en"))
    g = live_game(at)
    loan_id = int(g.loans()["loan_id"].iloc[0])
    at.selectbox(key="loan_pick").set_value(loan_id).run()
    no_exception(at)
    relief = g.relief_terms(loan_id)
    shown = texts(at)
    assert f"−{relief.cut_share:.0%}" in shown, shown
