"""Bulk imports over HTTP and from the CLI: both layouts, atomic, idempotent."""

import csv
import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core.settings import get_settings
from app.imports.files import FileTooLargeError, open_upload
from app.observations.models import Observation
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OWN = (EXAMPLES / "observations.csv").read_bytes()
COMTRADE = (EXAMPLES / "comtrade.csv").read_bytes()
SOURCE = json.loads((EXAMPLES / "sample-source.json").read_text())


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        current = (
            select(func.count()).select_from(Observation).where(Observation.valid_to.is_(None))
        )
        return session.scalar(current) or 0


async def _source(client: httpx.AsyncClient, auth: dict[str, str]) -> int:
    response = await client.post("/v1/sources", json=SOURCE, headers=auth)
    assert response.status_code in (200, 201), response.text
    source_id: int = response.json()["id"]
    return source_id


async def _import(
    client: httpx.AsyncClient, auth: dict[str, str], body: bytes, source: int | None
) -> httpx.Response:
    params = {"source": source} if source is not None else {}
    headers = {**auth, "Content-Type": "text/csv"}
    return await client.post("/v1/imports", content=body, headers=headers, params=params)


async def test_own_layout_import_and_reimport(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    source = await _source(client, auth)
    first = await _import(client, auth, OWN, source)
    assert first.status_code == 201, first.text
    assert first.json() | {"errors": []} == {
        "layout": "tradestats",
        "encoding": "utf-8",
        "rows": 5,
        "figures": 5,
        "added": 5,
        "revised": 0,
        "unchanged": 0,
        "changed": True,
        "error_count": 0,
        "errors": [],
        "left_out": {},
        "skipped": 0,
    }
    count = _count(engine)
    again = await _import(client, auth, OWN, source)
    assert again.status_code == 200
    assert (again.json()["unchanged"], again.json()["changed"]) == (5, False)
    assert _count(engine) == count
    wheat = await client.get("/v1/trade/GE/AM/commodities", params={"commodity": "1001"})
    line = wheat.json()["lines"][0]
    assert (line["quantity"]["value"], line["quantity"]["qualifier"]) == (15000, "more_than")
    imports = await client.get("/v1/trade/GE/AM/imports", params={"period": "2019"})
    assert imports.json()["value"]["value"] == 235750000.5


async def test_comtrade_layout(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    source = await _source(client, auth)
    response = await _import(client, auth, COMTRADE, source)
    assert response.status_code == 201, response.text
    summary = response.json()
    assert (summary["layout"], summary["rows"], summary["figures"]) == ("comtrade", 5, 8)
    exports = await client.get("/v1/trade/AM/GE/exports", params={"period": "2019"})
    assert exports.json()["value"]["value"] == 230125000.75
    wheat = (await client.get("/v1/observations", params={"commodity": "1001"})).json()
    quantities = [f["value"] for f in wheat["data"] if f["measure"] == "quantity"]
    assert quantities == [15500]  # kilograms to tonnes
    new_code = (await client.get("/v1/commodities/100199")).json()
    assert (new_code["parent"]["code"], new_code["level"]) == ("1001", 6)
    assert _count(engine) == 13 + 8


async def test_a_bad_row_names_its_line_and_nothing_is_imported(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    source = await _source(client, auth)
    lines = OWN.decode().splitlines()
    lines[3] = lines[3].replace(",2019,", ",2019-13,", 1)
    lines.append("GE,AM,export,TOTAL,2019,,trade_value,12,,,kg,exact,,reported,x,y")
    count = _count(engine)
    response = await _import(client, auth, "\n".join(lines).encode(), source)
    body = assert_problem(response, 422)
    assert "nothing was imported" in body["detail"]
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(4, "period"), (7, "unit")]
    assert _count(engine) == count


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"a,b,c\n1,2,3\n", "the header matches no known layout"),
        # UTF-8 letters, then a byte UTF-8 has no place for: not text in any one encoding.
        ("reporter,partner,note\nAZ,KZ,Türkiye\n".encode() + b"AZ,KZ,\xff\n", "not UTF-8"),
        (
            OWN.replace(b"GE,AM,export,TOTAL,2019,,trade_value", b"GE,AM,export", 1),
            "fields; the header has",
        ),
        (OWN + OWN.splitlines(keepends=True)[1], "repeats the figure of line 2"),
        (COMTRADE.replace(b",268,GEO,TOTAL", b",999,QQQ,TOTAL", 1), "not an ISO 3166-1"),
        (COMTRADE.replace(b"M,268,GEO,TOTAL", b"Z,268,GEO,TOTAL", 1), "not X, M, RX or RM"),
        (
            b"reporter,partner,flow,period,measure,unit,note\nAZ,KZ,X,2018,quantity,t,"
            + b"x" * 200_000
            + b"\n",
            "field larger",
        ),
    ],
)
async def test_broken_files(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine, content: bytes, reason: str
) -> None:
    source = await _source(client, auth)
    count = _count(engine)
    body = assert_problem(await _import(client, auth, content, source), 422)
    assert any(reason in error["message"] for error in body["errors"]), body["errors"]
    assert _count(engine) == count


