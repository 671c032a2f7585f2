"""The write rate limit: at most N writes per key in any window, counted in the store.

A moving window, exact: every accepted write leaves a row with its time, and a write is
refused while the key has N rows inside the window. The check and the new row are one
transaction, serialised per key (a row lock on Postgres, BEGIN IMMEDIATE on SQLite), so
workers and replicas share one count and two writes cannot both take the last place.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from limits import RateLimitItem, parse
from sqlalchemy.orm import Session

from app.auth import repository
from app.auth.models import WriteHit
from app.core.errors import ProblemError


class TooManyRequestsError(ProblemError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


@dataclass(frozen=True)
class WriteRate:
    item: RateLimitItem

    @classmethod
    def parse(cls, text: str) -> "WriteRate":
        return cls(parse(text))

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.item.get_expiry())

    def take(self, session: Session, key_id: int, now: datetime) -> None:
        """Counts one write of the key, or raises TooManyRequestsError (counting nothing)."""
        start = now - self.window
        count, oldest = repository.writes_since(session, key_id, start)
        if count >= self.item.amount and oldest is not None:
            oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            retry_after = max(1, int((oldest_at + self.window - now).total_seconds()) + 1)
            raise TooManyRequestsError(
                f"More than {self.item} writes with this key; retry in {retry_after} s.",
                headers={"Retry-After": str(retry_after)},
            )
        repository.add(session, WriteHit(api_key_id=key_id, at=now))
