"""The pair ledger on its own: plain facts in, plain facts out, no database.

Unit tests pin the derivations; property tests check the laws any pair's figures obey,
whichever country reports them and however the source hedges them.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.observations.facts import Fact
from app.shared.periods import Period
from app.shared.vocabulary import TOTAL_COMMODITY, Flow, Measure, Qualifier, Status, Unit
from app.trade import service
from app.trade.arithmetic import QUANTUM
from app.trade.ledger import PairLedger

AZ, KZ = "AZE", "KAZ"
JAN_SEP_2018 = Period(date(2018, 1, 1), date(2018, 9, 30))
JAN_SEP_2017 = JAN_SEP_2018.shifted_years(-1)
VALUE = Measure.TRADE_VALUE
HEDGES = [
    Qualifier.EXACT,
    Qualifier.APPROXIMATELY,
    Qualifier.AT_LEAST,
    Qualifier.AT_MOST,
    Qualifier.MORE_THAN,
    Qualifier.LESS_THAN,
]


def fact(
    ident: int,
    reporter: str,
    partner: str,
    flow: Flow,
    value: Decimal,
    *,
    qualifier: Qualifier = Qualifier.EXACT,
    measure: Measure = VALUE,
    period: Period = JAN_SEP_2018,
    base: Period | None = None,
    status: Status = Status.REPORTED,
) -> Fact:
    unit = {VALUE: Unit.USD, Measure.GROWTH: Unit.PERCENT, Measure.MULTIPLIER: Unit.RATIO}
    return Fact(
        reporter=reporter,
        partner=partner,
        flow=flow,
        commodity=TOTAL_COMMODITY,
        period=period,
        measure=measure,
        value=value,
        unit=unit[measure],
        qualifier=qualifier,
        status=status,
        base=base,
        sources=(ident % 3 + 1,),
        id=ident,
    )


def both_ways(exports: Decimal, imports: Decimal, q1: Qualifier, q2: Qualifier) -> list[Fact]:
    """AZ's exports to KZ as AZ reports them, and KZ's exports to AZ as KZ reports them."""
    return [
        fact(1, AZ, KZ, Flow.EXPORT, exports, qualifier=q1),
        fact(2, KZ, AZ, Flow.EXPORT, imports, qualifier=q2),
    ]


def earlier_exports(later: Decimal, qualifier: Qualifier, growth: Decimal) -> Fact | None:
    """The Jan-Sep 2017 exports implied by Jan-Sep 2018's and their growth on a year."""
    facts = [
        fact(1, AZ, KZ, Flow.EXPORT, later, qualifier=qualifier),
        fact(2, AZ, KZ, Flow.EXPORT, growth, measure=Measure.GROWTH, base=JAN_SEP_2017),
    ]
    return PairLedger(AZ, KZ, facts).level((AZ, KZ), TOTAL_COMMODITY, VALUE, JAN_SEP_2017)


def value_of(found: Fact | None) -> Decimal:
    assert found is not None
    assert found.value is not None
    return found.value


# -- unit tests ---------------------------------------------------------------------------


