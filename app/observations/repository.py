import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, cast

import asyncpg
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Select,
    SmallInteger,
    String,
    and_,
    any_,
    bindparam,
    false,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Connection, Dialect, Row
from sqlalchemy.orm import Session

from app.commodities.models import Commodity
from app.core.db_types import as_utc
from app.countries.models import Country
from app.observations.facts import Fact, StoredRow, facts_of
from app.observations.models import (
    NATURAL_KEY,
    FigureDetail,
    FigureRow,
    Observation,
    PeriodRow,
    Release,
)
from app.shared.periods import Period as Span
from app.shared.vocabulary import (
    RATE_MEASURES,
    STORED_CODES,
    TOTAL_COMMODITY,
    Flow,
    Measure,
    Status,
)
from app.sources.models import Source


def area_key(code: str | BindParameter[Any]) -> ColumnElement[int]:
    """The M49 key of an alpha-3 code, as a scalar subquery run once per statement: a
    filter on the view's integer keys reaches the figures' index, one on its codes would
    have to join every figure first."""
    return select(Country.m49).where(Country.alpha3 == code).scalar_subquery()


def visible(as_of: datetime | BindParameter[Any] | None) -> ColumnElement[bool]:
    """Figures as known now, or as known at `as_of` (a value, or a parameter bound when
    the statement runs): retracted ones are not shown."""
    c = Observation.__table__.c
    if as_of is None:
        return and_(c.superseded == false(), c.retracted == false())
    return and_(
        c.recorded_at <= as_of,
        or_(c.superseded == false(), c.valid_to > as_of),
        c.retracted == false(),
    )


# Table columns, not ORM attributes: a select of them is plain Core.
FACT_COLUMNS = tuple(Observation.__table__.c[name] for name in StoredRow.__annotations__)


def select_facts() -> Select[tuple[object, ...]]:
    """A Core select of the columns a fact needs: plain rows, no ORM identity map."""
    return select(*FACT_COLUMNS)


@dataclass(frozen=True)
class ReferenceCodes:
    """What a write's codes are checked against."""

    # Every alpha-2, alpha-3 and numeric code -> alpha-3 (UN Comtrade's own codes are read
    # as the code they stand for: `countries.codes.code_column`).
    countries: dict[str, str]
    commodities: set[str]
    sources: set[int]


def reference_codes(session: Session) -> ReferenceCodes:
    countries: dict[str, str] = {}
    for alpha2, alpha3, numeric in session.execute(
        select(Country.alpha2, Country.alpha3, Country.numeric)
    ):
        for code in (alpha2, alpha3, numeric):
            countries[code] = alpha3
    return ReferenceCodes(
        countries=countries,
        commodities=set(session.scalars(select(Commodity.code))),
        sources=set(session.scalars(select(Source.id))),
    )


@dataclass(frozen=True)
class ObservationFilter:
    # Any of these reporters, partners and flows (alpha-3 codes, stored flow words).
    reporters: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    # Direction of the goods, whoever reported them: an export of the exporter's or an
    # import of the importer's.
    exporter: str | None = None
    importer: str | None = None
    flows: tuple[str, ...] = ()
    commodities: frozenset[str] | None = None
    within: tuple[date, date] | None = None
    measure: str | None = None
    status: str | None = None
    source_id: int | None = None
    as_of: datetime | None = None


# Which filters a question uses: the statement of each shape is built once, with its
# values bound when it runs. Building a select of the fact columns and its cache key
# took 200 of the 290 µs of a list page's query.
_Shape = tuple[object, ...]


def _shape(criteria: ObservationFilter, *, after: bool, limit: bool, postgres: bool) -> _Shape:
    return (
        min(len(criteria.reporters), 2),
        min(len(criteria.partners), 2),
        criteria.exporter is not None,
        criteria.importer is not None,
        bool(criteria.flows),
        criteria.commodities is not None,
        criteria.within is not None,
        criteria.measure is not None,
        criteria.status is not None,
        criteria.source_id is not None,
        criteria.as_of is not None,
        after,
        limit,
        postgres,
    )


