"""The SDMX structure of tradestats: one dataflow, BILATERAL, and what its keys mean.

Dimensions follow the IMF's bilateral series (FREQ.REF_AREA.INDICATOR.COUNTERPART_AREA),
with COMMODITY added for HS codes. An indicator names a flow (exports, imports, balance,
turnover) and a measure (value in USD, tonnes, growth on a year earlier, multiplier).
"""

from dataclasses import dataclass

from app.shared.vocabulary import Flow, Measure, Qualifier, Status, Unit

AGENCY = "TRADESTATS"
DATAFLOW = "BILATERAL"
DSD = "DSD_BILATERAL"
VERSION = "1.0"

DIMENSIONS = ("FREQ", "REF_AREA", "INDICATOR", "COUNTERPART_AREA", "COMMODITY")
TIME_DIMENSION = "TIME_PERIOD"
PRIMARY_MEASURE = "OBS_VALUE"


@dataclass(frozen=True)
class Indicator:
    code: str
    flow: Flow
    measure: Measure
    unit: Unit
    name: str


_FLOWS = {
    Flow.EXPORT: ("TXG", "exports of goods"),
    Flow.IMPORT: ("TMG", "imports of goods"),
    Flow.BALANCE: ("TBG", "trade balance in goods (exports minus imports)"),
    Flow.TURNOVER: ("TTG", "turnover of goods (exports plus imports)"),
}
# The IMF marks export values FOB and import values CIF; the codes follow the IMF's so
# that clients can line series up, but the valuation is whatever the source used.
_VALUE_CODES = {Flow.EXPORT: "TXG_FOB_USD", Flow.IMPORT: "TMG_CIF_USD"}
_MEASURES = {
    Measure.TRADE_VALUE: ("USD", Unit.USD, "value in US dollars"),
    Measure.QUANTITY: ("T", Unit.TONNE, "quantity in tonnes"),
    Measure.GROWTH: ("PC_PY", Unit.PERCENT, "change on the same period a year earlier, %"),
    Measure.MULTIPLIER: ("X_PY", Unit.RATIO, "multiple of an earlier period's level"),
}


def _indicators() -> tuple[Indicator, ...]:
    found = []
    for flow, (prefix, flow_name) in _FLOWS.items():
        for measure, (suffix, unit, measure_name) in _MEASURES.items():
            code = f"{prefix}_{suffix}"
            if measure == Measure.TRADE_VALUE:
                code = _VALUE_CODES.get(flow, code)
            found.append(
                Indicator(code, flow, measure, unit, f"{flow_name.capitalize()}, {measure_name}")
            )
    return tuple(found)


INDICATORS = _indicators()
INDICATOR_BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
INDICATOR_FOR = {(i.flow, i.measure): i for i in INDICATORS}

# OBS_STATUS: the IMF's codes where they fit, one of our own for targets.
OBS_STATUS = {
    Status.REPORTED: ("A", "Normal value: as the source reported it"),
    Status.DERIVED: ("E", "Estimated value: derived by tradestats from reported figures"),
    Status.FORECAST: ("F", "Forecast value"),
    Status.TARGET: ("T", "Target: a value someone set out to reach, not an observation"),
    Status.ESTIMATED: ("S", "Estimated by the source (UN Comtrade's estimate), not declared"),
}

FREQUENCIES = {
    "A": "Annual",
    "S": "Half-yearly",
    "Q": "Quarterly",
    "M": "Monthly",
}


def frequency_name(code: str) -> str:
    if code in FREQUENCIES:
        return FREQUENCIES[code]
    return f"Periods of {code[1:-1]} months (time period: start date and ISO 8601 duration)"


UNITS = {
    Unit.USD: "US dollars",
    Unit.TONNE: "Metric tonnes",
    Unit.PERCENT: "Percent",
    Unit.RATIO: "Ratio (a multiple)",
}

QUALIFIERS = {
    Qualifier.EXACT: "As stated, with no hedge",
    Qualifier.APPROXIMATELY: "About: the source hedges without a direction",
    Qualifier.AT_LEAST: "At least this value",
    Qualifier.AT_MOST: "At most this value",
    Qualifier.MORE_THAN: "More than this value (a strict lower bound)",
    Qualifier.LESS_THAN: "Less than this value (a strict upper bound)",
    Qualifier.RANGE: "A range: see VALUE_LOW and VALUE_HIGH",
}


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    codelist: str | None = None  # coded attributes name their codelist


ATTRIBUTES = (
    Attribute(
        "OBS_STATUS", "Observation status: reported, derived, forecast or target", "CL_OBS_STATUS"
    ),
    Attribute("UNIT", "Unit of measure", "CL_UNIT"),
    Attribute("UNIT_MULT", "Unit multiplier (power of ten)", "CL_UNIT_MULT"),
    Attribute("QUALIFIER", "How sure the source is of the value", "CL_QUALIFIER"),
    Attribute("QUALIFIER_WORDING", "The source's own hedge word (almost, more than)"),
    Attribute("VALUE_LOW", "Lowest value the source's wording or stated precision allows"),
    Attribute("VALUE_HIGH", "Highest value the source's wording or stated precision allows"),
    Attribute("BASE_PERIOD", "The period a growth rate or multiplier compares with"),
    Attribute("REPORTER", "Whose figure it is recorded as (ISO 3166-1 alpha-2)"),
    Attribute("DERIVATION", "How a derived value was computed (its formula)"),
    Attribute("SOURCE", "Citation of the source"),
    Attribute("OBS_COMMENT", "Note on the value"),
    Attribute("FIGURE_ID", "The stored figure's id in the tradestats API (/v1/observations/{id})"),
)

CODELISTS = (
    "CL_FREQ",
    "CL_AREA",
    "CL_INDICATOR",
    "CL_COMMODITY",
    "CL_OBS_STATUS",
    "CL_UNIT",
    "CL_UNIT_MULT",
    "CL_QUALIFIER",
)
DIMENSION_CODELISTS = {
    "FREQ": "CL_FREQ",
    "REF_AREA": "CL_AREA",
    "INDICATOR": "CL_INDICATOR",
    "COUNTERPART_AREA": "CL_AREA",
    "COMMODITY": "CL_COMMODITY",
}

# Every concept's name, for structure messages and for formats that carry names inline.
CONCEPT_NAMES = {
    "FREQ": "Frequency",
    "REF_AREA": "Reference area (the country whose trade it is)",
    "INDICATOR": "Indicator (flow and measure)",
    "COUNTERPART_AREA": "Counterpart area (the partner country)",
    "COMMODITY": "Commodity (HS code, or TOTAL for all goods)",
    "TIME_PERIOD": "Time period",
    "OBS_VALUE": "Observation value",
    **{attribute.id: attribute.name for attribute in ATTRIBUTES},
}
