"""A reporter's partners ranked by the value of one flow, each with its share of the
reporter's trade with the world.

Everything rests on the reporter's own figures: its partners' mirror figures are other
statistics and are not mixed in. The world is the reporter's own World figure where it
reports one; otherwise the sum of the partners it reports, which says so (trade it did not
allocate to a partner is missing from it). World is never added to its parts, and a
group of countries (the EU) overlaps its members: it is listed apart, never ranked or
summed with them.

Pure: plain facts in, plain results out.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.observations.facts import Fact
from app.shared.vocabulary import Qualifier, Unit
from app.trade.arithmetic import HUNDRED, negated, ratio_qualifier, rounded, sum_qualifier

RANKED_KINDS = frozenset({"country", "nes", "special"})


@dataclass(frozen=True)
class Share:
    """value / world x 100, rounded to 0.01 toward the safe side of a bound."""

    percent: Decimal
    qualifier: Qualifier
    rests_on: tuple[int, ...]  # the partner's figure, and the reported World figure


@dataclass(frozen=True)
class World:
    reported: Fact | None  # the reporter's own figure with World
    # Where it reports none: the sum of the ranked partners' values, and its qualifier.
    summed: Decimal | None
    summed_qualifier: Qualifier | None
    rests_on: tuple[int, ...]

    @property
    def value(self) -> Decimal | None:
        return self.reported.value if self.reported is not None else self.summed

    @property
    def qualifier(self) -> Qualifier | None:
        return self.reported.qualifier if self.reported is not None else self.summed_qualifier


@dataclass(frozen=True)
class PartnersSum:
    """The sum of the ranked partners' values: derived, and short of the world by what
    the reporter did not allocate to a partner (`unallocated`, where it reports World)."""

    value: Decimal
    qualifier: Qualifier
    rests_on: tuple[int, ...]
    # The reported World figure minus the sum; None without one, or where the two
    # figures' hedges allow no difference.
    unallocated: Decimal | None
    unallocated_qualifier: Qualifier | None


@dataclass(frozen=True)
class Line:
    rank: int
    fact: Fact
    kind: str  # the partner's: country, nes or special
    share: Share | None


@dataclass(frozen=True)
class Ranking:
    world: World  # what the shares are of
    lines: list[Line]  # every ranked partner, largest value first
    groups: list[Fact]  # groups of countries (the EU): overlapping the ranked partners
    partners_sum: PartnersSum | None  # None when no partner is ranked
    source: int | None  # the one source every figure of the ranking comes from
    other_sources: tuple[int, ...]  # sources with figures of the same question, left out


def _source_of(fact: Fact) -> int | None:
    return fact.sources[0] if fact.sources else None


def choose_source(facts: Iterable[Fact], kinds: Mapping[str, str]) -> int | None:
    """The source a ranking rests on when none is asked: the one of the reported World
    figure, else the one with the most partners (then the latest recorded)."""
    by_source: dict[int | None, list[Fact]] = {}
    for fact in facts:
        by_source.setdefault(_source_of(fact), []).append(fact)
    for source, found in by_source.items():
        if any(kinds.get(fact.partner) == "world" for fact in found):
            return source
    if not by_source:
        return None
    return max(
        by_source,
        key=lambda source: (
            len({fact.partner for fact in by_source[source]}),
            max(fact.id or 0 for fact in by_source[source]),
        ),
    )


def rank(
    facts: Iterable[Fact],
    kinds: Mapping[str, str],
    *,
    of_sum: bool = False,
    source: int | None = None,
) -> Ranking:
    """The ranking of one reporter's figures of one flow, commodity and period; `kinds`
    gives each partner's kind (country, world, nes, special, group). The shares are of the
    reported World figure, or of the partners' sum where there is none or `of_sum` asks.

    Two sources (a Comtrade download and a BACI year) are two datasets: the ranking rests
    on one, `source` or `choose_source`'s, and names the others it left out."""
    facts = list(facts)
    chosen = source if source is not None else choose_source(facts, kinds)
    others = tuple(sorted({s for f in facts if (s := _source_of(f)) not in (None, chosen)}))
    latest: dict[str, Fact] = {}
    for fact in sorted(facts, key=lambda fact: fact.id or 0):
        if _source_of(fact) == chosen:
            latest[fact.partner] = fact  # the latest record of each partner, as elsewhere
    world_fact = next((f for p, f in latest.items() if kinds.get(p) == "world"), None)
    ranked = [f for p, f in latest.items() if kinds.get(p) in RANKED_KINDS and f.value is not None]
    ranked.sort(key=lambda fact: (-(fact.value or 0), fact.partner))
    groups = sorted(
        (f for p, f in latest.items() if kinds.get(p) == "group"), key=lambda f: f.partner
    )
    world = _world(None if of_sum else world_fact, ranked)
    lines = [
        Line(rank=place, fact=fact, kind=kinds[fact.partner], share=_share(fact, world))
        for place, fact in enumerate(ranked, start=1)
    ]
    return Ranking(
        world=world,
        lines=lines,
        groups=groups,
        partners_sum=_partners_sum(world_fact, ranked),
        source=chosen,
        other_sources=others,
    )


def _partners_sum(reported: Fact | None, ranked: list[Fact]) -> PartnersSum | None:
    summed = _world(None, ranked)
    if summed.summed is None or summed.summed_qualifier is None:
        return None
    unallocated = unallocated_qualifier = None
    if reported is not None and reported.value is not None:
        unallocated_qualifier = sum_qualifier(reported.qualifier, negated(summed.summed_qualifier))
        if unallocated_qualifier is not None:
            unallocated = reported.value - summed.summed
    return PartnersSum(
        value=summed.summed,
        qualifier=summed.summed_qualifier,
        rests_on=summed.rests_on,
        unallocated=unallocated,
        unallocated_qualifier=unallocated_qualifier,
    )


def _world(reported: Fact | None, ranked: list[Fact]) -> World:
    if reported is not None:
        return World(reported, None, None, (reported.id,) if reported.id else ())
    if not ranked:
        return World(None, None, None, ())
    total = sum((fact.value or Decimal(0) for fact in ranked), Decimal(0))
    qualifier = sum_qualifier(*(fact.qualifier for fact in ranked))
    return World(None, total, qualifier, tuple(fact.id for fact in ranked if fact.id))


def _share(fact: Fact, world: World) -> Share | None:
    base, base_qualifier = world.value, world.qualifier
    if fact.value is None or base is None or base <= 0 or base_qualifier is None:
        return None
    qualifier = ratio_qualifier(fact.qualifier, base_qualifier)
    if qualifier is None:
        return None
    percent = rounded(fact.value / base * HUNDRED, Unit.PERCENT, qualifier)
    # With a summed world, the sum's own inputs are listed once, on the world.
    world_id = (world.reported.id,) if world.reported is not None and world.reported.id else ()
    inputs = (*((fact.id,) if fact.id else ()), *world_id)
    return Share(percent=percent, qualifier=qualifier, rests_on=inputs)
