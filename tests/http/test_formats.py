"""CSV answers: a header row, one figure (or item) per row, the same fields as JSON."""

import csv
import io

import httpx
import pytest

from app.api import export
from app.http.representation import FIGURE_COLUMNS

pytestmark = pytest.mark.anyio


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize(
    "path",
    [
        "/v1/trade/AZ/KZ/turnover?period=2018-01/2018-09",
        "/v1/trade/AZ/KZ/turnover",
        "/v1/trade/AZ/KZ/exports",
        "/v1/trade/AZ/KZ/imports",
        "/v1/trade/AZ/KZ/balance",
        "/v1/trade/AZ/KZ/commodities",
        "/v1/trade/AZ/KZ/targets",
        "/v1/observations",
        "/v1/sources/1",
    ],
)
async def test_figure_csv_has_one_figure_per_row(client: httpx.AsyncClient, path: str) -> None:
    by_header = await client.get(path, headers={"Accept": "text/csv"})
    by_parameter = await client.get(path + ("&" if "?" in path else "?") + "format=csv")
    assert by_header.text == by_parameter.text
    rows = _rows(by_header)
    assert by_header.text.splitlines()[0].split(",") == list(FIGURE_COLUMNS)
    as_json = await client.get(path)
    assert len(rows) == as_json.text.count('"measure":')
    assert all(row["unit"] and row["status"] and row["qualifier"] for row in rows)
    assert all(row["citation"].startswith("Trend News Agency") for row in rows)


async def test_turnover_csv_rows(client: httpx.AsyncClient) -> None:
    rows = _rows(
        await client.get(
            "/v1/trade/AZ/KZ/turnover",
            params={"period": "2018-01/2018-09", "format": "csv"},
        )
    )
    by_role = {row["role"]: row for row in rows}
    assert by_role["value"]["value"] == "169000000"
    assert by_role["value"]["formula"] == "36000000 + 133000000"
    assert by_role["growth.reported"]["value"] == "65.6"
    assert by_role["components.imports"]["qualifier_wording"] == "more than"


async def test_list_csv_has_one_item_per_row(client: httpx.AsyncClient) -> None:
    rows = _rows(await client.get("/v1/countries", params={"format": "csv", "limit": 1000}))
    assert len(rows) == 249
    azerbaijan = next(row for row in rows if row["alpha3"] == "AZE")
    assert (azerbaijan["alpha2"], azerbaijan["numeric"]) == ("AZ", "031")
    facts = _rows(await client.get("/v1/trade/AZ/KZ/relations", params={"format": "csv"}))
    assert len(facts) == 14
    assert {"kind", "subject", "source.citation"} <= facts[0].keys()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/json", "application/json"),
        ("text/html;q=0.9, text/csv;q=0.5", "text/csv; charset=utf-8"),
        ("application/json;q=0.1, text/csv", "text/csv; charset=utf-8"),
        ("*/*", "application/json"),
        ("", "application/json"),
    ],
)
async def test_accept_negotiation(client: httpx.AsyncClient, accept: str, expected: str) -> None:
    response = await client.get("/v1/countries/KZ", headers={"Accept": accept})
    assert response.headers["content-type"] == expected


async def test_unknown_format_parameter_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/countries/KZ", params={"format": "xml"})
    assert response.status_code == 422


async def test_streamed_export_matches_the_paged_list(client: httpx.AsyncClient) -> None:
    exported = await client.get("/v1/observations/export", params={"reporter": "KZ"})
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    listed = await client.get("/v1/observations", params={"reporter": "KZ"})
    assert [row["id"] for row in rows] == [str(item["id"]) for item in listed.json()["data"]]
    assert exported.text.splitlines()[0].split(",") == list(FIGURE_COLUMNS)


async def test_an_export_read_in_many_batches_is_the_whole_list_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 3 rows: every figure comes out once, in id order, across partitions.
    monkeypatch.setattr(export, "BATCH", 3)
    exported = await client.get("/v1/observations/export")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    listed = await client.get("/v1/observations", params={"limit": 100})
    items = listed.json()["data"]
    assert len(items) > 3 * 3
    assert [row["id"] for row in rows] == [str(item["id"]) for item in items]
    assert [row["value"] for row in rows] == [
        str(item["value"]) if item["value"] is not None else "" for item in items
    ]
