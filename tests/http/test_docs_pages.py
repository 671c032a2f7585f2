"""/docs and /redoc in a real browser: they render, work, and load nothing from outside."""

import re
from pathlib import Path

import httpx
import pytest

from tests.browser import browser_page
from tests.servers import serving

EXTERNAL_URL = re.compile(r"(https?:)?//[^\s\"'<>]+")


def _screenshot_dir() -> Path:
    folder = Path("test-output") / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_pages_name_no_external_host(database_url: str) -> None:
    with serving(database_url) as server:
        for path in ("/docs", "/redoc"):
            page = httpx.get(server.url + path, timeout=30)
            assert page.status_code == 200
            assert not EXTERNAL_URL.findall(page.text), (path, EXTERNAL_URL.findall(page.text))
            policy = page.headers["content-security-policy"]
            sources = re.findall(r"(?:https?:)?//\S+", policy)
            assert not sources, policy
            assert "script-src 'self';" in policy


def test_swagger_ui_lists_operations_and_tries_one(database_url: str) -> None:
    with serving(database_url) as server, browser_page() as watched:
        page = watched.page
        page.goto(server.url + "/docs")
        page.wait_for_selector(".opblock", timeout=60_000)
        assert page.locator(".opblock").count() >= 20
        operation = page.locator("#operations-trade-turnover")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator("input[placeholder='a']").fill("AZ")
        operation.locator("input[placeholder='b']").fill("KZ")
        operation.locator("input[placeholder='period']").fill("2018-01/2018-09")
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tbody .response-col_status").first
        status.wait_for(timeout=60_000)
        assert status.inner_text().strip().startswith("200")
        body = operation.locator(".live-responses-table .microlight").first.inner_text()
        assert '"growth"' in body
        assert "65.6" in body
        page.screenshot(path=_screenshot_dir() / "swagger-ui.png", full_page=False)
        assert watched.outside(server.url) == []
        assert watched.console_errors == []


def test_redoc_renders_the_reference(database_url: str) -> None:
    with serving(database_url) as server, browser_page() as watched:
        page = watched.page
        page.goto(server.url + "/redoc")
        page.wait_for_selector("[data-section-id^='tag/trade']", timeout=60_000, state="attached")
        page.locator("h2", has_text="Trade turnover of a and b").first.wait_for(timeout=60_000)
        page.screenshot(path=_screenshot_dir() / "redoc.png", full_page=False)
        assert watched.outside(server.url) == []
        assert watched.console_errors == []


@pytest.mark.anyio
async def test_only_the_docs_assets_are_served_as_files(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/docs/swagger-init.js")).status_code == 200
    for path in ("dashboard/dashboard.html", "dashboard/dashboard.js", "../docs.py"):
        assert (await client.get(f"/static/docs/{path}")).status_code == 404, path
