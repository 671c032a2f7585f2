"""Idempotency-Key on the HTTP side: the header every POST that writes takes, and the
answer a retry gets."""

from typing import Annotated

from fastapi import Header
from starlette.responses import Response

from app.auth.idempotency import MAX_KEY_LENGTH, StoredAnswer

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        max_length=MAX_KEY_LENGTH,
        description="Any unique string: a retry with the same key and body returns the "
        "first answer and writes nothing.",
        examples=["3f1c2a9e-import-2019-01"],
    ),
]


def replayed(answer: StoredAnswer) -> Response:
    """The first answer to a request, sent again to its retry."""
    return Response(
        answer.body,
        status_code=answer.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )
