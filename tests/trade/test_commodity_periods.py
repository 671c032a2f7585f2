"""A period's commodity lines, read from that period's figures (and the year before's,
and the rates), are the lines of that period in the whole breakdown, read from every
figure of the pair."""

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine

from tests.helpers import import_examples

pytestmark = pytest.mark.anyio

# The seeded article's pair (multipliers and growth rates against other periods) and
# the UN Comtrade examples' (monthly and annual lines, HS codes within others).
PAIRS = [("AZ", "KZ"), ("ARM", "GEO"), ("GE", "AM")]


def _lines(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = orjson.loads(answer.content)["lines"]
    return lines


async def test_a_periods_lines_are_the_breakdowns_lines_of_that_period(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    import_examples(engine, "comtrade.csv", "comtrade-plus-ge-2020.tsv.gz")
    compared = 0
    earlier = compared_with = False
    for a, b in PAIRS:
        every = _lines(await client.get(f"/v1/trade/{a}/{b}/commodities"))
        labels = {line["period"]["label"] for line in every}
        earlier = earlier or any(line["earlier"] is not None for line in every)
        compared_with = compared_with or any(line["comparison"] is not None for line in every)
        assert labels, (a, b)
        for label in sorted(labels):
            expected = [line for line in every if line["period"]["label"] == label]
            for flow in (None, "export", "import"):
                params = {"period": label} | ({"flow": flow} if flow else {})
                answer = await client.get(f"/v1/trade/{a}/{b}/commodities", params=params)
                wanted = [line for line in expected if flow is None or line["flow"] == flow]
                if not wanted:
                    assert answer.status_code == 404, (a, b, params)
                    continue
                assert _lines(answer) == wanted, (a, b, params)
                compared += len(wanted)
    assert compared > 20
    # Lines that rest on another period's level are among them: a rate's base, and the
    # period the source compares a level with.
    assert earlier
    assert compared_with
