"""What a derived figure inherits from the stored figures it rests on: their hedges and
readings (caveats), the interval their stated precision allows (bounds), and the value
it would have under another reading one of them names (alternatives)."""

from dataclasses import replace
from decimal import Decimal

from app.numbers import plain
from app.observations.facts import AlternativeOutcome, Caveat, Fact
from app.trade.arithmetic import rounded
from app.trade.intervals import Interval, bounds_leaf, evaluate, leaves, stated_leaf
from app.vocabulary import Qualifier

QUALIFIER_WORDS = {
    Qualifier.APPROXIMATELY: "approximate",
    Qualifier.AT_LEAST: "a lower bound",
    Qualifier.AT_MOST: "an upper bound",
    Qualifier.MORE_THAN: "a strict lower bound",
    Qualifier.LESS_THAN: "a strict upper bound",
}


def caveats_of(fact: Fact) -> Fact:
    """`fact` with its derivation's caveats, bounds, alternatives and a note saying so."""
    derivation = fact.derivation
    assert derivation is not None
    stored = [leaf for leaf in leaves(fact) if leaf.id is not None]
    caveats = tuple(
        Caveat(leaf.id, leaf.qualifier, leaf.wording, leaf.note)
        for leaf in stored
        if leaf.id is not None
        and (leaf.qualifier is not Qualifier.EXACT or leaf.note or leaf.alternative)
    )
    low = high = None
    bounds = evaluate(fact, bounds_leaf)
    if bounds is not None and bounds.low != bounds.high:
        outward = bounds.outward(fact.unit)
        low, high = outward.low, outward.high
    alternatives = tuple(
        outcome for leaf in stored if (outcome := _under_alternative(fact, leaf)) is not None
    )
    return replace(
        fact,
        low=low,
        high=high,
        note=_note(fact, caveats, low, high, alternatives),
        derivation=replace(derivation, caveats=caveats, alternatives=alternatives),
    )


def _under_alternative(fact: Fact, stored: Fact) -> AlternativeOutcome | None:
    alternative = stored.alternative
    if alternative is None or stored.id is None:
        return None

    def substituted(item: Fact) -> Interval | None:
        return Interval.point(alternative.value) if item is stored else stated_leaf(item)

    result = evaluate(fact, substituted)
    if result is None:
        return None
    value = rounded(result.low, fact.unit, fact.qualifier)
    return AlternativeOutcome(figure_id=stored.id, reading=alternative.reading, value=value)


def _caveat_text(caveat: Caveat) -> str:
    details = []
    if caveat.qualifier is not Qualifier.EXACT:
        hedge = QUALIFIER_WORDS.get(caveat.qualifier, caveat.qualifier.value)
        details.append(f"'{caveat.wording}', {hedge}" if caveat.wording else hedge)
    if caveat.note:
        details.append("a reading its note explains")
    return f"figure {caveat.figure_id} ({'; '.join(details)})"


def _note(
    fact: Fact,
    caveats: tuple[Caveat, ...],
    low: Decimal | None,
    high: Decimal | None,
    alternatives: tuple[AlternativeOutcome, ...],
) -> str | None:
    unit = fact.unit.value
    parts = []
    if caveats:
        parts.append("Rests on " + "; ".join(_caveat_text(caveat) for caveat in caveats) + ".")
    if low is not None and high is not None:
        parts.append(
            f"The stated precision of its inputs allows {plain(low)} to {plain(high)} {unit}."
        )
    parts += [
        f"Under figure {outcome.figure_id}'s other reading ({outcome.reading}), this would "
        f"be {plain(outcome.value)} {unit}."
        for outcome in alternatives
    ]
    return " ".join(parts) or None
