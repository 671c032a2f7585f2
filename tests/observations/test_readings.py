"""Every number says what it rests on: the seeded article's hedges, readings, bounds,
comparison and attribution, as the API answers them."""

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.helpers import SAMPLE_FIGURE
from tests.problems import assert_problem

pytestmark = pytest.mark.anyio

JAN_SEP_2018 = {"period": "2018-01/2018-09"}
QUOTING = "quoting Beibit Issabayev"


def _alternatives(figure: dict[str, Any]) -> dict[int, Decimal]:
    return {
        item["figure_id"]: Decimal(str(item["value"]))
        for item in figure["derivation"]["alternatives"]
    }


async def test_the_derived_turnover_lists_the_imports_reading_and_its_alternative(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/turnover", params=JAN_SEP_2018)
    turnover = answer.json()["value"]
    assert turnover["value"] == 169000000
    caveats = {item["figure_id"]: item for item in turnover["derivation"]["caveats"]}
    assert set(caveats) == {2, 4}
    assert caveats[4]["qualifier"] == "more_than"
    assert "level of imports" in caveats[4]["note"]
    assert caveats[2]["qualifier_wording"] == "almost"
    assert _alternatives(turnover) == {4: Decimal(371127660)}
    assert "371127660" in turnover["note"]
    assert "figure 4" in turnover["note"]


async def test_the_csv_carries_the_same_caveats(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/turnover", params={**JAN_SEP_2018, "format": "csv"})
    rows = {row["role"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    value = rows["value"]
    assert value["rests_on"] == "2 4"
    assert "figure 4" in value["alternatives"]
    assert value["alternatives"].endswith(": 371127660")
    assert "371127660" in value["note"]
    # A stored figure has no derivation to carry.
    assert rows["components.imports"]["rests_on"] == ""


async def test_the_balance_says_what_it_would_be_under_the_other_reading(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/balance", params=JAN_SEP_2018)
    [point] = answer.json()["series"]
    balance = point["value"]
    assert (balance["value"], balance["qualifier"]) == (-97000000, "less_than")
    assert _alternatives(balance) == {4: Decimal(-299127660)}


async def test_the_2017_exports_are_an_interval_that_the_rounding_allows(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/exports", params={"period": "2017-01/2017-09"})
    exports = answer.json()["value"]
    assert exports["value"] == 21804967
    low, high = Decimal(str(exports["value_low"])), Decimal(str(exports["value_high"]))
    # 36 million over 1.6515 and 1.6505: 65.1 % stands for 65.05 to 65.15 %.
    assert low <= Decimal(36000000) / Decimal("1.6515") <= low + 1
    assert low <= Decimal(21811572) <= high
    assert high - 1 <= Decimal(36000000) / Decimal("1.6505") <= high
    assert exports["qualifier"] == "less_than"
    assert "21798365 to 21811573 USD" in exports["note"]


async def test_a_reported_rate_carries_its_rounding_interval(client: httpx.AsyncClient) -> None:
    rate = (await client.get("/v1/observations/3")).json()
    assert (rate["value"], rate["value_low"], rate["value_high"]) == (65.1, 65.05, 65.15)
    assert rate["qualifier"] == "exact"


async def test_strict_hedges_are_stored_as_strict_with_the_wording_kept(
    client: httpx.AsyncClient,
) -> None:
    expected = {2: ("less_than", "almost"), 4: ("more_than", "more than")}
    expected[18] = ("more_than", "more than")
    for figure_id, (qualifier, wording) in expected.items():
        figure = (await client.get(f"/v1/observations/{figure_id}")).json()
        assert (figure["qualifier"], figure["qualifier_wording"]) == (qualifier, wording)
    facts = (await client.get("/v1/trade/AZ/KZ/relations")).json()["facts"]
    [treaties] = [fact for fact in facts if fact["kind"] == "treaty_base"]
    assert (treaties["qualifier"], treaties["value"]) == ("more_than", 60)


async def test_the_rice_derived_volume_rests_on_its_readings(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/v1/trade/AZ/KZ/commodities", params={**JAN_SEP_2018, "commodity": "1006"}
    )
    [line] = answer.json()["lines"]
    earlier = line["earlier"]["quantity"]
    assert earlier["value"] == 2000
    assert [item["figure_id"] for item in earlier["derivation"]["caveats"]] == [14, 15]
    assert _alternatives(earlier) == {15: Decimal(1500)}
    assert (earlier["value_low"], earlier["value_high"]) == (1714.285, 2400)


async def test_the_grain_comparison_is_not_like_for_like(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/trade/AZ/KZ/commodities", params=JAN_SEP_2018)
    lines = {line["commodity"]["code"]: line for line in answer.json()["lines"]}
    comparison = lines["10"]["comparison"]
    assert comparison["basis"] == "not_like_for_like"
    assert comparison["compared_with"]["value"] == 76500
    assert comparison["compared_with"]["period"]["label"] == "2017"
    ratio, growth = comparison["ratio"], comparison["growth"]
    assert round(Decimal(str(ratio["value"])), 2) == Decimal("2.61")
    assert round(Decimal(str(growth["value"])), 1) == Decimal("161.4")
    for derived in (ratio, growth):
        assert derived["derivation"]["basis"] == "not_like_for_like"
        assert derived["period"]["label"] == "2018-01/2018-09"
        assert derived["base_period"]["label"] == "2017"
        # More than 200,000 t against 76,500 t: the ratio is a lower bound too.
        assert derived["qualifier"] == "more_than"
    # Lines without a comparison in the source get none.
    assert lines["1006"]["comparison"] is None


async def test_narration_cites_the_agency_and_quotes_cite_the_ambassador(
    client: httpx.AsyncClient,
) -> None:
    instruction = (await client.get("/v1/observations/6")).json()
    assert instruction["attribution"] == "publisher"
    assert QUOTING not in instruction["sources"][0]["citation"]
    imports = (await client.get("/v1/observations/4")).json()
    assert imports["attribution"] == "speaker"
    assert QUOTING in imports["sources"][0]["citation"]
    facts = (await client.get("/v1/trade/AZ/KZ/relations")).json()["facts"]
    assert facts
    for fact in facts:
        assert fact["attribution"] == "publisher"
        assert QUOTING not in fact["source"]["citation"]
        assert fact["source"]["citation"].startswith("Trend News Agency")


async def test_a_written_figure_names_its_other_reading_and_comparison(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    common: dict[str, Any] = {**SAMPLE_FIGURE, "reporter": "AM", "partner": "GE"}
    figures = [
        {**common, "period": "2018", "value": "100"},
        {
            **common,
            "period": "2019",
            "value": "150",
            "base_period": "2018",
            "attribution": "speaker",
            "alternative_value": "250",
            "alternative_reading": "an increase of 150, not the level",
        },
    ]
    written = await client.post("/v1/observations", json={"figures": figures}, headers=auth)
    assert written.status_code == 201, written.text
    stored = written.json()["figures"][1]
    assert stored["attribution"] == "speaker"
    answer = await client.get("/v1/trade/AM/GE/exports", params={"period": "2019"})
    growth = answer.json()["growth"]["derived"]
    assert growth["value"] == 50
    assert _alternatives(growth) == {stored["id"]: Decimal(150)}


async def test_an_alternative_value_needs_its_reading(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    figure = {**SAMPLE_FIGURE, "alternative_value": "1"}
    answer = await client.post("/v1/observations", json=figure, headers=auth)
    assert_problem(answer, 422)
    assert "alternative_reading" in answer.text
    unknown = {**SAMPLE_FIGURE, "attribution": "rumour"}
    answer = await client.post("/v1/observations", json=unknown, headers=auth)
    assert_problem(answer, 422)
    assert "publisher, speaker" in answer.text


async def test_a_stored_figure_shows_its_other_reading_in_json_and_csv(
    client: httpx.AsyncClient,
) -> None:
    imports = (await client.get("/v1/observations/4")).json()
    assert imports["alternative_value"] == 335127660
    assert "increase" in imports["alternative_reading"]
    listed = await client.get("/v1/observations", params={"format": "csv", "limit": 100})
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(listed.text))}
    assert rows["4"]["alternative_value"] == "335127660"
    assert rows["15"]["alternative_value"] == "4"
    assert rows["3"]["alternative_value"] == ""


async def test_figures_say_when_the_source_does_not_name_whose_statistics_they_are(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    seeded = (await client.get("/v1/observations/4")).json()
    assert (seeded["reporter"]["alpha2"], seeded["reporter_stated"]) == ("AZ", False)
    turnover = (await client.get("/v1/trade/AZ/KZ/turnover", params=JAN_SEP_2018)).json()
    assert turnover["value"]["reporter_stated"] is False
    listed = await client.get("/v1/observations", params={"format": "csv", "limit": 100})
    assert {row["reporter_stated"] for row in csv.DictReader(io.StringIO(listed.text))} == {"false"}
    figure = {**SAMPLE_FIGURE, "reporter": "AM", "partner": "GE"}
    written = await client.post("/v1/observations", json=figure, headers=auth)
    assert written.json()["figures"][0]["reporter_stated"] is True
    unsure = {**figure, "period": "2019", "reporter_stated": False}
    written = await client.post("/v1/observations", json=unsure, headers=auth)
    assert written.json()["figures"][0]["reporter_stated"] is False
