"""A question the data cannot answer yet points to the forecasts and targets for it."""

import httpx
import pytest

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
