"""Interval arithmetic: every value the inputs allow lands inside the derived interval,
and a derived level rests on the rounding of the rate it comes from."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.observations.facts import Fact, stated_rounding
from app.shared.periods import Period
from app.shared.vocabulary import TOTAL_COMMODITY, Flow, Measure, Qualifier, Status, Unit
from app.trade.intervals import APPLY, Interval, Operation
from app.trade.ledger import PairLedger

AZ, KZ = "AZE", "KAZ"
JAN_SEP_2018 = Period(date(2018, 1, 1), date(2018, 9, 30))
JAN_SEP_2017 = JAN_SEP_2018.shifted_years(-1)

numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=3)
positives = st.decimals(min_value=Decimal("0.001"), max_value=10**9, places=3)
fractions = st.floats(min_value=0, max_value=1).map(lambda x: Decimal(str(round(x, 6))))


@st.composite
def intervals(draw: st.DrawFn, ends: st.SearchStrategy[Decimal] = numbers) -> Interval:
    one, two = draw(ends), draw(ends)
    return Interval(min(one, two), max(one, two))


def inside(interval: Interval, fraction: Decimal) -> Decimal:
    return interval.low + (interval.high - interval.low) * fraction


@given(intervals(), intervals(), fractions, fractions)
def test_sums_and_differences_hold_every_combination(
    first: Interval, second: Interval, f1: Decimal, f2: Decimal
) -> None:
    one, two = inside(first, f1), inside(second, f2)
    assert (first + second).contains(one + two)
    assert (first - second).contains(one - two)


@given(intervals(), intervals(positives), fractions, fractions)
def test_quotients_hold_every_combination(
    first: Interval, second: Interval, f1: Decimal, f2: Decimal
) -> None:
    one, two = inside(first, f1), inside(second, f2)
    quotient = first.divided_by(second)
    assert quotient is not None
    assert quotient.contains(one / two)


@given(intervals(positives), intervals(positives), fractions, fractions)
def test_percent_change_and_earlier_levels_hold_every_combination(
    first: Interval, second: Interval, f1: Decimal, f2: Decimal
) -> None:
    one, two = inside(first, f1), inside(second, f2)
    change = APPLY[Operation.PERCENT_CHANGE](first, second)
    assert change is not None
    assert change.contains((one / two - 1) * 100)
    earlier = APPLY[Operation.EARLIER_BY_GROWTH](first, second)
    assert earlier is not None
    assert earlier.contains(one / (1 + two / 100))


def test_a_divisor_that_may_be_zero_gives_no_interval() -> None:
    assert Interval(Decimal(1), Decimal(2)).divided_by(Interval(Decimal(0), Decimal(1))) is None


@given(intervals(), st.sampled_from([Unit.USD, Unit.TONNE, Unit.PERCENT, Unit.RATIO]))
def test_rounding_outward_keeps_every_value(interval: Interval, unit: Unit) -> None:
    rounded = interval.outward(unit)
    assert rounded.low <= interval.low
    assert rounded.high >= interval.high


def test_a_stated_rate_stands_for_what_its_last_digit_allows() -> None:
    assert stated_rounding(Measure.GROWTH, Decimal("65.1")) == (Decimal("65.05"), Decimal("65.15"))
    assert stated_rounding(Measure.MULTIPLIER, Decimal(3)) == (Decimal("2.5"), Decimal("3.5"))
    assert stated_rounding(Measure.GROWTH, Decimal("161.44")) == (
        Decimal("161.435"),
        Decimal("161.445"),
    )
    # Trailing zeros a store adds say nothing of the source's precision.
    assert stated_rounding(Measure.GROWTH, Decimal("65.100000"))[0] == Decimal("65.05")
    assert stated_rounding(Measure.TRADE_VALUE, Decimal(36000000)) == (None, None)


def _exports(value: Decimal, growth: Decimal) -> list[Fact]:
    low, high = stated_rounding(Measure.GROWTH, growth)
    level = Fact(
        reporter=AZ,
        partner=KZ,
        flow=Flow.EXPORT,
        commodity=TOTAL_COMMODITY,
        period=JAN_SEP_2018,
        measure=Measure.TRADE_VALUE,
        value=value,
        unit=Unit.USD,
        qualifier=Qualifier.EXACT,
        status=Status.REPORTED,
        sources=(1,),
        id=1,
    )
    rate = replace(
        level,
        measure=Measure.GROWTH,
        value=growth,
        unit=Unit.PERCENT,
        base=JAN_SEP_2017,
        low=low,
        high=high,
        id=2,
    )
    return [level, rate]


@given(
    st.integers(min_value=1, max_value=10**12).map(Decimal),
    st.decimals(min_value=-99, max_value=1000, places=1),
    fractions,
)
def test_a_derived_level_holds_every_rate_its_rounding_allows(
    later: Decimal, growth: Decimal, fraction: Decimal
) -> None:
    earlier = PairLedger(AZ, KZ, _exports(later, growth)).level(
        (AZ, KZ), TOTAL_COMMODITY, Measure.TRADE_VALUE, JAN_SEP_2017
    )
    assert earlier is not None
    assert earlier.low is not None
    assert earlier.high is not None
    low, high = stated_rounding(Measure.GROWTH, growth)
    assert low is not None
    assert high is not None
    true_rate = low + (high - low) * fraction
    if true_rate <= -100:
        return  # no level grows by -100% or less
    true_level = later / (1 + true_rate / 100)
    assert earlier.low <= true_level <= earlier.high
    assert earlier.value is not None
    assert earlier.low <= earlier.value <= earlier.high
