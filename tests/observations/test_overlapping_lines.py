"""Commodity lines say when one's code includes another's: rice (1006) is within
cereals (10), so the 6,000 t may be part of the 200,000 t."""

import httpx
import pytest

from app.trade.service import hs_overlaps

pytestmark = pytest.mark.anyio


def test_codes_nest_by_prefix() -> None:
    others = {"10", "1006", "100630", "1001", "07", "071340"}
    assert hs_overlaps("10", others) == (("1001", "1006", "100630"), ())
    assert hs_overlaps("1006", others) == (("100630",), ("10",))
    assert hs_overlaps("100630", others) == ((), ("10", "1006"))
    assert hs_overlaps("071340", others) == ((), ("07",))
    assert hs_overlaps("09", others) == ((), ())


async def test_rice_is_within_grain_for_the_same_direction_and_period(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/commodities", params={"period": "2018-01/2018-09"})
    lines = {line["commodity"]["code"]: line for line in answer.json()["lines"]}
    assert lines["10"]["contains"] == ["1006"]
    assert lines["10"]["within"] == []
    assert lines["1006"]["within"] == ["10"]
    assert lines["071340"]["contains"] == lines["071340"]["within"] == []
    assert lines["10"]["quantity"]["value"] == 200000
    assert lines["1006"]["quantity"]["value"] == 6000


async def test_a_filtered_answer_still_names_the_line_it_is_within(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/commodities", params={"commodity": "1006"})
    [line] = [
        item for item in answer.json()["lines"] if item["period"]["label"] == "2018-01/2018-09"
    ]
    assert line["within"] == ["10"]


async def test_other_periods_do_not_overlap(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/commodities", params={"period": "2017"})
    for line in answer.json()["lines"]:
        assert line["contains"] == line["within"] == []
