"""The floor of uncached reads on Postgres: the leanest read any design could do.

A bare FastAPI app, served as `bare` is (app.cli.uvicorn_options), with two routes that
read through an asyncpg pool, each in one prepared statement, with no middleware, no
validation of their input and no rendering:

- a list page: a pair-year page of figures from the narrow tables, answered as the raw
  rows in JSON arrays (orjson), with no references, words or links;
- a pair + period read: the pair's stored point of that year (`pair_points`), answered
  as its stored body alone.

What they cost against `bare` is what the reads themselves cost on this machine, the
Postgres server's share of its two cores included: no rendering can be cheaper.

    python -m bench.floor WORKERS DATABASE_URL
"""

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.responses import Response

from app.cli import uvicorn_options
from app.core.serving import serve
from app.core.settings import get_settings
from app.trade.repository import Asked
from app.trade.stored import OPERATIONS

PATH = "/v1/observations"
PAIR_PATH = "/v1/trade/{a}/{b}/{operation}"
READY_PATH = "/ready"

# The pair's current figures of the periods inside a year, as the API's list reads them
# (`observations.narrow_pages`): the figures' own columns and their details.
PAGE = """
SELECT f.id, f.release_id, f.reporter, f.partner, f.commodity_id, f.period_id, f.flow,
       f.measure, f.status, f.unit, f.qualifier, f.revision, f.value, d.period,
       d.base_period_start, d.base_period_end, d.value_low, d.value_high,
       d.qualifier_wording, d.statement, d.note, d.alternative_value, d.alternative_reading
FROM figures f LEFT JOIN figure_details d ON d.figure_id = f.id
WHERE NOT f.superseded AND NOT f.retracted
  AND f.reporter = $1 AND f.partner = $2
  AND f.period_id BETWEEN
      (SELECT min(id) FROM periods WHERE start_date >= $3 AND end_date <= $4)
      AND (SELECT max(id) FROM periods WHERE start_date >= $3 AND end_date <= $4)
  AND (f.period_id + 0) = ANY(ARRAY(
      SELECT id FROM periods WHERE start_date >= $3 AND end_date <= $4))
ORDER BY f.id LIMIT $5
"""


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    raise TypeError(type(value).__name__)


def create_app(dsn: str) -> FastAPI:
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=16)
        state["pool"] = pool
        rows = await pool.fetch("SELECT alpha3, m49 FROM countries")
        rows += await pool.fetch("SELECT alpha2, m49 FROM countries")
        state["m49"] = {row[0]: row[1] for row in rows}
        yield
        await pool.close()

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)

    @app.get(READY_PATH)
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(PATH)
    async def page(request: Request) -> Response:
        asked = request.query_params
        m49, year = state["m49"], int(asked["period"])
        rows = await state["pool"].fetch(
            PAGE, m49[asked["reporter"]], m49[asked["partner"]],
            date(year, 1, 1), date(year, 12, 31), int(asked["limit"]) + 1,
        )  # fmt: skip
        return Response(
            orjson.dumps([tuple(row) for row in rows], default=_default),
            media_type="application/json",
        )

    @app.get(PAIR_PATH)
    async def pair_point(request: Request) -> Response:
        path, m49 = request.path_params, state["m49"]
        year = int(request.query_params["period"])
        asked = Asked(
            m49[path["a"]], m49[path["b"]], OPERATIONS[path["operation"]],
            (date(year, 1, 1), date(year, 12, 31)),
        )  # fmt: skip
        statement, parameters = asked.statement(postgres=True)
        rows = await state["pool"].fetch(statement, *parameters)
        return Response(rows[-1][3] if rows else b"null", media_type="application/json")

    return app


def from_environment() -> FastAPI:
    """The app of each of uvicorn's workers (the store's DSN in FLOOR_DSN)."""
    return create_app(os.environ["FLOOR_DSN"])


def main() -> None:
    workers = int(sys.argv[1])
    os.environ["FLOOR_DSN"] = sys.argv[2]
    options = uvicorn_options(get_settings(), workers)
    serve("bench.floor:from_environment", **options)


if __name__ == "__main__":
    main()
