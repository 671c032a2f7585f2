"""What an SDMX data or structure query holds: read the store, hand plain values on."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.commodities import service as commodity_service
from app.countries import service as countries
from app.observations import service as figure_store
from app.observations.service import PairScope
from app.sdmx import structure as s
from app.sdmx.keys import KeyFilter
from app.sdmx.series import KeyedObservation, observations
from app.sdmx.xml import Codelist
from app.shared.periods import Period
from app.sources import repository as sources
from app.sources.service import citation
from app.trade import service as trade


@dataclass(frozen=True)
class DataQuery:
    filters: KeyFilter
    start: date | None = None  # observations that start on or after
    end: date | None = None  # observations that end on or before
    updated_after: datetime | None = None
    first_n: int | None = None
    last_n: int | None = None
    as_of: datetime | None = None


def _orientations(
    session: Session, query: DataQuery, alpha2: dict[str, str]
) -> list[tuple[str, str]]:
    ref_areas, counterparts = query.filters[1], query.filters[3]
    found = []
    # A pair without a figure recorded after updatedAfter has nothing to answer with.
    for pair in figure_store.pairs_with_figures(session, query.as_of, query.updated_after):
        a, b = sorted(pair)
        for first, second in ((a, b), (b, a)):
            if (
                ref_areas is not None
                and alpha2.get(first) not in ref_areas
                and first not in ref_areas
            ):
                continue
            if (
                counterparts is not None
                and alpha2.get(second) not in counterparts
                and second not in counterparts
            ):
                continue
            found.append((first, second))
    return sorted(found)


def _in_window(query: DataQuery) -> Callable[[Period], bool]:
    def inside(period: Period) -> bool:
        if query.start is not None and period.start < query.start:
            return False
        return not (query.end is not None and period.end > query.end)

    return inside


def _scope(query: DataQuery) -> PairScope:
    """The figures a window needs: those inside it, and a year on either side (levels and
    rates that imply one inside), read alone from the store."""
    if query.start is None and query.end is None:
        return PairScope(as_of=query.as_of)
    start = date.min if query.start is None else _years_from(query.start, -1)
    end = date.max if query.end is None else _years_from(query.end, 1)
    return PairScope(as_of=query.as_of, window=(start, end))


def _years_from(day: date, years: int) -> date:
    year = min(max(day.year + years, date.min.year), date.max.year)
    return day.replace(year=year, day=min(day.day, 28))


def _updated(found: list[KeyedObservation], after: datetime) -> list[KeyedObservation]:
    """Stored figures recorded after the instant, and derived ones resting on any."""
    fresh = {
        o.fact.id
        for o in found
        if o.fact.id is not None and o.fact.recorded_at is not None and o.fact.recorded_at > after
    }
    return [
        o
        for o in found
        if (o.fact.id in fresh) or (o.fact.id is None and set(o.fact.inputs) & fresh)
    ]


def _first_last(
    found: list[KeyedObservation], first_n: int | None, last_n: int | None
) -> list[KeyedObservation]:
    if first_n is None and last_n is None:
        return found
    kept: list[KeyedObservation] = []
    series: dict[object, list[KeyedObservation]] = {}
    for observation in found:
        series.setdefault(observation.key, []).append(observation)
    for group in series.values():
        chosen: set[int] = set()
        if first_n is not None:
            chosen.update(range(min(first_n, len(group))))
        if last_n is not None:
            chosen.update(range(max(0, len(group) - last_n), len(group)))
        kept.extend(group[i] for i in sorted(chosen))
    return kept


def data(session: Session, query: DataQuery) -> list[KeyedObservation]:
    """The observations a data query asks for, every pair's, in key and period order."""
    alpha2 = countries.alpha2_by_alpha3(session)
    found: list[KeyedObservation] = []
    scope, inside = _scope(query), _in_window(query)
    for a, b in _orientations(session, query, alpha2):
        ledger = trade.open_ledger(session, a, b, scope)
        found.extend(observations(ledger, alpha2, query.filters, inside))
    if query.updated_after is not None:
        found = _updated(found, query.updated_after)
    found = _first_last(found, query.first_n, query.last_n)
    return _cited(session, found)


def _cited(session: Session, found: list[KeyedObservation]) -> list[KeyedObservation]:
    ids = {source for o in found for source in o.fact.sources}
    by_id = sources.by_id(session, ids) if ids else {}
    cited = []
    for o in found:
        texts = [citation(by_id[i], o.fact.attribution) for i in o.fact.sources if i in by_id]
        cited.append(replace(o, citation="; ".join(texts) or None))
    return cited


def codelists(session: Session, ids: set[str]) -> list[Codelist]:
    """The codelists named, complete, in a fixed order."""
    found = []
    for codelist in s.CODELISTS:
        if codelist not in ids:
            continue
        if codelist == "CL_AREA":
            names = countries.names_by_alpha2(session)
            found.append(Codelist(codelist, "Countries (ISO 3166-1 alpha-2)", list(names.items())))
        elif codelist == "CL_COMMODITY":
            # Parents before their children: readers resolve a parent as they go.
            items = commodity_service.tree(session)
            found.append(
                Codelist(
                    codelist,
                    "Commodities: TOTAL and the HS 2022 headings and subheadings",
                    [(code, name) for code, name, _ in items],
                    {code: parent for code, _, parent in items if parent},
                )
            )
        else:
            found.append(_fixed(codelist))
    return found


def _fixed(codelist: str) -> Codelist:
    if codelist == "CL_FREQ":
        codes = [
            (code, s.frequency_name(code))
            for code in (*s.FREQUENCIES, *(f"P{n}M" for n in range(2, 12)))
        ]
        return Codelist(codelist, "Frequency", codes)
    if codelist == "CL_INDICATOR":
        return Codelist(
            codelist, "Indicators: flow and measure", [(i.code, i.name) for i in s.INDICATORS]
        )
    if codelist == "CL_OBS_STATUS":
        return Codelist(codelist, "Observation status", list(s.OBS_STATUS.values()))
    if codelist == "CL_UNIT":
        return Codelist(codelist, "Units", [(unit.value, name) for unit, name in s.UNITS.items()])
    if codelist == "CL_UNIT_MULT":
        return Codelist(codelist, "Unit multiplier", [("0", "Units")])
    return Codelist(codelist, "Qualifiers", [(q.value, name) for q, name in s.QUALIFIERS.items()])


def value_names(session: Session, found: list[KeyedObservation]) -> dict[str, dict[str, str]]:
    """Names of the codes the observations use, for formats that carry them inline."""
    areas = {code for o in found for code in (o.key.ref_area, o.key.counterpart_area)}
    commodities = {o.key.commodity for o in found}
    area_names = countries.names_by_alpha2(session, areas)
    commodity_names = commodity_service.descriptions(session, commodities)
    return {
        "FREQ": {o.key.freq: s.frequency_name(o.key.freq) for o in found},
        "REF_AREA": area_names,
        "COUNTERPART_AREA": area_names,
        "INDICATOR": {i.code: i.name for i in s.INDICATORS},
        "COMMODITY": commodity_names,
        "OBS_STATUS": dict(s.OBS_STATUS.values()),
        "UNIT": {unit.value: name for unit, name in s.UNITS.items()},
        "UNIT_MULT": {"0": "Units"},
        "QUALIFIER": {q.value: name for q, name in s.QUALIFIERS.items()},
    }
