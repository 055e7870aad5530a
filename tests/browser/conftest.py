"""Real-browser tests: Debian's chromium driven by Playwright (`make browser-deps` installs both).

They run in the book environment (`.venv-book`), not in the notebook environment, and need no network:
every request that does not go to a file or to the loopback JupyterLab server is aborted and recorded.
Screenshots go to ``$PAPERLAB_SCREENSHOTS`` when it is set (`make screenshots` sets figures/site).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from browserkit import CHROMIUM_ARGS, chromium_path  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            timeout=60_000,
        )
        try:
            yield b
        finally:
            b.close()
