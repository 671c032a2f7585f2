"""Lists: filters, keyset paging with next links, stable order."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.helpers import exact_json
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio


async def _all_pages(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = await client.get(next_url)
        page = exact_json(response)
        items += page["data"]
        next_url = page["links"]["next"]
        if next_url:
            assert response.headers["link"] == f'<{next_url}>; rel="next"'
        else:
            assert "link" not in response.headers
    return items


async def test_observation_pages_cover_every_figure_once(client: httpx.AsyncClient) -> None:
    items = await _all_pages(client, "/v1/observations?limit=5")
    ids = [item["id"] for item in items]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == 13


async def test_country_pages(client: httpx.AsyncClient) -> None:
    items = await _all_pages(client, "/v1/countries?limit=100")
    assert len(items) == 249
    assert [item["alpha3"] for item in items] == sorted(str(item["alpha3"]) for item in items)


@pytest.mark.parametrize(
    ("query", "expected_ids"),
    [
        # Figures 8 and 10 to 13 were revised by a data migration (ids 14 to 18).
        ({"reporter": "kz"}, [9, 14, 15, 16, 17, 18]),
        ({"flow": "M"}, [4, 5]),
        ({"commodity": "07"}, []),
        ({"commodity": "07", "include_subcodes": "true"}, [16, 17]),
        ({"commodity": "10"}, [9, 18]),
        ({"status": "forecast"}, [7]),
        ({"measure": "multiplier", "commodity": "TOTAL"}, [6]),
        ({"period": "2017"}, [9]),
        ({"period": "2018", "measure": "trade_value"}, [2, 4]),
        ({"source": 1, "limit": 2}, [1, 2]),
    ],
)
async def test_observation_filters(
    client: httpx.AsyncClient, query: dict[str, str | int], expected_ids: list[int]
) -> None:
    page = exact_json(await client.get("/v1/observations", params=query))
    assert [item["id"] for item in page["data"]] == [Decimal(i) for i in expected_ids]


async def test_commodity_search_and_tree(client: httpx.AsyncClient) -> None:
    found = exact_json(await client.get("/v1/commodities", params={"q": "lentils"}))
    assert [item["code"] for item in found["data"]] == ["071340"]
    by_prefix = exact_json(await client.get("/v1/commodities", params={"q": "10", "limit": 1000}))
    codes = [item["code"] for item in by_prefix["data"]]
    assert codes == sorted(codes)
    assert all(code.startswith("10") for code in codes)
    assert {"10", "1001", "1006", "100630"} <= set(codes)
    chapters = exact_json(await client.get("/v1/commodities", params={"level": 2, "limit": 1000}))
    assert len(chapters["data"]) == 98
    cereals = exact_json(await client.get("/v1/commodities/10"))
    assert cereals["parent"]["code"] == "TOTAL"
    headings = [child["code"] for child in cereals["children"]]
    assert headings == [f"10{n:02d}" for n in range(1, 9)]  # wheat ... grain sorghum, others


async def test_source_with_its_figures(client: httpx.AsyncClient) -> None:
    listing = exact_json(await client.get("/v1/sources"))
    assert [item["slug"] for item in listing["data"]] == ["trend-2018-11-23-az-kz-trade"]
    source = exact_json(await client.get("/v1/sources/1"))
    assert source["speaker_role"] == "Ambassador of Kazakhstan to Azerbaijan"
    assert len(source["figures"]) == 13
    assert len(source["relation_facts"]) == 14


async def test_one_observation(client: httpx.AsyncClient) -> None:
    figure = exact_json(await client.get("/v1/observations/4"))
    assert figure["value"] == Decimal(133000000)
    assert "Other reading" in figure["note"]


STANDING = ("valid_to", "retracted", "current", "links")


async def test_a_listed_figure_is_the_figure_its_own_url_answers(
    client: httpx.AsyncClient,
) -> None:
    # Pages render Core rows read by position, one figure's URL an ORM object: the same
    # figure must come out of both, field for field.
    items = await _all_pages(client, "/v1/observations?limit=100")
    source = exact_json(await client.get("/v1/sources/1"))
    assert len(items) == len(source["figures"]) == 13
    for listed, with_source in zip(items, source["figures"], strict=True):
        alone = exact_json(await client.get(f"/v1/observations/{listed['id']}"))
        # Its own URL adds where it stands among its revisions: the seed's are current.
        standing = {name: alone.pop(name) for name in STANDING}
        assert listed == alone == with_source
        assert standing["current"] is True
        assert (standing["valid_to"], standing["retracted"]) == (None, False)
        assert standing["links"]["current"] is None


@pytest.mark.parametrize(
    "after", ["2147483647", "66408527497", "999999999999", "9223372036854775807", "9" * 19]
)
async def test_a_page_after_the_largest_id_is_empty(client: httpx.AsyncClient, after: str) -> None:
    # Past what an id column can hold there is nothing; Postgres must never see the number.
    for path in ("/v1/observations", "/v1/sources"):
        page = exact_json(await client.get(path, params={"after": after}))
        assert page["data"] == []
        assert page["links"]["next"] is None


@pytest.mark.parametrize(
    "query",
    [
        "reporter=KZ,AZ",
        "reporter=KZ&reporter=AZ",
        "reporter=kaz&reporter=031,KZ",
    ],
    ids=["comma-list", "repeated", "both-forms-and-a-repeat"],
)
async def test_a_list_of_reporters_is_any_of_them(client: httpx.AsyncClient, query: str) -> None:
    everything = await client.get("/v1/observations", params={"limit": 1000})
    listed = await client.get(f"/v1/observations?{query}&limit=1000")
    assert listed.status_code == 200, listed.text
    reporters = {figure["reporter"]["alpha3"] for figure in listed.json()["data"]}
    assert reporters == {"AZE", "KAZ"}
    expected = [f["id"] for f in everything.json()["data"]
                if f["reporter"]["alpha3"] in ("AZE", "KAZ")]  # fmt: skip
    assert [f["id"] for f in listed.json()["data"]] == expected


async def test_lists_of_flows_and_commodities_and_their_mistakes(
    client: httpx.AsyncClient,
) -> None:
    flows = await client.get("/v1/observations", params={"flow": "X,turnover", "limit": 1000})
    assert {f["flow"] for f in flows.json()["data"]} == {"export", "turnover"}
    codes = await client.get(
        "/v1/observations", params=[("commodity", "1006"), ("commodity", "071340")]
    )
    assert {f["commodity"]["code"] for f in codes.json()["data"]} == {"1006", "071340"}
    bad = await client.get("/v1/observations", params={"reporter": "KZ,Kazakhstan"})
    body = assert_problem(bad, 422)
    assert "'KZ,Kazakhstan'" in body["detail"]
    assert "several separated by commas" in body["detail"]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    many = [a + b + c for a in letters for b in letters for c in letters][:1001]
    too_many = await client.get("/v1/observations", params={"reporter": ",".join(many)})
    assert "at most 1000" in assert_problem(too_many, 422)["detail"]


async def test_the_list_parameters_are_arrays_in_the_openapi_document(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    parameters = {p["name"]: p for p in document["paths"]["/v1/observations"]["get"]["parameters"]}
    for name in ("reporter", "partner", "flow", "commodity"):
        assert parameters[name]["schema"]["anyOf"][0]["type"] == "array", name
    assert parameters["exporter"]["schema"]["anyOf"][0]["type"] == "string"