def _values(criteria: ObservationFilter) -> dict[str, Any]:
    """The values the statement of `criteria`'s shape binds."""
    values: dict[str, Any] = {
        "reporters": list(criteria.reporters),
        "partners": list(criteria.partners),
        "exporter": criteria.exporter,
        "importer": criteria.importer,
        "flows": list(criteria.flows),
        "commodities": sorted(criteria.commodities or ()),
        "measure": criteria.measure,
        "status": criteria.status,
        "source_id": criteria.source_id,
        "as_of": criteria.as_of,
    }
    if criteria.reporters:
        values["reporter"] = criteria.reporters[0]
    if criteria.partners:
        values["partner"] = criteria.partners[0]
    if criteria.within is not None:
        values["start"], values["end"] = criteria.within
    return values


@lru_cache(maxsize=512)
def _matching(shape: _Shape) -> Select[tuple[object, ...]]:
    """The fact columns of the figures a filter of this shape asks for, in id order:
    plain Core rows, as a list is read to be rendered and no ORM object is needed."""
    (reporters, partners, exporter, importer, flows, commodities, within, measure, status,
     source, as_of, after, limit, on_postgres) = shape  # fmt: skip
    postgres = bool(on_postgres)
    c = Observation.__table__.c
    query = select_facts().where(visible(bindparam("as_of") if as_of else None))
    query = query.order_by(c.id)
    if reporters:
        query = query.where(_any_area(c.reporter_key, "reporter", reporters == 2, postgres))
    if partners:
        query = query.where(_any_area(c.partner_key, "partner", partners == 2, postgres))
    if exporter or importer:
        query = query.where(_moving(bool(exporter), bool(importer)))
    if flows:
        query = query.where(_one_of(c.flow, "flows", postgres=postgres))
    if commodities:
        query = query.where(_one_of(c.commodity_code, "commodities", postgres=postgres))
    if within:
        # On Postgres by the periods' ids, as a pair's read asks (`_in_window`): asked by
        # dates, a pair's year read all 1,650 figures of the pair and joined each to its
        # period (1.0 ms of the server's time, 0.3 ms by the ids).
        if postgres:
            query = query.where(_in_window(c.period_key, postgres=True))
        else:
            query = query.where(
                c.period_start >= bindparam("start", type_=Date),
                c.period_end <= bindparam("end", type_=Date),
            )
    if measure:
        query = query.where(c.measure == bindparam("measure"))
    if status:
        query = query.where(c.status == bindparam("status"))
    if source:
        query = query.where(c.source_id == bindparam("source_id"))
    if after:
        query = query.where(c.id > bindparam("after"))
    if limit:
        query = query.limit(bindparam("limit"))
    return query


def _one_of(column: ColumnElement[Any], name: str, *, postgres: bool) -> ColumnElement[bool]:
    """The column's value is one of the list bound as `name`: on Postgres as one array
    parameter, so that the statement's text is the same for any number of values (one
    prepared statement, and one that asyncpg takes as it is); elsewhere expanded."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(String)))
    return column.in_(bindparam(name, expanding=True))


def _any_area(
    key: ColumnElement[int], name: str, many: bool, postgres: bool
) -> ColumnElement[bool]:
    """The figure's area is one of the alpha-3 codes bound as `name`s: one code as a
    scalar subquery run once (an index condition), several as the set of their keys."""
    if not many:
        return key == area_key(bindparam(name))
    return key.in_(
        select(Country.m49).where(
            _one_of(Country.__table__.c.alpha3, name + "s", postgres=postgres)
        )
    )


def _moving(
    exporter: bool,
    importer: bool,
    directions: tuple[
        ColumnElement[int], ColumnElement[int], ColumnElement[bool], ColumnElement[bool]
    ]
    | None = None,
) -> ColumnElement[bool]:
    """Figures of goods going from the bound `exporter` to the bound `importer` (either
    may be open): the exporter's reported exports, or the importer's reported imports.
    `directions`: the reporter's and partner's keys, and whether a figure is an export
    and an import (the view's, unless given)."""
    c = Observation.__table__.c
    reporter, partner, exports, imports = directions or (
        c.reporter_key,
        c.partner_key,
        c.flow == Flow.EXPORT.value,
        c.flow == Flow.IMPORT.value,
    )
    reported_by_exporter = [exports]
    reported_by_importer = [imports]
    if exporter:
        reported_by_exporter.append(reporter == area_key(bindparam("exporter")))
        reported_by_importer.append(partner == area_key(bindparam("exporter")))
    if importer:
        reported_by_exporter.append(partner == area_key(bindparam("importer")))
        reported_by_importer.append(reporter == area_key(bindparam("importer")))
    return or_(and_(*reported_by_exporter), and_(*reported_by_importer))


_Compiled = tuple[str, tuple[str, ...], dict[str, Any]]


def _compiled(
    shape: _Shape,
    dialect: Dialect,
    matching: Callable[[_Shape], Select[tuple[object, ...]]] = _matching,
) -> _Compiled:
    """The statement of a shape (as `matching` builds it) in a driver's positional style,
    the names of its values in their order, and the values it holds itself (its
    constants)."""
    compiled = matching(shape).compile(dialect=dialect)
    assert compiled.positiontup is not None
    return compiled.string, tuple(compiled.positiontup), dict(compiled.params)


_ASYNCPG = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=512)
def _asyncpg_statement(shape: _Shape) -> _Compiled:
    """`_compiled` in asyncpg's style ($1, $2, ...)."""
    return _compiled(shape, _ASYNCPG)


