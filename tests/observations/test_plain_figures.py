"""Figures rendered straight from rows (`FigureRenderer.plain_rows`) are the figures the
API's model renders: the same values of the same types in the same order, so a list page
and the CSV export answer the bytes they answered through `Figure` and `FigureList`."""

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.http.representation import figures_csv, figures_rows
from app.observations import service as observations
from app.observations.presenters import FigureRenderer
from app.observations.schemas import FigureList
from app.observations.service import ObservationFilter
from app.shared.rendering import json_bytes, to_json
from app.shared.schemas import Links
from tests.helpers import import_examples


def _import_examples(engine: Engine) -> None:
    names = ("observations.csv", "comtrade.csv", "comtrade-plus-ge-2020.tsv.gz")
    for report in import_examples(engine, *names):
        assert report.added > 0, report


def _typed(value: Any) -> Any:
    """A value with the type of every part, so that 1 and Decimal(1) differ."""
    if isinstance(value, dict):
        return [(key, _typed(inner)) for key, inner in value.items()]
    if isinstance(value, list):
        return [_typed(inner) for inner in value]
    return (type(value), value)


def test_every_stored_figure_renders_as_its_model(engine: Engine) -> None:
    _import_examples(engine)
    with Session(engine) as session:
        rows = observations.page(session, ObservationFilter(), None, 100_000)
        assert len(rows) > 50
        renderer = FigureRenderer(session)
        plain = renderer.plain_rows(rows)
        models = renderer.rows(rows)
    kinds = {(figure.qualifier, figure.base_period is not None) for figure in models}
    assert len(kinds) > 3, kinds  # hedged, exact, with and without a base period
    assert any(figure.alternative_value is not None for figure in models)
    assert any(figure.attribution == "speaker" for figure in models)
    for mine, model in zip(plain, models, strict=True):
        assert _typed(mine) == _typed(model.model_dump(mode="python")), model.id
    links = Links(self="/v1/observations?limit=100", next="/v1/observations?after=1")
    assert json_bytes({"data": plain, "links": links.model_dump(mode="python")}) == to_json(
        FigureList(data=models, links=links)
    )
    assert figures_rows("data", plain) == figures_csv(FigureList(data=models, links=links))


@pytest.mark.anyio
async def test_list_pages_answer_the_models_bytes(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    _import_examples(engine)
    for query in (
        "limit=100",
        "reporter=AZ&limit=100",
        "reporter=GE&flow=M&limit=50",
        "commodity=TOTAL&limit=500",
        "exporter=KZ&limit=10&after=3",
        # A period: the periods' ids on Postgres, their dates on SQLite.
        "reporter=AZ&partner=KZ&period=2018&limit=100",
        "period=2017-01/2018-09&limit=500",
        "reporter=GE&period=2020&limit=5&after=2",
    ):
        for output in ("json", "csv"):
            answer = await client.get(f"/v1/observations?{query}&format={output}")
            assert answer.status_code == 200, answer.text
            with Session(engine) as session:
                listed = [figure["id"] for figure in _listed(answer, output)]
                rows = observations.page(session, ObservationFilter(), None, 100_000)
                by_id = {row.id: row for row in rows}
                models = FigureRenderer(session).rows([by_id[id_] for id_ in listed])
            expected_links = Links(**orjson.loads((await client.get(
                f"/v1/observations?{query}&format=json"
            )).content)["links"])  # fmt: skip
            payload = FigureList(data=models, links=expected_links)
            expected = figures_csv(payload) if output == "csv" else to_json(payload)
            assert answer.content == expected, (query, output)


def _listed(answer: httpx.Response, output: str) -> list[dict[str, Any]]:
    if output == "json":
        data: list[dict[str, Any]] = orjson.loads(answer.content)["data"]
        return data
    lines = answer.text.splitlines()[1:]
    return [{"id": int(line.split(",")[1])} for line in lines]
