"""Headless Chromium for the companion page: the browser tests and scripts/screenshots.py."""

from __future__ import annotations

import shutil
from pathlib import Path


def headless_chromium(width: int, height: int, profile: Path):
    """Debian's chromium through its chromedriver, headless, with a fresh profile and none of the
    background connections this machine's closed network refuses."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "install Debian's chromium and chromium-driver (bash scripts/setup.sh test)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(driver))
