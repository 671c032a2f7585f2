"""CEPII BACI files as CEPII publishes them (`t,i,j,k,v,q`): values in thousands of USD
stored in USD, quantities in tonnes, Comtrade's country codes, and the HS version the
file is in recorded on its source."""

import gzip
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from app.cli import cli
from app.imports.service import Choices
from tests import comtrade_files as comtrade
from tests.databases import Databases
from tests.imports.test_columnar_import import _both, _figures, _store
from tests.problems import assert_problem

SAMPLE = (
    "t,i,j,k,v,q\n"
    # Kazakhstan's wheat to Azerbaijan: 1,885.125 thousand USD, 12,500 t (padded, as
    # some releases write numbers).
    '2019,398,31,100199,1885.125,"  12500.000"\n'
    # A product code without its leading zero (010121), and an unknown quantity.
    "2019,398,31,10121,2.5,NA\n"
    # The other direction: Azerbaijan's export, not a mirror of the rows above.
    "2019,31,398,271019,40000,          NA\n"
    # Comtrade's own codes: the USA (842) to France (251).
    "2019,842,251,870323,1234.567,15.2\n"
    # A value under a dollar.
    "2019,842,251,870324,0.0375,0.001\n"
)
EXPECTED = {
    ("KAZ", "AZE", "100199", "trade_value"): Decimal("1885125"),
    ("KAZ", "AZE", "100199", "quantity"): Decimal(12500),
    ("KAZ", "AZE", "010121", "trade_value"): Decimal(2500),
    ("AZE", "KAZ", "271019", "trade_value"): Decimal(40000000),
    ("USA", "FRA", "870323", "trade_value"): Decimal(1234567),
    ("USA", "FRA", "870323", "quantity"): Decimal("15.2"),
    ("USA", "FRA", "870324", "trade_value"): Decimal("37.5"),
    ("USA", "FRA", "870324", "quantity"): Decimal("0.001"),
}
HS17 = Choices(classification="HS17")


def _imported(figures: list[tuple[Any, ...]]) -> dict[tuple[str, ...], Decimal]:
    """(reporter, partner, commodity, measure) -> value of the 2019 exports."""
    found: dict[tuple[str, ...], Decimal] = {}
    for figure in figures:
        if figure[5] == "2019" and figure[3] == "export" and figure[4] not in ("TOTAL",):
            assert figure[10] == ("USD" if figure[8] == "trade_value" else "t")
            assert not figure[19]  # reporter_stated: CEPII's estimate, not the exporter's
            found[figure[1], figure[2], figure[4], figure[8]] = Decimal(str(figure[9]))
    return found


@pytest.mark.parametrize("compressed", [False, True], ids=["csv", "gzip"])
def test_a_baci_year_is_stored_in_usd_and_tonnes_by_both_readers(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, compressed: bool
) -> None:
    data = gzip.compress(SAMPLE.encode()) if compressed else SAMPLE.encode()
    fast, slow, staged_tables = _both(databases, data, monkeypatch, choices=HS17)
    assert staged_tables > 0  # the columnar reader read it
    assert fast == slow
    report, figures = fast
    assert (report["layout"], report["rows"], report["figures"]) == ("baci", 5, 8), report
    assert _imported(figures) == EXPECTED


