"""What codes, flows and periods look like, as regular expressions: for OpenAPI (which
has no case flag), for request validation and for the words of error messages."""

import re

from app.shared.periods import ACCEPTED_FORMS

# Regular expressions of parameters, and what they mean in words, for error messages.
# Kept apart from the HTTP layer: the importer checks codes with these patterns too, and
# should not load a web framework to do it.
_PATTERN_MEANINGS: dict[str, str] = {}


def describe_pattern(pattern: str, meaning: str) -> str:
    """Remember what a parameter pattern accepts, in words; returns the pattern."""
    _PATTERN_MEANINGS[pattern] = meaning
    return pattern


def meaning_of(pattern: str | None) -> str | None:
    """What a described pattern accepts, in words."""
    return None if pattern is None else _PATTERN_MEANINGS.get(pattern)


def list_of(pattern: str) -> str:
    """A comma list of values that each match `pattern` (a described ^...$ pattern)."""
    one = pattern.removeprefix("^").removesuffix("$")
    meaning = meaning_of(pattern) or pattern
    return describe_pattern(
        f"^(?:{one})(?:,(?:{one}))*$", f"{meaning}; several separated by commas"
    )


def any_case(*words: str) -> str:
    """A regular expression matching these words in any case (JSON Schema has no flags)."""
    return "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in w) for w in words
    )


COUNTRY_PATTERN = describe_pattern(
    r"^([A-Za-z]{2,3}|[0-9]{1,3})$",
    "an ISO 3166-1 alpha-2 (AZ), alpha-3 (AZE) or numeric / UN M49 (031 or 31) code",
)
COMMODITY_PATTERN = describe_pattern(
    rf"^({any_case('total')}|[0-9]{{2}}|[0-9]{{4}}|[0-9]{{6}})$",
    "TOTAL, or an HS code of 2, 4 or 6 digits (10, 1006, 071340)",
)
FLOW_PATTERN = describe_pattern(
    rf"^({any_case('export', 'import', 'x', 'm')})$", "export (X) or import (M), any case"
)
FLOW_OR_TURNOVER_PATTERN = describe_pattern(
    "^({})$".format(
        any_case("export", "import", "turnover", "re_export", "re_import", "x", "m", "rx", "rm")
    ),
    "export (X), import (M), turnover, re_export (RX) or re_import (RM), any case",
)
_YEAR = "(19[0-9]{2}|20[0-9]{2}|2100)"
_PART = rf"({any_case('s')}[12]|{any_case('q')}[1-4]|({any_case('m')})?(0[1-9]|1[0-2]))"
_SINGLE_PERIOD = rf"{_YEAR}(-{_PART})?"
PERIOD_PATTERN = describe_pattern(
    rf"^{_SINGLE_PERIOD}(/{_SINGLE_PERIOD})?$",
    "a period from 1900 to 2100 as " + "; ".join(ACCEPTED_FORMS),
)

_MONTH = "(0[1-9]|1[0-2])"
_MONTHS_ACROSS_YEARS = rf"{any_case('p')}[0-9]{{1,4}}{any_case('m')}"
FREQ_PATTERN = describe_pattern(
    rf"^({any_case('a', 's', 'q', 'm')}|{_MONTH}/{_MONTH}|{_MONTHS_ACROSS_YEARS})$",
    "A, S, Q or M, the months of a part-year interval (01/09 for January-September), or "
    "P{n}M for an interval of n months across years",
)

# Text we store never holds control characters (tab, newline and CR aside): Postgres cannot
# store a NUL, and none of them belongs in a statement, a note or a citation.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
