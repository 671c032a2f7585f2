"""Seed the Azerbaijan-Kazakhstan figures of Trend News Agency, Baku, 2018-11-23.

Every figure the article gives is stored as the source states it (value, hedge word,
period, direction), in our own words, with the reading chosen where the wording allows
two and the other reading named in the figure's note. Figures that follow from these by
arithmetic (turnover level, implied 2017 levels) are derived by the API, not stored.

Revision ID: 0003_seed_az_kz_article
Revises: 0002_reference_data
Create Date: 2026-11-27 12:20:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.core.db_types import ExactDecimal

revision: str = "0003_seed_az_kz_article"
down_revision: str | None = "0002_reference_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_SLUG = "trend-2018-11-23-az-kz-trade"
RECORDED_AT = datetime(2026, 11, 27, 12, 20, tzinfo=UTC)

sources = sa.table(
    "sources",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("publisher", sa.String),
    sa.column("title", sa.String),
    sa.column("author", sa.String),
    sa.column("published_on", sa.Date),
    sa.column("place", sa.String),
    sa.column("speaker", sa.String),
    sa.column("speaker_role", sa.String),
    sa.column("url", sa.String),
    sa.column("language", sa.String),
    sa.column("note", sa.Text),
)
_TEXT_COLUMNS = ("statement", "note")
_DATE_COLUMNS = ("period_start", "period_end", "base_period_start", "base_period_end")
_VALUE_COLUMNS = ("value", "value_low", "value_high")


def _typed(name: str) -> sa.ColumnClause[Any]:
    if name in _DATE_COLUMNS:
        return sa.column(name, sa.Date)
    if name in _VALUE_COLUMNS:
        return sa.column(name, ExactDecimal())
    if name in _TEXT_COLUMNS:
        return sa.column(name, sa.Text)
    return sa.column(name, sa.String)


observations = sa.table(
    "observations",
    *(
        _typed(name)
        for name in (
            "reporter_code",
            "partner_code",
            "flow",
            "commodity_code",
            "period",
            "period_start",
            "period_end",
            "base_period",
            "base_period_start",
            "base_period_end",
            "measure",
            "value",
            "value_low",
            "value_high",
            "unit",
            "qualifier",
            "qualifier_wording",
            "status",
            "statement",
            "note",
        )
    ),
    sa.column("source_id", sa.Integer),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
)
relation_facts = sa.table(
    "relation_facts",
    *(
        _typed(name)
        for name in (
            "country_a",
            "country_b",
            "kind",
            "subject",
            "value",
            "unit",
            "qualifier",
            "qualifier_wording",
            "period",
            "status",
            "statement",
            "note",
        )
    ),
    sa.column("source_id", sa.Integer),
)

JAN_SEP_2018 = ("2018-01/2018-09", date(2018, 1, 1), date(2018, 9, 30))
JAN_SEP_2017 = ("2017-01/2017-09", date(2017, 1, 1), date(2017, 9, 30))
YEAR_2017 = ("2017", date(2017, 1, 1), date(2017, 12, 31))
YEAR_2018 = ("2018", date(2018, 1, 1), date(2018, 12, 31))
YEAR_2020 = ("2020", date(2020, 1, 1), date(2020, 12, 31))

IMPORTS_READING = (
    "The source says imports 'rose by more than $133 million'. Read as the level of "
    "imports (over USD 133 million), not the increase: the sentence pairs it with the "
    "export level ('amounting to almost $36 million'), and as levels the two flows' "
    "growth rates (65.1% and 65.8%) weight to 65.65%, matching the reported 65.6% turnover "
    "growth. Other reading: an increase of USD 133 million, which with 65.8% growth would "
    "put imports near USD 335 million."
)
GRAIN_BASE_READING = (
    "The source compares January-September 2018 'against 76,500 tons in 2017' without "
    "naming months; read literally as the whole of 2017. Other reading: January-September "
    "2017, the same months as the 2018 figure."
)
PERIOD_OF_VOLUMES = (
    "The source gives the volume without its own period; read as January-September 2018, "
    "the period of the grain figure in the same passage. Other reading: 2018 to the date "
    "of the interview (November)."
)
TIMES_READING = (
    "'Increase by {n} times' read as {n}-fold (x{n}), the usual sense of this phrasing "
    "in English renderings of Kazakh and Russian statements; other reading: {m}-fold "
    "(+{pct}%). The base is taken as the same months of 2017, which the source does not "
    "name."
)
KAZAKH_SUPPLY = (
    "Recorded as Kazakhstan's exports to Azerbaijan, the same flow as Azerbaijan's "
    "imports from Kazakhstan."
)


def _figure(
    *,
    reporter: str,
    partner: str,
    flow: str,
    commodity: str,
    period: tuple[str, date, date],
    measure: str,
    unit: str,
    statement: str,
    value: str | None = None,
    low: str | None = None,
    high: str | None = None,
    base: tuple[str, date, date] | None = None,
    qualifier: str = "exact",
    wording: str | None = None,
    status: str = "reported",
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "reporter_code": reporter,
        "partner_code": partner,
        "flow": flow,
        "commodity_code": commodity,
        "period": period[0],
        "period_start": period[1],
        "period_end": period[2],
        "base_period": base[0] if base else None,
        "base_period_start": base[1] if base else None,
        "base_period_end": base[2] if base else None,
        "measure": measure,
        "value": Decimal(value) if value is not None else None,
        "value_low": Decimal(low) if low is not None else None,
        "value_high": Decimal(high) if high is not None else None,
        "unit": unit,
        "qualifier": qualifier,
        "qualifier_wording": wording,
        "status": status,
        "statement": statement,
        "note": note,
        "recorded_at": RECORDED_AT,
    }


FIGURES = [
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="turnover",
        commodity="TOTAL",
        period=JAN_SEP_2018,
        base=JAN_SEP_2017,
        measure="growth",
        value="65.6",
        unit="percent",
        statement="Trade between Azerbaijan and Kazakhstan in January-September 2018 was "
        "65.6% above the same months of 2017.",
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="export",
        commodity="TOTAL",
        period=JAN_SEP_2018,
        measure="trade_value",
        value="36000000",
        unit="USD",
        qualifier="at_most",
        wording="almost",
        statement="Azerbaijan's exports to Kazakhstan in January-September 2018 were just "
        "under USD 36 million.",
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="export",
        commodity="TOTAL",
        period=JAN_SEP_2018,
        base=JAN_SEP_2017,
        measure="growth",
        value="65.1",
        unit="percent",
        statement="Azerbaijan's exports to Kazakhstan in January-September 2018 grew 65.1% "
        "on the same months of 2017.",
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="import",
        commodity="TOTAL",
        period=JAN_SEP_2018,
        measure="trade_value",
        value="133000000",
        unit="USD",
        qualifier="at_least",
        wording="more than",
        statement="Azerbaijan's imports from Kazakhstan in January-September 2018 exceeded "
        "USD 133 million.",
        note=IMPORTS_READING,
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="import",
        commodity="TOTAL",
        period=JAN_SEP_2018,
        base=JAN_SEP_2017,
        measure="growth",
        value="65.8",
        unit="percent",
        statement="Azerbaijan's imports from Kazakhstan in January-September 2018 grew 65.8% "
        "on the same months of 2017.",
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="turnover",
        commodity="TOTAL",
        period=YEAR_2020,
        measure="multiplier",
        value="2",
        unit="ratio",
        status="target",
        statement="In April 2017 the presidents of Azerbaijan and Kazakhstan told their "
        "governments to double trade between the two countries by 2020.",
        note="The source names no baseline year or value for the doubling, so no target "
        "level is derived. 2016, the last full year before the instruction, is the likelier "
        "baseline; 2017 is the other reading.",
    ),
    _figure(
        reporter="AZE",
        partner="KAZ",
        flow="turnover",
        commodity="TOTAL",
        period=YEAR_2018,
        base=YEAR_2017,
        measure="growth",
        low="85",
        high="90",
        unit="percent",
        qualifier="range",
        wording="85-90 percent",
        status="forecast",
        statement="The Kazakh ambassador expected trade between the two countries to end "
        "2018 85-90% higher, and so to meet the doubling goal before 2020.",
        note="Read as growth of full-year 2018 over full-year 2017. Growth of 85-90% on "
        "2017 alone falls short of a doubling, so the speaker may be counting from an "
        "earlier baseline (for example 2016), which is the other reading.",
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="10",
        period=JAN_SEP_2018,
        measure="quantity",
        value="200000",
        unit="t",
        qualifier="at_least",
        wording="more than",
        statement="Over 200,000 tonnes of Kazakh grain reached Azerbaijan in "
        "January-September 2018.",
        note="'Grain' is recorded under HS chapter 10 (cereals); the source does not say "
        "which cereals. " + KAZAKH_SUPPLY,
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="10",
        period=YEAR_2017,
        measure="quantity",
        value="76500",
        unit="t",
        statement="Kazakhstan supplied 76,500 tonnes of grain to Azerbaijan in 2017.",
        note=GRAIN_BASE_READING + " " + KAZAKH_SUPPLY,
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="1006",
        period=JAN_SEP_2018,
        measure="quantity",
        value="6000",
        unit="t",
        statement="Kazakhstan supplied 6,000 tonnes of rice to Azerbaijan in 2018.",
        note=PERIOD_OF_VOLUMES + " " + KAZAKH_SUPPLY,
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="1006",
        period=JAN_SEP_2018,
        base=JAN_SEP_2017,
        measure="multiplier",
        value="3",
        unit="ratio",
        statement="Kazakh rice supplies to Azerbaijan in 2018 were three times those of "
        "a year earlier.",
        note=TIMES_READING.format(n=3, m=4, pct=300) + " " + PERIOD_OF_VOLUMES,
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="071340",
        period=JAN_SEP_2018,
        measure="quantity",
        value="1500",
        unit="t",
        statement="Kazakhstan supplied 1,500 tonnes of lentils to Azerbaijan in 2018.",
        note=PERIOD_OF_VOLUMES + " " + KAZAKH_SUPPLY,
    ),
    _figure(
        reporter="KAZ",
        partner="AZE",
        flow="export",
        commodity="071340",
        period=JAN_SEP_2018,
        base=JAN_SEP_2017,
        measure="multiplier",
        value="2",
        unit="ratio",
        statement="Kazakh lentil supplies to Azerbaijan in 2018 were twice those of a year "
        "earlier.",
        note=TIMES_READING.format(n=2, m=3, pct=200) + " " + PERIOD_OF_VOLUMES,
    ),
]

ORGANIZATIONS = {
    "UN": "United Nations",
    "OSCE": "Organization for Security and Co-operation in Europe",
    "OIC": "Organisation of Islamic Cooperation",
    "CICA": "Conference on Interaction and Confidence-Building Measures in Asia",
    "Turkic Council": "Cooperation Council of Turkic-Speaking States",
    "CIS": "Commonwealth of Independent States",
}
COOPERATION_AREAS = (
    "trade and economic",
    "cultural and humanitarian",
    "scientific and technical",
)


def _fact(
    kind: str,
    statement: str,
    *,
    subject: str | None = None,
    value: str | None = None,
    unit: str | None = None,
    qualifier: str = "exact",
    wording: str | None = None,
    period: str | None = None,
    status: str = "reported",
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "country_a": "AZE",
        "country_b": "KAZ",
        "kind": kind,
        "subject": subject,
        "value": Decimal(value) if value is not None else None,
        "unit": unit,
        "qualifier": qualifier,
        "qualifier_wording": wording,
        "period": period,
        "status": status,
        "statement": statement,
        "note": note,
    }


FACTS = [
    _fact(
        "diplomatic_relations",
        "Azerbaijan and Kazakhstan established diplomatic relations in 1992.",
        value="1992",
        unit="year",
        period="1992",
        status="derived",
        note="Derived: the source says the 26th anniversary of diplomatic relations was "
        "marked in 2018, and 2018 - 26 = 1992.",
    ),
    _fact(
        "treaty_base",
        "The treaty and legal basis between the two countries counts over "
        "60 documents covering all areas of cooperation.",
        value="60",
        unit="documents",
        qualifier="at_least",
        wording="more than",
        period="2018",
    ),
    _fact(
        "presidential_instruction",
        "The presidents instructed their governments to double mutual trade by 2020.",
        subject="Double bilateral trade by 2020",
        period="2017-04",
    ),
    _fact(
        "presidential_instruction",
        "The presidents called for Kazakh grain supplies to Azerbaijan to resume.",
        subject="Resume Kazakh grain supplies to Azerbaijan",
        note="The source does not date this instruction.",
    ),
    _fact(
        "working_group",
        "A working group of the two ministries of agriculture works on "
        "ways to raise Kazakh grain exports to Azerbaijan.",
        subject="Ministries of agriculture: Kazakh grain exports",
    ),
    *(
        _fact(
            "cooperation_area",
            f"The two countries are developing {area} ties.",
            subject=area,
            period="2018",
        )
        for area in COOPERATION_AREAS
    ),
    *(
        _fact(
            "shared_membership",
            f"Both countries cooperate within the {name} ({short}).",
            subject=short,
            period="2018",
            note="The source ends its list with 'etc.': the list is not exhaustive.",
        )
        for short, name in ORGANIZATIONS.items()
    ),
]


def upgrade() -> None:
    op.bulk_insert(
        sources,
        [
            {
                "slug": SOURCE_SLUG,
                "publisher": "Trend News Agency",
                "title": "Azerbaijan-Kazakhstan trade in January-September 2018 "
                "(interview with the Kazakh ambassador)",
                "author": "Rashid Shirinov",
                "published_on": date(2018, 11, 23),
                "place": "Baku, Azerbaijan",
                "speaker": "Beibit Issabayev",
                "speaker_role": "Ambassador of Kazakhstan to Azerbaijan",
                "url": None,
                "language": "en",
                "note": "News report quoting the ambassador. The title is descriptive; "
                "the text we hold carries none.",
            }
        ],
    )
    source_id = op.get_bind().scalar(sa.select(sources.c.id).where(sources.c.slug == SOURCE_SLUG))
    op.bulk_insert(observations, [{**row, "source_id": source_id} for row in FIGURES])
    op.bulk_insert(relation_facts, [{**row, "source_id": source_id} for row in FACTS])


def downgrade() -> None:
    source_id = sa.select(sources.c.id).where(sources.c.slug == SOURCE_SLUG).scalar_subquery()
    op.execute(relation_facts.delete().where(relation_facts.c.source_id == source_id))
    op.execute(observations.delete().where(observations.c.source_id == source_id))
    op.execute(sources.delete().where(sources.c.slug == SOURCE_SLUG))