def test_a_bad_baci_row_is_named_by_its_own_column_and_line(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (SAMPLE + "2019,398,31,100190,12x,1\n2019,398,999,100190,1,1\n").encode()
    fast, slow, _ = _both(databases, data, monkeypatch, choices=HS17)
    assert fast == slow
    report, figures = fast
    assert {(e["line"], e["column"]) for e in report["errors"]} == {(7, "v"), (8, "j")}
    with _store(databases) as untouched:
        assert figures == _figures(untouched)  # nothing imported


@pytest.mark.anyio
async def test_the_hs_version_is_required_and_recorded_on_the_source(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    headers = {**auth, "Content-Type": "text/csv"}
    unversioned = await client.post(
        "/v1/imports", content=SAMPLE.encode(), headers=headers, params={"source": 1}
    )
    problem = assert_problem(unversioned, 422)
    assert problem["title"] != "1 bad rows"
    assert "HS version" in problem["errors"][0]["message"]
    assert "classification" in problem["errors"][0]["message"]
    assert (await client.get("/v1/sources/1")).json()["classification"] is None

    imported = await client.post(
        "/v1/imports",
        content=SAMPLE.encode(),
        headers=headers,
        params={"source": 1, "classification": "HS17"},
    )
    assert imported.status_code == 201, imported.text
    assert (imported.json()["layout"], imported.json()["added"]) == ("baci", 8)
    assert (await client.get("/v1/sources/1")).json()["classification"] == "HS17"
    again = await client.post(
        "/v1/imports",
        content=SAMPLE.encode(),
        headers=headers,
        params={"source": 1, "classification": "HS17"},
    )
    assert (again.status_code, again.json()["unchanged"]) == (200, 8)

    # Another HS version under the same source would mix two nomenclatures.
    other = SAMPLE.replace("2019,", "2018,").encode()
    mixed = await client.post(
        "/v1/imports",
        content=other,
        headers=headers,
        params={"source": 1, "classification": "HS92"},
    )
    message = assert_problem(mixed, 422)["errors"][0]["message"]
    assert "HS17" in message
    assert "HS92" in message
    assert (await client.get("/v1/sources/1")).json()["classification"] == "HS17"
    unknown = await client.post(
        "/v1/imports", content=other, headers=headers, params={"source": 1, "classification": "HS2"}
    )
    assert_problem(unknown, 422)

    # One commodity across the exporter's partners.
    wheat = await client.get(
        "/v1/trade/KZ/partners", params={"period": "2019", "commodity": "100199"}
    )
    assert wheat.status_code == 200, wheat.text
    lines = wheat.json()["partners"]
    assert [(p["partner"]["alpha3"], p["value"]["value"]) for p in lines] == [("AZE", 1885125)]
    assert lines[0]["value"]["unit"] == "USD"


def test_the_cli_reads_the_hs_version_from_the_file_s_name(
    cli_runner: CliRunner, tmp_path: Path
) -> None:
    nameless = tmp_path / "baci-2019.csv"
    nameless.write_text(SAMPLE)
    refused = cli_runner.invoke(cli, ["import", str(nameless), "--source", "1"])
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "needs the HS version" in said
    assert "bad rows" not in said
    named = tmp_path / "BACI_HS17_Y2019_V202401.csv"
    named.write_text(SAMPLE)
    imported = cli_runner.invoke(cli, ["import", str(named), "--source", "1"])
    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.split())
    assert "(baci layout): 5 rows, 8 figures: 8 added" in said
    sourceless = cli_runner.invoke(cli, ["import", str(named)])
    assert sourceless.exit_code == 1
    assert "--source N" in " ".join(sourceless.output.split())


@pytest.mark.anyio
async def test_a_ranking_rests_on_one_dataset_and_names_the_others(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """Kazakhstan's wheat exports in its own Comtrade download (source 1, with World) and
    in BACI (another source): the two are never ranked or summed together."""
    wheat = [
        comtrade.row(partner="0", commodity="100199", value="9000"),
        comtrade.row(partner="31", commodity="100199", value="1000"),
        comtrade.row(partner="792", commodity="100199", value="3000"),
    ]
    headers = {**auth, "Content-Type": "text/csv"}
    first = await client.post(
        "/v1/imports", content=comtrade.encoded(wheat), headers=headers, params={"source": 1}
    )
    assert first.status_code == 201, first.text
    created = await client.post(
        "/v1/sources",
        json={"slug": "baci-hs17-test", "publisher": "CEPII", "title": "BACI HS17",
              "published_on": "2024-01-30"},
        headers=auth,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    baci = created.json()["id"]
    second = await client.post(
        "/v1/imports",
        content=SAMPLE.encode(),
        headers=headers,
        params={"source": baci, "classification": "HS17"},
    )
    assert second.status_code == 201, second.text

    params = {"period": "2019", "commodity": "100199"}
    own = (await client.get("/v1/trade/KZ/partners", params=params)).json()
    assert (own["source"], own["other_sources"]) == (1, [baci])
    assert [(p["partner"]["alpha3"], p["value"]["value"]) for p in own["partners"]] == [
        ("TUR", 3000),
        ("AZE", 1000),
    ]
    assert own["world"]["value"] == 9000
    reconciled = (
        await client.get("/v1/trade/KZ/partners", params={**params, "source": baci})
    ).json()
    assert (reconciled["source"], reconciled["other_sources"]) == (baci, [1])
    assert [p["value"]["value"] for p in reconciled["partners"]] == [1885125]
    assert reconciled["world"]["basis"] == "sum_of_partners"
