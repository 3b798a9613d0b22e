"""The browser for the end-to-end tests: Debian's Chromium driven by Playwright."""

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.support import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (the test command installs it)")
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls below are sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- optional dependency

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
            # ORM calls made while Playwright runs use connections of their own context: close
            # them here, or one outlives the test and keeps the test database busy.
            connections.close_all()
