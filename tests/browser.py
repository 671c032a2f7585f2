"""Headless Chromium (Debian's) driven by Playwright, watching what a page loads and logs."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these, Chromium reaches out for updates, sync and field trials at start.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = {"data", "blob", "about"}


@dataclass
class Watched:
    page: Page
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def outside(self, base: str) -> list[str]:
        """Requests that went anywhere but the server under test."""
        host = urlsplit(base).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).netloc != host
        ]


@contextmanager
def browser_page(width: int = 1280, height: int = 900) -> Iterator[Watched]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET_FLAGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            watched = Watched(page)

            def on_request(request: Request) -> None:
                watched.requests.append(request.url)

            def on_console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    watched.console_errors.append(message.text)

            page.on("request", on_request)
            page.on("console", on_console)
            page.on("pageerror", lambda error: watched.console_errors.append(str(error)))
            yield watched
            context.close()
        finally:
            browser.close()
