"""The pair endpoints on the seeded article, checked against hand-computed figures."""

from decimal import Decimal

import httpx
import pytest

from tests.helpers import exact_json, value_of

pytestmark = pytest.mark.anyio

JAN_SEP_2018 = "2018-01/2018-09"
JAN_SEP_2017 = "2017-01/2017-09"
# Hand-computed: 36e6 / 1.651 and 133e6 / 1.658, rounded to whole dollars.
EXPORTS_2017 = Decimal(21804967)
IMPORTS_2017 = Decimal(80217129)


async def test_turnover_for_jan_sep_2018(client: httpx.AsyncClient) -> None:
    answer = exact_json(
        await client.get("/v1/trade/AZ/KZ/turnover", params={"period": JAN_SEP_2018})
    )
    assert answer["period"] == {
        "label": JAN_SEP_2018,
        "start": "2018-01-01",
        "end": "2018-09-30",
    }
    level = answer["value"]
    assert value_of(level) == (Decimal(169000000), "USD", "approximately", "derived")
    assert level["derivation"]["formula"] == "36000000 + 133000000"
    assert level["derivation"]["inputs"] == [2, 4]
    assert level["sources"][0]["citation"].startswith("Trend News Agency, Baku, 2018-11-23")
    assert value_of(answer["growth"]["reported"]) == (
        Decimal("65.6"),
        "percent",
        "exact",
        "reported",
    )
    earlier = answer["year_earlier"]["value"]
    assert earlier["value"] == EXPORTS_2017 + IMPORTS_2017
    derived_growth = (Decimal(169000000) / (EXPORTS_2017 + IMPORTS_2017) - 1) * 100
    assert answer["growth"]["derived"]["value"] == derived_growth.quantize(Decimal("0.01"))
    assert answer["growth"]["derived"]["value"] == Decimal("65.65")
    components = answer["components"]
    assert value_of(components["exports"]) == (Decimal(36000000), "USD", "less_than", "reported")
    assert components["exports"]["qualifier_wording"] == "almost"
    assert value_of(components["imports"]) == (
        Decimal(133000000),
        "USD",
        "more_than",
        "reported",
    )
    assert components["imports"]["qualifier_wording"] == "more than"


@pytest.mark.parametrize(("a", "b"), [("KZ", "AZ"), ("kaz", "aze"), ("398", "31")])
async def test_turnover_is_symmetric(client: httpx.AsyncClient, a: str, b: str) -> None:
    forward = exact_json(await client.get("/v1/trade/AZ/KZ/turnover"))
    backward = exact_json(await client.get(f"/v1/trade/{a}/{b}/turnover"))
    assert [p["value"]["value"] for p in forward["series"]] == [
        p["value"]["value"] for p in backward["series"]
    ]
    assert [p["growth"]["reported"] for p in forward["series"]] == [
        p["growth"]["reported"] for p in backward["series"]
    ]
    assert backward["pair"][0]["alpha3"] == "KAZ"


async def test_turnover_series_is_chart_ready(client: httpx.AsyncClient) -> None:
    series = exact_json(await client.get("/v1/trade/AZ/KZ/turnover"))["series"]
    assert [point["period"]["label"] for point in series] == [JAN_SEP_2017, JAN_SEP_2018]
    assert [point["value"]["value"] for point in series] == [
        EXPORTS_2017 + IMPORTS_2017,
        Decimal(169000000),
    ]


async def test_mirrored_flow_is_the_same_figure(client: httpx.AsyncClient) -> None:
    imports = exact_json(await client.get("/v1/trade/AZ/KZ/imports"))
    exports = exact_json(await client.get("/v1/trade/KZ/AZ/exports"))
    assert [(p["period"], p["value"]["value"]) for p in imports["series"]] == [
        (p["period"], p["value"]["value"]) for p in exports["series"]
    ]
    assert imports["series"][1]["value"]["id"] == exports["series"][1]["value"]["id"] == 4


