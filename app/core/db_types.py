"""Column types shared by models and migrations."""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import CheckConstraint, Dialect, Numeric, SmallInteger, String, column
from sqlalchemy.types import TypeDecorator, TypeEngine

SCALE = 6
Word = TypeVar("Word", bound=StrEnum)
_QUANTUM = Decimal(1).scaleb(-SCALE)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal that survives every backend exactly.

    Postgres stores NUMERIC(24, 6). SQLite has no exact decimal type (its NUMERIC affinity
    turns '35999999.999999' into a float), so there the value is kept as canonical text.
    """

    impl = Numeric(24, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(24, SCALE, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value).quantize(_QUANTUM)
        if dialect.name == "sqlite":
            return format(exact, "f")
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(_QUANTUM)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored one is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Vocabulary(TypeDecorator[Word]):
    """A column of one controlled vocabulary: the StrEnum's words in, its members out.

    `allowed` narrows the vocabulary (a stored flow is never a balance); `vocabulary_check`
    makes the matching CHECK constraint from the same words, so neither is copied by hand.
    """

    impl = String
    cache_ok = True

    def __init__(
        self, words: type[Word], *, length: int, allowed: Iterable[Word] | None = None
    ) -> None:
        super().__init__(length=length)
        self.words = words
        # In the vocabulary's own order, whatever order `allowed` comes in.
        self.allowed: tuple[Word, ...] = tuple(
            word for word in words if allowed is None or word in allowed
        )
        # Read on every row of every answer: a dict lookup, not the enum's constructor.
        self._members: dict[str, Word] = {word.value: word for word in words}

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        # A word outside the vocabulary passes as text: a filter on it matches nothing,
        # and a write of it meets the CHECK constraint (writes are validated before).
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Word | None:
        return None if value is None else self._members[value]


def vocabulary_check(name: str, kind: Vocabulary[Any]) -> CheckConstraint:
    """`name IN (...)` over the words the column's type allows, named after the column."""
    return CheckConstraint(column(name).in_([word.value for word in kind.allowed]), name=name)


class Coded(TypeDecorator[Word]):
    """A column of one controlled vocabulary stored as its small integer code
    (`vocabulary.STORED_CODES`): the StrEnum's words in, its members out."""

    impl = SmallInteger
    cache_ok = True

    def __init__(
        self, words: type[Word], stored: Mapping[str, int], *, allowed: Iterable[Word] | None = None
    ) -> None:
        super().__init__()
        self.words = words
        # Hashable, for SQLAlchemy's statement cache key (built from the __init__ arguments).
        self.stored = tuple(sorted(stored.items()))
        codes = dict(stored)
        self.allowed: tuple[Word, ...] = tuple(
            word for word in words if allowed is None or word in allowed
        )
        self.codes: dict[str, int] = {str(word): codes[word] for word in self.allowed}
        self._members: dict[int, Word] = {codes[word]: word for word in self.allowed}

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        # A word outside the vocabulary binds as -1: a filter on it matches nothing, and a
        # write of it meets the CHECK constraint.
        return None if value is None else self.codes.get(str(value), -1)

    def process_result_value(self, value: Any, dialect: Dialect) -> Word | None:
        return None if value is None else self._members[value]

    def member(self, code: int) -> Word:
        """The word a stored code stands for."""
        return self._members[code]


def coded_check(name: str, kind: Coded[Any]) -> CheckConstraint:
    """The codes the column's type allows, as a range (`name BETWEEN 1 AND 3`), named after
    the column.

    Not `IN (1, 2, 3)`: SQLite checks an IN list by building a temporary index for each
    row, which cost 2.5 s a constraint for every million figures imported.
    """
    codes = sorted(kind.codes.values())
    if codes != list(range(codes[0], codes[-1] + 1)):
        raise ValueError(f"the stored codes of {name} leave gaps: {codes}")
    return CheckConstraint(column(name).between(codes[0], codes[-1]), name=name)
