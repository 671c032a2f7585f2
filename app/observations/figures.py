"""Stored observations as API figures, with their references loaded in bulk."""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from app import refcache
from app.commodities import repository as commodities
from app.commodities.service import reference as commodity_ref
from app.countries import repository as countries
from app.countries.models import Country
from app.countries.service import reference as country_ref
from app.db_types import as_utc
from app.observations.models import Observation
from app.periods import Period
from app.schemas import CommodityRef, CountryRef, Figure, PeriodOut, SourceRef
from app.sources import repository as sources
from app.sources.service import reference as source_ref
from app.vocabulary import Flow, Measure, Qualifier, Status, Unit


class FigureFactory:
    """Builds figures for one request, loading each country, commodity and source once."""

    def __init__(self, session: Session) -> None:
        self._session = session
        shared = refcache.for_session(session)
        self._countries: dict[str, CountryRef] = shared.countries
        self._commodities: dict[str, CommodityRef] = shared.commodities
        self._sources: dict[int, SourceRef] = shared.sources

    def load(self, observations: Iterable[Observation]) -> None:
        rows = list(observations)
        codes = {row.reporter_code for row in rows} | {row.partner_code for row in rows}
        self.load_countries(codes)
        self.load_commodities({row.commodity_code for row in rows})
        missing_sources = {row.source_id for row in rows} - self._sources.keys()
        if missing_sources:
            found = sources.by_id(self._session, missing_sources)
            self._sources.update({key: source_ref(value) for key, value in found.items()})

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

    def commodity(self, code: str) -> CommodityRef:
        self.load_commodities({code})
        return self._commodities[code]

    def add_country(self, country: Country) -> None:
        self._countries.setdefault(country.alpha3, country_ref(country))

    def figure(self, row: Observation) -> Figure:
        self.load([row])
        base = None
        if row.base_period_start is not None and row.base_period_end is not None:
            base = PeriodOut.of(Period(row.base_period_start, row.base_period_end))
        return Figure(
            id=row.id,
            reporter=self._countries[row.reporter_code],
            partner=self._countries[row.partner_code],
            flow=Flow(row.flow),
            commodity=self._commodities[row.commodity_code],
            period=PeriodOut.of(Period(row.period_start, row.period_end)),
            base_period=base,
            measure=Measure(row.measure),
            value=row.value,
            value_low=row.value_low,
            value_high=row.value_high,
            unit=Unit(row.unit),
            qualifier=Qualifier(row.qualifier),
            qualifier_wording=row.qualifier_wording,
            status=Status(row.status),
            sources=[self._sources[row.source_id]],
            statement=row.statement,
            note=row.note,
            derivation=None,
            revision=row.revision,
            recorded_at=as_utc(row.recorded_at),
        )
