"""UN Comtrade Plus downloads as people have them: the portal's 47 columns, in other
encodings and shapes, with the rows that break a figure down, and files with rows that
cannot be figures, imported whole or without their bad rows when asked."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core.settings import get_settings
from app.imports.layouts import BREAKDOWN, UNKNOWN_UNIT
from app.observations.models import Observation
from tests import comtrade_files as comtrade
from tests.databases import Databases
from tests.imports.test_columnar_import import _both
from tests.problems import assert_problem

# Kazakhstan's 2019 trade with three partners, as totals (lines 2, 5, 7) and breakdowns.
ROWS = [
    comtrade.row(partner="792", value="1000.5", net_weight="2000"),
    comtrade.row(partner="792", value="600", net_weight="1200", mot="2100"),  # by sea
    comtrade.row(partner="792", value="400.5", net_weight="800", mot="3100"),  # by road
    comtrade.row(partner="156", value="5000"),
    comtrade.row(partner="156", value="3000", customs="C01"),  # one customs procedure
    comtrade.row(partner="643", flow="M", commodity="1001", value="70"),
    comtrade.row(partner="643", flow="M", commodity="1001", value="10", partner2="156"),
]
# The exports' FOB values (fobvalue, as the portal fills it) are figures of their own.
TOTALS = {
    ("KAZ", "TUR", "export", "TOTAL", "trade_value"): Decimal("1000.5"),
    ("KAZ", "TUR", "export", "TOTAL", "fob_value"): Decimal("1000.5"),
    ("KAZ", "TUR", "export", "TOTAL", "quantity"): Decimal(2),
    ("KAZ", "CHN", "export", "TOTAL", "trade_value"): Decimal(5000),
    ("KAZ", "CHN", "export", "TOTAL", "fob_value"): Decimal(5000),
    ("KAZ", "RUS", "import", "1001", "trade_value"): Decimal(70),
}
SHAPES: dict[str, dict[str, Any]] = {
    "iso-8859-1 csv": {"encoding": "latin-1"},
    "utf-16 tsv gzip": {"encoding": "utf-16", "delimiter": "\t", "compressed": True},
    "utf-8 bom semicolons": {"encoding": "utf-8-sig", "delimiter": ";"},
}


def _stored(figures: list[tuple[Any, ...]]) -> dict[tuple[str, ...], Decimal]:
    """(reporter, partner, flow, commodity, measure) -> value of the 2019 figures."""
    return {(f[1], f[2], f[3], f[4], f[8]): Decimal(str(f[9])) for f in figures if f[5] == "2019"}


@pytest.mark.parametrize("shape", list(SHAPES), ids=list(SHAPES))
def test_a_download_is_stored_as_its_totals_by_both_readers(
    databases: Databases, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    fast, slow, staged_tables = _both(
        databases, comtrade.encoded(ROWS, **SHAPES[shape]), monkeypatch
    )
    assert staged_tables > 0  # the columnar reader read it
    assert fast == slow
    report, figures = fast
    assert report["encoding"] == ("utf-16" if "utf-16" in shape else
                                  "windows-1252" if "8859" in shape else "utf-8")  # fmt: skip
    assert (report["rows"], report["figures"], report["added"]) == (7, 6, 6), report
    assert report["left_out"] == {BREAKDOWN: 4}
    assert _stored(figures) == TOTALS


@pytest.mark.anyio
async def test_breakdowns_are_refused_when_asked_and_a_reimport_changes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    body = comtrade.encoded(ROWS, encoding="latin-1")
    headers = {**auth, "Content-Type": "text/csv"}
    refused = await client.post(
        "/v1/imports",
        content=body,
        headers=headers,
        params={"source": 1, "refuse_breakdowns": "true"},
    )
    problem = assert_problem(refused, 422)
    assert [(e["line"], e["column"]) for e in problem["errors"]] == [
        (3, "motCode"),
        (4, "motCode"),
        (6, "customsCode"),
        (8, "partner2Code"),
    ]
    assert _kazakh_figures(engine) == {}
    imported = await client.post("/v1/imports", content=body, headers=headers, params={"source": 1})
    assert imported.status_code == 201, imported.text
    summary = imported.json()
    assert (summary["encoding"], summary["left_out"], summary["skipped"]) == (
        "windows-1252",
        {BREAKDOWN: 4},
        0,
    )
    assert _kazakh_figures(engine) == TOTALS
    again = await client.post("/v1/imports", content=body, headers=headers, params={"source": 1})
    assert again.status_code == 200, again.text
    assert (again.json()["unchanged"], again.json()["changed"]) == (6, False)
    assert _kazakh_figures(engine) == TOTALS


async def _import_new(
    client: httpx.AsyncClient, auth: dict[str, str], rows: list[dict[str, str]], *, added: int
) -> None:
    """POST the rows as a UTF-8 download; every figure is new."""
    headers = {**auth, "Content-Type": "text/csv"}
    imported = await client.post(
        "/v1/imports", content=comtrade.encoded(rows), headers=headers, params={"source": 1}
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["added"] == added


def _kazakh_figures(engine: Engine) -> dict[tuple[str, ...], Decimal | None]:
    o = Observation
    with Session(engine) as session:
        rows = session.execute(
            select(
                o.reporter_code, o.partner_code, o.flow, o.commodity_code, o.measure, o.value
            ).where(o.reporter_code == "KAZ", o.period == "2019", o.superseded.is_(False))
        ).all()
    return {(r[0], r[1], r[2].value, r[3], r[4].value): r[5] for r in rows}


# A row of an area no list has (line 3) and one whose value is no number (line 4) beside
# good ones; line 5 holds the figure line 4 would have been.
WITH_BAD_ROWS = [
    ROWS[0],
    comtrade.row(partner="999", value="90000"),
    comtrade.row(partner="156", value="n/a"),
    ROWS[3],
]


@pytest.mark.anyio
async def test_bad_rows_are_skipped_and_listed_only_when_asked(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    body = comtrade.encoded(WITH_BAD_ROWS)
    headers = {**auth, "Content-Type": "text/csv"}
    whole = await client.post("/v1/imports", content=body, headers=headers, params={"source": 1})
    problem = assert_problem(whole, 422)
    assert sorted({e["line"] for e in problem["errors"]}) == [3, 4]
    assert "nothing was imported" in problem["detail"]
    assert _kazakh_figures(engine) == {}
    skipping = await client.post(
        "/v1/imports", content=body, headers=headers, params={"source": 1, "skip_bad_rows": "1"}
    )
    assert skipping.status_code == 201, skipping.text
    summary = skipping.json()
    assert (summary["rows"], summary["added"], summary["skipped"]) == (4, 5, 2)
    assert [(e["line"], e["column"]) for e in summary["errors"]] == [
        (3, "partnerISO"),
        (4, "primaryValue"),  # once: unreadable, not also missing
    ]
    expected = {key: value for key, value in TOTALS.items() if key[1] != "RUS"}
    assert _kazakh_figures(engine) == expected


def test_the_cli_skips_bad_rows_when_asked_and_says_what_it_left_out(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    upload = tmp_path / "kazakhstan-2019.csv"
    upload.write_bytes(comtrade.encoded([*WITH_BAD_ROWS, ROWS[1]], encoding="latin-1"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        sourceless = runner.invoke(cli, ["import", str(upload)])
        assert sourceless.exit_code == 1
        said = " ".join(sourceless.output.split())
        assert "a UN Comtrade file names no source: pass the id" in said
        assert "--source N" in said
        assert "bad rows" not in said
        wide = runner.invoke(cli, ["import", "--help"], env={"COLUMNS": "250"})
        help_text = " ".join(wide.output.split())
        assert "needed for a UN Comtrade or BACI file" in help_text
        strict = runner.invoke(cli, ["import", str(upload), "--source", "1"])
        assert strict.exit_code == 1
        assert "line 3, column partnerISO" in strict.output
        assert "nothing was imported" in strict.output
        skipping = runner.invoke(cli, ["import", str(upload), "--source", "1", "--skip-bad-rows"])
        assert skipping.exit_code == 0, skipping.output
        said = " ".join(skipping.output.split())  # as the terminal wrapped it
        assert "Skipped 2 bad rows" in said
        assert f"Left out: 1 {BREAKDOWN}" in said
        as_json = runner.invoke(
            cli, ["import", str(upload), "--source", "1", "--skip-bad-rows", "--json"]
        )
        assert as_json.exit_code == 0, as_json.output
        summary = json.loads(as_json.stdout)
        assert (summary["unchanged"], summary["skipped"]) == (5, 2)
    finally:
        get_settings.cache_clear()


@pytest.mark.anyio
async def test_re_exports_and_re_imports_are_flows_of_their_own(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    rows = [
        ROWS[3],  # exports to China, 5000
        comtrade.row(partner="156", flow="RX", value="700"),
        comtrade.row(partner="156", flow="M", value="4000"),
        comtrade.row(partner="156", flow="RM", value="30"),
    ]
    await _import_new(client, auth, rows, added=6)
    stored = _kazakh_figures(engine)
    assert stored[("KAZ", "CHN", "re_export", "TOTAL", "trade_value")] == Decimal(700)
    assert stored[("KAZ", "CHN", "re_import", "TOTAL", "trade_value")] == Decimal(30)
    # Exports, imports and turnover rest on exports and imports alone.
    exports = await client.get("/v1/trade/KZ/CN/exports", params={"period": "2019"})
    assert exports.json()["value"]["value"] == 5000
    turnover = await client.get("/v1/trade/KZ/CN/turnover", params={"period": "2019"})
    assert turnover.json()["value"]["value"] == 9000
    listed = await client.get(
        "/v1/observations", params={"reporter": "KZ", "flow": "RX", "measure": "trade_value"}
    )
    assert listed.status_code == 200, listed.text
    assert [(f["flow"], f["value"]) for f in listed.json()["data"]] == [("re_export", 700)]
    csv = await client.get("/v1/observations", params={"reporter": "KZ", "format": "csv"})
    assert "re_import" in csv.text


@pytest.mark.anyio
async def test_world_and_the_areas_nes_are_partners_of_their_kind(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    """An all-partners download: World beside each partner, and trade filed under areas
    not elsewhere specified, by Comtrade's numbers and ISO columns."""
    rows = [
        comtrade.row(partner="0", value="90000"),
        ROWS[0],
        comtrade.row(partner="490", value="300"),
        comtrade.row(partner="899", value="20"),
    ]
    await _import_new(client, auth, rows, added=9)
    stored = _kazakh_figures(engine)
    assert stored[("KAZ", "WLD", "export", "TOTAL", "trade_value")] == Decimal(90000)
    assert stored[("KAZ", "XOA", "export", "TOTAL", "trade_value")] == Decimal(300)
    assert stored[("KAZ", "XNS", "export", "TOTAL", "trade_value")] == Decimal(20)
    world = await client.get("/v1/countries/WLD")
    assert (world.json()["name"], world.json()["kind"]) == ("World", "world")
    assert (await client.get("/v1/countries/0")).json()["alpha3"] == "WLD"
    assert (await client.get("/v1/countries/XOA")).json()["kind"] == "nes"
    countries = await client.get("/v1/countries", params={"limit": 1000})
    assert {c["kind"] for c in countries.json()["data"]} == {"country"}
    with_areas = await client.get("/v1/countries", params={"limit": 1000, "areas": "true"})
    areas = {c["alpha3"]: c["kind"] for c in with_areas.json()["data"] if c["kind"] != "country"}
    assert (areas["WLD"], areas["XNS"], areas["XBK"]) == ("world", "nes", "special")
    exports = await client.get("/v1/trade/KZ/WLD/exports", params={"period": "2019"})
    assert exports.status_code == 200, exports.text
    assert exports.json()["value"]["value"] == 90000


