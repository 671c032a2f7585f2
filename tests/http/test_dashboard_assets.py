"""What the dashboard needs from the server: its page and assets, served whole, and the
country lists its pickers read from the public API."""

import gzip
import re
from typing import Any

import httpx
import pytest

from app.api import dashboard
from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

ASSET = re.compile(r'(?:src|href)="(/dashboard/assets/[^"]+)"')


async def _assets(client: httpx.AsyncClient) -> list[str]:
    page = await client.get("/dashboard")
    assert page.status_code == 200
    return ASSET.findall(page.text)


async def test_root_leads_to_the_dashboard(client: httpx.AsyncClient) -> None:
    answer = await client.get("/")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/dashboard"


async def test_the_page_names_only_assets_the_server_holds(client: httpx.AsyncClient) -> None:
    page = await client.get("/dashboard?a=AZ&b=KZ&period=2018-01/2018-09")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "https://" not in page.text
    assert "http://" not in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self'" in policy
    assert "unsafe" not in policy
    names = ASSET.findall(page.text)
    assert len(names) == 4  # plotly.js, its rules, the page's script and stylesheet
    for name in names:
        answer = await client.get(name, headers={"Accept-Encoding": "identity"})
        assert answer.status_code == 200, name
        assert answer.headers["cache-control"] == dashboard.IMMUTABLE
        assert "content-encoding" not in answer.headers
        assert b"https://cdn" not in answer.content or name.endswith(".min.js")


async def test_the_chart_library_is_the_plotly_wheels_bundle_gzipped_once(
    client: httpx.AsyncClient,
) -> None:
    [bundle] = [name for name in await _assets(client) if name.endswith(".min.js")]
    plain = await client.get(bundle, headers={"Accept-Encoding": "identity"})
    packed = await client.get(bundle, headers={"Accept-Encoding": "gzip"})
    assert plain.content == dashboard.plotly_bundle_path().read_bytes()
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    compressed = int(packed.headers["content-length"])
    assert compressed < len(plain.content) / 2
    # Decoded once, by httpx: the server did not compress an already compressed body.
    assert packed.content == plain.content
    again = await client.get(bundle, headers={"If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304


async def test_plotlys_rules_come_as_a_stylesheet(client: httpx.AsyncClient) -> None:
    names = await _assets(client)
    [rules] = [name for name in names if name.startswith("/dashboard/assets/plotly-")
               and name.endswith(".css")]  # fmt: skip
    css = (await client.get(rules)).text
    assert ".js-plotly-plot .plotly .main-svg{" in css
    assert ".plotly-notifier" in css
    assert "X" not in re.sub(r"\{[^}]*\}", "", css)  # every selector template expanded


def test_every_injected_style_of_the_bundle_is_guarded() -> None:
    """The bundle skips an inline <style> whose id is already on the page: each one the
    bundle would add is on ours, and the browser test sees no refused style."""
    found = dashboard.assets()
    bundle = dashboard.plotly_bundle_path().read_text(errors="replace")
    injected = bundle.count('=document.createElement("style")')
    # plotly's own rule injector plus one per guarded id.
    assert injected == 1 + len(found.injected_style_ids)
    page = dashboard.page_html()
    for guard in found.injected_style_ids:
        assert f'id="{guard}"' in page


async def test_an_unknown_asset_is_a_problem(client: httpx.AsyncClient) -> None:
    answer = await client.get("/dashboard/assets/plotly-0000.min.js")
    assert_problem(answer, 404)
    assert "open /dashboard" in answer.json()["detail"]


async def _codes(client: httpx.AsyncClient, **params: str) -> list[str]:
    answer = await client.get("/v1/countries", params={"limit": "1000", **params})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return [country["alpha2"] for country in body["data"]]


async def test_countries_with_data_and_their_partners(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    assert await _codes(client, with_data="true") == ["AZ", "KZ"]
    assert await _codes(client, trades_with="KZ") == ["AZ"]
    assert len(await _codes(client)) > 200
    figure = {**SAMPLE_FIGURE, "partner": "GE", "statement": "A made-up figure."}
    written = await client.post("/v1/observations", json=figure, headers=auth)
    assert written.status_code == 201, written.text
    assert await _codes(client, with_data="true") == ["AZ", "GE", "KZ"]
    assert await _codes(client, trades_with="AZE") == ["GE", "KZ"]
    assert await _codes(client, trades_with="GE") == ["AZ"]
    csv = await client.get("/v1/countries", params={"trades_with": "GE", "format": "csv"})
    assert csv.text.splitlines()[1].startswith("AZ,")


async def test_partners_of_a_bad_code_are_a_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/countries", params={"trades_with": "Q1"}), 422)
    missing = await client.get("/v1/countries", params={"trades_with": "QQ"})
    assert_problem(missing, 404)
    assert_problem(await client.get("/v1/countries", params={"with_data": "maybe"}), 422)


def test_compressed_bundle_is_what_the_wheel_ships() -> None:
    bundle = next(a for n, a in dashboard.assets().by_name.items() if n.endswith(".min.js"))
    assert gzip.decompress(bundle.gzipped) == bundle.body
