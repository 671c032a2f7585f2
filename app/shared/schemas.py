"""API shapes shared by every domain: references, periods, figures."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from app.shared.periods import Period
from app.shared.vocabulary import Attribution, Flow, Measure, Qualifier, Status, Unit

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


class Caveat(ApiModel):
    figure_id: int = Field(description="A stored figure this one rests on", examples=[4])
    qualifier: Qualifier
    qualifier_wording: str | None = Field(examples=["more than"])
    note: str | None = Field(description="How that figure was read, and any other reading")


class AlternativeOutcome(ApiModel):
    figure_id: int = Field(description="The stored figure that names another reading")
    reading: str = Field(description="That other reading, in words")
    value: Amount = Field(description="What this derived figure would be under it")


class Derivation(ApiModel):
    method: str = Field(
        description="What was computed", examples=["sum of both directions' trade values"]
    )
    formula: str = Field(examples=["36000000 + 133000000"])
    inputs: list[int] = Field(description="Ids of the stored figures it rests on")
    caveats: list[Caveat] = Field(
        default_factory=list,
        description="The inputs whose hedge or reading this figure inherits",
    )
    alternatives: list[AlternativeOutcome] = Field(
        default_factory=list,
        description="What this figure would be under each other reading an input names",
    )
    basis: str | None = Field(
        default=None,
        description="For a comparison: like_for_like, or not_like_for_like when the "
        "periods are not the same months a whole number of years apart",
        examples=["not_like_for_like"],
    )
    reporters: list[str] = Field(
        default_factory=list,
        description="Whose statistics it rests on: the alpha-3 codes of the reporters its "
        "stored inputs are filed under. Two when each country reported one of the inputs: "
        "the figure then combines mirror statistics, and `combines_reporters` says so",
        examples=[["AZE"]],
    )
    combines_reporters: bool = Field(
        default=False,
        description="True when it rests on two reporters' statistics (mirror figures): "
        "valued and counted differently, combined only where each reported one side. "
        "A growth, ratio or earlier level never combines them",
    )


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
    value_low: Amount | None = Field(
        description="Lowest value the figure allows: a range's start; for a reported rate or "
        "multiplier, what its last stated digit allows (65.1 -> 65.05); for a derived "
        "figure, the interval its inputs' stated precision allows (rounded outward). Null "
        "where the value is all there is"
    )
    value_high: Amount | None = Field(description="Highest value the figure allows; as value_low")
    unit: Unit
    qualifier: Qualifier = Field(
        description="exact, approximately, at_least/at_most (the value is included), "
        "more_than/less_than (strict: 'more than', 'almost'), or range. On a derived figure "
        "with value_low/value_high, a bound applies to that interval"
    )
    qualifier_wording: str | None = Field(
        description="The source's own hedge word", examples=["almost"]
    )
    status: Status
    sources: list[SourceRef]
    reporter_stated: bool = Field(
        default=True,
        description="Whether the source says these are the reporter's statistics; false: "
        "it does not say whose they are, and reporter is only the side the figure is filed "
        "under (derived figures: false if any input's is)",
    )
    attribution: Attribution = Field(
        description="Whose words: the source's own (publisher) or a person it quotes "
        "(speaker); the citation says the same"
    )
    statement: str | None = Field(description="What the source says, in our words")
    alternative_value: Amount | None = Field(
        default=None,
        description="Stored figures: the value under another reading the source allows "
        "(figures derived from this one say what they would be under it)",
    )
    alternative_reading: str | None = Field(default=None, description="That other reading")
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
