"""Text written through the API comes back from every CSV endpoint as inert text."""

import csv
import io
from decimal import Decimal, InvalidOperation

import httpx
import pytest

from tests.helpers import SAMPLE_FIGURE

pytestmark = pytest.mark.anyio

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "@SUM(1+1)",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\tTAB",
    "\r=CR",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cells(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert len(rows) >= 2, "a header and at least one row"
    return [cell for row in rows[1:] for cell in row]


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


async def test_formula_text_is_neutralised_in_every_csv(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    source = {
        "slug": "formula-source",
        "publisher": FORMULAS[0],
        "title": FORMULAS[1],
        "published_on": "2019-02-15",
        "note": FORMULAS[2],
    }
    figures = [
        {
            **SAMPLE_FIGURE,
            "source_id": None,
            "source": "formula-source",
            "period": str(2010 + number),
            "statement": formula,
            "note": FORMULAS[(number + 1) % len(FORMULAS)],
        }
        for number, formula in enumerate(FORMULAS)
    ]
    written = await client.post(
        "/v1/observations", json={"figures": figures, "sources": [source]}, headers=auth
    )
    assert written.status_code == 201, written.text
    stored = written.json()["figures"]
    # JSON stays exact: what was written is what is read.
    # (writes trim surrounding white space, so a leading tab or CR is gone already).
    assert [figure["statement"] for figure in stored] == [f.strip() for f in FORMULAS]
    first = stored[0]["id"]
    source_id = stored[0]["sources"][0]["id"]

    endpoints = [
        "/v1/observations?reporter=AZ&period=2010/2015&format=csv",
        "/v1/observations/export?reporter=AZ&period=2010/2015",
        f"/v1/observations/{first}?format=csv",
        f"/v1/observations/{first}/history?format=csv",
        "/v1/trade/AZ/KZ/exports?period=2010&format=csv",
        "/v1/sources?format=csv&limit=1000",
        f"/v1/sources/{source_id}?format=csv",
    ]
    for endpoint in endpoints:
        cells = _cells(await client.get(endpoint))
        live = [c for c in cells if c.startswith(TRIGGERS) and not _is_number(c)]
        assert not live, (endpoint, live)
        neutralised = [c for c in cells if c.startswith("'") and c[1:].startswith(TRIGGERS)]
        assert neutralised, (endpoint, cells)
    assert any(c == "'" + FORMULAS[0] for c in _cells(await client.get(endpoints[0])))


async def test_negative_numbers_stay_numbers(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/trade/AZ/KZ/balance", params={"period": "2018-01/2018-09", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    values = [row["value"] for row in rows if row["value"]]
    assert any(value.startswith("-") for value in values), values
    assert all(_is_number(value) for value in values)