def test_turnover_is_derived_from_both_directions_with_its_derivation() -> None:
    facts = both_ways(Decimal(36_000_000), Decimal(133_000_000), Qualifier.AT_MOST,
                      Qualifier.AT_LEAST)  # fmt: skip
    ledger = PairLedger(AZ, KZ, facts)
    turnover = ledger.level(None, TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    assert turnover is not None
    assert turnover.id is None
    assert turnover.value == Decimal(169_000_000)
    assert turnover.qualifier is Qualifier.APPROXIMATELY  # one bound up, one down
    assert turnover.derivation is not None
    assert turnover.derivation.inputs == (1, 2)
    assert turnover.derivation.formula == "36000000 + 133000000"
    assert turnover.sources == (2, 3)
    assert (turnover.reporter, turnover.partner, turnover.flow) == (AZ, KZ, Flow.TURNOVER)


def test_a_reported_turnover_wins_over_the_sum() -> None:
    facts = [
        *both_ways(Decimal(1), Decimal(2), Qualifier.EXACT, Qualifier.EXACT),
        fact(3, AZ, KZ, Flow.TURNOVER, Decimal(5)),
    ]
    found = PairLedger(AZ, KZ, facts).level(None, TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    assert found is not None
    assert found.id == 3


def test_mirror_figures_prefer_the_viewpoint_countrys_own_report() -> None:
    facts = [
        fact(1, AZ, KZ, Flow.EXPORT, Decimal(100)),  # AZ: exports to KZ
        fact(2, KZ, AZ, Flow.IMPORT, Decimal(104)),  # KZ: imports from AZ, the same flow
    ]
    seen_from_az = PairLedger(AZ, KZ, facts).level((AZ, KZ), TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    seen_from_kz = PairLedger(KZ, AZ, facts).level((AZ, KZ), TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    assert seen_from_az is not None
    assert seen_from_az.id == 1
    assert seen_from_kz is not None
    assert seen_from_kz.id == 2


def test_an_earlier_level_is_derived_from_a_growth_rate_and_rounded_toward_its_bound() -> None:
    facts = [
        fact(1, AZ, KZ, Flow.EXPORT, Decimal(36_000_000), qualifier=Qualifier.AT_MOST),
        fact(2, AZ, KZ, Flow.EXPORT, Decimal("65.1"), measure=Measure.GROWTH, base=JAN_SEP_2017),
    ]
    ledger = PairLedger(AZ, KZ, facts)
    earlier = ledger.level((AZ, KZ), TOTAL_COMMODITY, VALUE, JAN_SEP_2017)
    assert earlier is not None
    assert earlier.derivation is not None
    # 36,000,000 / 1.651 = 21,804,966.69...; an upper bound is rounded up, never down.
    assert earlier.value == Decimal(21_804_967)
    assert earlier.qualifier is Qualifier.AT_MOST
    assert earlier.derivation.inputs == (1, 2)
    point = service.flow_point(ledger, Flow.EXPORT, JAN_SEP_2018)
    assert point is not None
    assert point.growth.reported is not None
    assert point.growth.reported.id == 2
    assert point.growth.derived is None  # it would only echo the reported rate back


def test_balance_series_and_plans_are_plain_results() -> None:
    facts = [
        *both_ways(Decimal(10), Decimal(4), Qualifier.EXACT, Qualifier.EXACT),
        fact(
            3,
            AZ,
            KZ,
            Flow.TURNOVER,
            Decimal(2),
            measure=Measure.MULTIPLIER,
            period=Period(date(2020, 1, 1), date(2020, 12, 31)),
            status=Status.TARGET,
            base=JAN_SEP_2018,
        ),
    ]
    ledger = PairLedger(AZ, KZ, facts)
    [point] = service.balance_series(ledger)
    assert (point.value.value, point.value.flow) == (Decimal(6), Flow.BALANCE)
    [plan] = service.plans(ledger)
    assert plan.figure.id == 3
    assert plan.baseline.value is not None
    assert plan.baseline.value.value == Decimal(14)
    assert plan.implied_level is not None
    assert plan.implied_level.value == Decimal(28)
    assert plan.implied_level.status is Status.TARGET


# -- laws -----------------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10**12).map(Decimal)
hedges = st.sampled_from(HEDGES)
slack = st.integers(min_value=0, max_value=10**6).map(Decimal)


def truth(stated: Decimal, qualifier: Qualifier, extra: Decimal) -> Decimal:
    """A true value the stated figure is honest about."""
    if qualifier is Qualifier.AT_LEAST:
        return stated + extra
    if qualifier is Qualifier.AT_MOST:
        return max(stated - extra, Decimal(0))
    # Strict: never the stated value itself.
    if qualifier is Qualifier.MORE_THAN:
        return stated + extra + Decimal("0.5")
    if qualifier is Qualifier.LESS_THAN:
        return max(stated - extra - Decimal("0.5"), Decimal(0))
    return stated


def holds(derived: Fact, true: Decimal) -> bool:
    """Whether the derived figure's qualifier is honest about the true value."""
    assert derived.value is not None
    if derived.qualifier is Qualifier.AT_LEAST:
        return true >= derived.value
    if derived.qualifier is Qualifier.AT_MOST:
        return true <= derived.value
    if derived.qualifier is Qualifier.MORE_THAN:
        return true > derived.value
    if derived.qualifier is Qualifier.LESS_THAN:
        return true < derived.value
    if derived.qualifier is Qualifier.EXACT:
        return abs(true - derived.value) <= QUANTUM[derived.unit] / 2
    return derived.qualifier is Qualifier.APPROXIMATELY


@given(amounts, amounts, hedges, hedges)
def test_turnover_is_symmetric_in_the_pair(
    exports: Decimal, imports: Decimal, q1: Qualifier, q2: Qualifier
) -> None:
    facts = both_ways(exports, imports, q1, q2)
    one = PairLedger(AZ, KZ, facts).level(None, TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    other = PairLedger(KZ, AZ, facts).level(None, TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    assert one is not None
    assert other is not None
    assert (one.value, one.qualifier) == (other.value, other.qualifier)
    assert set(one.inputs) == set(other.inputs) == {1, 2}


@given(amounts, amounts, hedges, hedges, st.booleans())
def test_as_exports_are_bs_imports(
    exports: Decimal, imports: Decimal, q1: Qualifier, q2: Qualifier, az_reports: bool
) -> None:
    # The same goods, whichever side reports them and whichever way the flow is named.
    facts = both_ways(exports, imports, q1, q2)
    if not az_reports:
        facts[0] = fact(1, KZ, AZ, Flow.IMPORT, exports, qualifier=q1)
    az, kz = PairLedger(AZ, KZ, facts), PairLedger(KZ, AZ, facts)
    a_exports = az.level(az.direction_for(Flow.EXPORT), TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    b_imports = kz.level(kz.direction_for(Flow.IMPORT), TOTAL_COMMODITY, VALUE, JAN_SEP_2018)
    assert a_exports is b_imports is not None


@given(amounts, amounts, hedges, hedges)
def test_balance_is_antisymmetric(
    exports: Decimal, imports: Decimal, q1: Qualifier, q2: Qualifier
) -> None:
    facts = both_ways(exports, imports, q1, q2)
    one = service.balance_point(PairLedger(AZ, KZ, facts), JAN_SEP_2018)
    other = service.balance_point(PairLedger(KZ, AZ, facts), JAN_SEP_2018)
    assert one is not None
    assert other is not None
    assert one.value.value == -value_of(other.value)
    flipped = {
        Qualifier.AT_LEAST: Qualifier.AT_MOST,
        Qualifier.AT_MOST: Qualifier.AT_LEAST,
        Qualifier.MORE_THAN: Qualifier.LESS_THAN,
        Qualifier.LESS_THAN: Qualifier.MORE_THAN,
    }
    assert one.value.qualifier is flipped.get(other.value.qualifier, other.value.qualifier)


@given(amounts, hedges, st.decimals(min_value=-99, max_value=1000, places=1))
def test_a_derived_level_times_its_growth_gives_back_the_reported_level(
    later: Decimal, qualifier: Qualifier, growth: Decimal
) -> None:
    earlier = earlier_exports(later, qualifier, growth)
    assert earlier is not None
    factor = 1 + growth / 100
    # The only difference is the rounding of the derived level to whole dollars.
    assert abs(value_of(earlier) * factor - later) <= factor * QUANTUM[Unit.USD]
    assert earlier.qualifier is qualifier


@given(amounts, amounts, hedges, hedges, slack, slack, st.sampled_from([1, -1]))
def test_qualifiers_of_sums_and_differences_are_honest(
    first: Decimal,
    second: Decimal,
    q1: Qualifier,
    q2: Qualifier,
    extra1: Decimal,
    extra2: Decimal,
    sign: int,
) -> None:
    ledger = PairLedger(AZ, KZ, [])
    one = fact(1, AZ, KZ, Flow.EXPORT, first, qualifier=q1)
    two = fact(2, KZ, AZ, Flow.EXPORT, second, qualifier=q2)
    derived = ledger.combine(None, one, two, sign=sign, method="test")
    assert derived is not None
    true = truth(first, q1, extra1) + sign * truth(second, q2, extra2)
    assert holds(derived, true), (derived.value, derived.qualifier, true)


@given(amounts, hedges, slack, st.decimals(min_value=-99, max_value=1000, places=1))
def test_qualifiers_of_derived_earlier_levels_are_honest(
    later: Decimal, qualifier: Qualifier, extra: Decimal, growth: Decimal
) -> None:
    earlier = earlier_exports(later, qualifier, growth)
    assert earlier is not None
    true = truth(later, qualifier, extra) / (1 + growth / 100)
    assert holds(earlier, true), (earlier.value, earlier.qualifier, true)


@pytest.mark.parametrize(
    ("exports", "imports", "balance"),
    [
        (Qualifier.AT_MOST, Qualifier.AT_LEAST, Qualifier.AT_MOST),
        # "almost 36" minus "more than 133": strictly below -97.
        (Qualifier.LESS_THAN, Qualifier.MORE_THAN, Qualifier.LESS_THAN),
        (Qualifier.AT_MOST, Qualifier.MORE_THAN, Qualifier.LESS_THAN),
        (Qualifier.LESS_THAN, Qualifier.AT_MOST, Qualifier.APPROXIMATELY),
    ],
)
def test_bounds_of_a_difference(exports: Qualifier, imports: Qualifier, balance: Qualifier) -> None:
    ledger = PairLedger(AZ, KZ, [])
    one = fact(1, AZ, KZ, Flow.EXPORT, Decimal(36), qualifier=exports)
    two = fact(2, KZ, AZ, Flow.EXPORT, Decimal(133), qualifier=imports)
    derived = ledger.combine(None, one, two, sign=-1, method="exports minus imports")
    assert derived is not None
    assert (derived.value, derived.qualifier) == (Decimal(-97), balance)
