"""Checking incoming figures against the grammar and the reference data.

The same checks serve JSON writes and CSV imports: each row gives its fields as loose
values, and comes back either as a NewFigure or as a list of (field, reason) problems.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from app.countries.codes import code_column
from app.observations import repository
from app.shared.patterns import CONTROL_CHARACTERS
from app.shared.periods import ACCEPTED_FORMS, PeriodError, parse_period
from app.shared.vocabulary import (
    AMOUNT_MEASURES,
    FLOW_SPELLINGS,
    HEDGE_WORDS,
    UNITS_BY_MEASURE,
    Attribution,
    Flow,
    Measure,
    Qualifier,
    Status,
    Unit,
)

# The longest text each of a figure's text fields takes, in characters.
TEXT_LIMITS = {
    "qualifier_wording": 40,
    "statement": 2000,
    "note": 4000,
    "alternative_reading": 1000,
}
MAX_ABS_VALUE = Decimal("1e17")
MAX_DECIMALS = 6
FLOW_WORDS = FLOW_SPELLINGS
MEASURE_WORDS = {word.value: word for word in Measure}
UNIT_WORDS = {word.value: word for word in Unit}
QUALIFIER_WORDS = {word.value: word for word in Qualifier}
STATUS_WORDS = {word.value: word for word in Status}
ATTRIBUTION_WORDS = {word.value: word for word in Attribution}


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str


@dataclass(frozen=True)
class NewFigure:
    reporter_code: str
    partner_code: str
    flow: str
    commodity_code: str
    period: str
    period_start: date
    period_end: date
    base_period: str | None
    base_period_start: date | None
    base_period_end: date | None
    measure: str
    value: Decimal | None
    value_low: Decimal | None
    value_high: Decimal | None
    unit: str
    qualifier: str
    qualifier_wording: str | None
    status: str
    source_id: int
    # None: the statement generated from the figure's dimensions (`default_statement`),
    # which the store does not keep for every figure.
    statement: str | None
    note: str | None
    attribution: str = Attribution.PUBLISHER.value
    alternative_value: Decimal | None = None
    alternative_reading: str | None = None
    reporter_stated: bool = True

    @property
    def natural_key(self) -> tuple[Any, ...]:
        return (
            self.reporter_code,
            self.partner_code,
            self.flow,
            self.commodity_code,
            self.period_start,
            self.period_end,
            self.measure,
            self.status,
            self.source_id,
        )

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


# Fields that may change between revisions of one figure.
REVISABLE = (
    "period",
    "base_period",
    "base_period_start",
    "base_period_end",
    "value",
    "value_low",
    "value_high",
    "unit",
    "qualifier",
    "qualifier_wording",
    "statement",
    "note",
    "attribution",
    "alternative_value",
    "alternative_reading",
    "reporter_stated",
)


class ReferenceData:
    """Countries, commodity codes and source ids, loaded once per write."""

    def __init__(self, session: Session) -> None:
        known = repository.reference_codes(session)
        self.countries: dict[str, str] = known.countries
        self.commodities = known.commodities
        self.sources = known.sources
        # Well-formed HS codes below a known chapter that the store does not list yet.
        self.new_commodities: dict[str, str] = {}

    def commodity(self, code: str) -> bool:
        """Whether the code can be used; a new heading or subheading is registered."""
        if code in self.commodities or code in self.new_commodities:
            return True
        if re.fullmatch(r"\d{4}|\d{6}", code, re.ASCII) and code[:2] in self.commodities:
            parent = code[:-2]
            if len(code) == 6 and not self.commodity(parent):
                return False
            self.new_commodities[code] = parent
            return True
        return False

    def create_new_commodities(self, session: Session) -> None:
        """Add the registered codes (parents first), described by their code only."""
        ordered = sorted(self.new_commodities, key=len)
        repository.add_commodities(session, {code: self.new_commodities[code] for code in ordered})
        self.commodities.update(self.new_commodities)
        self.new_commodities.clear()

    def country(self, text: str) -> str | None:
        """The alpha-3 code of the area a code names, read as everywhere
        (`countries.codes.code_column`); None for an unknown one."""
        found = code_column(text)
        return None if found is None else self.countries.get(found[1])


def _text(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_FLAGS = {"true": True, "false": False, "1": True, "0": False}


def _flag(raw: Mapping[str, Any], name: str, problems: list[Problem], *, default: bool) -> bool:
    value = raw.get(name)
    if isinstance(value, bool):
        return value
    text = _text(raw, name)
    if text is None:
        return default
    if text.lower() not in _FLAGS:
        problems.append(Problem(name, f"'{text[:40]}' is not one of: true, false"))
        return default
    return _FLAGS[text.lower()]


def _decimal(raw: Mapping[str, Any], name: str, problems: list[Problem]) -> Decimal | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        problems.append(Problem(name, "must be a number"))
        return None
    try:
        text = str(value).strip()
        if not text.isascii():  # Decimal also reads Arabic-Indic and full-width digits
            raise InvalidOperation
        number = Decimal(text)
    except InvalidOperation:
        problems.append(Problem(name, f"'{str(value)[:40]}' is not a number"))
        return None
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        problems.append(Problem(name, f"must be finite and below {MAX_ABS_VALUE:.0E}"))
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        problems.append(Problem(name, f"at most {MAX_DECIMALS} decimal places"))
        return None
    return number


def _choice(
    raw: Mapping[str, Any],
    name: str,
    choices: Mapping[str, Any],
    problems: list[Problem],
    default: str | None = None,
) -> Any:
    text = _text(raw, name) or default
    if text is None:
        problems.append(Problem(name, "is required"))
        return None
    found = choices.get(text.lower() if name != "unit" else text)
    if found is None:
        accepted = ", ".join(sorted({str(v) for v in choices.values()}))
        problems.append(Problem(name, f"'{text[:40]}' is not one of: {accepted}"))
    return found


def _bounded_text(
    raw: Mapping[str, Any], name: str, limit: int, problems: list[Problem]
) -> str | None:
    text = _text(raw, name)
    if text is not None and len(text) > limit:
        problems.append(Problem(name, f"at most {limit} characters"))
        return None
    if text is not None and CONTROL_CHARACTERS.search(text):
        problems.append(Problem(name, "contains control characters"))
        return None
    return text


def check(
    raw: Mapping[str, Any], refs: ReferenceData, source_id: int | None
) -> NewFigure | list[Problem]:
    """One incoming figure, checked field by field; every problem is reported."""
    problems: list[Problem] = []
    codes: dict[str, str | None] = {}
    for name in ("reporter", "partner"):
        text = _text(raw, name)
        if text is None:
            problems.append(Problem(name, "is required"))
            codes[name] = None
        elif len(text) > 16 or (code := refs.country(text)) is None:
            problems.append(
                Problem(
                    name,
                    f"'{text[:40]}' is not an ISO 3166-1 alpha-2, alpha-3 or numeric code, "
                    "nor UN Comtrade's code of a country",
                )
            )
            codes[name] = None
        else:
            codes[name] = code
    if codes["reporter"] and codes["reporter"] == codes["partner"]:
        problems.append(Problem("partner", "must differ from reporter"))
    flow = _choice(raw, "flow", FLOW_WORDS, problems)
    commodity = (_text(raw, "commodity") or "TOTAL").upper()
    if not refs.commodity(commodity):
        problems.append(
            Problem(
                "commodity",
                f"'{commodity[:40]}' is neither TOTAL nor an HS code of 2, 4 or 6 digits under "
                "a known chapter",
            )
        )
    periods = {}
    for name in ("period", "base_period"):
        text = _text(raw, name)
        if text is None:
            if name == "period":
                problems.append(Problem(name, "is required"))
            continue
        try:
            periods[name] = parse_period(text)
        except PeriodError as error:
            problems.append(Problem(name, f"{error}; accepted: {'; '.join(ACCEPTED_FORMS)}"))
    measure = _choice(raw, "measure", MEASURE_WORDS, problems)
    unit = _choice(raw, "unit", UNIT_WORDS, problems)
    if measure and unit and unit not in UNITS_BY_MEASURE[measure]:
        expected = ", ".join(sorted(UNITS_BY_MEASURE[measure]))
        problems.append(Problem("unit", f"{measure.value} is measured in {expected}"))
    qualifier = _choice(raw, "qualifier", QUALIFIER_WORDS, problems, default="exact")
    status = _choice(raw, "status", STATUS_WORDS, problems, default="reported")
    value = _decimal(raw, "value", problems)
    # A value given but unreadable is named once, as unreadable, not also as missing.
    value_unreadable = value is None and bool(problems) and problems[-1].field == "value"
    alternative_value = _decimal(raw, "alternative_value", problems)
    low, high = _decimal(raw, "value_low", problems), _decimal(raw, "value_high", problems)
    if qualifier is Qualifier.RANGE:
        if low is None or high is None or value is not None:
            problems.append(Problem("value", "a range gives value_low and value_high, no value"))
        elif low > high:
            problems.append(Problem("value_low", "must not exceed value_high"))
    elif (
        qualifier is not None
        and not value_unreadable
        and (value is None or low is not None or high is not None)
    ):
        problems.append(
            Problem("value", "is required, without value_low/value_high, unless qualifier is range")
        )
    levels = (value, low, high, alternative_value)
    if measure in AMOUNT_MEASURES and any(v is not None and v < 0 for v in levels):
        problems.append(Problem("value", f"a {measure.value} cannot be negative"))
    if measure is Measure.MULTIPLIER and any(v is not None and v <= 0 for v in levels):
        problems.append(Problem("value", "a multiplier must be positive"))
    if source_id is None:
        problems.append(Problem("source_id", "is required"))
    elif source_id not in refs.sources:
        problems.append(Problem("source_id", f"no source has the id {source_id}"))
    wording = _bounded_text(raw, "qualifier_wording", TEXT_LIMITS["qualifier_wording"], problems)
    hedged = HEDGE_WORDS.get((wording or "").lower())
    if hedged is not None and qualifier is not None and hedged is not qualifier:
        problems.append(
            Problem(
                "qualifier_wording",
                f"'{wording}' is the wording of {hedged.value}, not of {qualifier.value}: "
                f"give qualifier {hedged.value}, or the source's other words",
            )
        )
    statement = _bounded_text(raw, "statement", TEXT_LIMITS["statement"], problems)
    note = _bounded_text(raw, "note", TEXT_LIMITS["note"], problems)
    attribution = _choice(raw, "attribution", ATTRIBUTION_WORDS, problems, default="publisher")
    alternative_reading = _bounded_text(
        raw, "alternative_reading", TEXT_LIMITS["alternative_reading"], problems
    )
    reporter_stated = _flag(raw, "reporter_stated", problems, default=True)
    if (alternative_value is None) != (alternative_reading is None):
        problems.append(
            Problem("alternative_value", "comes with alternative_reading, and the other way round")
        )
    if problems:
        return problems
    assert codes["reporter"]
    assert codes["partner"]
    assert source_id is not None
    period, base = periods["period"], periods.get("base_period")
    return NewFigure(
        reporter_code=codes["reporter"],
        partner_code=codes["partner"],
        flow=flow.value,
        commodity_code=commodity,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        base_period=base.label if base else None,
        base_period_start=base.start if base else None,
        base_period_end=base.end if base else None,
        measure=measure.value,
        value=value,
        value_low=low,
        value_high=high,
        unit=unit.value,
        qualifier=qualifier.value,
        qualifier_wording=wording,
        status=status.value,
        source_id=source_id,
        statement=_own_statement(
            statement,
            default_statement(
                codes["reporter"], flow, codes["partner"], commodity, period.label, measure
            ),
        ),
        note=note,
        attribution=attribution.value,
        alternative_value=alternative_value,
        alternative_reading=alternative_reading,
        reporter_stated=reporter_stated,
    )


def _own_statement(given: str | None, default: str) -> str | None:
    return None if given is None or given == default else given


def default_statement(
    reporter: str, flow: Flow, partner: str, commodity: str, period: str, measure: Measure
) -> str:
    """What a figure says when its source gave no words: the `observations` view writes
    the same text in SQL for every figure stored without a statement of its own."""
    what = measure.value.replace("_", " ")
    goods = "all goods" if commodity == "TOTAL" else f"HS {commodity}"
    return f"{reporter} {flow.value} with {partner}, {goods}, {period}: {what}."
