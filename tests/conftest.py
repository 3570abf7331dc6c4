"""Shared across the whole suite."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Streamlit's test runner installs the script it ran as ``__main__`` and leaves it
    there. A process pool started later in the same pytest worker would then re-run
    that page in every child. Put the real ``__main__`` back after each test."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(autouse=True, scope="session")
def _one_script_cache():
    """AppTest gives every run a new ScriptCache, so each run compiled app.py and the page
    it opens again, with Streamlit's magic rewrite of their syntax trees: about 0.1 s a run,
    over thousands of runs in the suite. The app's server keeps one cache for its life; the
    files do not change while the tests run, so one cache serves every test here too."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    made = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    yield
    app_test.ScriptCache, local_script_runner.ScriptCache = made
