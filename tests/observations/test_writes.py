"""POST and DELETE of figures: validation, revisions, as_of, retraction, idempotency."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.observations import service as observations
from app.observations.models import Observation
from app.observations.staging import StagedWrite
from tests.helpers import exact_json
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

EXPORTS_2018 = {
    "reporter": "AZE",
    "partner": "KAZ",
    "flow": "export",
    "period": "2018",
    "measure": "trade_value",
    "value": "48500000",
    "unit": "USD",
    "source_id": 1,
    "statement": "Azerbaijan's exports to Kazakhstan in 2018.",
}
# The seeded "almost $36 million" figure, id 2, with a new value.
JAN_SEP_EXPORTS = {
    **EXPORTS_2018,
    "period": "2018-01/2018-09",
    "value": "35800000",
    "qualifier": "exact",
}


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Observation)) or 0


async def _post(client: httpx.AsyncClient, auth: dict[str, str], body: Any) -> httpx.Response:
    return await client.post("/v1/observations", json=body, headers=auth)


async def test_a_new_figure_is_added_and_committed(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    response = await _post(client, auth, EXPORTS_2018)
    assert response.status_code == 201, response.text
    answer = exact_json(response)
    assert answer["summary"] == {"added": 1, "revised": 0, "unchanged": 0}
    figure = answer["figures"][0]
    assert (figure["value"], figure["revision"], figure["period"]["label"]) == (
        Decimal(48500000),
        1,
        "2018",
    )
    assert response.headers["location"] == f"/v1/observations/{figure['id']}"
    # Committed before the answer: a separate connection sees it.
    with Session(engine) as session:
        assert session.get(Observation, int(figure["id"])) is not None


async def test_a_written_figure_shows_at_once_with_a_new_etag(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    url = "/v1/trade/AZ/KZ/exports?period=2018"
    before = await client.get(url)
    assert before.status_code == 404
    assert (await _post(client, auth, EXPORTS_2018)).status_code == 201
    after = await client.get(url)
    assert after.json()["value"]["value"] == 48500000
    series = await client.get("/v1/trade/AZ/KZ/exports")
    assert "2018" in [point["period"]["label"] for point in series.json()["series"]]


async def test_posting_the_same_values_changes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    assert (await _post(client, auth, EXPORTS_2018)).status_code == 201
    count = _count(engine)
    again = await _post(client, auth, EXPORTS_2018)
    assert again.status_code == 200
    assert again.json()["summary"] == {"added": 0, "revised": 0, "unchanged": 1}
    assert _count(engine) == count


async def test_a_new_value_is_a_revision_and_as_of_shows_the_old(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    url = "/v1/trade/AZ/KZ/exports?period=2018-01/2018-09"
    old = await client.get(url)
    moment = datetime.now(UTC).isoformat()
    response = await _post(client, auth, JAN_SEP_EXPORTS)
    assert response.json()["summary"] == {"added": 0, "revised": 1, "unchanged": 0}
    new_id = response.json()["figures"][0]["id"]
    current = await client.get(url)
    assert current.json()["value"]["value"] == 35800000
    assert current.headers["etag"] != old.headers["etag"]
    then = await client.get(url + f"&as_of={moment.replace('+', '%2B')}")
    assert then.json()["value"]["value"] == 36000000
    assert then.json()["value"]["qualifier"] == "less_than"
    history = (await client.get(f"/v1/observations/{new_id}/history")).json()["revisions"]
    assert [(r["revision"], r["figure"]["value"]) for r in history] == [
        (1, 36000000),
        (2, 35800000),
    ]
    assert history[0]["superseded_at"] is not None
    assert history[1]["superseded_at"] is None
    same = (await client.get("/v1/observations/2/history")).json()
    assert same["revisions"] == history


async def test_as_of_before_the_seed_knows_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/observations", params={"as_of": "2020-01-01T00:00:00Z"})
    assert response.json()["data"] == []


async def test_retraction_hides_but_keeps(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    moment = datetime.now(UTC).isoformat()
    count = _count(engine)
    response = await client.delete("/v1/observations/4", headers=auth)
    assert response.status_code == 200, response.text
    retraction = response.json()
    assert (retraction["retracted"], retraction["revision"]) == (True, 2)
    assert _count(engine) == count + 1
    imports = await client.get("/v1/trade/AZ/KZ/imports", params={"period": "2018-01/2018-09"})
    assert imports.json()["value"] is None
    assert imports.json()["growth"]["reported"]["value"] == 65.8
    before = await client.get(
        "/v1/trade/AZ/KZ/imports", params={"period": "2018-01/2018-09", "as_of": moment}
    )
    assert before.json()["value"]["value"] == 133000000
    again = await client.delete("/v1/observations/4", headers=auth)
    assert again.json()["id"] == retraction["id"]
    assert _count(engine) == count + 1
    assert_problem(await client.delete("/v1/observations/99999", headers=auth), 404)


async def test_a_batch_is_all_or_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    count = _count(engine)
    batch = {
        "figures": [
            EXPORTS_2018,
            {**EXPORTS_2018, "period": "2018-13", "unit": "t"},
            {**EXPORTS_2018, "partner": "AZ", "reporter": "XX", "value": "-5"},
            {
                **EXPORTS_2018,
                "measure": "growth",
                "unit": "percent",
                "qualifier": "range",
                "value": None,
                "value_low": "9",
                "value_high": "3",
            },
        ]
    }
    body = assert_problem(await _post(client, auth, batch), 422)
    assert "3 of 4 figures are invalid; nothing was written" in body["detail"]
    found = {(error["index"], error["field"]) for error in body["errors"]}
    assert {(1, "period"), (1, "unit"), (2, "reporter"), (2, "value"), (3, "value_low")} <= found
    assert all(error["message"] for error in body["errors"])
    assert _count(engine) == count


async def test_repeated_figure_in_a_batch_is_rejected(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = assert_problem(await _post(client, auth, {"figures": [EXPORTS_2018] * 2}), 422)
    assert body["errors"][0]["message"] == "repeats figure 0 of the batch"


async def test_a_source_can_come_with_its_figures(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    source = {
        "slug": "kz-stat-2019",
        "publisher": "Bureau of National Statistics",
        "title": "Foreign trade of Kazakhstan, 2018",
        "published_on": "2019-02-15",
    }
    figure = {
        **EXPORTS_2018,
        "source_id": None,
        "source": "kz-stat-2019",
        "reporter": "KZ",
        "partner": "AZ",
        "flow": "import",
    }
    response = await _post(client, auth, {"figures": [figure], "sources": [source]})
    assert response.status_code == 201, response.text
    citation = response.json()["figures"][0]["sources"][0]["citation"]
    assert citation == "Bureau of National Statistics, 2019-02-15"
    clash = {**source, "title": "Something else"}
    assert_problem(await _post(client, auth, {"figures": [figure], "sources": [clash]}), 409)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 422),
        (b'{"figures": []}', 422),
        (b'{"reporter": "AZ"}', 422),
        (b'{"unknown_field": 1}', 422),
        (b"[1, 2]", 422),
    ],
)
async def test_malformed_bodies(
    client: httpx.AsyncClient, auth: dict[str, str], body: bytes, status: int
) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    response = await client.post("/v1/observations", content=body, headers=headers)
    assert_problem(response, status)


async def test_wrong_content_type_is_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/observations", content=b"a,b", headers={**auth, "Content-Type": "text/csv"}
    )
    assert_problem(response, 415)


async def test_idempotent_replay_and_conflict(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    headers = {**auth, "Idempotency-Key": "retry-me-1"}
    first = await client.post("/v1/observations", json=EXPORTS_2018, headers=headers)
    assert first.status_code == 201
    count = _count(engine)
    replay = await client.post("/v1/observations", json=EXPORTS_2018, headers=headers)
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    assert _count(engine) == count
    other = {**EXPORTS_2018, "value": "1"}
    conflict = await client.post("/v1/observations", json=other, headers=headers)
    assert_problem(conflict, 409)
    assert _count(engine) == count


async def test_concurrent_writers_keep_every_revision(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    values = [str(35_000_000 + step) for step in range(12)]
    responses = await asyncio.gather(
        *(_post(client, auth, {**JAN_SEP_EXPORTS, "value": value}) for value in values)
    )
    assert all(response.status_code == 201 for response in responses), [r.text for r in responses]
    with Session(engine) as session:
        rows = session.scalars(
            select(Observation).where(
                Observation.reporter_code == "AZE",
                Observation.flow == "export",
                Observation.measure == "trade_value",
                Observation.period == "2018-01/2018-09",
            )
        ).all()
    assert sorted(row.revision for row in rows) == list(range(1, 14))
    written = sorted(str(int(row.value or 0)) for row in rows if row.revision > 1)
    assert written == sorted(values)
    assert sum(row.valid_to is None for row in rows) == 1


async def test_control_characters_in_a_source_are_refused_on_every_engine(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    before = (await client.get("/v1/sources")).json()["data"]
    source = {
        "slug": "nul-source",
        "publisher": "Bureau\x00of Statistics",
        "title": "Trade",
        "published_on": "2019-02-15",
    }
    body = assert_problem(await client.post("/v1/sources", json=source, headers=auth), 422)
    assert any(
        "publisher" in error["location"] and "control characters" in error["message"]
        for error in body["errors"]
    )
    assert (await client.get("/v1/sources")).json()["data"] == before


async def test_a_batch_costs_the_same_statements_whatever_its_size(
    client: httpx.AsyncClient, auth: dict[str, str], engine: Engine
) -> None:
    """Writes are set-based: no statement per figure, no reloading row by row."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]).split(None, 1)[0].upper())

    def batch(first_year: int, size: int) -> dict[str, Any]:
        years = range(first_year, first_year + size)
        return {"figures": [{**EXPORTS_2018, "period": str(year)} for year in years]}

    await _post(client, auth, batch(1940, 1))  # references of the answer are cached after
    event.listen(engine, "before_cursor_execute", count)
    try:
        one = await _post(client, auth, batch(1950, 1))
        for_one = list(statements)
        statements.clear()
        fifty = await _post(client, auth, batch(1960, 50))
        for_fifty = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (one.status_code, fifty.status_code) == (201, 201)
    assert len(fifty.json()["figures"]) == 50
    assert for_fifty.count("SELECT") == for_one.count("SELECT")
    assert len(for_fifty) == len(for_one), (for_one, for_fifty)


async def test_a_write_that_keeps_meeting_deadlocks_is_a_409_to_retry_and_stores_nothing(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts = 0

    def deadlocked(self: StagedWrite) -> None:
        nonlocal attempts
        attempts += 1
        raise OperationalError("merge", {}, Exception("deadlock detected"))

    monkeypatch.setattr(StagedWrite, "merge", deadlocked)
    count = _count(engine)
    response = await client.post("/v1/observations", json=EXPORTS_2018, headers=auth)
    problem = assert_problem(response, 409)
    assert "Send it again" in problem["detail"]
    assert response.headers["retry-after"] == "1"
    assert attempts == observations.MAX_ATTEMPTS  # redone in a savepoint each time
    assert _count(engine) == count