async def test_exports_with_the_year_before(client: httpx.AsyncClient) -> None:
    answer = exact_json(
        await client.get("/v1/trade/AZ/KZ/exports", params={"period": JAN_SEP_2018})
    )
    assert answer["flow"] == "export"
    assert value_of(answer["value"]) == (Decimal(36000000), "USD", "less_than", "reported")
    earlier = answer["year_earlier"]
    assert earlier["period"]["label"] == JAN_SEP_2017
    assert value_of(earlier["value"]) == (EXPORTS_2017, "USD", "less_than", "derived")
    assert earlier["value"]["derivation"]["formula"].startswith("36000000 / (1 + 65.1/100)")
    assert answer["growth"]["reported"]["value"] == Decimal("65.1")
    # The earlier level comes from the rate itself: deriving growth back would be circular.
    assert answer["growth"]["derived"] is None


async def test_imports_with_the_year_before(client: httpx.AsyncClient) -> None:
    answer = exact_json(
        await client.get("/v1/trade/AZ/KZ/imports", params={"period": JAN_SEP_2018})
    )
    assert value_of(answer["value"]) == (Decimal(133000000), "USD", "more_than", "reported")
    assert value_of(answer["year_earlier"]["value"]) == (
        IMPORTS_2017,
        "USD",
        "more_than",
        "derived",
    )
    assert answer["growth"]["reported"]["value"] == Decimal("65.8")


async def test_balance(client: httpx.AsyncClient) -> None:
    series = exact_json(await client.get("/v1/trade/AZ/KZ/balance"))["series"]
    by_period = {point["period"]["label"]: point for point in series}
    latest = by_period[JAN_SEP_2018]["value"]
    # less than 36m minus more than 133m is less than -97m
    assert value_of(latest) == (Decimal(-97000000), "USD", "less_than", "derived")
    assert latest["flow"] == "balance"
    assert by_period[JAN_SEP_2017]["value"]["value"] == EXPORTS_2017 - IMPORTS_2017
    mirrored = exact_json(await client.get("/v1/trade/KZ/AZ/balance"))["series"]
    assert [p["value"]["value"] for p in mirrored] == [-p["value"]["value"] for p in series]
    assert [p["value"]["qualifier"] for p in mirrored] == ["more_than", "more_than"]


async def test_commodity_lines_with_implied_earlier_levels(client: httpx.AsyncClient) -> None:
    answer = exact_json(await client.get("/v1/trade/AZ/KZ/commodities"))
    lines = {(line["commodity"]["code"], line["period"]["label"]): line for line in answer["lines"]}
    assert set(lines) == {
        ("10", JAN_SEP_2018),
        ("10", "2017"),
        ("1006", JAN_SEP_2018),
        ("071340", JAN_SEP_2018),
    }
    assert all(line["flow"] == "import" for line in lines.values())
    grain = lines[("10", JAN_SEP_2018)]
    assert value_of(grain["quantity"]) == (Decimal(200000), "t", "more_than", "reported")
    assert lines[("10", "2017")]["quantity"]["value"] == Decimal(76500)
    rice = lines[("1006", JAN_SEP_2018)]
    assert value_of(rice["quantity"]) == (Decimal(6000), "t", "exact", "reported")
    assert rice["multiplier"]["value"] == Decimal(3)
    assert rice["earlier"]["period"]["label"] == JAN_SEP_2017
    # 6000 t / "3 times" (2.5 to 3.5): an interval, so not exact.
    earlier_rice = rice["earlier"]["quantity"]
    assert value_of(earlier_rice) == (Decimal(2000), "t", "approximately", "derived")
    assert (earlier_rice["value_low"], earlier_rice["value_high"]) == (
        Decimal("1714.285"),
        Decimal(2400),
    )
    lentils = lines[("071340", JAN_SEP_2018)]
    assert value_of(lentils["earlier"]["quantity"]) == (
        Decimal(750),
        "t",
        "approximately",
        "derived",
    )
    assert rice["commodity"]["parent_code"] == "10"


