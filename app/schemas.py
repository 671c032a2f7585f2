"""API shapes shared by every domain: references, periods, figures."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.periods import Period
from app.vocabulary import Flow, Measure, Qualifier, Status, Unit

# Exact decimals, rendered as JSON numbers (never strings, never floats).
Amount = Annotated[Decimal, WithJsonSchema({"type": "number", "examples": [36000000]})]


class ApiModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class CountryRef(ApiModel):
    alpha2: str = Field(examples=["AZ"])
    alpha3: str = Field(examples=["AZE"])
    numeric: str = Field(description="ISO 3166-1 numeric, also the UN M49 code", examples=["031"])
    name: str = Field(examples=["Azerbaijan"])


class CommodityRef(ApiModel):
    code: str = Field(examples=["1006"])
    level: int = Field(description="0 for TOTAL, else the number of HS digits", examples=[4])
    description: str = Field(examples=["Rice"])


class SourceRef(ApiModel):
    id: int = Field(examples=[1])
    citation: str = Field(
        examples=[
            "Trend News Agency, Baku, 2018-11-23 (Rashid Shirinov), quoting Beibit "
            "Issabayev, Ambassador of Kazakhstan to Azerbaijan"
        ]
    )


class PeriodOut(ApiModel):
    label: str = Field(description="Canonical period label", examples=["2018-01/2018-09"])
    start: date = Field(examples=["2018-01-01"])
    end: date = Field(description="Last day, inclusive", examples=["2018-09-30"])

    @classmethod
    def of(cls, period: Period) -> "PeriodOut":
        return cls(label=period.label, start=period.start, end=period.end)


class Derivation(ApiModel):
    method: str = Field(
        description="What was computed", examples=["sum of both directions' trade values"]
    )
    formula: str = Field(examples=["36000000 + 133000000"])
    inputs: list[int] = Field(description="Ids of the stored figures it rests on")


class Figure(ApiModel):
    """One number with everything needed to judge it."""

    id: int | None = Field(description="Stored figure id; null for derived figures")
    reporter: CountryRef
    partner: CountryRef
    flow: Flow
    commodity: CommodityRef
    period: PeriodOut
    base_period: PeriodOut | None = Field(
        description="What a growth rate or multiplier compares against, when known"
    )
    measure: Measure
    value: Amount | None = Field(description="Null only when qualifier is range")
    value_low: Amount | None
    value_high: Amount | None
    unit: Unit
    qualifier: Qualifier
    qualifier_wording: str | None = Field(
        description="The source's own hedge word", examples=["almost"]
    )
    status: Status
    sources: list[SourceRef]
    statement: str | None = Field(description="What the source says, in our words")
    note: str | None = Field(description="How the figure was read, and any other reading")
    derivation: Derivation | None = Field(description="How a derived figure was computed")
    revision: int | None = Field(
        default=None, description="Revision number of a stored figure (1 = first)"
    )
    recorded_at: datetime | None = Field(
        default=None, description="When this revision entered the store (UTC)"
    )


class Links(ApiModel):
    self: str
    next: str | None = None
