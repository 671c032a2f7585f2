"""Mirror statistics: a flow as the exporter and as the importer reported it, from a
UN Comtrade file with both sides."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOTH_SIDES = b"""period,reporterISO,flowCode,partnerISO,cmdCode,netWgt,primaryValue
2019,ARM,X,GEO,,,1000
2019,GEO,M,ARM,,,1100
2019,GEO,X,ARM,0806,5000,300
2019,ARM,M,GEO,0806,5200,330
2019,ARM,X,GEO,0806,,40
"""


async def _import_both_sides(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    source = json.loads((EXAMPLES / "sample-source.json").read_text())
    created = await client.post("/v1/sources", json=source, headers=auth)
    assert created.status_code in (200, 201), created.text
    imported = await client.post(
        "/v1/imports",
        content=BOTH_SIDES,
        params={"source": created.json()["id"]},
        headers={**auth, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text


def _line(lines: list[dict[str, Any]], exporter: str, code: str, measure: str) -> dict[str, Any]:
    [found] = [
        line
        for line in lines
        if line["exporter"]["alpha2"] == exporter
        and line["commodity"]["code"] == code
        and line["measure"] == measure
    ]
    return found


def _value(figure: dict[str, Any] | None) -> Decimal | None:
    return None if figure is None else Decimal(str(figure["value"]))


async def test_each_side_and_the_gap(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await _import_both_sides(client, auth)
    answer = await client.get("/v1/trade/AM/GE/mirror", params={"period": "2019"})
    assert answer.status_code == 200, answer.text
    lines = answer.json()["lines"]
    total = _line(lines, "AM", "TOTAL", "trade_value")
    assert _value(total["exporter_reports"]) == 1000
    assert _value(total["importer_reports"]) == 1100
    assert total["exporter_reports"]["reporter"]["alpha2"] == "AM"
    assert total["importer_reports"]["reporter"]["alpha2"] == "GE"
    assert _value(total["gap"]) == 100
    assert total["gap"]["derivation"]["formula"] == "1100 - 1000"
    assert _value(total["gap_percent"]) == 10
    grapes = _line(lines, "GE", "0806", "trade_value")
    assert _value(grapes["gap"]) == 30
    assert _value(grapes["gap_percent"]) == 10
    tonnes = _line(lines, "GE", "0806", "quantity")
    assert (_value(tonnes["exporter_reports"]), _value(tonnes["importer_reports"])) == (
        Decimal(5),
        Decimal("5.2"),
    )
    assert _value(tonnes["gap_percent"]) == 4
    # Armenia's own grape exports: only one side reported them, so there is no gap.
    one_sided = _line(lines, "AM", "0806", "trade_value")
    assert one_sided["importer_reports"] is None
    assert one_sided["gap"] is one_sided["gap_percent"] is None
    assert lines[0]["exporter"]["alpha2"] == "AM"  # a's exports first


async def test_mirror_lines_as_csv(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await _import_both_sides(client, auth)
    answer = await client.get("/v1/trade/AM/GE/mirror", params={"period": "2019", "format": "csv"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    roles = {row["role"] for row in rows}
    assert {"lines.exporter_reports", "lines.importer_reports", "lines.gap"} <= roles
    gaps = [row for row in rows if row["role"] == "lines.gap" and row["commodity"] == "TOTAL"]
    assert [Decimal(row["value"]) for row in gaps] == [100]


async def test_a_period_without_either_side_is_a_404(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/trade/AZ/KZ/mirror?period=2005"), 404)
    assert body["available_periods"]
