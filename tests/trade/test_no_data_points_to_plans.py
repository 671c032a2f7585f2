"""A question the data cannot answer yet points to the forecasts and targets for it."""

import httpx
import pytest

from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


async def test_a_year_without_data_names_the_year_end_forecast(
    client: httpx.AsyncClient,
) -> None:
    body = assert_problem(await client.get("/v1/trade/AZ/KZ/turnover?period=2018"), 404)
    assert body["available_periods"] == ["2017-01/2017-09", "2018-01/2018-09"]
    [plan] = body["plans"]
    assert (plan["status"], plan["period"]) == ("forecast", "2018")
    assert f"figure {plan['id']}" in body["detail"]
    figure = (await client.get(plan["href"])).json()
    assert (figure["status"], figure["period"]["label"]) == ("forecast", "2018")


async def test_a_target_year_names_the_target(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/trade/KZ/AZ/exports?period=2019/2020"), 404)
    assert [(plan["status"], plan["period"]) for plan in body["plans"]] == [("target", "2020")]
    assert "/targets" in body["detail"]


async def test_a_period_no_plan_covers_has_no_plans(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v1/trade/AZ/KZ/balance?period=2005"), 404)
    assert "plans" not in body
    assert "Covering" not in body["detail"]


async def test_a_404_lists_only_periods_that_answer_its_question(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    """A 2018 export alone answers exports for 2018, not turnover: turnover's 404 does
    not offer 2018."""
    written = await client.post("/v1/observations", json=SAMPLE_FIGURE, headers=auth)
    assert written.status_code == 201, written.text
    exports = await client.get("/v1/trade/AZ/KZ/exports", params={"period": "2018"})
    assert exports.status_code == 200, exports.text
    turnover = assert_problem(
        await client.get("/v1/trade/AZ/KZ/turnover", params={"period": "2018"}), 404
    )
    assert "2018" not in turnover["available_periods"]
    assert "Periods with data: 2017-01/2017-09, 2018-01/2018-09." in turnover["detail"]
    imports = assert_problem(
        await client.get("/v1/trade/AZ/KZ/imports", params={"period": "2018"}), 404
    )
    assert "2018" not in imports["available_periods"]
