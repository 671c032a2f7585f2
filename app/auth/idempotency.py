"""Idempotency-Key on POST: a retry with the same key and body gets the first answer."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import repository
from app.auth.models import IdempotencyRecord
from app.core.errors import ProblemError

MAX_KEY_LENGTH = 200


class IdempotencyConflictError(ProblemError):
    status, slug, title = 409, "idempotency-conflict", "Idempotency key reused"


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: bytes


class RequestDigest:
    """The fingerprint of a request, its body fed in as it streams."""

    def __init__(self, method: str, path: str) -> None:
        self._digest = hashlib.sha256(f"{method} {path}\n".encode())

    def update(self, chunk: bytes) -> None:
        self._digest.update(chunk)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = RequestDigest(method, path)
    digest.update(body)
    return digest.hexdigest()


def _answer(record: IdempotencyRecord, fingerprint: str) -> StoredAnswer:
    if record.request_hash != fingerprint:
        raise IdempotencyConflictError(
            "This Idempotency-Key was used with a different request; use a new key."
        )
    return StoredAnswer(record.status_code, record.response_body)


def stored(session: Session, api_key_id: int, key: str, fingerprint: str) -> StoredAnswer | None:
    """The answer already given for this key, if any (409 if it was another request): a
    retry found here costs no work. `claim` still decides, inside the write."""
    existing = repository.idempotency_record(session, api_key_id, key)
    return None if existing is None or existing.status_code == 0 else _answer(existing, fingerprint)


def claim(
    session: Session, api_key_id: int, key: str, fingerprint: str
) -> StoredAnswer | IdempotencyRecord:
    """The stored answer for this key, or a fresh record that the caller fills in.

    The record is inserted before any work: a concurrent request with the same key waits
    on the unique index until this transaction ends, then replays its answer.
    """
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError(f"Idempotency-Key must be printable, at most {MAX_KEY_LENGTH} chars.")
    existing = repository.idempotency_record(session, api_key_id, key)
    if existing is not None:
        return _answer(existing, fingerprint)
    record = IdempotencyRecord(
        api_key_id=api_key_id,
        idempotency_key=key,
        request_hash=fingerprint,
        status_code=0,
        response_body=b"",
        created_at=datetime.now(UTC),
    )
    try:
        repository.insert_first(session, record)
    except IntegrityError:
        winner = repository.idempotency_record(session, api_key_id, key)
        assert winner is not None
        return _answer(winner, fingerprint)
    return record


def remember(record: IdempotencyRecord, status_code: int, body: bytes) -> None:
    record.status_code = status_code
    record.response_body = body
