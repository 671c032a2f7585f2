"""Plain data and models as JSON bytes, Decimals as exact numbers: one rendering for the
HTTP layer's answers and for the answers a domain stores rendered (`app.trade.stored`)."""

from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel

from app.shared.numbers import plain


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(plain(value))
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def json_bytes(value: Any) -> bytes:
    """Plain data as JSON, Decimals as exact numbers."""
    return orjson.dumps(value, default=_json_default)


def to_json(payload: BaseModel) -> bytes:
    return orjson.dumps(payload.model_dump(mode="python"), default=_json_default)