async def list_page_async(
    pool: asyncpg.Pool, criteria: ObservationFilter, after: int | None, limit: int
) -> list[Sequence[Any]]:
    """`list_page` on Postgres through an asyncpg pool: records of the same values in the
    same order, each column as the driver gives it (vocabulary words as text)."""
    statement = _asyncpg_statement(
        _shape(criteria, after=after is not None, limit=True, postgres=True)
    )
    return await fetch_page(pool, statement, {**_values(criteria), "after": after, "limit": limit})


async def fetch_page(
    pool: asyncpg.Pool, statement: _Compiled, values: dict[str, Any]
) -> list[Sequence[Any]]:
    """The rows of a compiled list statement through an asyncpg pool, each of its values
    taken from `values`, or else from the statement's own constants."""
    text, names, constants = statement
    rows = await pool.fetch(
        text, *(values[name] if name in values else constants[name] for name in names)
    )
    # A record is read as a tuple is (by position, unpacked), though its stubs do not
    # name it a sequence.
    return cast(list[Sequence[Any]], rows)


# -- a list page on Postgres from the narrow tables (`observations.narrow_pages`) ---------

_f = FigureRow.__table__.c
_d = FigureDetail.__table__.c

# The figures' own columns, and their details (NULL where a figure has none).
NARROW_COLUMNS = (
    _f.id, _f.release_id, _f.reporter, _f.partner, _f.commodity_id, _f.period_id,
    _f.flow, _f.measure, _f.status, _f.unit, _f.qualifier, _f.revision, _f.value,
    _d.period, _d.base_period_start, _d.base_period_end, _d.value_low, _d.value_high,
    _d.qualifier_wording, _d.statement, _d.note, _d.alternative_value,
    _d.alternative_reading,
)  # fmt: skip


def _code(column: ColumnElement[Any]) -> ColumnElement[int]:
    """A vocabulary column as its stored small integer (the values bound are codes)."""
    return type_coerce(column, SmallInteger())


# `_moving`'s reporter, partner, export and import on the figures' own columns.
_DIRECTIONS = (
    _f.reporter,
    _f.partner,
    _code(_f.flow) == STORED_CODES[Flow][Flow.EXPORT],
    _code(_f.flow) == STORED_CODES[Flow][Flow.IMPORT],
)


