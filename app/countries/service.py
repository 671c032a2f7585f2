"""Country codes as users type them: ISO alpha-2, alpha-3 or numeric (UN M49), any case,
and the numeric codes UN Comtrade gives some countries of its own (842 for the USA)."""

from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.core.errors import InvalidParameterError, NotFoundError
from app.countries import repository
from app.countries.codes import code_column
from app.countries.models import Country

# The reads are the repository's own functions: a wrapper would only repeat them.
from app.countries.repository import (
    alpha2_by_alpha3,
    by_alpha3,
    by_m49,
    list_page,
    names_by_alpha2,
)
from app.shared.schemas import CountryRef

# What callers take from the one module they import.
__all__ = [
    "ACCEPTED_CODES",
    "Country",
    "alpha2_by_alpha3",
    "by_alpha3",
    "by_m49",
    "known",
    "list_page",
    "names_by_alpha2",
    "reference",
    "resolve",
]

ACCEPTED_CODES = (
    "ISO 3166-1 alpha-2 (AZ), alpha-3 (AZE) or numeric / UN M49 (031 or 31), or UN Comtrade's "
    "own numeric code of a country (842 for the USA)"
)


# Countries come only from migrations: once found, a code is served from memory for the
# life of the process. One cache per database (tests use many); a miss asks the database.
_BY_CODE: "WeakKeyDictionary[Engine, dict[tuple[str, str], Country]]" = WeakKeyDictionary()


def _cache(session: Session) -> dict[tuple[str, str], Country]:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return _BY_CODE.setdefault(engine, {})


def known(engine: Engine, code: str) -> Country | None:
    """The country a code names, if this process has resolved the code on this store
    already (`resolve`); None otherwise, with no session and no read."""
    column = code_column(code)
    found = _BY_CODE.get(engine)
    return None if column is None or found is None else found.get(column)


def resolve(session: Session, code: str, *, parameter: str) -> Country:
    """The country a code names; 422 if it is not a code, 404 if no country has it."""
    column = code_column(code)
    if column is None:
        raise InvalidParameterError(
            f"'{code[:40]}' is not a country code. Accepted: {ACCEPTED_CODES}.",
            errors=[{"location": parameter, "message": "not a country code", "type": "format"}],
        )
    cache = _cache(session)
    country = cache.get(column)
    if country is None:
        country = repository.get_by_column(session, *column)
        if country is None:
            raise NotFoundError(f"No country has the {column[0]} code '{column[1]}'.")
        session.expunge(country)
        cache[column] = country
    return country


def reference(country: Country) -> CountryRef:
    return CountryRef(
        alpha2=country.alpha2, alpha3=country.alpha3, numeric=country.numeric, name=country.name
    )
