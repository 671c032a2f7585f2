from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.sources.models import Source


def get(session: Session, source_id: int) -> Source | None:
    return session.get(Source, source_id)


def list_page(session: Session, after: int | None, limit: int) -> Sequence[Source]:
    query = select(Source).order_by(Source.id).limit(limit)
    if after is not None:
        query = query.where(Source.id > after)
    return session.scalars(query).all()


def by_id(session: Session, ids: set[int]) -> dict[int, Source]:
    return {row.id: row for row in session.scalars(select(Source).where(Source.id.in_(ids)))}
