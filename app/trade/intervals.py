"""Interval arithmetic: how far a derived figure can move when its inputs are only as
precise as their source states them.

A rate stated as 65.1 % stands for anything in [65.05, 65.15); a level derived from it is
an interval, not a point. Each operation the ledger derives with has its interval form here;
a point is an interval of one value, so the same forms compute other readings.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

from app.shared.vocabulary import Unit
from app.trade.arithmetic import HUNDRED, QUANTUM


class Operation(StrEnum):
    """How a derived figure follows from its two operands."""

    SUM = "sum"
    DIFFERENCE = "difference"
    EARLIER_BY_GROWTH = "earlier_by_growth"  # later / (1 + rate/100)
    EARLIER_BY_MULTIPLIER = "earlier_by_multiplier"  # later / multiplier
    PERCENT_CHANGE = "percent_change"  # (first / second - 1) x 100
    RATIO = "ratio"  # first / second


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal
    high: Decimal

    @classmethod
    def point(cls, value: Decimal) -> "Interval":
        return cls(value, value)

    def __add__(self, other: "Interval") -> "Interval":
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(self.low - other.high, self.high - other.low)

    def shifted(self, amount: Decimal) -> "Interval":
        return Interval(self.low + amount, self.high + amount)

    def scaled(self, factor: Decimal) -> "Interval":
        ends = (self.low * factor, self.high * factor)
        return Interval(min(ends), max(ends))

    def divided_by(self, other: "Interval") -> "Interval | None":
        """None when the divisor's interval holds zero or less (no positive quotient)."""
        if other.low <= 0:
            return None
        corners = [a / b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(corners), max(corners))

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high

    def outward(self, unit: Unit) -> "Interval":
        """Rounded to the unit's quantum without losing any value it held."""
        quantum = QUANTUM[unit]
        return Interval(
            self.low.quantize(quantum, rounding=ROUND_FLOOR),
            self.high.quantize(quantum, rounding=ROUND_CEILING),
        )


def _growth_factor(rate: Interval) -> Interval:
    return rate.scaled(1 / HUNDRED).shifted(Decimal(1))


def _percent_change(current: Interval, previous: Interval) -> Interval | None:
    ratio = current.divided_by(previous)
    return None if ratio is None else ratio.shifted(Decimal(-1)).scaled(HUNDRED)


def _earlier_by_growth(later: Interval, rate: Interval) -> Interval | None:
    return later.divided_by(_growth_factor(rate))


APPLY: dict[Operation, Callable[[Interval, Interval], Interval | None]] = {
    Operation.SUM: lambda first, second: first + second,
    Operation.DIFFERENCE: lambda first, second: first - second,
    Operation.EARLIER_BY_GROWTH: _earlier_by_growth,
    Operation.EARLIER_BY_MULTIPLIER: lambda later, multiplier: later.divided_by(multiplier),
    Operation.PERCENT_CHANGE: _percent_change,
    Operation.RATIO: lambda first, second: first.divided_by(second),
}