@lru_cache(maxsize=512)
def _narrow_matching(shape: _Shape) -> Select[tuple[object, ...]]:
    """`_matching` (current figures only) on the narrow tables: the figures' own columns
    and their details, keys and codes rather than what they stand for."""
    (reporters, partners, exporter, importer, flows, commodities, within, measure, status,
     source, as_of, after, limit, _postgres) = shape  # fmt: skip
    assert not as_of, "as_of reads go through the view"
    figures, details = FigureRow.__table__, FigureDetail.__table__
    query = (
        select(*NARROW_COLUMNS)
        .select_from(figures.outerjoin(details, _d.figure_id == _f.id))
        .where(_f.superseded == false(), _f.retracted == false())
        .order_by(_f.id)
    )
    if reporters:
        query = query.where(_any_area(_f.reporter, "reporter", reporters == 2, True))
    if partners:
        query = query.where(_any_area(_f.partner, "partner", partners == 2, True))
    if exporter or importer:
        query = query.where(_moving(bool(exporter), bool(importer), _DIRECTIONS))
    if flows:
        query = query.where(
            _code(_f.flow) == any_(bindparam("flow_codes", type_=ARRAY(SmallInteger)))
        )
    if commodities:
        codes = bindparam("commodities", type_=ARRAY(String))
        query = query.where(
            _f.commodity_id.in_(select(Commodity.id).where(Commodity.code == any_(codes)))
        )
    if within:
        query = query.where(_in_window(_f.period_id, postgres=True))
    if measure:
        query = query.where(_code(_f.measure) == bindparam("measure_code", type_=SmallInteger))
    if status:
        query = query.where(_code(_f.status) == bindparam("status_code", type_=SmallInteger))
    if source:
        query = query.where(
            _f.release_id.in_(select(Release.id).where(Release.source_id == bindparam("source_id")))
        )
    if after:
        query = query.where(_f.id > bindparam("after"))
    if limit:
        query = query.limit(bindparam("limit"))
    return query


@lru_cache(maxsize=512)
def narrow_statement(shape: _Shape) -> _Compiled:
    """`_narrow_matching` in asyncpg's style (`observations.narrow_pages` reads it)."""
    return _compiled(shape, _ASYNCPG, _narrow_matching)


_SQLITE = SQLiteDialect_pysqlite(paramstyle="qmark")


@lru_cache(maxsize=512)
def _sqlite_statement(shape: _Shape, lengths: tuple[tuple[str, int], ...]) -> _Compiled:
    """`_compiled` for the sqlite3 module (`?` placeholders), each list value's
    placeholders spelt out for its length (`lengths`: name, number of values), as
    SQLAlchemy does when it runs the statement."""
    text, names, constants = _compiled(shape, _SQLITE)
    for name, length in lengths:
        text = text.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * length))
    return text, names, constants


