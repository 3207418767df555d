"""A real headless browser for the dashboard's tests: Debian's chromium, driven by selenium
through Debian's chromedriver at its own path (so selenium never tries to download a driver).

`make test` installs both where apt works (`scripts/install-browser`). Without them the
browser tests fail under CI (`CI=true`) and skip, saying why, everywhere else.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("SMS_MOCK_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))

# The flags of a browser on a machine with no network but loopback: no first-run work, no
# background connections that a closed network refuses, /tmp rather than a small /dev/shm.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in a container has no user namespace to sandbox in
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
    "--window-size=1280,1000",
)


def require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if not missing:
        return
    message = (
        f"the dashboard's browser tests need Debian's chromium and chromium-driver "
        f"({', '.join(missing)} missing); `make test` installs them where apt works "
        f"(scripts/install-browser)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(f"SKIPPED LOUDLY: {message}")


@contextmanager
def chromium(downloads: Path) -> Iterator[object]:
    """One headless chromium session, downloading into `downloads`."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium's manager: never look on the web
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="sms-mock-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
