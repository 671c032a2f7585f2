"""Controlled vocabularies of a figure: what it measures and how far to trust it."""

import re
from enum import StrEnum


class Flow(StrEnum):
    EXPORT = "export"  # reporter -> partner
    IMPORT = "import"  # partner -> reporter
    TURNOVER = "turnover"  # both directions together; the pair order does not matter
    BALANCE = "balance"  # exports minus imports; only ever derived, never stored
    # Goods the reporter imported and sends on, or exported and takes back: flows of their
    # own in UN Comtrade (RX, RM), never part of exports, imports or turnover.
    RE_EXPORT = "re_export"
    RE_IMPORT = "re_import"


STORED_FLOWS = frozenset({Flow.EXPORT, Flow.IMPORT, Flow.TURNOVER, Flow.RE_EXPORT, Flow.RE_IMPORT})
RE_FLOWS = frozenset({Flow.RE_EXPORT, Flow.RE_IMPORT})

# Every spelling of a stored flow a writer or a query may use, lower case: our words and
# UN Comtrade's flow codes.
FLOW_SPELLINGS: dict[str, Flow] = {
    "export": Flow.EXPORT,
    "x": Flow.EXPORT,
    "import": Flow.IMPORT,
    "m": Flow.IMPORT,
    "turnover": Flow.TURNOVER,
    "re_export": Flow.RE_EXPORT,
    "rx": Flow.RE_EXPORT,
    "re_import": Flow.RE_IMPORT,
    "rm": Flow.RE_IMPORT,
}


class Measure(StrEnum):
    TRADE_VALUE = "trade_value"
    QUANTITY = "quantity"  # weight, in tonnes
    GROWTH = "growth"  # percent change against `base_period`
    MULTIPLIER = "multiplier"  # ratio to `base_period`
    # What UN Comtrade gives beside a flow's value and weight: the value at the importer's
    # border (cost, insurance and freight) and at the exporter's (free on board), and the
    # quantity in the commodity's own unit (items, litres, m², ...).
    CIF_VALUE = "cif_value"
    FOB_VALUE = "fob_value"
    SUPPLEMENTARY_QUANTITY = "supplementary_quantity"


# Levels are amounts of a period; rates link a period's level to its base period's. The
# ledger derives from these two kinds only: the other amounts are shown as stored.
LEVEL_MEASURES = (Measure.TRADE_VALUE, Measure.QUANTITY)
RATE_MEASURES = (Measure.GROWTH, Measure.MULTIPLIER)
OTHER_AMOUNTS = (Measure.CIF_VALUE, Measure.FOB_VALUE, Measure.SUPPLEMENTARY_QUANTITY)
AMOUNT_MEASURES = (*LEVEL_MEASURES, *OTHER_AMOUNTS)  # never negative

# Each measure in words, for sentences people read.
MEASURE_NAMES: dict[Measure, str] = {
    Measure.TRADE_VALUE: "trade value",
    Measure.QUANTITY: "quantity",
    Measure.GROWTH: "growth",
    Measure.MULTIPLIER: "multiplier",
    Measure.CIF_VALUE: "CIF value",
    Measure.FOB_VALUE: "FOB value",
    Measure.SUPPLEMENTARY_QUANTITY: "quantity in its own unit",
}


class Unit(StrEnum):
    USD = "USD"
    TONNE = "t"
    PERCENT = "percent"
    RATIO = "ratio"
    # UN Comtrade's units of quantity (other than weights), as it abbreviates them.
    SQUARE_METRE = "m2"
    THOUSAND_KWH = "1000kWh"
    METRE = "m"
    ITEMS = "u"
    PAIRS = "2u"
    LITRE = "l"
    THOUSAND_ITEMS = "1000u"
    DOZENS = "12u"
    CUBIC_METRE = "m3"
    CARAT = "carat"


# UN Comtrade's spellings of its quantity units (qtyUnitAbbr), lower case, spaces removed.
COMTRADE_UNITS: dict[str, Unit] = {
    "m²": Unit.SQUARE_METRE,
    "m2": Unit.SQUARE_METRE,
    "1000kwh": Unit.THOUSAND_KWH,
    "m": Unit.METRE,
    "u": Unit.ITEMS,
    "2u": Unit.PAIRS,
    "l": Unit.LITRE,
    "1000u": Unit.THOUSAND_ITEMS,
    "12u": Unit.DOZENS,
    "m³": Unit.CUBIC_METRE,
    "m3": Unit.CUBIC_METRE,
    "carat": Unit.CARAT,
}
# The units a supplementary quantity is in: Comtrade's, whatever their spelling.
SUPPLEMENTARY_UNITS = frozenset(COMTRADE_UNITS.values())


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROXIMATELY = "approximately"
    AT_LEAST = "at_least"  # value or above
    AT_MOST = "at_most"  # value or below
    MORE_THAN = "more_than"  # strictly above value ("more than", "over")
    LESS_THAN = "less_than"  # strictly below value ("almost", "under")
    RANGE = "range"


# The hedge words whose qualifier is not in doubt, lower case: a figure that gives one of
# them as its wording has this qualifier. Other wordings are the source's own and kept.
HEDGE_WORDS: dict[str, Qualifier] = {
    "more than": Qualifier.MORE_THAN,
    "over": Qualifier.MORE_THAN,
    "above": Qualifier.MORE_THAN,
    "almost": Qualifier.LESS_THAN,
    "under": Qualifier.LESS_THAN,
    "less than": Qualifier.LESS_THAN,
    "below": Qualifier.LESS_THAN,
    "at least": Qualifier.AT_LEAST,
    "no less than": Qualifier.AT_LEAST,
    "at most": Qualifier.AT_MOST,
    "no more than": Qualifier.AT_MOST,
    "up to": Qualifier.AT_MOST,
    "about": Qualifier.APPROXIMATELY,
    "around": Qualifier.APPROXIMATELY,
    "approximately": Qualifier.APPROXIMATELY,
    "roughly": Qualifier.APPROXIMATELY,
}

