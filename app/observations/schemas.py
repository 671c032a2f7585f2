"""The API's shapes of figures: what a write sends, what a list or a write answers."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.observations.validation import TEXT_LIMITS
from app.shared.patterns import (
    COMMODITY_PATTERN,
    COUNTRY_PATTERN,
    FLOW_OR_TURNOVER_PATTERN,
    PERIOD_PATTERN,
)
from app.shared.schemas import ApiModel, Figure, Links
from app.shared.vocabulary import Attribution, Measure, Qualifier, Status, Unit
from app.sources.schemas import SourceIn

MAX_FIGURES_PER_REQUEST = 10_000


def _documented(**schema: Any) -> dict[str, Any]:
    """Constraints for the OpenAPI description only: `validation.check` enforces them, and
    reports every problem of every figure at once instead of pydantic's first."""
    return {"json_schema_extra": schema}


def _words(vocabulary: type[StrEnum]) -> dict[str, Any]:
    return _documented(enum=[word.value for word in vocabulary])


def _ascii_number(value: Any) -> Any:
    # Decimal reads Arabic-Indic and full-width digits too; no read could ask for them.
    if isinstance(value, str) and not value.isascii():
        raise ValueError("a number is written with ASCII digits 0-9")
    return value


Number = Annotated[Decimal | None, BeforeValidator(_ascii_number)]


class FigureIn(BaseModel):
    """One figure to write. Codes and words as on the read side."""

    model_config = ConfigDict(extra="forbid")

    reporter: str = Field(
        examples=["AZ"],
        description="ISO alpha-2, alpha-3 or numeric",
        **_documented(pattern=COUNTRY_PATTERN),
    )
    partner: str = Field(examples=["KZ"], **_documented(pattern=COUNTRY_PATTERN))
    flow: str = Field(
        examples=["export"],
        description="export (X), import (M) or turnover",
        **_documented(pattern=FLOW_OR_TURNOVER_PATTERN),
    )
    commodity: str = Field("TOTAL", examples=["TOTAL"], **_documented(pattern=COMMODITY_PATTERN))
    period: str = Field(examples=["2018"], **_documented(pattern=PERIOD_PATTERN))
    base_period: str | None = Field(None, examples=["2017"], **_documented(pattern=PERIOD_PATTERN))
    measure: str = Field(examples=["trade_value"], **_words(Measure))
    value: Number = Field(None, examples=[48500000])
    value_low: Number = None
    value_high: Number = None
    unit: str = Field(examples=["USD"], **_words(Unit))
    qualifier: str = Field("exact", examples=["exact"], **_words(Qualifier))
    qualifier_wording: str | None = Field(None, max_length=TEXT_LIMITS["qualifier_wording"])
    status: str = Field("reported", examples=["reported"], **_words(Status))
    source_id: int | None = Field(None, examples=[1], description="An existing source")
    source: str | None = Field(None, description="Slug of a source in this request's `sources`")
    statement: str | None = Field(None, max_length=TEXT_LIMITS["statement"])
    note: str | None = Field(None, max_length=TEXT_LIMITS["note"])
    attribution: str = Field(
        "publisher",
        description="publisher (the source's own text or data) or speaker (a person it quotes)",
        **_words(Attribution),
    )
    alternative_value: Number = Field(
        None,
        description="The value under another reading the source allows; with "
        "alternative_reading. Derived figures then say what they would be under it",
        examples=[335127660],
    )
    alternative_reading: str | None = Field(
        None,
        max_length=TEXT_LIMITS["alternative_reading"],
        examples=["an increase of USD 133 million, not the level"],
    )
    reporter_stated: bool = Field(
        True,
        description="false where the source does not say whose statistics the figure is: "
        "reporter is then only the side it is filed under",
    )


class WriteRequest(BaseModel):
    """A batch of figures, with any new sources they cite."""

    model_config = ConfigDict(extra="forbid")

    figures: list[FigureIn] = Field(min_length=1, max_length=MAX_FIGURES_PER_REQUEST)
    sources: list[SourceIn] = Field(default_factory=list, max_length=100)


# The POST body is parsed by hand (one figure or a batch), so OpenAPI learns them here.
WRITE_BODY_MODELS: tuple[type[BaseModel], ...] = (WriteRequest, FigureIn)


class FigureList(ApiModel):
    data: list[Figure]
    links: Links


class WriteCounts(ApiModel):
    added: int = Field(description="Figures new to the store")
    revised: int = Field(description="Figures that got a new revision")
    unchanged: int = Field(description="Figures identical to their current revision")


class WriteAnswer(ApiModel):
    summary: WriteCounts
    figures: list[Figure] = Field(description="The current revision of each figure, in order")


class RevisionLinks(ApiModel):
    self: str
    history: str = Field(description="Every revision of this figure, oldest first")
    current: str | None = Field(
        description="The figure's current revision (a retraction, if it was withdrawn); "
        "null when this is it"
    )


class StoredFigure(Figure):
    """A stored figure, with where it stands among the revisions of its figure."""

    valid_to: datetime | None = Field(
        description="When a later revision or a retraction replaced this one; null while it "
        "is current"
    )
    retracted: bool = Field(description="This revision withdraws the figure")
    current: bool = Field(
        description="Whether this is what the store states now: not replaced, not retracted"
    )
    links: RevisionLinks


class Revision(ApiModel):
    id: int
    revision: int
    recorded_at: datetime
    superseded_at: datetime | None = Field(description="When a later revision replaced it")
    retracted: bool = Field(description="This revision withdraws the figure")
    figure: Figure


class History(ApiModel):
    revisions: list[Revision] = Field(description="Oldest first; the last one is current")
