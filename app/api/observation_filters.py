"""The filters of the observation list and its CSV export: parsed on the event loop, then
checked against the store (`ListFilters.criteria`) in the read's thread."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import StringConstraints
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.commodities import service as commodities
from app.countries import service as countries
from app.http.paging import MAX_ID
from app.http.params import AsOfDep, PeriodDep, listed_values, parse_flow
from app.observations.service import ObservationFilter
from app.shared import refcache
from app.shared.patterns import (
    COMMODITY_PATTERN,
    COUNTRY_PATTERN,
    FLOW_OR_TURNOVER_PATTERN,
    list_of,
)
from app.shared.periods import Period
from app.shared.vocabulary import Measure, Status

CODE = "ISO 3166-1 alpha-2, alpha-3 or numeric code, any case."


@dataclass(frozen=True)
class ListFilters:
    """The filters as given, checked for form; `criteria` checks them against the store."""

    reporters: list[str]
    partners: list[str]
    exporter: str | None
    importer: str | None
    flows: list[str]
    commodities: list[str]
    include_subcodes: bool
    period: Period | None
    measure: Measure | None
    status: Status | None
    source: int | None
    as_of: datetime | None

    def criteria(self, session: Session) -> ObservationFilter:
        codes: set[str] | None = None
        for commodity in self.commodities:
            found = commodities.resolve(session, commodity, parameter="query.commodity")
            codes = (codes or set()) | (
                commodities.subtree_codes(session, found.code)
                if self.include_subcodes
                else {found.code}
            )

        def country(code: str, parameter: str) -> str:
            return countries.resolve(session, code, parameter=parameter).alpha3

        return self._filter(country, codes)

    def known_criteria(self, engine: Engine) -> ObservationFilter:
        """`criteria` with no session, from what this process already read of the store:
        the countries' codes it resolved and the commodities it rendered (neither ever
        changes once stored). `LookupError` for any other code, and for `include_subcodes`:
        the session's `criteria` resolves them, or answers the problem."""
        if self.include_subcodes:
            raise LookupError("sub-codes are read from the store")
        rendered = refcache.for_engine(engine).commodities
        codes: set[str] | None = None
        for commodity in self.commodities:
            code = commodity.strip().upper()
            if code not in rendered:
                raise LookupError(code)
            codes = (codes or set()) | {code}

        def country(code: str, _parameter: str) -> str:
            found = countries.known(engine, code)
            if found is None:
                raise LookupError(code)
            return found.alpha3

        return self._filter(country, codes)

    def _filter(
        self, country: Callable[[str, str], str], commodity_codes: set[str] | None
    ) -> ObservationFilter:
        """The filter, the countries' codes resolved to alpha-3 by `country(code,
        parameter)`, and the commodities' to `commodity_codes`."""
        return ObservationFilter(
            reporters=tuple(
                dict.fromkeys(country(code, "query.reporter") for code in self.reporters)
            ),
            partners=tuple(dict.fromkeys(country(code, "query.partner") for code in self.partners)),
            exporter=country(self.exporter, "query.exporter") if self.exporter else None,
            importer=country(self.importer, "query.importer") if self.importer else None,
            flows=tuple(
                dict.fromkeys(parse_flow(flow, turnover=True).value for flow in self.flows)
            ),
            commodities=frozenset(commodity_codes) if commodity_codes is not None else None,
            within=(self.period.start, self.period.end) if self.period else None,
            measure=self.measure.value if self.measure else None,
            status=self.status.value if self.status else None,
            source_id=self.source,
            as_of=self.as_of,
        )


# One value of a list parameter: a code, or several separated by commas.
CountryList = Annotated[str, StringConstraints(pattern=list_of(COUNTRY_PATTERN))]
FlowList = Annotated[str, StringConstraints(pattern=list_of(FLOW_OR_TURNOVER_PATTERN))]
CommodityList = Annotated[str, StringConstraints(pattern=list_of(COMMODITY_PATTERN))]
LISTED = (
    " Several: repeat the parameter (reporter=AZ&reporter=KZ) or separate them with commas "
    "(reporter=AZ,KZ); a figure matches any of them."
)


async def _filters(
    reporter: Annotated[
        list[CountryList] | None,
        Query(description="Reporter: " + CODE + LISTED, examples=[["AZ", "KZ"]]),
    ] = None,
    partner: Annotated[
        list[CountryList] | None,
        Query(description="Partner: " + CODE + LISTED, examples=[["KZ"]]),
    ] = None,
    exporter: Annotated[
        str | None,
        Query(
            pattern=COUNTRY_PATTERN,
            description="Where the goods come from, whoever reported them: the exporter's "
            "exports and its partners' imports from it (turnover has no direction). " + CODE,
            examples=["KZ"],
        ),
    ] = None,
    importer: Annotated[
        str | None,
        Query(
            pattern=COUNTRY_PATTERN,
            description="Where the goods go, whoever reported them: the importer's imports "
            "and its partners' exports to it. " + CODE,
            examples=["AZ"],
        ),
    ] = None,
    flow: Annotated[
        list[FlowList] | None,
        Query(
            description="export (X), import (M), turnover, re_export (RX) or re_import (RM), "
            "as stored (not mirrored)." + LISTED,
            examples=[["export"]],
        ),
    ] = None,
    commodity: Annotated[
        list[CommodityList] | None,
        Query(
            description="TOTAL or an HS code: figures of exactly this code." + LISTED,
            examples=[["TOTAL"]],
        ),
    ] = None,
    include_subcodes: Annotated[
        bool,
        Query(
            description="Also list figures of every code below `commodity` in the HS tree. "
            "A code's figures already include its sub-codes: never add them up.",
            examples=[False],
        ),
    ] = False,
    period: PeriodDep = None,
    measure: Annotated[
        Measure | None, Query(description="What the figure measures.", examples=["growth"])
    ] = None,
    status: Annotated[
        Status | None,
        Query(description="reported, derived, forecast or target.", examples=["reported"]),
    ] = None,
    source: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Source id.", examples=[1])
    ] = None,
    as_of: AsOfDep = None,
) -> ListFilters:
    """The filters of the observation list and export (on the event loop: no I/O)."""
    return ListFilters(
        listed_values(reporter, parameter="reporter"),
        listed_values(partner, parameter="partner"),
        exporter,
        importer,
        listed_values(flow, parameter="flow"),
        listed_values(commodity, parameter="commodity"),
        include_subcodes,
        period,
        measure,
        status,
        source,
        as_of,
    )


FiltersDep = Annotated[ListFilters, Depends(_filters)]
