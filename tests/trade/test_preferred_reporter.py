"""Where both countries report one flow, a pair answer uses a's figures unless
`reporter=` names b."""

from typing import Any

import httpx
import pytest

from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


async def _both_sides(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    # Armenia's exports to Georgia in 2019, as each side reported them.
    common: dict[str, Any] = {**SAMPLE_FIGURE, "period": "2019"}
    figures = [
        {**common, "reporter": "AM", "partner": "GE", "flow": "export", "value": "100"},
        {**common, "reporter": "GE", "partner": "AM", "flow": "import", "value": "120"},
    ]
    answer = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert answer.status_code == 201, answer.text


def _value(answer: httpx.Response) -> tuple[float, str]:
    assert answer.status_code == 200, answer.text
    figure = answer.json()["value"]
    return figure["value"], figure["reporter"]["alpha2"]


async def test_a_is_preferred_unless_reporter_names_b(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _both_sides(client, auth)
    exports = "/v1/trade/AM/GE/exports"
    assert _value(await client.get(exports, params={"period": "2019"})) == (100, "AM")
    preferred = await client.get(exports, params={"period": "2019", "reporter": "GEO"})
    assert _value(preferred) == (120, "GE")
    imports = "/v1/trade/GE/AM/imports"
    assert _value(await client.get(imports, params={"period": "2019"})) == (120, "GE")
    mirrored = await client.get(imports, params={"period": "2019", "reporter": "AM"})
    assert _value(mirrored) == (100, "AM")


async def test_the_reporter_must_be_one_of_the_pair(client: httpx.AsyncClient) -> None:
    """Georgia reports no figures of the AZ-KZ pair: a 404 that says whose figures there
    are, not a 422 for a well-formed request."""
    answer = await client.get("/v1/trade/AZ/KZ/turnover", params={"reporter": "GE"})
    body = assert_problem(answer, 404)
    assert "reported by GEO" in body["detail"]
    assert "AZE or KAZ" in body["detail"]
    assert body["pair"] == ["AZE", "KAZ"]
