"""A file imported before, byte for byte, is answered without reading it again.

An import that stored every figure of its file (none was in the store as given) is
remembered by the file's digest and its source, with the ids of the figures it stored.
While none of those figures has been superseded (revised, retracted), the store holds
exactly what the file says, so importing it again changes nothing: the answer is the
earlier import's rows and figures, all unchanged, after reading the file once to hash it
and its figures' ids once to check them. A file with any change is imported in full.
"""

import hashlib
from datetime import UTC, datetime
from typing import IO

from sqlalchemy.orm import Session

from app.imports import repository
from app.imports.models import ImportedFile

HASH_BLOCK = 1 << 20


def digest_of(binary: IO[bytes]) -> str:
    """BLAKE2b-256 of the file's bytes, in hex; the file is left at its start."""
    hasher = hashlib.blake2b(digest_size=32)
    binary.seek(0)
    while block := binary.read(HASH_BLOCK):
        hasher.update(block)
    binary.seek(0)
    return hasher.hexdigest()


def find(session: Session, digest: str, source_id: int | None) -> ImportedFile | None:
    """The latest import of this file with this source, if every figure it stored is
    still current."""
    found = repository.latest_import(session, digest, source_id)
    if found is None:
        return None
    # Other writers' figures may lie in the span too: then this may say "superseded" of
    # a file that is not, and the file is imported in full, which is never wrong.
    superseded = repository.any_superseded(session, found.first_figure_id, found.last_figure_id)
    return None if superseded else found


def remember(
    session: Session,
    *,
    digest: str,
    source_id: int | None,
    layout: str,
    rows: int,
    figures: int,
    stored_ids: tuple[int, int],
) -> None:
    repository.add(
        session,
        ImportedFile(
            digest=digest,
            source_id=source_id,
            layout=layout,
            rows=rows,
            figures=figures,
            first_figure_id=stored_ids[0],
            last_figure_id=stored_ids[1],
            recorded_at=datetime.now(UTC),
        ),
    )
