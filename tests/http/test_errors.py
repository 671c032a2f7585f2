"""Every kind of error answers in the same problem+json shape."""

import httpx
import pytest

from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


async def test_unknown_route(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/v2/nothing"), 404)
    assert "/docs" in body["detail"]


async def test_method_not_allowed_names_the_allowed_ones(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/countries")
    body = assert_problem(response, 405)
    assert "GET" in body["detail"]
    assert response.headers["allow"] == "GET, HEAD"


async def test_not_acceptable_lists_what_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/countries/AZ", headers={"Accept": "application/xml"})
    body = assert_problem(response, 406)
    assert body["accepted"] == ["application/json", "text/csv"]


async def test_framework_validation_lists_each_bad_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/observations", params={"measure": "weight", "source": "x"})
    body = assert_problem(response, 422)
    locations = {error["location"] for error in body["errors"]}
    assert locations == {"query.measure", "query.source"}


@pytest.mark.parametrize("period", ["2018-Q5", "2018-13", "0", "99999", "x" * 10_000])
async def test_invalid_period_lists_the_accepted_forms(
    client: httpx.AsyncClient, period: str
) -> None:
    response = await client.get("/v1/trade/AZ/KZ/turnover", params={"period": period})
    body = assert_problem(response, 422)
    assert "2018-Q3" in body["detail"]
    assert "2018-01/2018-09" in body["errors"][0]["message"]
    assert body["errors"][0]["location"] == "query.period"


async def test_an_interval_that_ends_first_is_a_client_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/trade/AZ/KZ/turnover", params={"period": "2018-09/2018-01"})
    body = assert_problem(response, 422)
    assert "ends before it starts" in body["detail"]
    assert "2018-01/2018-09" in body["detail"]
    assert body["errors"][0]["location"] == "query.period"


async def test_freq_p9m_keeps_every_nine_month_period(client: httpx.AsyncClient) -> None:
    """SDMX names the January-September series P9M: /v1 takes the same name."""
    by_months = (await client.get("/v1/trade/AZ/KZ/exports", params={"freq": "01/09"})).json()
    by_sdmx = (await client.get("/v1/trade/AZ/KZ/exports", params={"freq": "P9M"})).json()
    labels = [point["period"]["label"] for point in by_sdmx["series"]]
    assert labels == ["2017-01/2017-09", "2018-01/2018-09"]
    assert by_sdmx["series"] == by_months["series"]


@pytest.mark.parametrize(
    ("path", "status", "fragment"),
    [
        ("/v1/trade/AZ/ZZ/turnover", 404, "No country has the alpha2 code 'ZZ'"),
        ("/v1/trade/A1/KZ/turnover", 422, "path.a: 'A1' is not accepted; accepted: an ISO"),
        ("/v1/trade/KZ/398/turnover", 404, "a pair needs two countries"),
        ("/v1/commodities/123", 422, "accepted: TOTAL, or an HS code of 2, 4 or 6 digits"),
        # Not in HS 2022 (chapter 01 has headings 0101 to 0106).
        ("/v1/commodities/0100", 404, "No commodity has the code '0100'"),
        ("/v1/sources/999", 404, "No source has the id 999"),
        ("/v1/observations/999", 404, "No figure has the id 999"),
        ("/v1/observations?limit=0", 422, "query.limit: Input should be greater than or equal"),
        ("/v1/observations?limit=1001", 422, "query.limit: Input should be less than or equal"),
        ("/v1/observations?limit=-5", 422, "query.limit"),
        ("/v1/observations?limit=99999999999999999999", 422, "query.limit"),
        ("/v1/observations?after=abc", 422, "accepted: an id of 1 to 19 digits"),
        (
            "/v1/observations?flow=re-export",
            422,
            "export (X), import (M), turnover, re_export (RX) or re_import (RM)",
        ),
        ("/v1/trade/AZ/KZ/commodities?flow=both", 422, "accepted: export (X) or import (M)"),
    ],
)
async def test_client_mistakes(
    client: httpx.AsyncClient, path: str, status: int, fragment: str
) -> None:
    body = assert_problem(await client.get(path), status)
    assert fragment in body["detail"]


async def test_valid_period_without_data_is_404_listing_periods(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/trade/KZ/AZ/exports", params={"period": "2019"})
    body = assert_problem(response, 404)
    assert body["available_periods"] == ["2017-01/2017-09", "2018-01/2018-09"]
    assert "2018-01/2018-09" in body["detail"]


async def test_pair_without_any_data_is_404_not_empty(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/trade/FR/DE/turnover", params={"period": "2018"})
    body = assert_problem(response, 404)
    assert body["available_periods"] == []


async def test_available_periods_are_not_limited_to_the_asked_window(
    client: httpx.AsyncClient,
) -> None:
    for path in ("turnover", "exports", "balance", "commodities"):
        response = await client.get(f"/v1/trade/AZ/KZ/{path}", params={"period": "2024"})
        body = assert_problem(response, 404)
        assert "2018-01/2018-09" in body["available_periods"], path
