"""The server's log on a training centre's Monday: starting the app and opening it writes
no warning that reads like a fault (the IT person watching the log has nothing to chase)."""

from __future__ import annotations

from tests.e2e.harness import MARKS, accounts_setup, app_server, chromium, idle, new_page

pytestmark = MARKS


def test_starting_the_app_and_opening_it_logs_no_fault(tmp_path):
    from playwright.sync_api import expect

    with app_server(tmp_path, accounts_setup(("ann", "trainee", "Ann"))) as url, \
            chromium("e2e_server_log") as browser:
        page = new_page(browser)
        page.goto(url + "/?lang=en")
        expect(page.locator(".st-key-signin_username input")).to_be_visible()
        idle(page)
    log = (tmp_path / "streamlit.log").read_text()
    # Streamlit's cache decorators ran before its runtime existed (app_pages.__init__)
    assert "No runtime found" not in log
    assert "Traceback" not in log and "ERROR" not in log, log
