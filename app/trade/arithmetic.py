"""Exact arithmetic on reported figures, carrying their qualifiers along.

A hedge survives arithmetic only where its direction is known: "at least 133" plus
"exactly 5" is "at least 138", "more than 133" plus "at least 5" is "more than 138", but
"almost 36" plus "more than 133" can only be "approximately 169". Ranges are not combined
with anything here; `app/trade/intervals.py` carries the bounds.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from app.shared.vocabulary import LOWER_BOUNDS, STRICT_BOUNDS, UPPER_BOUNDS, Qualifier, Unit

# Derived values are rounded to a precision finer than any source gives.
QUANTUM = {
    Unit.USD: Decimal(1),
    Unit.TONNE: Decimal("0.001"),
    Unit.PERCENT: Decimal("0.01"),
    Unit.RATIO: Decimal("0.0001"),
}
HUNDRED = Decimal(100)

_FLIPPED = {
    Qualifier.AT_LEAST: Qualifier.AT_MOST,
    Qualifier.AT_MOST: Qualifier.AT_LEAST,
    Qualifier.MORE_THAN: Qualifier.LESS_THAN,
    Qualifier.LESS_THAN: Qualifier.MORE_THAN,
}


def rounding_for(qualifier: Qualifier) -> str:
    """A bound stays a bound only if rounding moves it outward: a lower bound down, an
    upper bound up."""
    if qualifier in LOWER_BOUNDS:
        return ROUND_FLOOR
    if qualifier in UPPER_BOUNDS:
        return ROUND_CEILING
    return ROUND_HALF_EVEN


def rounded(value: Decimal, unit: Unit, qualifier: Qualifier = Qualifier.EXACT) -> Decimal:
    """`value` to the unit's quantum, toward the safe side of a bound."""
    return value.quantize(QUANTUM[unit], rounding=rounding_for(qualifier))


def _one_sided(kinds: set[Qualifier], side: frozenset[Qualifier]) -> Qualifier:
    """The bound of a sum of bounds on one side: strict if any term is strict."""
    strict = side & STRICT_BOUNDS
    if kinds & strict:
        return next(iter(strict))
    return next(iter(side - STRICT_BOUNDS))


def sum_qualifier(*qualifiers: Qualifier) -> Qualifier | None:
    """Qualifier of a sum of terms; None where the terms cannot be summed (ranges)."""
    kinds = set(qualifiers) - {Qualifier.EXACT}
    if Qualifier.RANGE in kinds:
        return None
    if not kinds:
        return Qualifier.EXACT
    for side in (LOWER_BOUNDS, UPPER_BOUNDS):
        if kinds <= side:
            return _one_sided(kinds, side)
    return Qualifier.APPROXIMATELY


def negated(qualifier: Qualifier) -> Qualifier:
    """Qualifier of -x: a lower bound becomes an upper bound."""
    return _FLIPPED.get(qualifier, qualifier)


def scaled_qualifier(level: Qualifier, factor: Qualifier) -> Qualifier | None:
    """Qualifier of a level divided or multiplied by a positive factor."""
    if Qualifier.RANGE in (level, factor):
        return None
    if factor is Qualifier.EXACT:
        return level
    return Qualifier.APPROXIMATELY


def ratio_qualifier(numerator: Qualifier, denominator: Qualifier) -> Qualifier | None:
    """Qualifier of numerator / denominator, both positive: a bound on the numerator bounds
    the ratio the same way; a bound on the denominator bounds it the other way."""
    if Qualifier.RANGE in (numerator, denominator):
        return None
    if denominator is Qualifier.EXACT:
        return numerator
    if numerator is Qualifier.EXACT:
        return negated(denominator)
    return sum_qualifier(numerator, negated(denominator))
