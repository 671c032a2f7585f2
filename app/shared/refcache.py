"""Per-database caches of reference data that never changes once written.

Countries come only from migrations; commodity codes and sources are created but never
edited. So a reference, once made, can be served from memory for the life of the process.
A miss always falls through to the database.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.shared.schemas import CommodityRef, CountryRef, SourceRef
from app.shared.vocabulary import Attribution


@dataclass
class StoredKeys:
    """What a stored figure's integer keys stand for, as the worker has met them: rows
    written once and never changed (`observations.narrow_pages` joins figures to them)."""

    alpha3: dict[int, str] = field(default_factory=dict)  # countries.m49
    commodity_codes: dict[int, str] = field(default_factory=dict)  # commodities.id
    periods: dict[int, tuple[date, date, str]] = field(default_factory=dict)  # start, end, label
    # releases.id -> source id, recorded at, attribution (its word), reporter stated
    releases: dict[int, tuple[int, datetime, str, bool]] = field(default_factory=dict)


@dataclass
class ReferenceCache:
    countries: dict[str, CountryRef] = field(default_factory=dict)
    commodities: dict[str, CommodityRef] = field(default_factory=dict)
    # One reference per source and attribution: the citation names a quoted speaker only
    # for the speaker's own words.
    sources: dict[tuple[int, Attribution], SourceRef] = field(default_factory=dict)
    # The same references as plain dicts (`model_dump(mode="python")`), for answers
    # rendered without their models (`FigureRenderer.plain_rows`).
    plain_countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    plain_commodities: dict[str, dict[str, Any]] = field(default_factory=dict)
    plain_sources: dict[tuple[int, Attribution], dict[str, Any]] = field(default_factory=dict)
    keys: StoredKeys = field(default_factory=StoredKeys)


_CACHES: "WeakKeyDictionary[Engine, ReferenceCache]" = WeakKeyDictionary()


def for_session(session: Session) -> ReferenceCache:
    bind = session.get_bind()
    # A session on one connection (`tradestats derive`) shares its engine's cache.
    engine = bind.engine if isinstance(bind, Connection) else bind
    assert isinstance(engine, Engine)
    return for_engine(engine)


def for_engine(engine: Engine) -> ReferenceCache:
    cache = _CACHES.get(engine)
    if cache is None:
        cache = _CACHES[engine] = ReferenceCache()
    return cache