LOWER_BOUNDS = frozenset({Qualifier.AT_LEAST, Qualifier.MORE_THAN})
UPPER_BOUNDS = frozenset({Qualifier.AT_MOST, Qualifier.LESS_THAN})
STRICT_BOUNDS = frozenset({Qualifier.MORE_THAN, Qualifier.LESS_THAN})


class Attribution(StrEnum):
    """Whose words a figure or fact is, within its source."""

    PUBLISHER = "publisher"  # the source's own text or data
    SPEAKER = "speaker"  # a person the source quotes


class Status(StrEnum):
    REPORTED = "reported"
    DERIVED = "derived"  # by tradestats, from stored figures
    FORECAST = "forecast"
    TARGET = "target"
    # Published by the source as its own estimate, not as what the reporter declared (UN
    # Comtrade's isQtyEstimated / isNetWgtEstimated).
    ESTIMATED = "estimated"


# What happened, as against what is planned or foreseen.
ACTUAL_STATUSES = (Status.REPORTED, Status.ESTIMATED, Status.DERIVED)


UNITS_BY_MEASURE: dict[Measure, frozenset[Unit]] = {
    Measure.TRADE_VALUE: frozenset({Unit.USD}),
    Measure.QUANTITY: frozenset({Unit.TONNE}),
    Measure.GROWTH: frozenset({Unit.PERCENT}),
    Measure.MULTIPLIER: frozenset({Unit.RATIO}),
    Measure.CIF_VALUE: frozenset({Unit.USD}),
    Measure.FOB_VALUE: frozenset({Unit.USD}),
    Measure.SUPPLEMENTARY_QUANTITY: SUPPLEMENTARY_UNITS,
}

# Commodity code of "all goods"; every HS chapter hangs below it.
TOTAL_COMMODITY = "TOTAL"

# The small integer each word is stored as in the figure tables. Fixed once given: a new
# word takes a new number, and a number is never reused.
STORED_CODES: dict[type[StrEnum], dict[str, int]] = {
    Flow: {
        Flow.EXPORT: 1,
        Flow.IMPORT: 2,
        Flow.TURNOVER: 3,
        Flow.RE_EXPORT: 4,
        Flow.RE_IMPORT: 5,
    },
    Measure: {
        Measure.TRADE_VALUE: 1,
        Measure.QUANTITY: 2,
        Measure.GROWTH: 3,
        Measure.MULTIPLIER: 4,
        Measure.CIF_VALUE: 5,
        Measure.FOB_VALUE: 6,
        Measure.SUPPLEMENTARY_QUANTITY: 7,
    },
    Unit: {
        Unit.USD: 1,
        Unit.TONNE: 2,
        Unit.PERCENT: 3,
        Unit.RATIO: 4,
        Unit.SQUARE_METRE: 5,
        Unit.THOUSAND_KWH: 6,
        Unit.METRE: 7,
        Unit.ITEMS: 8,
        Unit.PAIRS: 9,
        Unit.LITRE: 10,
        Unit.THOUSAND_ITEMS: 11,
        Unit.DOZENS: 12,
        Unit.CUBIC_METRE: 13,
        Unit.CARAT: 14,
    },
    Qualifier: {
        Qualifier.EXACT: 1,
        Qualifier.APPROXIMATELY: 2,
        Qualifier.AT_LEAST: 3,
        Qualifier.AT_MOST: 4,
        Qualifier.MORE_THAN: 5,
        Qualifier.LESS_THAN: 6,
        Qualifier.RANGE: 7,
    },
    Status: {
        Status.REPORTED: 1,
        Status.DERIVED: 2,
        Status.FORECAST: 3,
        Status.TARGET: 4,
        Status.ESTIMATED: 5,
    },
    Attribution: {Attribution.PUBLISHER: 1, Attribution.SPEAKER: 2},
}


class HsVersion(StrEnum):
    """The versions of the Harmonized System a file's commodity codes may be in, as CEPII
    names them (BACI_HS17_...); UN Comtrade's classificationCode H0 ... H6 are the same."""

    HS92 = "HS92"
    HS96 = "HS96"
    HS02 = "HS02"
    HS07 = "HS07"
    HS12 = "HS12"
    HS17 = "HS17"
    HS22 = "HS22"


# UN Comtrade's classificationCode of each HS version.
COMTRADE_HS_VERSIONS = {
    "H0": HsVersion.HS92,
    "H1": HsVersion.HS96,
    "H2": HsVersion.HS02,
    "H3": HsVersion.HS07,
    "H4": HsVersion.HS12,
    "H5": HsVersion.HS17,
    "H6": HsVersion.HS22,
}


def hs_version_in_name(name: str) -> str | None:
    """The HS version a file's name gives, as CEPII names its files
    (BACI_HS17_Y2019_V202401.csv); None when it gives none, or more than one."""
    found = set(re.findall(r"(?<![A-Za-z0-9])HS(92|96|02|07|12|17|22)(?![0-9])", name.upper()))
    return f"HS{found.pop()}" if len(found) == 1 else None