async def test_limits_and_content_type(
    client: httpx.AsyncClient, auth: dict[str, str], app: object
) -> None:
    settings = app.state.settings  # type: ignore[attr-defined]
    app.state.settings = settings.model_copy(update={"import_max_bytes": 100})  # type: ignore[attr-defined]
    assert_problem(await _import(client, auth, OWN, 1), 413)
    response = await client.post(
        "/v1/imports", content=OWN, headers={**auth, "Content-Type": "application/xml"}
    )
    assert_problem(response, 415)
    assert_problem(
        await client.post("/v1/imports", content=OWN, headers={"Content-Type": "text/csv"}), 401
    )


def test_cli_keys_and_import(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(cli, ["keys", "create", "--name", "etl"])
        assert created.exit_code == 0, created.output
        assert created.stdout.strip().startswith("ts_")
        listed = runner.invoke(cli, ["keys", "list"])
        assert "etl" in listed.stdout
        assert created.stdout.strip() not in listed.stdout
        assert runner.invoke(cli, ["keys", "create", "--name", "etl"]).exit_code == 1
        assert runner.invoke(cli, ["keys", "revoke", "etl"]).exit_code == 0
        assert runner.invoke(cli, ["keys", "revoke", "nobody"]).exit_code == 1

        imported = runner.invoke(
            cli, ["import", str(EXAMPLES / "comtrade.csv"), "--source", "1", "--json"]
        )
        assert imported.exit_code == 0, imported.output
        assert json.loads(imported.stdout)["added"] == 8
        again = runner.invoke(cli, ["import", str(EXAMPLES / "comtrade.csv"), "--source", "1"])
        assert "changed nothing" in again.stdout
        bad = tmp_path / "bad.csv"
        bad.write_bytes(COMTRADE.replace(b"418000000", b"lots"))
        failed = runner.invoke(cli, ["import", str(bad), "--source", "1"])
        assert failed.exit_code == 1
        assert "line 2, column primaryValue" in failed.output
    finally:
        get_settings.cache_clear()


def _as(content: bytes, delimiter: str) -> bytes:
    rows = csv.reader(io.StringIO(content.decode()))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("form", "media_type"),
    [
        ("gzip-tsv", "application/gzip"),  # UN Comtrade's bulk downloads
        ("semicolon-bom", "text/csv"),  # a spreadsheet's CSV export in many locales
        ("tsv", "text/tab-separated-values"),
    ],
)
async def test_files_as_people_have_them_import_identically(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine, form: str, media_type: str
) -> None:
    source = await _source(client, auth)
    first = await _import(client, auth, COMTRADE, source)
    assert first.status_code == 201, first.text
    stored = (await client.get("/v1/observations", params={"reporter": "ARM"})).json()["data"]
    body = {
        "gzip-tsv": gzip.compress(_as(COMTRADE, "\t")),
        "semicolon-bom": "\ufeff".encode() + _as(COMTRADE, ";"),
        "tsv": _as(COMTRADE, "\t"),
    }[form]
    headers = {**auth, "Content-Type": media_type}
    again = await client.post(
        "/v1/imports", content=body, headers=headers, params={"source": source}
    )
    assert again.status_code == 200, again.text
    summary = again.json()
    # The same rows and figures, every one found as already stored: read identically.
    assert (summary["layout"], summary["rows"], summary["figures"]) == ("comtrade", 5, 8)
    assert (summary["unchanged"], summary["added"], summary["revised"]) == (8, 0, 0)
    after = (await client.get("/v1/observations", params={"reporter": "ARM"})).json()["data"]
    assert after == stored
    assert _count(engine) == 13 + 8