def list_page_sqlite(
    connection: sqlite3.Connection, criteria: ObservationFilter, after: int | None, limit: int
) -> list[tuple[Any, ...]]:
    """`list_page` on a sqlite3 connection of the caller's own, with no session: tuples
    of the same values of the same types (SQLite keeps dates, instants and exact
    decimals as text). `LookupError` where this read would differ or cannot run: an
    `as_of` instant (bound as the engine's type binds it), or a busy store."""
    if criteria.as_of is not None:
        raise LookupError("as_of is bound by the engine")
    values = {**_values(criteria), "after": after, "limit": limit}
    if criteria.within is not None:
        values["start"], values["end"] = (day.isoformat() for day in criteria.within)
    shape = _shape(criteria, after=after is not None, limit=True, postgres=False)
    lists = {"reporters", "partners", "flows", "commodities"}
    lengths = tuple((name, len(values[name])) for name in sorted(lists) if values[name])
    text, names, constants = _sqlite_statement(shape, lengths)
    parameters: list[Any] = []
    for name in names:
        value = values[name] if name in values else constants[name]
        if name in lists:
            parameters.extend(value)
        else:
            parameters.append(value)
    try:
        rows = connection.execute(text, parameters).fetchall()
    except sqlite3.OperationalError as error:  # busy, or no such table yet
        raise LookupError(str(error)) from error
    return [_typed_sqlite_row(row) for row in rows]


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _typed_sqlite_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A row of FACT_COLUMNS as SQLite holds it, with the types the engine reads."""
    (
        id_, reporter, partner, flow, commodity, start, end, base_start, base_end, measure,
        value, low, high, unit, qualifier, wording, status, source_id, statement, note,
        revision, recorded_at, attribution, alternative_value, alternative_reading,
        reporter_stated,
    ) = row  # fmt: skip
    return (
        id_, reporter, partner, flow, commodity, _day(start), _day(end), _day(base_start),
        _day(base_end), measure, _decimal(value), _decimal(low), _decimal(high), unit,
        qualifier, wording, status, source_id, statement, note, revision,
        as_utc(datetime.fromisoformat(recorded_at)), attribution,
        _decimal(alternative_value), alternative_reading, bool(reporter_stated),
    )  # fmt: skip


def list_page(
    session: Session, criteria: ObservationFilter, after: int | None, limit: int
) -> Sequence[Row[Any]]:
    """One page of figures in id order."""
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    query = _matching(_shape(criteria, after=after is not None, limit=True, postgres=postgres))
    values = {**_values(criteria), "after": after, "limit": limit}
    return connection.execute(query, values).all()


def stream(
    session: Session, criteria: ObservationFilter, batch: int
) -> Iterator[Sequence[Row[Any]]]:
    """Every matching figure in id order, as Core rows of the fact columns, `batch` rows
    at a time (a server-side cursor on Postgres): memory stays flat whatever the count."""
    connection = session.connection().execution_options(yield_per=batch)
    postgres = connection.dialect.name == "postgresql"
    query = _matching(_shape(criteria, after=False, limit=False, postgres=postgres))
    yield from connection.execute(query, _values(criteria)).partitions()


def get(session: Session, observation_id: int, *, fresh: bool = False) -> Observation | None:
    """The figure; `fresh`: read again though the session holds it (a write changed it)."""
    return session.get(Observation, observation_id, populate_existing=fresh)


def add_commodities(session: Session, parents: dict[str, str]) -> None:
    """New HS codes (code -> parent code, parents first), described by their code only."""
    for code, parent in parents.items():
        session.add(
            Commodity(
                code=code,
                parent_code=parent,
                level=len(code),
                description=f"HS {code} (no description loaded)",
            )
        )
    session.flush()


def history(session: Session, row: Observation) -> Sequence[Observation]:
    """Every revision of the figure `row` is a revision of, oldest first."""
    query = select(Observation).where(
        Observation.reporter_key == area_key(row.reporter_code),
        Observation.partner_key == area_key(row.partner_code),
        *(getattr(Observation, name) == getattr(row, name) for name in NATURAL_KEY),
    )
    return session.scalars(query.order_by(Observation.revision, Observation.id)).all()


@dataclass(frozen=True)
class PairScope:
    """Which of a pair's figures a question needs."""

    as_of: datetime | None = None
    total_only: bool | None = None  # True: TOTAL only; False: commodity lines only
    window: tuple[date, date] | None = None  # periods inside these days
    # Within the window, levels only of these periods (start, end) and of the periods of
    # the window's rates: all that one period's level, year-earlier level and growth rest
    # on. Empty: every figure of the window.
    levels_at: tuple[tuple[date, date], ...] = ()


def pair_facts(session: Session, a: str, b: str, scope: PairScope | None = None) -> list[Fact]:
    """The figures between two countries, whichever of them reports them, as plain facts
    read from Core rows on the session's connection (no ORM objects, no ORM execution)."""
    scope = scope or PairScope()
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    window = _window_ids(connection, scope) if scope.window is not None and not postgres else {}
    facts = _pair_facts(connection, a, b, scope, window, postgres=postgres)
    if scope.levels_at and _linked_elsewhere(facts, scope.levels_at):
        # A rate, or a level the source compares with another period's, links a level of
        # another period to these: the ledger may need it.
        everything = replace(scope, levels_at=())
        facts = _pair_facts(connection, a, b, everything, window, postgres=postgres)
    return facts


def _linked_elsewhere(facts: Sequence[Fact], levels_at: Sequence[tuple[date, date]]) -> bool:
    """Whether a rate's period, or any figure's base period (a rate's, or that of a
    level its source compares with another), lies outside `levels_at`. Rates and
    comparisons are rare: articles give them, statistical releases give levels."""
    spans = {Span(start, end) for start, end in levels_at}
    return any(
        (fact.measure in RATE_MEASURES and fact.period not in spans)
        or (fact.base is not None and fact.base not in spans)
        for fact in facts
    )


