"""Every figure of the seeded article (Trend News Agency, Baku, 2018-11-23), one by one."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.observations.models import Observation
from app.relations.models import RelationFact
from app.sources.models import Source

JAN_SEP_2018 = ("2018-01/2018-09", date(2018, 1, 1), date(2018, 9, 30))
JAN_SEP_2017 = ("2017-01/2017-09", date(2017, 1, 1), date(2017, 9, 30))
YEAR_2017 = ("2017", date(2017, 1, 1), date(2017, 12, 31))


@dataclass(frozen=True)
class Expected:
    what: str
    reporter: str
    partner: str
    flow: str
    commodity: str
    period: tuple[str, date, date]
    measure: str
    unit: str
    value: str | None
    qualifier: str = "exact"
    wording: str | None = None
    status: str = "reported"
    base: tuple[str, date, date] | None = None
    low: str | None = None
    high: str | None = None
    needs_note: bool = False


EXPECTED = [
    Expected(
        "turnover growth 65.6%",
        "AZE",
        "KAZ",
        "turnover",
        "TOTAL",
        JAN_SEP_2018,
        "growth",
        "percent",
        "65.6",
        base=JAN_SEP_2017,
    ),
    Expected(
        "AZ exports almost $36m",
        "AZE",
        "KAZ",
        "export",
        "TOTAL",
        JAN_SEP_2018,
        "trade_value",
        "USD",
        "36000000",
        "less_than",
        "almost",
    ),
    Expected(
        "AZ exports growth 65.1%",
        "AZE",
        "KAZ",
        "export",
        "TOTAL",
        JAN_SEP_2018,
        "growth",
        "percent",
        "65.1",
        base=JAN_SEP_2017,
    ),
    Expected(
        "AZ imports more than $133m",
        "AZE",
        "KAZ",
        "import",
        "TOTAL",
        JAN_SEP_2018,
        "trade_value",
        "USD",
        "133000000",
        "more_than",
        "more than",
        needs_note=True,
    ),
    Expected(
        "AZ imports growth 65.8%",
        "AZE",
        "KAZ",
        "import",
        "TOTAL",
        JAN_SEP_2018,
        "growth",
        "percent",
        "65.8",
        base=JAN_SEP_2017,
    ),
    Expected(
        "double trade by 2020",
        "AZE",
        "KAZ",
        "turnover",
        "TOTAL",
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        "multiplier",
        "ratio",
        "2",
        status="target",
        needs_note=True,
    ),
    Expected(
        "2018 forecast +85-90%",
        "AZE",
        "KAZ",
        "turnover",
        "TOTAL",
        ("2018", date(2018, 1, 1), date(2018, 12, 31)),
        "growth",
        "percent",
        None,
        "range",
        "85-90 percent",
        "forecast",
        base=("2017", date(2017, 1, 1), date(2017, 12, 31)),
        low="85",
        high="90",
        needs_note=True,
    ),
    Expected(
        "grain more than 200,000 t",
        "KAZ",
        "AZE",
        "export",
        "10",
        JAN_SEP_2018,
        "quantity",
        "t",
        "200000",
        "more_than",
        "more than",
        base=YEAR_2017,  # what the source compares it with
        needs_note=True,
    ),
    Expected(
        "grain 76,500 t in 2017",
        "KAZ",
        "AZE",
        "export",
        "10",
        YEAR_2017,
        "quantity",
        "t",
        "76500",
        needs_note=True,
    ),
    Expected(
        "rice 6,000 t",
        "KAZ",
        "AZE",
        "export",
        "1006",
        JAN_SEP_2018,
        "quantity",
        "t",
        "6000",
        needs_note=True,
    ),
    Expected(
        "rice x3",
        "KAZ",
        "AZE",
        "export",
        "1006",
        JAN_SEP_2018,
        "multiplier",
        "ratio",
        "3",
        base=JAN_SEP_2017,
        needs_note=True,
    ),
    Expected(
        "lentils 1,500 t",
        "KAZ",
        "AZE",
        "export",
        "071340",
        JAN_SEP_2018,
        "quantity",
        "t",
        "1500",
        needs_note=True,
    ),
    Expected(
        "lentils x2",
        "KAZ",
        "AZE",
        "export",
        "071340",
        JAN_SEP_2018,
        "multiplier",
        "ratio",
        "2",
        base=JAN_SEP_2017,
        needs_note=True,
    ),
]


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _find(session: Session, expected: Expected) -> Observation:
    query = select(Observation).where(
        Observation.reporter_code == expected.reporter,
        Observation.partner_code == expected.partner,
        Observation.flow == expected.flow,
        Observation.commodity_code == expected.commodity,
        Observation.period == expected.period[0],
        Observation.measure == expected.measure,
        Observation.status == expected.status,
        Observation.valid_to.is_(None),
    )
    return session.scalars(query).one()


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: e.what)
def test_article_figure_is_stored_as_stated(engine: Engine, expected: Expected) -> None:
    with Session(engine) as session:
        figure = _find(session, expected)
        source = session.get_one(Source, figure.source_id)
    assert (figure.period_start, figure.period_end) == expected.period[1:]
    base = (figure.base_period, figure.base_period_start, figure.base_period_end)
    assert base == (expected.base or (None, None, None))
    assert figure.value == _decimal(expected.value)
    assert (figure.value_low, figure.value_high) == (
        _decimal(expected.low),
        _decimal(expected.high),
    )
    assert figure.unit == expected.unit
    assert (figure.qualifier, figure.qualifier_wording) == (expected.qualifier, expected.wording)
    assert figure.statement.strip()
    assert bool(figure.note) == expected.needs_note
    assert (source.publisher, source.published_on, source.speaker) == (
        "Trend News Agency",
        date(2018, 11, 23),
        "Beibit Issabayev",
    )


def test_store_holds_exactly_the_article_figures(engine: Engine) -> None:
    with Session(engine) as session:
        stored = session.scalars(select(Observation).where(Observation.valid_to.is_(None))).all()
    assert len(stored) == len(EXPECTED)


def test_ambiguous_readings_name_the_other_reading(engine: Engine) -> None:
    with Session(engine) as session:
        imports = _find(session, EXPECTED[3])
        grain_2017 = _find(session, EXPECTED[8])
        rice_times = _find(session, EXPECTED[10])
    assert "Other reading: an increase of USD 133 million" in (imports.note or "")
    assert "Other reading: January-September 2017" in (grain_2017.note or "")
    assert "other reading: 4-fold" in (rice_times.note or "")


def test_relations_context(engine: Engine) -> None:
    with Session(engine) as session:
        facts = session.scalars(select(RelationFact).order_by(RelationFact.id)).all()
    by_kind: dict[str, list[RelationFact]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    (established,) = by_kind["diplomatic_relations"]
    assert (established.value, established.status) == (Decimal(1992), "derived")
    (treaties,) = by_kind["treaty_base"]
    assert (treaties.value, treaties.qualifier, treaties.qualifier_wording) == (
        Decimal(60),
        "more_than",
        "more than",
    )
    assert {fact.subject for fact in by_kind["shared_membership"]} == {
        "UN",
        "OSCE",
        "OIC",
        "CICA",
        "Turkic Council",
        "CIS",
    }
    assert len(by_kind["cooperation_area"]) == 3
    assert all((fact.country_a, fact.country_b) == ("AZE", "KAZ") for fact in facts)


def test_statements_say_the_period_of_their_figure(engine: Engine) -> None:
    with Session(engine) as session:
        current = session.scalars(select(Observation).where(Observation.valid_to.is_(None)))
        for figure in current:
            if figure.period == "2018-01/2018-09":
                assert "January-September 2018" in figure.statement, figure.statement
            if figure.period == "2017":
                assert "2017" in figure.statement, figure.statement


def test_the_grain_figure_names_the_rice_within_it(engine: Engine) -> None:
    with Session(engine) as session:
        grain = session.scalars(
            select(Observation).where(
                Observation.commodity_code == "10",
                Observation.period == "2018-01/2018-09",
                Observation.valid_to.is_(None),
            )
        ).one()
    assert grain.revision == 2
    assert "HS 1006" in (grain.note or "")
    assert "never added" in (grain.note or "")


@pytest.mark.anyio
async def test_corrections_are_revisions_and_the_seeded_wording_stays_in_history(
    client: httpx.AsyncClient,
) -> None:
    rice = (
        await client.get(
            "/v1/observations",
            params={"commodity": "1006", "measure": "quantity", "period": "2018-01/2018-09"},
        )
    ).json()["data"]
    [figure] = rice
    assert figure["statement"].endswith("in January-September 2018.")
    history = (await client.get(f"/v1/observations/{figure['id']}/history")).json()["revisions"]
    assert [item["revision"] for item in history] == [1, 2]
    assert history[0]["figure"]["statement"].endswith("to Azerbaijan in 2018.")
    before = await client.get(
        "/v1/observations",
        params={"commodity": "1006", "measure": "quantity", "as_of": "2026-11-28T00:00:00Z"},
    )
    assert before.json()["data"][0]["statement"].endswith("to Azerbaijan in 2018.")
