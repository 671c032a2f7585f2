"""A pair's figures as SDMX observations: the same facts /v1/trade answers, keyed.

Everything comes from the pure ledger: stored figures with OBS_STATUS A (or F and T for
forecasts and targets), derived ones with E and their formula.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.observations.facts import Fact
from app.sdmx.keys import KeyFilter, SeriesKey, frequency, matches
from app.sdmx.structure import INDICATOR_FOR
from app.shared.periods import Period
from app.shared.vocabulary import Flow
from app.trade import service
from app.trade.ledger import PairLedger


@dataclass(frozen=True)
class KeyedObservation:
    key: SeriesKey
    fact: Fact
    reporter: str  # alpha-2 of whose figure it is recorded as
    citation: str | None = None


def _flow_from(ledger: PairLedger, fact: Fact) -> Flow:
    """The flow a fact is, seen from the ledger's first country (REF_AREA)."""
    if fact.flow in (Flow.EXPORT, Flow.IMPORT):
        return ledger.flow_for(fact.direction)
    return fact.flow


def _observation(
    ledger: PairLedger, fact: Fact | None, alpha2: dict[str, str]
) -> KeyedObservation | None:
    if fact is None or (fact.value is None and fact.low is None):
        return None
    indicator = INDICATOR_FOR.get((_flow_from(ledger, fact), fact.measure))
    if indicator is None:
        return None
    key = SeriesKey(
        freq=frequency(fact.period),
        ref_area=alpha2[ledger.a],
        indicator=indicator.code,
        counterpart_area=alpha2[ledger.b],
        commodity=fact.commodity,
    )
    return KeyedObservation(key, fact, alpha2.get(fact.reporter, fact.reporter))


def _facts(ledger: PairLedger, inside: Callable[[Period], bool]) -> Iterator[Fact | None]:
    # Periods outside the query's window are skipped before anything is derived for them.
    for period in filter(inside, service.turnover_periods(ledger)):
        turnover = service.turnover_point(ledger, period)
        if turnover is not None:
            yield turnover.value
            yield turnover.growth.reported or turnover.growth.derived
        balance = service.balance_point(ledger, period)
        if balance is not None:
            yield balance.value
    for flow in (Flow.EXPORT, Flow.IMPORT):
        for period in filter(inside, service.flow_periods(ledger, flow)):
            point = service.flow_point(ledger, flow, period)
            if point is not None:
                yield point.value
                yield point.growth.reported or point.growth.derived
    for line in service.commodity_lines(ledger, flow=None, codes=None, period=None):
        yield from (line.value, line.quantity, line.growth, line.multiplier)
        if line.earlier is not None:
            yield line.earlier.value
            yield line.earlier.quantity
    for plan in service.plans(ledger):
        yield plan.figure


def _anywhere(_period: Period) -> bool:
    return True


def observations(
    ledger: PairLedger,
    alpha2: dict[str, str],
    filters: KeyFilter,
    inside: Callable[[Period], bool] = _anywhere,
) -> list[KeyedObservation]:
    """The pair's observations whose key the filters accept and whose period is `inside`,
    one per key and period (a stored figure wins over a derived one of the same key and
    period)."""
    found: dict[tuple[SeriesKey, object], KeyedObservation] = {}
    for fact in _facts(ledger, inside):
        observation = _observation(ledger, fact, alpha2)
        if observation is None or not matches(observation.key, filters):
            continue
        if not inside(observation.fact.period):
            continue
        slot = (observation.key, observation.fact.period)
        kept = found.get(slot)
        if kept is None or (kept.fact.id is None and observation.fact.id is not None):
            found[slot] = observation
    return sorted(
        found.values(),
        key=lambda o: (o.key.values(), o.fact.period.start, o.fact.period.end),
    )
