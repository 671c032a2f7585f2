from datetime import date

import pytest

from app.shared.periods import Period, PeriodError, canonical_label, parse_period


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2018", date(2018, 1, 1), date(2018, 12, 31), "2018"),
        ("2018-S1", date(2018, 1, 1), date(2018, 6, 30), "2018-S1"),
        ("2018-s2", date(2018, 7, 1), date(2018, 12, 31), "2018-S2"),
        ("2018-Q3", date(2018, 7, 1), date(2018, 9, 30), "2018-Q3"),
        ("2018-09", date(2018, 9, 1), date(2018, 9, 30), "2018-09"),
        ("2018-M09", date(2018, 9, 1), date(2018, 9, 30), "2018-09"),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29), "2016-02"),
        ("2018-01/2018-09", date(2018, 1, 1), date(2018, 9, 30), "2018-01/2018-09"),
        ("2018-07/2018-09", date(2018, 7, 1), date(2018, 9, 30), "2018-Q3"),
        ("2018-Q1/2018-Q2", date(2018, 1, 1), date(2018, 6, 30), "2018-S1"),
        ("2017/2018", date(2017, 1, 1), date(2018, 12, 31), "2017/2018"),
        ("2017-11/2018-02", date(2017, 11, 1), date(2018, 2, 28), "2017-11/2018-02"),
    ],
)
def test_parse_accepted_forms(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "18",
        "2018-13",
        "2018-00",
        "2018-Q5",
        "2018-S3",
        "2018-09/2018-01",
        "0",
        "99999",
        "0000",
        "2018/2019/2020",
        "2018-1",
        "x" * 10_000,
        "2018-W01",
        " 2018 -09",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_shifted_years_keeps_whole_months() -> None:
    leap = parse_period("2016-02")
    assert leap.shifted_years(1) == Period(date(2017, 2, 1), date(2017, 2, 28))
    assert parse_period("2018-01/2018-09").shifted_years(-1).label == "2017-01/2017-09"


def test_canonical_label_needs_whole_months() -> None:
    with pytest.raises(PeriodError):
        canonical_label(date(2018, 1, 2), date(2018, 1, 31))


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("2018", "2018-01/2018-09", True),
        ("2018", "2019", False),
        ("2017-12", "2018", False),
        ("2018-12", "2018-S2", True),
        ("2019/2020", "2020", True),
    ],
)
def test_overlaps_is_symmetric_and_needs_a_shared_day(
    first: str, second: str, shared: bool
) -> None:
    a, b = parse_period(first), parse_period(second)
    assert a.overlaps(b) is shared
    assert b.overlaps(a) is shared
