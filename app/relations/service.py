from sqlalchemy.orm import Session

from app.relations.models import RelationFact

# The reads are the repository's own functions: a wrapper would only repeat them.
from app.relations.repository import for_pair, for_source
from app.relations.schemas import RelationFactOut
from app.sources import repository as sources
from app.sources.service import reference

# What callers take from the one module they import.
__all__ = ["for_pair", "for_source", "present"]


def present(session: Session, facts: list[RelationFact]) -> list[RelationFactOut]:
    known = sources.by_id(session, {fact.source_id for fact in facts})
    return [
        RelationFactOut(
            id=fact.id,
            kind=fact.kind,
            subject=fact.subject,
            value=fact.value,
            unit=fact.unit,
            qualifier=fact.qualifier,
            qualifier_wording=fact.qualifier_wording,
            period=fact.period,
            status=fact.status,
            statement=fact.statement,
            note=fact.note,
            attribution=fact.attribution,
            source=reference(known[fact.source_id], fact.attribution),
        )
        for fact in facts
    ]