def _window_ids(connection: Connection, scope: PairScope) -> dict[str, list[int]]:
    """SQLite: the ids of the periods inside the window (`periods`) and of those
    `levels_at` names (`levels_at`), read once in one statement for every read of the
    question (`_in_window` says why they are read first)."""
    assert scope.window is not None
    start, end = scope.window
    rows = connection.execute(_dated_periods_inside, {"start": start, "end": end}).all()
    wanted = set(scope.levels_at)
    return {
        "periods": [row.id for row in rows],
        "levels_at": [row.id for row in rows if (row.start_date, row.end_date) in wanted],
    }


def _pair_facts(
    connection: Connection,
    a: str,
    b: str,
    scope: PairScope,
    window_ids: dict[str, list[int]],
    *,
    postgres: bool,
) -> list[Fact]:
    statement = _pair_statement(
        scope.as_of is not None,
        scope.total_only,
        scope.window is not None,
        len(scope.levels_at),
        postgres=postgres,
    )
    parameters: dict[str, object] = {"a": a, "b": b, "as_of": scope.as_of}
    if scope.window is not None:
        parameters["start"], parameters["end"] = scope.window
        if postgres:
            for index, (start, end) in enumerate(scope.levels_at):
                parameters[f"level_start_{index}"], parameters[f"level_end_{index}"] = start, end
        else:
            parameters.update(window_ids)
    return facts_of(connection.execute(statement, parameters))


@cache
def _pair_statement(
    as_of: bool, total_only: bool | None, window: bool, levels_at: int, *, postgres: bool
) -> Select[Any]:
    """One statement per shape of question, built once: its cache key is computed once too,
    and each request only binds its values (on Postgres, a prepared statement with one
    generic plan: `app.db.PLAN_CACHE_MODE`)."""
    c = Observation.__table__.c
    a, b = bindparam("a", type_=String), bindparam("b", type_=String)
    query = select_facts().where(
        visible(bindparam("as_of", type_=c.recorded_at.type) if as_of else None),
        or_(
            and_(c.reporter_key == area_key(a), c.partner_key == area_key(b)),
            and_(c.reporter_key == area_key(b), c.partner_key == area_key(a)),
        ),
    )
    if total_only is not None:
        total = select(Commodity.id).where(Commodity.code == TOTAL_COMMODITY).scalar_subquery()
        query = query.where(c.commodity_key == total if total_only else c.commodity_key != total)
    if window:
        query = query.where(_in_window(c.period_key, postgres=postgres))
        if levels_at:
            query = query.where(_levels_at(c.period_key, c.measure, levels_at, postgres=postgres))
    return query.order_by(c.id)


# The periods inside [:start, :end], and their ids.
_inside = and_(
    PeriodRow.start_date >= bindparam("start", type_=Date),
    PeriodRow.end_date <= bindparam("end", type_=Date),
)
_periods_inside = select(PeriodRow.id).where(_inside)
_dated_periods_inside = select(PeriodRow.id, PeriodRow.start_date, PeriodRow.end_date).where(
    _inside
)


def _in_window(period_key: ColumnElement[int], *, postgres: bool) -> ColumnElement[bool]:
    """Whether a figure's period lies inside [:start, :end], asked by the periods' ids,
    which the figures' pair index (reporter, partner, period) can use: asked by the
    periods' dates, Postgres read every figure of the pair and joined each to its period
    first (3,300 figures for 156 answered on a 100M-figure store).

    - Postgres: in the same statement (a second round trip for the ids took 14 % of the
      read's Python time), as the range from the smallest to the largest of those ids,
      computed once before the scan (InitPlans), which the index condition takes; then
      each figure's id is checked against the array of the ids. As an index condition,
      the array cost one descent of the index per id, in every partition: 78 pages for
      the 26 periods of two years, against 3 for the range (10 partitions, two
      directions: 1,560 pages a read). Periods get their ids as they first arrive, so a
      window's ids lie close together; where they do not, the range takes in the pair's
      figures of the periods between, which the array check then leaves out.
    - SQLite: the ids, read first, as a list (`:periods`). Given the subquery itself,
      SQLite probed the index by pair alone and filtered every figure of the pair."""
    if postgres:
        return and_(
            period_key.between(
                select(func.min(PeriodRow.id)).where(_inside).scalar_subquery(),
                select(func.max(PeriodRow.id)).where(_inside).scalar_subquery(),
            ),
            # `+ 0`: a filter, not a second index condition (see above).
            (period_key + 0) == any_(func.array(_periods_inside.scalar_subquery())),
        )
    return period_key.in_(bindparam("periods", expanding=True))


