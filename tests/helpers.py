import json
from decimal import Decimal
from typing import Any

import httpx


def exact_json(response: httpx.Response) -> Any:
    """The body with every number as an exact Decimal (never a float)."""
    assert 200 <= response.status_code < 300, response.text
    return json.loads(response.text, parse_float=Decimal, parse_int=Decimal)


def value_of(figure: dict[str, Any]) -> tuple[Any, str, str, str]:
    return figure["value"], figure["unit"], figure["qualifier"], figure["status"]
