"""Request bodies read with a size limit and a content type check."""

import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from fastapi import Request

from app.core.errors import InvalidParameterError, ProblemError


class PayloadTooLargeError(ProblemError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaTypeError(ProblemError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


def require_media_type(request: Request, *accepted: str) -> None:
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if given not in accepted:
        raise UnsupportedMediaTypeError(
            f"The body must be {' or '.join(accepted)}; got {given[:60] or 'no content type'}.",
            extra={"accepted": list(accepted)},
        )


def _too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(f"The body is larger than the limit of {limit} bytes.")


def check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


async def limited_stream(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body in chunks; 413 as soon as it passes `limit` bytes."""
    check_declared_length(request, limit)
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        yield chunk


async def read_body(request: Request, limit: int) -> bytes:
    return b"".join([chunk async for chunk in limited_stream(request, limit)])


def parse_json(body: bytes) -> Any:
    """The JSON body with exact decimals for every non-integer number."""
    try:
        return json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidParameterError(
            f"The body is not valid JSON: {str(error)[:120]}.",
            errors=[{"location": "body", "message": "invalid JSON", "type": "json"}],
        ) from None
    except RecursionError:
        raise InvalidParameterError(
            "The body nests arrays or objects too deeply to be a figure or a batch.",
            errors=[{"location": "body", "message": "nested too deeply", "type": "json"}],
        ) from None
    except ValueError as error:
        # An integer of more digits than Python converts (4300): no figure has one.
        raise InvalidParameterError(
            f"The body holds a number too long to read: {str(error)[:80]}.",
            errors=[{"location": "body", "message": "number too long", "type": "json"}],
        ) from None
