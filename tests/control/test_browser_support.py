"""The browser tests' own rule: without Debian's chromium they fail under CI and skip elsewhere,
saying what is missing and how `make test` installs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import browser


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(browser, "CHROMEDRIVER", tmp_path / "chromedriver")


@pytest.mark.usefixtures("no_browser")
def test_a_missing_browser_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"chromium.*missing.*make test"):
        browser.require_browser()


@pytest.mark.usefixtures("no_browser")
def test_a_missing_browser_skips_loudly_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"SKIPPED LOUDLY.*scripts/install-browser"):
        browser.require_browser()
