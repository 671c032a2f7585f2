"""Commodity codes as users type them: TOTAL or an HS code of 2, 4 or 6 digits."""

import re

from sqlalchemy.orm import Session

from app.commodities import repository
from app.commodities.models import Commodity

# The reads are the repository's own functions: a wrapper would only repeat them.
from app.commodities.repository import (
    by_code,
    children,
    descriptions,
    get,
    search,
    subtree_codes,
    tree,
)
from app.core.errors import InvalidParameterError, NotFoundError
from app.shared.schemas import CommodityRef

# What callers take from the one module they import.
__all__ = [
    "ACCEPTED_CODES",
    "Commodity",
    "by_code",
    "children",
    "descriptions",
    "get",
    "normalise",
    "reference",
    "resolve",
    "search",
    "subtree_codes",
    "tree",
]

ACCEPTED_CODES = "TOTAL, or an HS code of 2, 4 or 6 digits (10, 1006, 071340)"


def normalise(code: str, *, parameter: str) -> str:
    text = code.strip().upper()
    if text == "TOTAL" or re.fullmatch(r"\d{2}|\d{4}|\d{6}", text):
        return text
    raise InvalidParameterError(
        f"'{code[:40]}' is not a commodity code. Accepted: {ACCEPTED_CODES}.",
        errors=[{"location": parameter, "message": "not a commodity code", "type": "format"}],
    )


def resolve(session: Session, code: str, *, parameter: str) -> Commodity:
    commodity = repository.get(session, normalise(code, parameter=parameter))
    if commodity is None:
        raise NotFoundError(f"No commodity has the code '{code.strip().upper()}'.")
    return commodity


def reference(commodity: Commodity) -> CommodityRef:
    return CommodityRef(
        code=commodity.code, level=commodity.level, description=commodity.description
    )
