"""A column of a UN Comtrade or BACI file's text checked and converted as the row reader
would take each value: numbers in their stored form, weights in tonnes, flow and unit
codes, estimates. What the row reader would not take raises `NotVouchedError`."""

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from app.imports.layouts import (
    COMTRADE_FLOWS,
    ESTIMATION_FLAGS,
    LEGACY_BITS,
    TRUE_WORDS,
)
from app.observations import models as stored
from app.shared.vocabulary import COMTRADE_UNITS, Status

# A number as the row reader takes it for a level: ASCII digits, below 1e17, and at most
# `decimals` places once trailing zeros are dropped (kilograms keep 3, for tonnes).
MAX_INTEGER_DIGITS = 17


class NotVouchedError(Exception):
    """The columnar reader cannot prove the file clean: the row reader takes over."""


def number_pattern(decimals: int) -> str:
    return rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{0,{decimals}}}0*)?$"


def canonical(numbers: pa.Array, shift: int) -> pa.Array:
    """Vouched number text divided by 10**shift, as ExactDecimal stores it: no leading
    zeros and exactly six decimal places ('1234.5' shifted by 3 gives '1.234500')."""
    parts = pc.extract_regex(numbers, r"^(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]*))?$")
    whole = pc.struct_field(parts, "whole")
    fraction = pc.struct_field(parts, "fraction")
    if shift:
        whole = pc.utf8_lpad(whole, shift + 1, "0")
        fraction = pc.binary_join_element_wise(pc.utf8_slice_codeunits(whole, -shift), fraction, "")
        whole = pc.utf8_slice_codeunits(whole, 0, -shift)
    whole = pc.utf8_ltrim(whole, "0")
    whole = pc.if_else(pc.equal(whole, ""), "0", whole)
    fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6)
    return pc.binary_join_element_wise(whole, fraction, ".")


def weights_valid(weights: pa.Array, kilograms: bool) -> pa.Array:
    return pc.match_substring_regex(weights, number_pattern(3 if kilograms else 6))


def tonnes(weights: pa.Array, kilograms: bool) -> pa.Array:
    return canonical(weights, 3 if kilograms else 0)


def by_unit(
    weights: pa.Array, kilograms: pa.Array, compute: Callable[[pa.Array, bool], pa.Array]
) -> pa.Array:
    """`compute` of each weight for its own unit. A file gives its weights in one unit
    almost always (netWgt, kilograms): then the other unit's pass is not made."""
    if pc.all(kilograms).as_py():
        return compute(weights, True)
    if not pc.any(kilograms).as_py():
        return compute(weights, False)
    return pc.if_else(kilograms, compute(weights, True), compute(weights, False))


def vouch(condition: Any) -> None:
    if not pc.all(condition).as_py():
        raise NotVouchedError


def flow_code(text: str) -> int:
    word = COMTRADE_FLOWS.get(text)
    if word is None:
        raise NotVouchedError
    return stored.FLOW_CODE.codes[word]


# A value or a quantity (in tonnes, or in its own unit): up to six decimal places.
AMOUNT_NUMBER = number_pattern(6)


def thousands(numbers: pa.Array) -> pa.Array:
    """Vouched number text times 1000, as text: the point moves three places right
    ('1.5' gives '1500.', '0.0375' gives '0037.5'; `canonical` drops the extra zeros)."""
    parts = pc.extract_regex(numbers, r"^(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]*))?$")
    fraction = pc.utf8_rpad(pc.struct_field(parts, "fraction"), 3, "0")
    whole = pc.binary_join_element_wise(
        pc.struct_field(parts, "whole"), pc.utf8_slice_codeunits(fraction, 0, 3), ""
    )
    return pc.binary_join_element_wise(whole, pc.utf8_slice_codeunits(fraction, 3), ".")


_TRUE_WORDS = pa.array(sorted(TRUE_WORDS))


class Estimates:
    """Whether UN Comtrade flags each row's quantity or weight as its estimate, as
    `layouts.estimated` reads a row: its flag where given, else its legacy flag's bits."""

    def __init__(self, column: Callable[[str], pa.Array]) -> None:
        self.column = column
        legacy = column("legacyEstimationFlag")
        vouch(pc.or_(pc.equal(legacy, ""), pc.match_substring_regex(legacy, r"^[0-9]{1,9}$")))
        self.legacy = pc.cast(pc.if_else(pc.equal(legacy, ""), "0", legacy), pa.int64())

    def of(self, source: str) -> pa.Array:
        flag = pc.utf8_lower(self.column(ESTIMATION_FLAGS[source]))
        by_bits = pc.not_equal(pc.bit_wise_and(self.legacy, LEGACY_BITS[source]), 0)
        return pc.if_else(pc.equal(flag, ""), by_bits, pc.is_in(flag, _TRUE_WORDS))


STATUS_CODES = pa.array(
    [stored.STATUS_CODE.codes[Status.REPORTED], stored.STATUS_CODE.codes[Status.ESTIMATED]],
    pa.int16(),
)


def status_codes(estimated: pa.Array) -> pa.Array:
    """Each figure's status code: estimated where flagged, else reported."""
    return pc.take(STATUS_CODES, pc.cast(estimated, pa.int8()))


def supplementary_unit(text: str) -> int:
    unit = COMTRADE_UNITS.get(text)
    if unit is None:  # the row reader keeps the row and counts the quantity left out
        raise NotVouchedError
    return stored.UNIT_CODE.codes[unit]
