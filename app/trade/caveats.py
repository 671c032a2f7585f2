"""What a derived figure inherits from the figures it is computed from: their hedges and
readings (caveats), the interval their stated precision allows (bounds), and the value
it would have under another reading a stored figure names (alternatives).

Each is composed from the operands alone: a derived operand already carries its own, so
nothing walks the derivation tree again.
"""

from dataclasses import dataclass
from decimal import Decimal

from app.observations.facts import Fact, FactCaveat, FactOutcome
from app.shared.numbers import plain
from app.shared.vocabulary import Qualifier, Unit
from app.trade.arithmetic import rounded
from app.trade.intervals import APPLY, Interval, Operation

QUALIFIER_WORDS = {
    Qualifier.APPROXIMATELY: "approximate",
    Qualifier.AT_LEAST: "a lower bound",
    Qualifier.AT_MOST: "an upper bound",
    Qualifier.MORE_THAN: "a strict lower bound",
    Qualifier.LESS_THAN: "a strict upper bound",
}


@dataclass(frozen=True, slots=True)
class Inherited:
    low: Decimal | None
    high: Decimal | None
    caveats: tuple[FactCaveat, ...]
    alternatives: tuple[FactOutcome, ...]
    note: str | None


def inherited(
    operation: Operation, operands: tuple[Fact, Fact], unit: Unit, qualifier: Qualifier
) -> Inherited:
    """What `operation` over `operands` rests on, as a figure in `unit` and `qualifier`."""
    caveats = _caveats(operands)
    low = high = None
    first, second = (_bounds(operand) for operand in operands)
    bounds = None if first is None or second is None else APPLY[operation](first, second)
    if bounds is not None and bounds.low != bounds.high:
        outward = bounds.outward(unit)
        low, high = outward.low, outward.high
    alternatives = []
    for figure_id, reading in _readings(operands).items():
        one, two = (_under(operand, figure_id) for operand in operands)
        if one is None or two is None:
            continue
        value = APPLY[operation](Interval.point(one), Interval.point(two))
        if value is not None:
            alternatives.append(
                FactOutcome(figure_id, reading, rounded(value.low, unit, qualifier))
            )
    outcomes = tuple(alternatives)
    return Inherited(low, high, caveats, outcomes, _note(unit, caveats, low, high, outcomes))


def _bounds(fact: Fact) -> Interval | None:
    """What a figure allows: its range, rounding interval or derived bounds, else its
    stated number."""
    if fact.low is not None and fact.high is not None:
        return Interval(fact.low, fact.high)
    return None if fact.value is None else Interval.point(fact.value)


def _caveats(operands: tuple[Fact, ...]) -> tuple[FactCaveat, ...]:
    found: dict[int, FactCaveat] = {}
    for operand in operands:
        if operand.derivation is not None:
            found.update({caveat.figure_id: caveat for caveat in operand.derivation.caveats})
        elif operand.id is not None and (
            operand.qualifier is not Qualifier.EXACT or operand.note or operand.alternative
        ):
            found[operand.id] = FactCaveat(
                operand.id, operand.qualifier, operand.wording, operand.note
            )
    return tuple(found.values())


def _readings(operands: tuple[Fact, ...]) -> dict[int, str]:
    """The other readings the operands rest on: figure id -> reading."""
    found: dict[int, str] = {}
    for operand in operands:
        if operand.derivation is not None:
            found.update({item.figure_id: item.reading for item in operand.derivation.alternatives})
        elif operand.id is not None and operand.alternative is not None:
            found[operand.id] = operand.alternative.reading
    return found


def _under(fact: Fact, figure_id: int) -> Decimal | None:
    """The fact's value under figure `figure_id`'s other reading (its own if unaffected)."""
    if fact.derivation is not None:
        for outcome in fact.derivation.alternatives:
            if outcome.figure_id == figure_id:
                return outcome.value
    elif fact.id == figure_id and fact.alternative is not None:
        return fact.alternative.value
    return fact.value


def _caveat_text(caveat: FactCaveat) -> str:
    details = []
    if caveat.qualifier is not Qualifier.EXACT:
        hedge = QUALIFIER_WORDS.get(caveat.qualifier, caveat.qualifier.value)
        details.append(f"'{caveat.wording}', {hedge}" if caveat.wording else hedge)
    if caveat.note:
        details.append("a reading its note explains")
    return f"figure {caveat.figure_id} ({'; '.join(details)})"


def _note(
    unit: Unit,
    caveats: tuple[FactCaveat, ...],
    low: Decimal | None,
    high: Decimal | None,
    alternatives: tuple[FactOutcome, ...],
) -> str | None:
    parts = []
    if caveats:
        parts.append("Rests on " + "; ".join(_caveat_text(caveat) for caveat in caveats) + ".")
    if low is not None and high is not None:
        parts.append(
            f"The stated precision of its inputs allows {plain(low)} to {plain(high)} {unit.value}."
        )
    parts += [
        f"Under figure {outcome.figure_id}'s other reading ({outcome.reading}), this would "
        f"be {plain(outcome.value)} {unit.value}."
        for outcome in alternatives
    ]
    return " ".join(parts) or None
