"""API keys: created once and shown once, stored as a SHA-256, compared in constant time.

Keys are 32 random bytes, so a plain SHA-256 is enough: there is nothing to brute-force
the way there is with a password.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from app.auth import repository
from app.auth.models import ApiKey, Scope

# What callers take from the one module they import: the key's type and scopes too.
__all__ = [
    "SCOPE_GRANTS",
    "ApiKey",
    "KeyManagementError",
    "NewKey",
    "Scope",
    "create",
    "find",
    "list_keys",
    "revoke",
]

KEY_PREFIX = "ts_"


SCOPE_GRANTS = {Scope.WRITE: {Scope.WRITE}, Scope.ADMIN: {Scope.WRITE, Scope.ADMIN}}


class KeyManagementError(Exception):
    """A key operation the caller asked for cannot be done."""


@dataclass(frozen=True)
class NewKey:
    name: str
    scope: Scope
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session: Session, name: str, scope: Scope) -> NewKey:
    if repository.key_named(session, name) is not None:
        raise KeyManagementError(f"a key named '{name}' exists already")
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    repository.add(
        session,
        ApiKey(
            name=name,
            scope=scope.value,
            prefix=prefix,
            key_hash=_hash(secret),
            created_at=datetime.now(UTC),
        ),
    )
    session.flush()
    return NewKey(name=name, scope=scope, secret=secret)


def list_keys(session: Session) -> Sequence[ApiKey]:
    return repository.all_keys(session)


def revoke(session: Session, name: str) -> ApiKey:
    key = repository.key_named(session, name)
    if key is None:
        raise KeyManagementError(f"no key is named '{name}'")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
    return key


def find(session: Session, secret: str) -> ApiKey | None:
    """The key this secret belongs to, revoked or not; None if it matches no key."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = repository.key_with_prefix(session, prefix)
    # Hash and compare even when no row matched, so timing says nothing about prefixes.
    expected = key.key_hash if key is not None else _hash("")
    if not hmac.compare_digest(expected, _hash(secret)) or key is None:
        return None
    return key
