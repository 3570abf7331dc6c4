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
