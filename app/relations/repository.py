from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.relations.models import RelationFact


def for_pair(session: Session, a: str, b: str) -> Sequence[RelationFact]:
    first, second = sorted((a, b))
    query = (
        select(RelationFact)
        .where(RelationFact.country_a == first, RelationFact.country_b == second)
        .order_by(RelationFact.id)
    )
    return session.scalars(query).all()


def for_source(session: Session, source_id: int) -> Sequence[RelationFact]:
    query = select(RelationFact).where(RelationFact.source_id == source_id)
    return session.scalars(query.order_by(RelationFact.id)).all()
