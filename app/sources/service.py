from sqlalchemy.orm import Session

from app.core.errors import ConflictError
from app.shared.schemas import SourceRef
from app.shared.vocabulary import Attribution
from app.sources import repository
from app.sources.models import Source

# The reads are the repository's own functions: a wrapper would only repeat them.
from app.sources.repository import by_id, get, list_page
from app.sources.schemas import SourceIn

# What callers take from the one module they import.
__all__ = ["Source", "by_id", "citation", "find_or_create", "get", "list_page", "reference"]


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
    existing = repository.by_slug(session, incoming.slug)
    if existing is None:
        return repository.add(session, Source(**fields)), True
    if all(getattr(existing, name) == value for name, value in fields.items()):
        return existing, False
    raise ConflictError(
        f"A different source already has the slug '{incoming.slug}'.",
        errors=[{"location": "body.slug", "message": "slug taken", "type": "conflict"}],
    )
