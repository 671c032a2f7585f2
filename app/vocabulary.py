"""Controlled vocabularies of a figure: what it measures and how far to trust it."""

from enum import StrEnum


class Flow(StrEnum):
    EXPORT = "export"  # reporter -> partner
    IMPORT = "import"  # partner -> reporter
    TURNOVER = "turnover"  # both directions together; the pair order does not matter
    BALANCE = "balance"  # exports minus imports; only ever derived, never stored


STORED_FLOWS = frozenset({Flow.EXPORT, Flow.IMPORT, Flow.TURNOVER})


class Measure(StrEnum):
    TRADE_VALUE = "trade_value"
    QUANTITY = "quantity"
    GROWTH = "growth"  # percent change against `base_period`
    MULTIPLIER = "multiplier"  # ratio to `base_period`


class Unit(StrEnum):
    USD = "USD"
    TONNE = "t"
    PERCENT = "percent"
    RATIO = "ratio"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROXIMATELY = "approximately"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"


class Status(StrEnum):
    REPORTED = "reported"
    DERIVED = "derived"
    FORECAST = "forecast"
    TARGET = "target"


UNITS_BY_MEASURE: dict[Measure, frozenset[Unit]] = {
    Measure.TRADE_VALUE: frozenset({Unit.USD}),
    Measure.QUANTITY: frozenset({Unit.TONNE}),
    Measure.GROWTH: frozenset({Unit.PERCENT}),
    Measure.MULTIPLIER: frozenset({Unit.RATIO}),
}

# Commodity code of "all goods"; every HS chapter hangs below it.
TOTAL_COMMODITY = "TOTAL"
