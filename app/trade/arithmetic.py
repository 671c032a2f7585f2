"""Exact arithmetic on reported figures, carrying their qualifiers along.

A hedge survives arithmetic only where its direction is known: "at least 133" plus
"exactly 5" is "at least 138", but "almost 36" plus "more than 133" can only be
"approximately 169". Ranges are not combined with anything.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

from app.vocabulary import Qualifier, Unit

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
}


# A bound stays a bound only if rounding moves it outward: a lower bound down, an upper up.
_ROUNDING = {Qualifier.AT_LEAST: ROUND_FLOOR, Qualifier.AT_MOST: ROUND_CEILING}


def rounded(value: Decimal, unit: Unit, qualifier: Qualifier = Qualifier.EXACT) -> Decimal:
    """`value` to the unit's quantum, toward the safe side of a bound."""
    return value.quantize(QUANTUM[unit], rounding=_ROUNDING.get(qualifier, ROUND_HALF_EVEN))


def sum_qualifier(*qualifiers: Qualifier) -> Qualifier | None:
    """Qualifier of a sum of terms; None where the terms cannot be summed (ranges)."""
    kinds = set(qualifiers) - {Qualifier.EXACT}
    if Qualifier.RANGE in kinds:
        return None
    if not kinds:
        return Qualifier.EXACT
    if len(kinds) == 1:
        return kinds.pop()
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
    if Qualifier.RANGE in (numerator, denominator):
        return None
    if numerator is Qualifier.EXACT and denominator is Qualifier.EXACT:
        return Qualifier.EXACT
    return Qualifier.APPROXIMATELY
