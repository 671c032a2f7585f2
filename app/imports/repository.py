"""Every query of the imports domain: the files imported before, by digest and source."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.imports.models import ImportedFile
from app.observations.models import SupersededFigure


def latest_import(session: Session, digest: str, source_id: int | None) -> ImportedFile | None:
    return session.scalars(
        select(ImportedFile)
        .where(
            ImportedFile.digest == digest,
            ImportedFile.source_id.is_not_distinct_from(source_id),
        )
        .order_by(ImportedFile.id.desc())
        .limit(1)
    ).first()


def any_superseded(session: Session, first_id: int, last_id: int) -> bool:
    """Whether any figure with an id in [first_id, last_id] has been superseded."""
    found = session.execute(
        select(SupersededFigure.figure_id)
        .where(SupersededFigure.figure_id.between(first_id, last_id))
        .limit(1)
    ).first()
    return found is not None


def add(session: Session, imported: ImportedFile) -> None:
    session.add(imported)
