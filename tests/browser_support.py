"""Headless Chromium for the browser tests: Debian's build, skipped (or failed in CI) without it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
# Screenshots of the runs (git-ignored): the playground card, the share page on a phone.
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# A card the dispatcher delivered (it has the stop button), not the author's preview of it: right
# after switching people, the previous person's messages may still be on the page.
DELIVERED_CARD = '.suggestion-card:has([data-action="card.stop"])'
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if CHROMIUM is None:
    if os.environ.get("SHAREBOT_REQUIRE_BROWSER") == "1":
        pytest.fail("SHAREBOT_REQUIRE_BROWSER=1 but no Chromium is installed", pytrace=False)
    pytest.skip("no Chromium installed (apt-get install chromium)", allow_module_level=True)

if TYPE_CHECKING:
    from playwright.async_api import async_playwright as async_playwright
else:
    async_playwright = pytest.importorskip("playwright.async_api").async_playwright
