"""Series keep periods of one span on request (`freq=`), and say which spans exist, so
a chart never sets a month beside a nine-month total."""

from datetime import date
from typing import Any

import httpx
import pytest

from app.shared.periods import Period, parse_period
from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("label", "span"),
    [
        ("2018", "A"),
        ("2018-S2", "S"),
        ("2018-Q3", "Q"),
        ("2018-09", "M"),
        ("2018-01/2018-09", "01/09"),
        ("2018-02/2018-04", "02/04"),
        ("2017-07/2018-06", "P12M"),
    ],
)
def test_every_period_has_a_span(label: str, span: str) -> None:
    assert parse_period(label).span == span


def test_a_span_is_about_length_and_alignment() -> None:
    # Three months, but not a calendar quarter.
    assert Period(date(2018, 2, 1), date(2018, 4, 30)).span == "02/04"


async def _mixed_series(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    common: dict[str, Any] = {**SAMPLE_FIGURE, "reporter": "AM", "partner": "GE"}
    figures = [
        {**common, "period": "2018", "value": "1200"},
        {**common, "period": "2019", "value": "1300"},
        {**common, "period": "2019-01/2019-09", "value": "900"},
        {**common, "period": "2019-03", "value": "100"},
    ]
    answer = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert answer.status_code == 201, answer.text


async def test_freq_keeps_one_span_and_spans_lists_them_all(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _mixed_series(client, auth)
    url = "/v1/trade/AM/GE/exports"
    everything = (await client.get(url)).json()
    assert sorted(everything["spans"]) == ["01/09", "A", "M"]
    assert len(everything["series"]) == 4
    years = (await client.get(url, params={"freq": "a"})).json()
    assert [point["period"]["label"] for point in years["series"]] == ["2018", "2019"]
    assert years["spans"] == everything["spans"]
    part_year = (await client.get(url, params={"freq": "01/09"})).json()
    assert [point["period"]["label"] for point in part_year["series"]] == ["2019-01/2019-09"]
    quarters = (await client.get(url, params={"freq": "Q"})).json()
    assert quarters["series"] == []
    balance = (await client.get("/v1/trade/GE/AM/balance", params={"freq": "M"})).json()
    # Georgia's balance needs both directions; only exports to it are known.
    assert balance["series"] == []


async def test_the_seeded_pair_has_one_span(client: httpx.AsyncClient) -> None:
    for series in ("turnover", "exports", "imports", "balance"):
        answer = (await client.get(f"/v1/trade/AZ/KZ/{series}", params={"freq": "01/09"})).json()
        assert answer["spans"] == ["01/09"], series
        labels = [point["period"]["label"] for point in answer["series"]]
        assert "2018-01/2018-09" in labels, series


async def test_a_bad_freq_says_what_is_accepted(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/turnover", params={"freq": "weekly"})
    assert_problem(answer, 422)
    assert "01/09" in answer.text
    other_span = await client.get(
        "/v1/trade/AZ/KZ/turnover", params={"freq": "A", "period": "2018-01/2018-09"}
    )
    assert assert_problem(other_span, 404)["period_span"] == "01/09"
    same_span = await client.get(
        "/v1/trade/AZ/KZ/turnover", params={"freq": "01/09", "period": "2018-01/2018-09"}
    )
    assert same_span.json()["value"]["value"] == 169000000


async def _years(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    """Armenia's exports to Georgia and back, 2014-2020, and a month among them."""
    common: dict[str, Any] = {**SAMPLE_FIGURE, "reporter": "AM", "partner": "GE"}
    figures = [
        {**common, "period": str(year), "value": str(1000 + year % 100)}
        for year in range(2014, 2021)
    ]
    figures += [
        {**common, "flow": "import", "period": str(year), "value": "10"}
        for year in range(2014, 2021)
    ]
    figures.append({**common, "period": "2016-03", "value": "5"})
    answer = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert answer.status_code == 201, answer.text


async def test_a_period_of_years_with_freq_is_the_range_of_a_series(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _years(client, auth)
    for endpoint in ("exports", "turnover", "balance"):
        answer = await client.get(
            f"/v1/trade/AM/GE/{endpoint}", params={"period": "2015/2019", "freq": "A"}
        )
        assert answer.status_code == 200, answer.text
        labels = [point["period"]["label"] for point in answer.json()["series"]]
        assert labels == ["2015", "2016", "2017", "2018", "2019"], endpoint
    exports = (
        await client.get("/v1/trade/AM/GE/exports", params={"period": "2015/2019", "freq": "A"})
    ).json()
    whole = (await client.get("/v1/trade/AM/GE/exports", params={"freq": "A"})).json()
    # Each point is the series' own, year-earlier level and growth included.
    assert exports["series"] == [
        point for point in whole["series"] if "2015" <= point["period"]["label"] <= "2019"
    ]
    months = await client.get(
        "/v1/trade/AM/GE/exports", params={"period": "2016/2017", "freq": "M"}
    )
    assert [p["period"]["label"] for p in months.json()["series"]] == ["2016-03"]


async def test_a_range_with_nothing_inside_and_a_period_of_years_without_freq_say_what_to_ask(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await _years(client, auth)
    empty = await client.get("/v1/trade/AM/GE/exports", params={"period": "2001/2005", "freq": "A"})
    body = assert_problem(empty, 404)
    assert body["available_periods"] == [str(year) for year in range(2014, 2021)]
    two_years = await client.get("/v1/trade/AM/GE/turnover", params={"period": "2017/2018"})
    assert "add freq=A" in assert_problem(two_years, 404)["detail"]
