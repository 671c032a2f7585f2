"""SDMX keys, frequencies and time periods as pure functions."""

import pytest
from lxml import etree

from app.sdmx.keys import InvalidKeyError, SeriesKey, frequency, matches, parse_key, time_period
from app.sdmx.xml import error_message
from app.shared.periods import parse_period


@pytest.mark.parametrize(
    ("label", "freq", "sdmx_time"),
    [
        ("2018", "A", "2018"),
        ("2018-S2", "S", "2018-S2"),
        ("2018-Q3", "Q", "2018-Q3"),
        ("2018-09", "M", "2018-M09"),
        ("2018-01/2018-09", "P9M", "2018-01-01/P9M"),
        ("2017-07/2018-06", "P12M", "2017-07-01/P12M"),
    ],
)
def test_periods_as_sdmx_writes_them(label: str, freq: str, sdmx_time: str) -> None:
    period = parse_period(label)
    assert frequency(period) == freq
    assert time_period(period) == sdmx_time


def test_keys_take_wildcards_and_alternatives() -> None:
    key = SeriesKey("P9M", "AZ", "TXG_FOB_USD", "KZ", "TOTAL")
    assert matches(key, parse_key("all"))
    assert matches(key, parse_key(None))
    assert matches(key, parse_key("a+p9m.az..kz."))
    assert not matches(key, parse_key("A.AZ..KZ."))
    assert not matches(key, parse_key("..TMG_CIF_USD.."))
    with pytest.raises(InvalidKeyError, match="has 2 parts"):
        parse_key("A.AZ")


def test_an_error_message_holds_any_input_as_xml() -> None:
    body = error_message(140, "the key 'A\x08.B' is not a key")
    text = etree.fromstring(body).findtext(".//{*}Text")
    assert text == "the key 'A?.B' is not a key"
