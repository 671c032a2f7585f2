import re
from collections.abc import Sequence
from itertools import islice

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.commodities.common_names import spellings
from app.commodities.models import Commodity


def get(session: Session, code: str) -> Commodity | None:
    return session.get(Commodity, code)


def children(session: Session, code: str) -> Sequence[Commodity]:
    query = select(Commodity).where(Commodity.parent_code == code).order_by(Commodity.code)
    return session.scalars(query).all()


def search(
    session: Session,
    *,
    words: Sequence[str],
    level: int | None,
    after: str | None,
    limit: int,
) -> Sequence[Commodity]:
    """Codes starting with a numeric word, or descriptions with a word starting with every
    other word (or, for a common name such as grain, the descriptions' own word for it):
    `rice` finds rice, not liquorice or dentifrices."""
    query = select(Commodity).order_by(Commodity.code)
    patterns: list[re.Pattern[str]] = []
    for word in words:
        if word.isdigit():
            query = query.where(Commodity.code.startswith(word, autoescape=True))
        elif word.upper() == "TOTAL":
            query = query.where(Commodity.code == "TOTAL")
        else:
            found = spellings(word)
            # The database narrows to descriptions containing the word; the word's start
            # is then checked here (LIKE has no word boundary on both engines).
            query = query.where(
                or_(*(Commodity.description.icontains(one, autoescape=True) for one in found))
            )
            patterns.append(
                re.compile("|".join(rf"\b{re.escape(one)}" for one in found), re.IGNORECASE)
            )
    if level is not None:
        query = query.where(Commodity.level == level)
    if after is not None:
        query = query.where(Commodity.code > after)
    if not patterns:
        return session.scalars(query.limit(limit)).all()
    matching = (
        row
        for row in session.scalars(query)
        if all(pattern.search(row.description) for pattern in patterns)
    )
    return list(islice(matching, limit))


def subtree_codes(session: Session, code: str) -> set[str]:
    """The code and every code below it in the HS tree."""
    found = {code}
    frontier = [code]
    while frontier:
        query = select(Commodity.code).where(Commodity.parent_code.in_(frontier))
        frontier = [child for child in session.scalars(query) if child not in found]
        found.update(frontier)
    return found


def by_code(session: Session, codes: set[str]) -> dict[str, Commodity]:
    rows = session.scalars(select(Commodity).where(Commodity.code.in_(codes)))
    return {row.code: row for row in rows}


def tree(session: Session) -> list[tuple[str, str, str | None]]:
    """Every code with its description and parent, parents before their children."""
    query = select(Commodity.code, Commodity.description, Commodity.parent_code).order_by(
        Commodity.level, Commodity.code
    )
    return [(code, description, parent) for code, description, parent in session.execute(query)]


def descriptions(session: Session, codes: set[str]) -> dict[str, str]:
    query = select(Commodity.code, Commodity.description).where(Commodity.code.in_(codes))
    return dict(session.execute(query).all())