def _periods_at(count: int) -> Select[Any]:
    """The ids of the periods `levels_at` names (bound as level_start_N, level_end_N)."""
    return select(PeriodRow.id).where(
        or_(
            *(
                and_(
                    PeriodRow.start_date == bindparam(f"level_start_{index}", type_=Date),
                    PeriodRow.end_date == bindparam(f"level_end_{index}", type_=Date),
                )
                for index in range(count)
            )
        )
    )


def _levels_at(
    period_key: ColumnElement[int], measure: ColumnElement[Any], count: int, *, postgres: bool
) -> ColumnElement[bool]:
    """Rates of any period of the window, levels only of the periods asked for: a year's
    read on a store of monthly figures reads 8 figures, not 156. A filter on the rows the
    window's index range found (`+ 0`, as in `_in_window`)."""
    rates = measure.in_([rate.value for rate in RATE_MEASURES])
    if postgres:
        return or_(
            (period_key + 0) == any_(func.array(_periods_at(count).scalar_subquery())), rates
        )
    return or_(period_key.in_(bindparam("levels_at", expanding=True)), rates)


def _own_values(
    reporter: str, flow: str, commodity: str, as_of: datetime | None
) -> tuple[ColumnElement[bool], ...]:
    """The reporter's own reported trade values of one flow and commodity."""
    c = Observation.__table__.c
    return (
        visible(as_of),
        c.reporter_key == area_key(reporter),
        c.flow == flow,
        c.commodity_code == commodity,
        c.measure == Measure.TRADE_VALUE.value,
        c.status == Status.REPORTED.value,
    )


def reported_by(
    session: Session,
    reporter: str,
    *,
    flow: str,
    commodity: str,
    span: tuple[date, date],
    as_of: datetime | None,
) -> list[Fact]:
    """One reporter's own trade values of one flow, commodity and period, with every
    partner (World and the other areas among them), in id order."""
    c = Observation.__table__.c
    period = select(PeriodRow.id).where(
        PeriodRow.start_date == span[0], PeriodRow.end_date == span[1]
    )
    query = select_facts().where(
        *_own_values(reporter, flow, commodity, as_of), c.period_key == period.scalar_subquery()
    )
    return facts_of(session.connection().execute(query.order_by(c.id)))


def latest_reported_span(
    session: Session, reporter: str, *, flow: str, commodity: str, as_of: datetime | None
) -> tuple[date, date] | None:
    """The latest period of the reporter's own trade values of this flow and commodity:
    the one that ends last, the longest of those (a year before its last month)."""
    c = Observation.__table__.c
    query = (
        select(c.period_start, c.period_end)
        .where(*_own_values(reporter, flow, commodity, as_of))
        .order_by(c.period_end.desc(), c.period_start)
        .limit(1)
    )
    found = session.execute(query).first()
    return (found[0], found[1]) if found is not None else None


def countries_with_figures(with_country: str | None = None) -> Select[tuple[str]]:
    """Alpha-3 codes of the countries that are reporter or partner of a current figure;
    with `with_country`, only that country's counterparts in such figures."""
    c = Observation.__table__.c
    if with_country is None:
        reporters = select(c.reporter_code).where(visible(None))
        partners = select(c.partner_code).where(visible(None))
    else:
        key = area_key(with_country)
        reporters = select(c.reporter_code).where(visible(None), c.partner_key == key)
        partners = select(c.partner_code).where(visible(None), c.reporter_key == key)
    return select(reporters.union(partners).subquery().c[0])


def pairs_with_figures(
    session: Session, as_of: datetime | None, recorded_after: datetime | None = None
) -> set[frozenset[str]]:
    """Every pair of countries (alpha-3) with figures, as known now or at `as_of`; with
    `recorded_after`, only pairs with a figure recorded after that instant."""
    c = Observation.__table__.c
    query = select(c.reporter_code, c.partner_code).where(visible(as_of))
    if recorded_after is not None:
        query = query.where(c.recorded_at > recorded_after)
    rows = session.execute(query.distinct())
    return {frozenset(row) for row in rows if row[0] != row[1]}
