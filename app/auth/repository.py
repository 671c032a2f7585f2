"""Every query of the auth domain: API keys, the write log the rate limit counts, and the
answers kept for idempotent POSTs."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.auth.models import ApiKey, IdempotencyRecord, WriteHit


def key_named(session: Session, name: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()


def key_with_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()


def all_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.name)).all()


def add(session: Session, row: ApiKey | WriteHit) -> None:
    session.add(row)


def writes_since(session: Session, key_id: int, start: datetime) -> tuple[int, datetime | None]:
    """How many writes the key made after `start`, and when the oldest of them was. Locks
    the key's row first, so that writers with the same key count one after another, and
    forgets the writes before `start`."""
    session.execute(select(ApiKey.id).where(ApiKey.id == key_id).with_for_update())
    session.execute(delete(WriteHit).where(WriteHit.api_key_id == key_id, WriteHit.at <= start))
    count, oldest = session.execute(
        select(func.count(), func.min(WriteHit.at)).where(WriteHit.api_key_id == key_id)
    ).one()
    return int(count), oldest


def idempotency_record(session: Session, api_key_id: int, key: str) -> IdempotencyRecord | None:
    query = select(IdempotencyRecord).where(
        IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.idempotency_key == key
    )
    return session.scalars(query).one_or_none()


def insert_first(session: Session, record: IdempotencyRecord) -> None:
    """Inserts the record in a savepoint: raises IntegrityError, leaving the transaction
    usable, when another transaction holds the same key."""
    with session.begin_nested():
        session.add(record)
        session.flush()
