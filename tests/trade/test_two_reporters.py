"""Two reporters who disagree: each country's figures are its own statistics, and no
derived figure rests on both without saying so."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import comtrade_files as comtrade

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


async def _import(
    client: httpx.AsyncClient, auth: dict[str, str], body: bytes, source: int
) -> None:
    answer = await client.post(
        "/v1/imports",
        content=body,
        headers={**auth, "Content-Type": "text/csv"},
        params={"source": source},
    )
    assert answer.status_code in (200, 201), answer.text


async def _examples(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """The README's example imports: Georgia's figures and Armenia's, for 2019."""
    source = await client.post(
        "/v1/sources",
        content=(EXAMPLES / "sample-source.json").read_bytes(),
        headers={**auth, "Content-Type": "application/json"},
    )
    assert source.status_code in (200, 201), source.text
    source_id = source.json()["id"]
    await _import(client, auth, (EXAMPLES / "observations.csv").read_bytes(), source_id)
    await _import(client, auth, (EXAMPLES / "comtrade.csv").read_bytes(), source_id)


def _figures(answer: Any) -> list[dict[str, Any]]:
    """Every figure object anywhere in an answer."""
    found: list[dict[str, Any]] = []
    if isinstance(answer, dict):
        if "measure" in answer and "reporter" in answer and "status" in answer:
            found.append(answer)
        for value in answer.values():
            found += _figures(value)
    elif isinstance(answer, list):
        for item in answer:
            found += _figures(item)
    return found


def _mixed_silently(answer: Any) -> list[dict[str, Any]]:
    """Derived figures resting on two reporters' figures that do not say so."""
    return [
        figure
        for figure in _figures(answer)
        if figure["derivation"] is not None
        and len(figure["derivation"]["reporters"]) > 1
        and not (
            figure["derivation"]["combines_reporters"]
            and "mirror" in figure["derivation"]["method"]
        )
    ]


async def test_armenia_s_earlier_imports_are_not_derived_from_georgia_s_growth(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _examples(client, auth)
    # Armenia reports imports of 418,000,000 for 2019; Georgia reports exports to Armenia
    # of 412,500,000, up 12.4 % on 2018. Georgia's growth carries back Georgia's level only.
    answer = await client.get("/v1/trade/AM/GE/imports")
    assert answer.status_code == 200, answer.text
    points = {point["period"]["label"]: point for point in answer.json()["series"]}
    year = points["2019"]
    assert year["value"]["value"] == 418000000
    assert year["value"]["reporter"]["alpha3"] == "ARM"
    earlier = year["year_earlier"]["value"]
    assert earlier["derivation"]["reporters"] == ["GEO"]
    assert "412500000 / (1 + 12.4/100)" in earlier["derivation"]["formula"]
    assert earlier["value"] == round(Decimal(412500000) / Decimal("1.124"))
    # A growth between Armenia's 2019 level and Georgia's 2018 one would be two statistics.
    assert year["growth"]["derived"] is None
    assert year["growth"]["reported"]["reporter"]["alpha3"] == "GEO"
    for path in ("imports", "exports", "turnover", "balance", "targets", "commodities"):
        for pair in ("AM/GE", "GE/AM"):
            read = await client.get(f"/v1/trade/{pair}/{path}")
            if read.status_code == 404:
                continue
            assert read.status_code == 200, read.text
            assert _mixed_silently(read.json()) == [], (pair, path)


async def test_a_turnover_of_two_reporters_says_so_and_a_growth_never_mixes_them(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """Comtrade files of Kazakhstan and of Azerbaijan for the same years: Kazakhstan
    reports only its exports to Azerbaijan, Azerbaijan only its exports to Kazakhstan."""
    rows = [
        comtrade.row(reporter="398", partner="31", year=2018, value="900"),
        comtrade.row(reporter="398", partner="31", year=2019, value="1000"),
        comtrade.row(reporter="31", partner="398", year=2018, value="300"),
        comtrade.row(reporter="31", partner="398", year=2019, value="200"),
        # Azerbaijan's imports from Kazakhstan, as it counts them: not Kazakhstan's 1000.
        comtrade.row(reporter="31", partner="398", flow="M", year=2019, value="1100"),
    ]
    await _import(client, auth, comtrade.encoded(rows), 1)

    # Kazakhstan's view: its exports are its own; its imports only Azerbaijan reported.
    turnover = await client.get("/v1/trade/KZ/AZ/turnover", params={"period": "2019"})
    assert turnover.status_code == 200, turnover.text
    value = turnover.json()["value"]
    assert value["value"] == 1200
    assert value["derivation"]["reporters"] == ["KAZ", "AZE"]
    assert value["derivation"]["combines_reporters"] is True
    assert "combines two reporters' statistics" in value["derivation"]["method"]

    # Azerbaijan's view: both flows are its own figures, nothing is combined.
    own = (await client.get("/v1/trade/AZ/KZ/turnover", params={"period": "2019"})).json()
    assert own["value"]["value"] == 1300
    assert own["value"]["derivation"]["reporters"] == ["AZE"]
    assert own["value"]["derivation"]["combines_reporters"] is False

    # Growth of Azerbaijan's imports: Azerbaijan reported no 2018 imports; Kazakhstan's
    # 2018 exports are another statistic, so there is no growth, not a mixed one.
    imports = (await client.get("/v1/trade/AZ/KZ/imports", params={"period": "2019"})).json()
    assert imports["value"]["value"] == 1100
    assert imports["growth"]["derived"] is None
    exports = (await client.get("/v1/trade/KZ/AZ/exports", params={"period": "2019"})).json()
    growth = exports["growth"]["derived"]
    assert Decimal(str(growth["value"])) == Decimal(
        "11.11"
    )  # 1000 / 900 - 1, in percent: Kazakhstan's
    assert growth["derivation"]["reporters"] == ["KAZ"]

    # The mirror comparison combines them by design, and says so.
    mirror = await client.get("/v1/trade/KZ/AZ/mirror", params={"period": "2019"})
    assert mirror.status_code == 200, mirror.text
    assert _mixed_silently(mirror.json()) == []
    assert any(
        figure["derivation"] is not None and figure["derivation"]["combines_reporters"]
        for figure in _figures(mirror.json())
    )
    # SDMX says it too: Kazakhstan's turnover with Azerbaijan, in 2019.
    sdmx = await client.get(
        "/sdmx/2.1/data/BILATERAL/A.KZ.TTG_USD.AZ.TOTAL",
        params={"startPeriod": "2019", "endPeriod": "2019", "format": "csv"},
    )
    assert sdmx.status_code == 200, sdmx.text
    assert "combines the statistics of KAZ and AZE (mirror)" in sdmx.text
    for pair in ("KZ/AZ", "AZ/KZ"):
        for path in ("turnover", "exports", "imports", "balance"):
            read = await client.get(f"/v1/trade/{pair}/{path}")
            assert read.status_code == 200, read.text
            assert _mixed_silently(read.json()) == [], (pair, path, json.dumps(read.json()))
