"""Decimals as people write them."""

from decimal import Decimal


def plain(value: Decimal) -> str:
    """No exponent, no trailing zeros: Decimal('36000000.000000') -> '36000000'."""
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text
