from collections.abc import Sequence

from sqlalchemy import select, update
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


def classification_of(session: Session, source_id: int) -> str | None:
    """The HS version the source's commodity codes are in, once a file has said it."""
    return session.scalar(select(Source.classification).where(Source.id == source_id))


def classify(session: Session, source_id: int, classification: str) -> None:
    """Record the HS version of a source's figures (an import checked that it is not
    another already)."""
    session.execute(
        update(Source)
        .where(Source.id == source_id, Source.classification.is_(None))
        .values(classification=classification)
    )


def by_slug(session: Session, slug: str) -> Source | None:
    return session.scalars(select(Source).where(Source.slug == slug)).one_or_none()


def add(session: Session, source: Source) -> Source:
    """Store a new source; its id is set on return."""
    session.add(source)
    session.flush()
    return source
