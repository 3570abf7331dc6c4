"""The app for the browser tests that need no accounts (self-study mode). A module whose
test signs in defines its own ``server`` fixture with harness.app_server and a setup."""

from __future__ import annotations

import pytest

from tests.e2e.harness import app_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with app_server(tmp_path_factory.mktemp("e2e")) as url:
        yield url
