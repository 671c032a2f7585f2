"""POST and DELETE of figures: parse, check every row, write revisions, all or nothing."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy.orm import Session

from app.errors import InvalidParameterError, validated_body
from app.observations import revisions
from app.observations.validation import NewFigure, ReferenceData, check
from app.patterns import (
    COMMODITY_PATTERN,
    COUNTRY_PATTERN,
    FLOW_OR_TURNOVER_PATTERN,
    PERIOD_PATTERN,
)
from app.sources.schemas import SourceIn
from app.sources.service import find_or_create
from app.vocabulary import Attribution, Measure, Qualifier, Status, Unit

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
    qualifier_wording: str | None = None
    status: str = Field("reported", examples=["reported"], **_words(Status))
    source_id: int | None = Field(None, examples=[1], description="An existing source")
    source: str | None = Field(None, description="Slug of a source in this request's `sources`")
    statement: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=4000)
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
        max_length=1000,
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


def parse_body(document: Any) -> WriteRequest:
    """A single figure object, or {"figures": [...], "sources": [...]}."""
    if isinstance(document, Mapping) and "figures" not in document:
        document = {"figures": [document]}
    return validated_body(WriteRequest, document, "a figure or a batch of figures")


def _sources_by_slug(session: Session, incoming: Sequence[SourceIn]) -> dict[str, int]:
    return {item.slug: find_or_create(session, item)[0].id for item in incoming}


def write(session: Session, request: WriteRequest, *, recorded_by: str) -> revisions.Written:
    slugs = _sources_by_slug(session, request.sources)
    refs = ReferenceData(session)
    checked: list[NewFigure] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(request.figures):
        source_id = item.source_id
        if item.source is not None:
            source_id = slugs.get(item.source)
            if source_id is None:
                errors.append(_error(index, "source", f"no source '{item.source}' in `sources`"))
                continue
        outcome = check(item.model_dump(exclude={"source_id", "source"}), refs, source_id)
        if isinstance(outcome, list):
            errors += [_error(index, problem.field, problem.reason) for problem in outcome]
        else:
            checked.append(outcome)
    keys = [figure.natural_key for figure in checked]
    if not errors and len(set(keys)) != len(keys):
        seen: dict[tuple[Any, ...], int] = {}
        for index, key in enumerate(keys):
            if key in seen:
                errors.append(_error(index, "figure", f"repeats figure {seen[key]} of the batch"))
            seen.setdefault(key, index)
    if errors:
        raise InvalidParameterError(
            f"{len({e['index'] for e in errors})} of {len(request.figures)} figures are "
            "invalid; nothing was written.",
            errors=errors,
        )
    refs.create_new_commodities(session)
    return revisions.write(session, checked, recorded_by=recorded_by)


def _error(index: int, field: str, reason: str) -> dict[str, Any]:
    location = f"body.figures[{index}].{field}"
    return {
        "location": location,
        "index": index,
        "field": field,
        "message": reason,
        "type": "invalid",
    }
