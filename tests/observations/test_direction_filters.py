"""Flows by direction, whoever reported them: `exporter` and `importer`."""

from typing import Any

import httpx
import pytest

from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


def _moves(figure: dict[str, Any]) -> tuple[str, str]:
    """(exporter, importer) of a figure, from its reporter, partner and flow."""
    reporter, partner = figure["reporter"]["alpha2"], figure["partner"]["alpha2"]
    return (reporter, partner) if figure["flow"] == "export" else (partner, reporter)


async def _figures(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    answer = await client.get("/v1/observations", params={**params, "limit": "1000"})
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


async def test_kazakh_exports_to_azerbaijan_are_found_whoever_reported_them(
    client: httpx.AsyncClient,
) -> None:
    totals = await _figures(client, exporter="KZ", importer="AZ", commodity="TOTAL")
    # The article's totals are Azerbaijan's side: its imports from Kazakhstan.
    assert {(f["reporter"]["alpha2"], f["flow"]) for f in totals} == {("AZ", "import")}
    assert "trade_value" in {f["measure"] for f in totals}
    by_reporter = await _figures(client, reporter="KAZ", partner="AZE", flow="export")
    assert not {f["id"] for f in by_reporter} & {f["id"] for f in totals}
    every = await _figures(client, exporter="KAZ", importer="AZE")
    assert {_moves(f) for f in every} == {("KZ", "AZ")}
    assert {f["reporter"]["alpha2"] for f in every} == {"AZ", "KZ"}  # both sides report


async def test_one_side_of_the_direction_may_stay_open(client: httpx.AsyncClient) -> None:
    from_kz = await _figures(client, exporter="KZ")
    into_az = await _figures(client, importer="AZ")
    assert from_kz
    assert {_moves(f)[0] for f in from_kz} == {"KZ"}
    assert into_az
    assert {_moves(f)[1] for f in into_az} == {"AZ"}
    both = await _figures(client, exporter="KZ", importer="AZ")
    assert {f["id"] for f in both} == {f["id"] for f in from_kz} & {f["id"] for f in into_az}


async def test_turnover_has_no_direction(client: httpx.AsyncClient) -> None:
    assert await _figures(client, exporter="AZ", flow="turnover") == []


async def test_the_export_file_takes_the_same_filters(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/v1/observations/export", params={"exporter": "KZ", "importer": "AZ"}
    )
    assert answer.status_code == 200
    rows = answer.text.strip().splitlines()
    assert len(rows) - 1 == len(await _figures(client, exporter="KZ", importer="AZ"))


async def test_an_unknown_exporter_is_a_404(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/observations?exporter=XX"), 404)
    assert "XX" in body["detail"]
