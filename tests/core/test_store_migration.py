"""The narrow store (0013) holds exactly what the wide table held, and gives it back.

- A store at 0012 with the article, figures as an import writes them, revisions, a
  retraction and every optional field is upgraded: the `observations` view returns the
  old table's rows value for value. Downgraded again, the database is the one it was.
- At head, after imports, revisions and a retraction through the API, every read answer
  (JSON, CSV, SDMX, with and without `as_of`) is the same before and after a round trip
  through the old schema.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.auth.models import Scope
from app.core import migrations
from app.core.settings import Settings
from app.main import create_app
from tests.core.test_migrations import _snapshot
from tests.databases import Databases
from tests.helpers import asgi_client, closing_app, new_key

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BEFORE = "0012_canonical_decimal_text"
COLUMNS = (
    "id, reporter_code, partner_code, flow, commodity_code, period, period_start, period_end, "
    "base_period, base_period_start, base_period_end, measure, value, value_low, value_high, "
    "unit, qualifier, qualifier_wording, status, source_id, statement, note, recorded_at, "
    "revision, valid_to, retracted, recorded_by, attribution, alternative_value, "
    "alternative_reading, reporter_stated"
)
T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)


def _wide_rows() -> Iterator[dict[str, Any]]:
    """Figures as imports, writes and retractions left them in the wide table."""
    base: dict[str, Any] = {
        "partner_code": "KAZ", "commodity_code": "TOTAL", "base_period": None,
        "base_period_start": None, "base_period_end": None, "value_low": None,
        "value_high": None, "unit": "USD", "qualifier": "exact", "qualifier_wording": None,
        "status": "reported", "source_id": 1, "note": None, "revision": 1, "valid_to": None,
        "retracted": False, "recorded_by": "importer", "attribution": "publisher",
        "alternative_value": None, "alternative_reading": None, "reporter_stated": True,
        "measure": "trade_value", "recorded_at": T0,
    }  # fmt: skip
    number = 1000
    # An import: statements generated from the figure's dimensions, two spans, HS lines.
    for reporter in ("ARM", "GEO", "TUR"):
        for flow in ("export", "import"):
            for commodity in ("TOTAL", "10", "1006", "100630"):
                for period, start, end in (
                    ("2019", "2019-01-01", "2019-12-31"),
                    ("2020-03", "2020-03-01", "2020-03-31"),
                ):
                    number += 1
                    goods = "all goods" if commodity == "TOTAL" else f"HS {commodity}"
                    yield {
                        **base, "id": number, "reporter_code": reporter, "flow": flow,
                        "commodity_code": commodity, "period": period,
                        "period_start": start, "period_end": end, "value": f"{number}.250000",
                        "statement": f"{reporter} {flow} with KAZ, {goods}, {period}: trade value.",
                    }  # fmt: skip
    revised = {
        **base, "reporter_code": "UZB", "flow": "export", "period": "2018",
        "period_start": "2018-01-01", "period_end": "2018-12-31", "statement": "First words.",
    }  # fmt: skip
    later = T0 + timedelta(days=3)
    yield {**revised, "id": 2001, "value": "5.000000", "valid_to": later}
    yield {
        **revised, "id": 2002, "value": "6.000000", "revision": 2, "recorded_at": later,
        "recorded_by": None, "period": "2018-01/2018-12", "note": "corrected",
        "valid_to": later + timedelta(hours=1),
    }  # fmt: skip
    yield {
        **revised, "id": 2003, "value": "6.000000", "revision": 3, "retracted": True,
        "recorded_at": later + timedelta(hours=1), "recorded_by": "admin",
        "period": "2018-01/2018-12", "note": "corrected",
    }  # fmt: skip
    yield {
        **base, "id": 2004, "reporter_code": "UZB", "flow": "import", "period": "2017",
        "period_start": "2017-01-01", "period_end": "2017-12-31", "value": None,
        "value_low": "1.500000", "value_high": "2.000000", "qualifier": "range",
        "statement": "Between 1.5 and 2.", "attribution": "speaker", "reporter_stated": False,
        "recorded_by": None,
    }  # fmt: skip
    yield {
        **base, "id": 2005, "reporter_code": "UZB", "flow": "turnover", "period": "2017",
        "period_start": "2017-01-01", "period_end": "2017-12-31", "measure": "growth",
        "unit": "percent", "value": "12.400000", "base_period": "2016",
        "base_period_start": "2016-01-01", "base_period_end": "2016-12-31",
        "qualifier": "more_than", "qualifier_wording": "over", "status": "derived",
        "alternative_value": "13.000000", "alternative_reading": "if re-exports count",
        "statement": "UZB turnover with KAZ, all goods, 2017: growth.",
    }  # fmt: skip


def _insert_wide(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for row in _wide_rows():
                names = ", ".join(row)
                values = ", ".join(f":{name}" for name in row)
                connection.execute(
                    text(f"INSERT INTO observations ({names}) VALUES ({values})"), row
                )
    finally:
        engine.dispose()


def _rows(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(str(value) for value in row)
                for row in connection.execute(
                    text(f"SELECT {COLUMNS} FROM observations ORDER BY id")
                )
            ]
    finally:
        engine.dispose()


def test_the_narrow_store_holds_every_row_of_the_wide_one(databases: Databases) -> None:
    with databases.empty() as url:
        migrations.upgrade(url, BEFORE)
        _insert_wide(url)
        wide, schema = _rows(url), _snapshot(url)
        migrations.upgrade(url)
        narrow = _rows(url)
        engine = create_engine(url)
        with engine.connect() as connection:
            # Generated statements and shared labels are not stored per figure.
            details = connection.scalar(text("SELECT count(*) FROM figure_details"))
            figures = connection.scalar(text("SELECT count(*) FROM figures"))
        engine.dispose()
        migrations.downgrade(url, BEFORE)
        back, schema_back = _rows(url), _snapshot(url)
    assert len(wide) > 50
    assert narrow == wide
    assert back == wide
    # Every step bumps the store version, so no response cache serves an answer of before.
    version, version_back = (rows.pop("store_version")[2][0][1] for rows in (schema, schema_back))
    assert version_back > version
    assert schema_back == schema
    assert figures == len(wide)
    assert details is not None
    assert 0 < details < 25  # the article's own words and the few rows above


def _app(url: str) -> Any:
    return create_app(Settings(database_url=url, cache_max_age=0))


async def _answers(url: str, paths: list[str]) -> dict[str, tuple[int, str, str]]:
    found = {}
    with closing_app(_app(url)) as application:
        async with asgi_client(application) as client:
            for path in paths:
                answer = await client.get(path)
                found[path] = (
                    answer.status_code,
                    answer.headers.get("content-type", ""),
                    answer.text,
                )
    return found


def _read_paths(ids: list[int], as_of: str) -> list[str]:
    pairs = ("AZ/KZ", "KZ/AZ", "AM/GE", "GE/AM", "KZ/US")
    questions = ("turnover", "exports", "imports", "balance", "commodities", "targets", "mirror")
    paths = [f"/v1/trade/{pair}/{question}" for pair in pairs for question in questions]
    paths += [f"{path}?as_of={as_of}" for path in paths]
    paths += [f"/v1/trade/AZ/KZ/exports?period=2018-01/2018-09&format={f}" for f in ("csv", "json")]
    listings = (
        "/v1/observations?limit=500",
        "/v1/observations?limit=500&format=csv",
        "/v1/observations?reporter=AM&limit=500",
        "/v1/observations?exporter=KZ&limit=500",
        "/v1/observations?commodity=10&include_subcodes=true&limit=500",
        f"/v1/observations?as_of={as_of}&limit=500",
        "/v1/observations/export",
        f"/v1/observations/export?as_of={as_of}",
        "/v1/countries?with_data=true",
        "/v1/countries?trades_with=KZ",
        "/v1/sources/1",
        "/sdmx/2.1/data/TRADE",
        "/sdmx/2.1/data/TRADE?format=csv",
        f"/sdmx/3.0/data/dataflow/TRADESTATS/TRADE/1.0/*?asOf={as_of}",
    )
    paths += list(listings)
    for figure in ids:
        paths += [f"/v1/observations/{figure}", f"/v1/observations/{figure}/history"]
    return paths


async def test_every_read_answers_the_same_after_a_round_trip(databases: Databases) -> None:
    with databases.migrated() as url:
        key = new_key(url, "writer", Scope.WRITE)
        auth = {"Authorization": f"Bearer {key}"}
        with closing_app(_app(url)) as application:
            async with asgi_client(application) as client:
                for example in ("observations.csv", "comtrade.csv"):
                    answer = await client.post(
                        "/v1/imports?source=1",
                        headers={**auth, "Content-Type": "text/csv"},
                        content=(EXAMPLES / example).read_bytes(),
                    )
                    assert answer.status_code == 201, answer.text
                as_of = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                figure = {
                    "reporter": "AM", "partner": "GE", "flow": "export", "period": "2031",
                    "measure": "trade_value", "unit": "USD", "value": 1, "source_id": 1,
                }  # fmt: skip
                for value in (1, 2):
                    answer = await client.post(
                        "/v1/observations",
                        headers=auth,
                        json={"figures": [{**figure, "value": value, "note": f"v{value}"}]},
                    )
                    assert answer.status_code == 201, answer.text
                written = answer.json()["figures"][0]["id"]
                answer = await client.delete(f"/v1/observations/{written}", headers=auth)
                assert answer.status_code == 200, answer.text
        paths = _read_paths([1, 5, 13, written, written + 1], as_of.replace(":", "%3A"))
        before = await _answers(url, paths)
        migrations.downgrade(url, BEFORE)
        migrations.upgrade(url)
        after = await _answers(url, paths)
    assert sum(status == 200 for status, _, _ in before.values()) > len(paths) // 2
    for path in paths:
        assert after[path] == before[path], path
