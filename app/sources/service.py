from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.schemas import SourceRef
from app.sources.models import Source
from app.sources.schemas import SourceIn
from app.vocabulary import Attribution


def citation(source: Source, attribution: Attribution = Attribution.SPEAKER) -> str:
    """How to cite the source; a speaker is named only for words that are theirs."""
    parts = [source.publisher]
    if source.place:
        parts.append(source.place.split(",")[0])
    parts.append(source.published_on.isoformat())
    text = ", ".join(parts)
    if source.author:
        text += f" ({source.author})"
    if source.speaker and attribution is Attribution.SPEAKER:
        text += f", quoting {source.speaker}"
        if source.speaker_role:
            text += f", {source.speaker_role}"
    if source.url:
        text += f". {source.url}"
    return text


def reference(source: Source, attribution: Attribution = Attribution.SPEAKER) -> SourceRef:
    return SourceRef(id=source.id, citation=citation(source, attribution))


def find_or_create(session: Session, incoming: SourceIn) -> tuple[Source, bool]:
    """The source with this slug, created if new; 409 if the slug has other content."""
    fields = incoming.model_dump()
    existing = session.scalars(select(Source).where(Source.slug == incoming.slug)).one_or_none()
    if existing is None:
        source = Source(**fields)
        session.add(source)
        session.flush()
        return source, True
    if all(getattr(existing, name) == value for name, value in fields.items()):
        return existing, False
    raise ConflictError(
        f"A different source already has the slug '{incoming.slug}'.",
        errors=[{"location": "body.slug", "message": "slug taken", "type": "conflict"}],
    )