async def test_a_broken_gzip_file_is_a_clear_422(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    source = await _source(client, auth)
    truncated = gzip.compress(_as(COMTRADE, "\t"))[:60]
    headers = {**auth, "Content-Type": "application/gzip"}
    response = await client.post(
        "/v1/imports", content=truncated, headers=headers, params={"source": source}
    )
    body = assert_problem(response, 422)
    assert "compressed" in body["errors"][0]["message"]
    assert _count(engine) == 13


def test_a_gzip_bomb_stops_at_the_inflation_limit() -> None:
    bomb = gzip.compress(b"period,reporterISO\n" + b"0" * 5_000_000)
    opened = open_upload(io.BytesIO(bomb), max_inflated_bytes=1_000_000, max_line_bytes=10**7)
    assert opened.compressed
    with pytest.raises(FileTooLargeError):
        opened.binary.read()


async def test_an_import_revises_restores_and_leaves_unchanged_by_the_write_rules(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    source = await _source(client, auth)
    assert (await _import(client, auth, OWN, source)).status_code == 201
    found = await client.get("/v1/observations", params={"reporter": "GE", "flow": "import"})
    [imports] = found.json()["data"]
    retracted = await client.delete(f"/v1/observations/{imports['id']}", headers=auth)
    assert retracted.status_code == 200, retracted.text

    lines = OWN.decode().splitlines()
    revised_line = lines[1].replace("412500000", "412600000")
    added_line = lines[1].replace(",2019,", ",2020,").replace("412500000", "450000000")
    body = "\r\n".join([lines[0], revised_line, *lines[2:], added_line]) + "\r\n"
    again = await _import(client, auth, body.encode(), source)
    assert again.status_code == 201, again.text
    counts = {name: again.json()[name] for name in ("added", "revised", "unchanged")}
    # One new figure; the changed export and the retracted-and-given-again import are
    # revisions; the growth, wheat and forecast lines are as stored.
    assert counts == {"added": 1, "revised": 2, "unchanged": 3}

    history = (await client.get(f"/v1/observations/{imports['id']}/history")).json()
    assert [(item["revision"], item["retracted"]) for item in history["revisions"]] == [
        (1, False),
        (2, True),
        (3, False),
    ]
    restored = history["revisions"][-1]["figure"]
    assert restored["value"] == imports["value"]
    # The first revision's own URL says it was replaced, and where the figure stands now.
    first, retraction, latest = (item["id"] for item in history["revisions"])
    replaced = (await client.get(f"/v1/observations/{first}")).json()
    assert (replaced["current"], replaced["retracted"]) == (False, False)
    assert replaced["valid_to"] == history["revisions"][0]["superseded_at"] is not None
    assert replaced["links"]["current"] == f"/v1/observations/{latest}"
    withdrawn = (await client.get(f"/v1/observations/{retraction}")).json()
    assert (withdrawn["current"], withdrawn["retracted"]) == (False, True)
    assert withdrawn["links"]["current"] == f"/v1/observations/{latest}"
    now = (await client.get(f"/v1/observations/{latest}")).json()
    assert (now["current"], now["valid_to"], now["links"]["current"]) == (True, None, None)
    assert now["links"]["history"] == f"/v1/observations/{latest}/history"
    exports = await client.get("/v1/trade/GE/AM/exports")
    values = {
        point["period"]["label"]: point["value"]["value"] for point in exports.json()["series"]
    }
    # 2018 is derived from the revised 2019 level and the 12.4 % growth: 412,600,000 / 1.124.
    assert values == {"2018": 367081851, "2019": 412600000, "2020": 450000000}

    third = await _import(client, auth, body.encode(), source)
    assert third.status_code == 200
    assert (third.json()["unchanged"], third.json()["changed"]) == (6, False)


async def test_a_batch_post_answers_what_it_stored_in_input_order(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    figures = [
        {
            "reporter": "GE",
            "partner": "AM",
            "flow": "export",
            "period": str(year),
            "measure": "trade_value",
            "value": 1000 + year,
            "unit": "USD",
            "source_id": 1,
        }
        for year in (2012, 2010, 2011)
    ]
    first = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert first.status_code == 201, first.text
    assert [item["period"]["label"] for item in first.json()["figures"]] == ["2012", "2010", "2011"]
    figures[1]["value"] = 5
    second = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert second.json()["summary"] == {"added": 0, "revised": 1, "unchanged": 2}
    answered = second.json()["figures"]
    assert [item["value"] for item in answered] == [3012, 5, 3011]
    assert [item["revision"] for item in answered] == [1, 2, 1]
    assert answered[0]["id"] == first.json()["figures"][0]["id"]
    stored = (await client.get(f"/v1/observations/{answered[1]['id']}")).json()
    # Its own URL adds where the revision stands: the current one, here.
    assert stored.pop("current") is True
    assert {name: stored.pop(name) for name in ("valid_to", "retracted")} == {
        "valid_to": None,
        "retracted": False,
    }
    assert stored.pop("links")["current"] is None
    assert stored == answered[1]


OWN_HEADER = b"reporter,partner,flow,commodity,period,measure,value,unit,statement\n"
OWN_ROW = b"AZ,KZ,export,TOTAL,%s,trade_value,1,USD,A figure.\n"


async def test_a_line_past_the_limit_is_refused_as_it_streams_in(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    before = _count(engine)
    # A 1 MB upload that inflates to one line of 100 MB.
    body = gzip.compress(OWN_HEADER + b"x" * 100_000_000)
    response = await _import(client, auth, body, 1)
    assert_problem(response, 422)
    error = response.json()["errors"][0]
    assert error["line"] == 2
    assert "longer than 1048576 bytes" in error["message"]
    assert _count(engine) == before


async def test_a_file_of_blank_lines_is_refused_cheaply(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = gzip.compress(OWN_HEADER + b"\n" * 30_000_000, compresslevel=9)
    assert len(body) < 100_000
    response = await _import(client, auth, body, 1)
    assert_problem(response, 422)
    last = response.json()["errors"][-1]["message"]
    assert "inflates past" in last or "reading stopped" in last


async def test_a_byte_that_is_not_utf8_is_named_on_its_own_line(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """After UTF-8 letters (line 7), a byte that is not UTF-8 is an error on its line."""
    months = [f"{1900 + n // 12}-{n % 12 + 1:02d}".encode() for n in range(2400)]
    rows = [OWN_ROW % month for month in months]
    rows[5] = rows[5].replace(b"figure", "café".encode())
    body = OWN_HEADER + b"".join(rows[:2388]) + rows[2388].replace(b"figure", b"caf\xe9")
    body += b"".join(rows[2389:])
    response = await _import(client, auth, body, 1)
    assert_problem(response, 422)
    error = response.json()["errors"][0]
    assert error["line"] == 2390
    assert "not UTF-8" in error["message"]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda text: text.encode("cp1252"), "windows-1252"),
        (lambda text: text.encode("latin-1"), "windows-1252"),
        (lambda text: text.encode("utf-16"), "utf-16"),
        (lambda text: text.encode("utf-16-le"), "utf-16"),
        (lambda text: text.encode("utf-8-sig"), "utf-8"),
    ],
    ids=["windows-1252", "iso-8859-1", "utf-16-bom", "utf-16-le", "utf-8-bom"],
)
async def test_a_file_in_another_encoding_is_read_as_its_text(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    engine: Engine,
    encoded: Callable[[str], bytes],
    encoding: str,
) -> None:
    """Letters on a line far past the first block read (64 KiB) of plain ASCII."""
    months = [f"{1900 + n // 12}-{n % 12 + 1:02d}" for n in range(2400)]
    rows = [(OWN_ROW % month.encode()).decode() for month in months]
    rows[2000] = rows[2000].replace("A figure.", "Türkiye and Côte d'Ivoire.")
    response = await _import(client, auth, encoded(OWN_HEADER.decode() + "".join(rows)), 1)
    assert response.status_code == 201, response.text
    assert (response.json()["encoding"], response.json()["added"]) == (encoding, 2400)
    with Session(engine) as session:
        statements = session.scalars(
            select(Observation.statement).where(Observation.period == months[2000])
        ).all()
    assert statements == ["Türkiye and Côte d'Ivoire."]