def _api_answer(rows: list[dict[str, str]]) -> bytes:
    """The rows as UN Comtrade's API answers them: JSON numbers, null for blanks."""

    def typed(value: str) -> object:
        if value == "":
            return None
        if value in ("True", "False"):
            return value == "True"
        try:
            return json.loads(value)  # 2019 -> 2019, 1000.5 -> 1000.5
        except json.JSONDecodeError:
            return value

    records = [{name: typed(value) for name, value in row.items()} for row in rows]
    answer = {"elapsedTime": "0.42 secs", "count": len(records), "data": records, "error": ""}
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.anyio
async def test_the_api_s_json_answer_imports_as_its_download_does(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    bad = [*ROWS[:3], comtrade.row(partner="156", value="-5"), *ROWS[3:]]
    refused = await client.post(
        "/v1/imports", content=_api_answer(bad), headers=headers, params={"source": 1}
    )
    problem = assert_problem(refused, 422)
    assert {(e["line"], e["column"]) for e in problem["errors"]} == {(4, "primaryValue")}
    imported = await client.post(
        "/v1/imports", content=_api_answer(ROWS), headers=headers, params={"source": 1}
    )
    assert imported.status_code == 201, imported.text
    summary = imported.json()
    assert (summary["rows"], summary["added"], summary["left_out"]) == (7, 6, {BREAKDOWN: 4})
    assert _kazakh_figures(engine) == TOTALS
    error = json.dumps({"data": None, "error": "Invalid subscription key"}).encode()
    failed = await client.post("/v1/imports", content=error, headers=headers, params={"source": 1})
    assert "Invalid subscription key" in assert_problem(failed, 422)["errors"][0]["message"]


ALL_PARTNERS = [
    comtrade.row(partner="0", value="90000"),  # Kazakhstan's own World figure
    comtrade.row(partner="792", value="1000.5"),
    comtrade.row(partner="156", value="5000"),
    comtrade.row(partner="490", value="300"),
    comtrade.row(partner="899", value="20"),
    comtrade.row(partner="97", value="2500"),  # the EU: overlaps its members
    # Türkiye's mirror figure: another reporter's statistics, never in Kazakhstan's ranking.
    comtrade.row(reporter="792", partner="398", flow="M", value="999999"),
    # Azerbaijan reports no World figure.
    comtrade.row(reporter="31", partner="792", value="300"),
    comtrade.row(reporter="31", partner="156", value="100"),
]


@pytest.mark.anyio
async def test_a_country_s_partners_ranked_with_their_shares_of_its_world(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _import_new(client, auth, ALL_PARTNERS, added=17)
    answer = await client.get(
        "/v1/trade/KZ/partners", params={"period": "2019", "flow": "X", "limit": 2}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["reporter"]["alpha3"], body["flow"], body["partner_count"]) == ("KAZ", "export", 4)
    assert (body["world"]["basis"], body["world"]["value"]) == ("reported", 90000)
    lines = [(p["rank"], p["partner"]["alpha3"], p["value"]["value"]) for p in body["partners"]]
    assert lines == [(1, "CHN", 5000), (2, "TUR", 1000.5)]
    shares = [(p["share"]["percent"], p["share"]["of"]) for p in body["partners"]]
    assert shares == [(5.56, "world_reported"), (1.11, "world_reported")]  # 5.5555.., 1.1116..
    world_id = body["world"]["figure"]["id"]
    assert body["partners"][0]["share"]["rests_on"] == [
        body["partners"][0]["value"]["id"],
        world_id,
    ]
    assert [g["partner"]["alpha3"] for g in body["groups"]] == ["EUU"]
    # Beside the reported World: the partners' sum (never World or the EU in it), and what
    # Kazakhstan did not allocate to a partner.
    summed = body["sum_of_partners"]
    assert (summed["value"], summed["partner_count"], summed["qualifier"]) == (6320.5, 4, "exact")
    assert summed["unallocated"] == 83679.5  # 90000 - 6320.5
    assert world_id not in summed["rests_on"]
    assert len(summed["rests_on"]) == 4
    of_sum = (
        await client.get(
            "/v1/trade/KZ/partners",
            params={"period": "2019", "limit": 2, "share_of": "sum_of_partners"},
        )
    ).json()
    assert (of_sum["world"]["basis"], of_sum["world"]["value"]) == ("sum_of_partners", 6320.5)
    assert [(p["share"]["percent"], p["share"]["of"]) for p in of_sum["partners"]] == [
        (79.11, "sum_of_partners"),  # 5000 / 6320.5
        (15.83, "sum_of_partners"),  # 1000.5 / 6320.5
    ]
    everyone = (
        await client.get("/v1/trade/KZ/partners", params={"period": "2019", "limit": 250})
    ).json()
    assert [(p["partner"]["alpha3"], p["kind"]) for p in everyone["partners"]] == [
        ("CHN", "country"),
        ("TUR", "country"),
        ("XOA", "nes"),
        ("XNS", "nes"),
    ]
    # Without a World figure, the world is the sum of the partners, and says so.
    azerbaijan = (await client.get("/v1/trade/AZ/partners", params={"period": "2019"})).json()
    assert (azerbaijan["world"]["basis"], azerbaijan["world"]["value"]) == ("sum_of_partners", 400)
    assert [(p["share"]["percent"], p["share"]["of"]) for p in azerbaijan["partners"]] == [
        (75, "sum_of_partners"),
        (25, "sum_of_partners"),
    ]
    table = await client.get(
        "/v1/trade/KZ/partners", params={"period": "2019", "limit": 2, "format": "csv"}
    )
    rows = table.text.splitlines()
    assert rows[0].startswith("rank,reporter,flow,commodity,period,partner")
    assert rows[1].split(",")[:6] == ["0", "KAZ", "export", "TOTAL", "2019", "WLD"]
    assert len(rows) == 4
    latest = (await client.get("/v1/trade/KZ/partners")).json()  # the latest period reported
    assert latest["period"]["label"] == "2019"
    assert latest["partners"][0]["partner"]["alpha3"] == "CHN"
    missing = await client.get("/v1/trade/KZ/partners", params={"period": "2005"})
    assert "/v1/observations?reporter=KAZ" in assert_problem(missing, 404)["detail"]


def _with(row: dict[str, str], **columns: str) -> dict[str, str]:
    return {**row, **columns}


# Quantities in their own units, valuations and Comtrade's estimates, as a download has them.
MEASURED = [
    # Exports to Türkiye: 50 items (declared), 2 t (Comtrade's estimate of the weight).
    _with(
        comtrade.row(partner="792", value="1000", net_weight="2000"),
        qtyUnitAbbr="u", qtyUnitCode="5", qty="50", isNetWgtEstimated="True",
    ),
    # Imports from China: 300 litres (estimated), no weight; CIF and FOB both given.
    _with(
        comtrade.row(partner="156", flow="M", value="5000"),
        qtyUnitAbbr="l", qtyUnitCode="7", qty="300", isQtyEstimated="True",
        cifvalue="5000", fobvalue="4800",
    ),
    # Wheat from Russia, flagged the old way: legacy flag 4 is an estimated net weight.
    _with(
        comtrade.row(partner="643", flow="M", commodity="1001", value="70", net_weight="700"),
        isNetWgtEstimated="", isQtyEstimated="", legacyEstimationFlag="4",
    ),
]  # fmt: skip
MEASURED_FIGURES = {
    ("TUR", "export", "trade_value", "USD", "reported"): Decimal(1000),
    ("TUR", "export", "fob_value", "USD", "reported"): Decimal(1000),
    ("TUR", "export", "quantity", "t", "estimated"): Decimal(2),
    ("TUR", "export", "supplementary_quantity", "u", "reported"): Decimal(50),
    ("CHN", "import", "trade_value", "USD", "reported"): Decimal(5000),
    ("CHN", "import", "cif_value", "USD", "reported"): Decimal(5000),
    ("CHN", "import", "fob_value", "USD", "reported"): Decimal(4800),
    ("CHN", "import", "supplementary_quantity", "l", "estimated"): Decimal(300),
    ("RUS", "import", "trade_value", "USD", "reported"): Decimal(70),
    ("RUS", "import", "quantity", "t", "estimated"): Decimal("0.7"),
}


def _measured(figures: list[tuple[Any, ...]]) -> dict[tuple[str, ...], Decimal]:
    """(partner, flow, measure, unit, status) -> value of Kazakhstan's 2019 figures."""
    return {
        (f[2], f[3], f[8], f[10], f[12]): Decimal(str(f[9]))
        for f in figures
        if f[1] == "KAZ" and f[5] == "2019"
    }


def test_units_valuations_and_estimates_are_kept_by_both_readers(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow, staged_tables = _both(
        databases, comtrade.encoded(MEASURED, encoding="latin-1"), monkeypatch
    )
    assert staged_tables > 0  # the columnar reader read it
    assert fast == slow
    report, figures = fast
    assert (report["rows"], report["figures"], report["left_out"]) == (3, 10, {}), report
    assert _measured(figures) == MEASURED_FIGURES


def test_a_quantity_in_a_unit_outside_comtrade_s_list_is_left_out_and_counted(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = _with(comtrade.row(partner="31", value="10"), qtyUnitAbbr="ct/l", qty="12")
    fast, slow, _ = _both(databases, comtrade.encoded([*MEASURED, odd]), monkeypatch)
    assert fast == slow
    report, figures = fast
    assert report["left_out"] == {UNKNOWN_UNIT: 1}
    assert report["error_count"] == 0
    stored = _measured(figures)
    assert stored[("AZE", "export", "trade_value", "USD", "reported")] == Decimal(10)
    assert not any(key[0] == "AZE" and key[2] == "supplementary_quantity" for key in stored)


@pytest.mark.anyio
async def test_estimates_and_own_units_read_back_as_they_were_given(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _import_new(client, auth, MEASURED, added=10)
    listed = await client.get(
        "/v1/observations", params={"reporter": "KZ", "measure": "supplementary_quantity"}
    )
    assert listed.status_code == 200, listed.text
    found = {(f["partner"]["alpha3"], f["unit"], f["status"]) for f in listed.json()["data"]}
    assert found == {("TUR", "u", "reported"), ("CHN", "l", "estimated")}
    # The pair's exports rest on the trade value alone, with or without the FOB figure.
    exports = await client.get("/v1/trade/KZ/TR/exports", params={"period": "2019"})
    assert exports.json()["value"]["value"] == 1000
    assert exports.json()["value"]["measure"] == "trade_value"
    csv = await client.get(
        "/v1/observations", params={"reporter": "KZ", "partner": "RU", "format": "csv"}
    )
    assert ",quantity,0.7" in csv.text.replace('"', "")
    assert "estimated" in csv.text


@pytest.mark.anyio
async def test_a_download_s_hs_version_is_recorded_on_its_source(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """The portal's classificationCode (H5 is HS 2017) says what BACI's file name says."""
    headers = {**auth, "Content-Type": "text/csv"}
    await _import_new(client, auth, ROWS, added=6)
    assert (await client.get("/v1/sources/1")).json()["classification"] == "HS17"
    older = [
        {**row, "classificationCode": "H4", "refYear": "2012", "period": "2012"} for row in ROWS
    ]
    refused = await client.post(
        "/v1/imports", content=comtrade.encoded(older), headers=headers, params={"source": 1}
    )
    assert "holds figures in HS17" in assert_problem(refused, 422)["errors"][0]["message"]
    contradicted = await client.post(
        "/v1/imports",
        content=comtrade.encoded(older),
        headers=headers,
        params={"source": 1, "classification": "HS17"},
    )
    message = assert_problem(contradicted, 422)["errors"][0]["message"]
    assert "the file's rows are in HS12, not HS17" in message
