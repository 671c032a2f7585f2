"""Facts rendered as API figures, with their countries, commodities and sources loaded in
bulk once per answer (and kept per database by `refcache`, as references never change)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.commodities import service as commodities
from app.commodities.service import reference as commodity_ref
from app.core.db_types import as_utc
from app.countries import service as countries
from app.countries.service import reference as country_ref
from app.observations.facts import (
    STORED_FIELDS,
    Fact,
    StoredRow,
    fact_of,
    facts_of,
    stated_rounding,
)
from app.shared import refcache
from app.shared.periods import Period
from app.shared.schemas import (
    AlternativeOutcome,
    Caveat,
    CommodityRef,
    CountryRef,
    Derivation,
    Figure,
    PeriodOut,
    SourceRef,
)
from app.shared.vocabulary import Attribution, Qualifier, Status
from app.sources import service as sources
from app.sources.service import reference as source_ref


def _period(period: Period) -> dict[str, Any]:
    return {"label": period.label, "start": period.start, "end": period.end}


@lru_cache(maxsize=4096)
def _period_of(start: date, end: date) -> dict[str, Any]:
    """A period's plain form, one dict per period shared by the figures of every answer
    (rendering only reads it)."""
    return _period(Period(start, end))


# Positions in a row of FACT_COLUMNS (`facts.StoredRow`'s order).
_REPORTER, _PARTNER, _COMMODITY, _SOURCE, _ATTRIBUTION = (
    STORED_FIELDS.index(name)
    for name in ("reporter_code", "partner_code", "commodity_code", "source_id", "attribution")
)


K = TypeVar("K")


def _plain_ref(
    plain: dict[K, dict[str, Any]], models: Mapping[K, BaseModel], key: K
) -> dict[str, Any]:
    """The reference of `key` as a plain dict, dumped once per process and kept in
    `plain` (figures of every answer share it: rendering only reads it)."""
    found = plain[key] = models[key].model_dump(mode="python")
    return found


class FigureRenderer:
    """Renders the facts of one answer; call `load` with all of them first."""

    def __init__(
        self, session: Session | None, shared: refcache.ReferenceCache | None = None
    ) -> None:
        """A renderer loading what it lacks through `session`; or, with `shared` alone
        (`in_memory`), one that raises `LookupError` for what is not in memory."""
        self._optional_session = session
        if shared is None:
            assert session is not None
            shared = refcache.for_session(session)
        self._countries: dict[str, CountryRef] = shared.countries
        self._commodities: dict[str, CommodityRef] = shared.commodities
        self._sources: dict[tuple[int, Attribution], SourceRef] = shared.sources
        self._plain_countries = shared.plain_countries
        self._plain_commodities = shared.plain_commodities
        self._plain_sources = shared.plain_sources

    @classmethod
    def in_memory(cls, engine: Engine) -> "FigureRenderer":
        """A renderer of the references this process holds of `engine`'s store, with no
        session (references never change once written)."""
        return cls(None, refcache.for_engine(engine))

    @property
    def _session(self) -> Session:
        if self._optional_session is None:
            raise LookupError("a reference not yet read is read through a session")
        return self._optional_session

    def load(self, facts: Iterable[Fact]) -> None:
        facts = list(facts)
        self.load_countries({fact.reporter for fact in facts} | {fact.partner for fact in facts})
        self.load_commodities({fact.commodity for fact in facts})
        wanted = {(source, fact.attribution) for fact in facts for source in fact.sources}
        missing = {source for source, _ in wanted - self._sources.keys()}
        if missing:
            self._load_sources(missing)

    def load_countries(self, codes: set[str]) -> None:
        missing = codes - self._countries.keys()
        if missing:
            found = countries.by_alpha3(self._session, missing)
            self._countries.update({key: country_ref(value) for key, value in found.items()})

    def load_commodities(self, codes: set[str]) -> None:
        missing = codes - self._commodities.keys()
        if missing:
            found = commodities.by_code(self._session, missing)
            self._commodities.update({key: commodity_ref(value) for key, value in found.items()})

    def country(self, code: str) -> CountryRef:
        self.load_countries({code})
        return self._countries[code]

    def row(self, row: StoredRow) -> Figure:
        return self.figure(fact_of(row))

    def rows(self, rows: Iterable[Sequence[Any]]) -> list[Figure]:
        """Core rows of FACT_COLUMNS (`select_facts`) as figures."""
        facts = facts_of(rows)
        self.load(facts)
        return [self.figure(fact) for fact in facts]

    def plain_rows(self, rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
        """Core rows of FACT_COLUMNS (or tuples in their order, as a driver returns them)
        as plain figures (`Figure.model_dump(mode="python")`), read by position with no
        fact in between: a fact and its dict cost 7 µs a figure, the dict alone 2.5."""
        rows = list(rows)
        self._load_rows(rows)
        return [self._plain_row(row) for row in rows]

    def _load_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.load_countries({row[_REPORTER] for row in rows} | {row[_PARTNER] for row in rows})
        self.load_commodities({row[_COMMODITY] for row in rows})
        missing = {row[_SOURCE] for row in rows if (row[_SOURCE], row[_ATTRIBUTION]) not in
                   self._sources}  # fmt: skip
        if missing:
            self._load_sources(missing)

    def _load_sources(self, missing: set[int]) -> None:
        found = sources.by_id(self._session, missing)
        self._sources.update(
            {
                (key, attribution): source_ref(value, attribution)
                for key, value in found.items()
                for attribution in Attribution
            }
        )

    def _plain_row(self, row: Sequence[Any]) -> dict[str, Any]:
        """`figure(fact_of(row)).model_dump(mode="python")`, built straight from the row:
        the same values, types and key order. Pydantic's validation and dump cost about
        14 µs a figure. A stored figure has no derivation."""
        (
            id_, reporter, partner, flow, commodity, start, end, base_start, base_end, measure,
            value, low, high, unit, qualifier, wording, status, source_id, statement, note,
            revision, recorded_at, attribution, alternative_value, alternative_reading,
            reporter_stated,
        ) = row  # fmt: skip
        if low is None and status == Status.REPORTED and qualifier == Qualifier.EXACT:
            low, high = stated_rounding(measure, value)
        alternative = alternative_value is not None and alternative_reading is not None
        # A dict's own lookup first: a call per reference cost a tenth of the row.
        countries, commodities, sources = (
            self._plain_countries,
            self._plain_commodities,
            self._plain_sources,
        )
        source_key = (source_id, attribution)
        return {
            "id": id_,
            "reporter": countries.get(reporter) or _plain_ref(countries, self._countries, reporter),
            "partner": countries.get(partner) or _plain_ref(countries, self._countries, partner),
            "flow": flow,
            "commodity": commodities.get(commodity)
            or _plain_ref(commodities, self._commodities, commodity),
            "period": _period_of(start, end),
            "base_period": (
                _period_of(base_start, base_end)
                if base_start is not None and base_end is not None
                else None
            ),
            "measure": measure,
            "value": value,
            "value_low": low,
            "value_high": high,
            "unit": unit,
            "qualifier": qualifier,
            "qualifier_wording": wording,
            "status": status,
            "sources": [sources.get(source_key) or _plain_ref(sources, self._sources, source_key)],
            "reporter_stated": reporter_stated,
            "attribution": attribution,
            "statement": statement,
            "alternative_value": alternative_value if alternative else None,
            "alternative_reading": alternative_reading if alternative else None,
            "note": note,
            "derivation": None,
            "revision": revision,
            "recorded_at": as_utc(recorded_at),
        }

    def maybe(self, fact: Fact | None) -> Figure | None:
        return None if fact is None else self.figure(fact)

    def _loaded(self, fact: Fact) -> bool:
        countries, sources = self._countries, self._sources
        if fact.reporter not in countries or fact.partner not in countries:
            return False
        if fact.commodity not in self._commodities:
            return False
        return all((source, fact.attribution) in sources for source in fact.sources)

    def figure(self, fact: Fact) -> Figure:
        if not self._loaded(fact):
            self.load([fact])
        derivation = None
        if fact.derivation is not None:
            derivation = Derivation(
                method=fact.derivation.method,
                formula=fact.derivation.formula,
                inputs=list(fact.derivation.inputs),
                caveats=[
                    Caveat(
                        figure_id=caveat.figure_id,
                        qualifier=caveat.qualifier,
                        qualifier_wording=caveat.wording,
                        note=caveat.note,
                    )
                    for caveat in fact.derivation.caveats
                ],
                alternatives=[
                    AlternativeOutcome(
                        figure_id=outcome.figure_id, reading=outcome.reading, value=outcome.value
                    )
                    for outcome in fact.derivation.alternatives
                ],
                basis=fact.derivation.basis.value if fact.derivation.basis else None,
                reporters=list(fact.derivation.reporters),
                combines_reporters=fact.derivation.combines_reporters,
            )
        return Figure(
            id=fact.id,
            reporter=self._countries[fact.reporter],
            partner=self._countries[fact.partner],
            flow=fact.flow,
            commodity=self._commodities[fact.commodity],
            period=PeriodOut.of(fact.period),
            base_period=PeriodOut.of(fact.base) if fact.base is not None else None,
            measure=fact.measure,
            value=fact.value,
            value_low=fact.low,
            value_high=fact.high,
            unit=fact.unit,
            qualifier=fact.qualifier,
            qualifier_wording=fact.wording,
            status=fact.status,
            sources=[self._sources[(source, fact.attribution)] for source in fact.sources],
            attribution=fact.attribution,
            reporter_stated=fact.reporter_stated,
            statement=fact.statement,
            alternative_value=fact.alternative.value if fact.alternative else None,
            alternative_reading=fact.alternative.reading if fact.alternative else None,
            note=fact.note,
            derivation=derivation,
            revision=fact.revision,
            recorded_at=fact.recorded_at,
        )
