"""An observation's value and attributes as SDMX text, shared by every format."""

from app.observations.facts import Fact
from app.sdmx.keys import time_period
from app.sdmx.series import KeyedObservation
from app.sdmx.structure import OBS_STATUS
from app.shared.numbers import plain

MISSING = "NaN"  # SDMX's missing value: a range has bounds and no single value


def obs_value(fact: Fact) -> str:
    return MISSING if fact.value is None else plain(fact.value)


def attributes_of(observation: KeyedObservation) -> list[tuple[str, str]]:
    """The attributes that have a value, in the data structure's order."""
    fact = observation.fact
    found: list[tuple[str, str | None]] = [
        ("OBS_STATUS", OBS_STATUS[fact.status][0]),
        ("UNIT", fact.unit.value),
        ("UNIT_MULT", "0"),
        ("QUALIFIER", fact.qualifier.value),
        ("QUALIFIER_WORDING", fact.wording),
        ("VALUE_LOW", None if fact.low is None else plain(fact.low)),
        ("VALUE_HIGH", None if fact.high is None else plain(fact.high)),
        ("BASE_PERIOD", None if fact.base is None else time_period(fact.base)),
        ("REPORTER", observation.reporter),
        ("DERIVATION", _derivation(fact)),
        ("SOURCE", observation.citation),
        ("OBS_COMMENT", fact.note),
        ("FIGURE_ID", None if fact.id is None else str(fact.id)),
    ]
    return [(name, value) for name, value in found if value]


def _derivation(fact: Fact) -> str | None:
    """The formula; where it rests on two reporters' statistics, it says so."""
    if fact.derivation is None:
        return None
    if fact.derivation.combines_reporters:
        reporters = " and ".join(fact.derivation.reporters)
        return f"{fact.derivation.formula}; combines the statistics of {reporters} (mirror)"
    return fact.derivation.formula