async def test_commodity_filters(client: httpx.AsyncClient) -> None:
    cereals = exact_json(
        await client.get("/v1/trade/AZ/KZ/commodities", params={"commodity": "10"})
    )
    assert {line["commodity"]["code"] for line in cereals["lines"]} == {"10", "1006"}
    mirrored = exact_json(await client.get("/v1/trade/KZ/AZ/commodities", params={"flow": "X"}))
    assert len(mirrored["lines"]) == 4
    assert all(line["flow"] == "export" for line in mirrored["lines"])
    none = exact_json(await client.get("/v1/trade/AZ/KZ/commodities", params={"flow": "export"}))
    assert none["lines"] == []


async def test_targets_and_forecast(client: httpx.AsyncClient) -> None:
    plans = exact_json(await client.get("/v1/trade/AZ/KZ/targets"))["plans"]
    by_status = {plan["figure"]["status"]: plan for plan in plans}
    target = by_status["target"]
    assert value_of(target["figure"]) == (Decimal(2), "ratio", "exact", "target")
    assert target["figure"]["period"]["label"] == "2020"
    assert target["baseline"]["value"] is None
    assert target["implied_level"] is None
    assert "no baseline" in target["baseline"]["explanation"]
    forecast = by_status["forecast"]["figure"]
    assert (forecast["value_low"], forecast["value_high"], forecast["qualifier"]) == (
        Decimal(85),
        Decimal(90),
        "range",
    )
    assessment = by_status["forecast"]["progress"]["assessment"]
    assert "Growth so far (65.6 %) is below the forecast of 85 to 90 %" in assessment
    # Words and formatted numbers, not field names and raw digits.
    assert "trade value about USD 169,000,000" in assessment
    assert "trade_value" not in assessment


async def test_relations(client: httpx.AsyncClient) -> None:
    facts = exact_json(await client.get("/v1/trade/KZ/AZ/relations"))["facts"]
    kinds = [fact["kind"] for fact in facts]
    assert kinds.count("shared_membership") == 6
    established = next(f for f in facts if f["kind"] == "diplomatic_relations")
    assert (established["value"], established["status"]) == (Decimal(1992), "derived")


async def test_a_comtrade_country_code_reads_as_the_country(client: httpx.AsyncClient) -> None:
    by_comtrade = await client.get("/v1/trade/842/699/turnover", params={"period": "2019"})
    by_iso = await client.get("/v1/trade/840/356/turnover", params={"period": "2019"})
    assert by_comtrade.status_code == by_iso.status_code == 404, by_comtrade.text
    assert by_comtrade.json()["detail"] == by_iso.json()["detail"]
    assert "USA-IND" in by_comtrade.json()["detail"]
    country = await client.get("/v1/countries/251")
    assert country.status_code == 200, country.text
    assert country.json()["alpha3"] == "FRA"


async def test_a_bound_rounded_outward_says_so_and_an_interval_is_never_exact(
    client: httpx.AsyncClient,
) -> None:
    """The grain comparison: more than 200,000 t against 76,500 t is more than x2.61437...,
    shown as 2.6143 (rounded down, so that "more than" stays true), not 2.6144."""
    answer = exact_json(await client.get("/v1/trade/AZ/KZ/commodities", params={"commodity": "10"}))
    grain = next(line for line in answer["lines"] if line["comparison"])
    ratio = grain["comparison"]["ratio"]
    assert (ratio["value"], ratio["qualifier"]) == (Decimal("2.6143"), "more_than")
    assert "rounded down to 0.0001 ratio" in ratio["derivation"]["formula"]
    growth = grain["comparison"]["growth"]
    assert (growth["value"], growth["qualifier"]) == (Decimal("161.43"), "more_than")
    assert "rounded down to 0.01 percent" in growth["derivation"]["formula"]
    every = exact_json(await client.get("/v1/trade/AZ/KZ/commodities"))
    derived = [
        figure
        for line in every["lines"]
        for figure in (line["earlier"] or {}).values()
        if isinstance(figure, dict) and figure.get("status") == "derived"
    ]
    assert derived
    for figure in derived:
        if figure["value_low"] is not None and figure["value_low"] != figure["value_high"]:
            assert figure["qualifier"] != "exact", figure
