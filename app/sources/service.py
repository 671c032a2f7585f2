from app.schemas import SourceRef
from app.sources.models import Source


def citation(source: Source) -> str:
    parts = [source.publisher]
    if source.place:
        parts.append(source.place.split(",")[0])
    parts.append(source.published_on.isoformat())
    text = ", ".join(parts)
    if source.author:
        text += f" ({source.author})"
    if source.speaker:
        text += f", quoting {source.speaker}"
        if source.speaker_role:
            text += f", {source.speaker_role}"
    if source.url:
        text += f". {source.url}"
    return text


def reference(source: Source) -> SourceRef:
    return SourceRef(id=source.id, citation=citation(source))
