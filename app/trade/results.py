"""What the trade service answers, as plain values; the HTTP layer renders them."""

from dataclasses import dataclass

from app.observations.facts import Basis, Fact
from app.shared.periods import Period
from app.shared.vocabulary import Flow, Measure


@dataclass(frozen=True, slots=True)
class Growth:
    reported: Fact | None  # as the source gives it
    derived: Fact | None  # from this period's and the year-earlier levels


@dataclass(frozen=True, slots=True)
class Components:
    exports: Fact | None
    imports: Fact | None


@dataclass(frozen=True, slots=True)
class FlowResult:
    period: Period
    value: Fact | None
    earlier_period: Period
    earlier_value: Fact | None
    growth: Growth
    components: Components | None = None  # turnover only


@dataclass(frozen=True, slots=True)
class BalanceResult:
    period: Period
    value: Fact
    exports: Fact
    imports: Fact


@dataclass(frozen=True, slots=True)
class EarlierLevelsResult:
    period: Period
    value: Fact | None
    quantity: Fact | None


@dataclass(frozen=True, slots=True)
class ComparisonResult:
    """A level set against the earlier level its source compares it with."""

    compared_with: Fact
    ratio: Fact | None
    growth: Fact | None
    basis: Basis


@dataclass(frozen=True, slots=True)
class CommodityLineResult:
    commodity: str
    flow: Flow
    period: Period
    value: Fact | None
    quantity: Fact | None
    growth: Fact | None
    multiplier: Fact | None
    earlier: EarlierLevelsResult | None
    # Codes of the pair's other lines of the same direction and period that this line's
    # code includes (rice, 1006, within cereals, 10), or that include it.
    contains: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    comparison: ComparisonResult | None = None


@dataclass(frozen=True, slots=True)
class BaselineResult:
    period: Period | None
    value: Fact | None
    explanation: str


@dataclass(frozen=True, slots=True)
class PlanResult:
    figure: Fact
    baseline: BaselineResult
    implied_level: Fact | None
    latest: list[Fact]
    assessment: str


@dataclass(frozen=True, slots=True)
class MirrorLineResult:
    """One flow as each side reported it: the exporter's exports against the importer's
    imports of the same goods and period."""

    exporter: str
    importer: str
    commodity: str
    period: Period
    measure: Measure
    exporter_reports: Fact | None
    importer_reports: Fact | None
    gap: Fact | None  # importer's figure minus exporter's
    gap_percent: Fact | None  # the gap as a percent of the exporter's figure
