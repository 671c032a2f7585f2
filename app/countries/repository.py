from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.countries.models import Country


def get_by_column(session: Session, column: str, code: str) -> Country | None:
    query = select(Country).where(getattr(Country, column) == code)
    return session.scalars(query).one_or_none()


def list_page(
    session: Session,
    after: str | None,
    limit: int,
    among: Select[tuple[str]] | None = None,
    *,
    areas: bool = False,
) -> Sequence[Country]:
    """A page of countries by alpha-3 code; with `among`, only the codes it selects; with
    `areas`, the areas that are not countries too (World, n.e.s. areas, ...)."""
    query = select(Country).order_by(Country.alpha3).limit(limit)
    if not areas:
        query = query.where(Country.kind == "country")
    if among is not None:
        query = query.where(Country.alpha3.in_(among))
    if after is not None:
        query = query.where(Country.alpha3 > after)
    return session.scalars(query).all()


def by_alpha3(session: Session, codes: set[str]) -> dict[str, Country]:
    rows = session.scalars(select(Country).where(Country.alpha3.in_(codes)))
    return {row.alpha3: row for row in rows}


def alpha2_by_alpha3(session: Session) -> dict[str, str]:
    """Every area's alpha-2 code by its alpha-3 code."""
    return dict(session.execute(select(Country.alpha3, Country.alpha2)).all())


def names_by_alpha2(session: Session, codes: set[str] | None = None) -> dict[str, str]:
    """The names of these areas (None: every area) by alpha-2 code, in code order."""
    query = select(Country.alpha2, Country.name).order_by(Country.alpha2)
    if codes is not None:
        query = query.where(Country.alpha2.in_(codes))
    return dict(session.execute(query).all())


def by_m49(session: Session, keys: set[int]) -> dict[int, Country]:
    rows = session.scalars(select(Country).where(Country.m49.in_(keys)))
    return {row.m49: row for row in rows}
