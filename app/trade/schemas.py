from pydantic import Field

from app.commodities.schemas import CommodityItem
from app.shared.schemas import Amount, ApiModel, CountryRef, Figure, PeriodOut

FIGURE_OR_NULL = "A figure, or null where neither the store nor arithmetic gives one"


class GrowthPair(ApiModel):
    reported: Figure | None = Field(description="Growth on a year earlier as the source gives it")
    derived: Figure | None = Field(
        description="Growth computed from this period's and the year-earlier levels; null "
        "where the earlier level itself comes from the reported rate"
    )


class YearEarlier(ApiModel):
    period: PeriodOut
    value: Figure | None = Field(description=FIGURE_OR_NULL)


class TurnoverComponents(ApiModel):
    exports: Figure | None = Field(description="a's exports to b")
    imports: Figure | None = Field(description="a's imports from b (= b's exports to a)")


class TurnoverPoint(ApiModel):
    period: PeriodOut
    value: Figure | None = Field(description="Turnover: reported, or derived as exports + imports")
    year_earlier: YearEarlier
    growth: GrowthPair
    components: TurnoverComponents


class FlowPoint(ApiModel):
    period: PeriodOut
    value: Figure | None = Field(description=FIGURE_OR_NULL)
    year_earlier: YearEarlier
    growth: GrowthPair


class BalancePoint(ApiModel):
    period: PeriodOut
    value: Figure = Field(description="a's exports minus a's imports (derived)")
    exports: Figure
    imports: Figure


class Pair(ApiModel):
    pair: tuple[CountryRef, CountryRef] = Field(description="a and b, as asked")


SPANS_DESCRIPTION = (
    "The spans of the periods with data (A, S, Q, M, 01/09, ...), whatever freq= kept: "
    "ask for one with freq= to chart like with like"
)


class Series(Pair):
    spans: list[str] = Field(description=SPANS_DESCRIPTION, examples=[["01/09", "A"]])


class TurnoverSeries(Series):
    series: list[TurnoverPoint] = Field(description="One point per period, oldest first")


class TurnoverAnswer(Pair, TurnoverPoint):
    pass


class FlowSeries(Series):
    flow: str = Field(examples=["export"])
    series: list[FlowPoint]


class FlowAnswer(Pair, FlowPoint):
    flow: str = Field(examples=["export"])


class BalanceSeries(Series):
    series: list[BalancePoint]


class EarlierLevels(ApiModel):
    period: PeriodOut
    value: Figure | None
    quantity: Figure | None


class Comparison(ApiModel):
    compared_with: Figure = Field(
        description="The earlier level the source sets this line's figure against"
    )
    ratio: Figure | None = Field(
        description="This line's figure divided by the earlier one (derived multiplier)"
    )
    growth: Figure | None = Field(description="The same comparison as percent growth (derived)")
    basis: str = Field(
        description="like_for_like when the earlier period is the same months a whole number "
        "of years before; not_like_for_like otherwise (January-September against a whole "
        "year): the ratio then says what the source says, not how the flow grew",
        examples=["not_like_for_like"],
    )


class CommodityLine(ApiModel):
    commodity: CommodityItem
    flow: str = Field(description="export (a -> b) or import (b -> a)", examples=["import"])
    period: PeriodOut
    value: Figure | None = Field(description="Trade value, if known")
    quantity: Figure | None = Field(description="Quantity, if known")
    growth: Figure | None
    multiplier: Figure | None
    earlier: EarlierLevels | None = Field(
        description="Levels of the period a growth rate or multiplier compares against"
    )
    contains: list[str] = Field(
        description="Codes of other lines (same direction and period) below this code in "
        "the HS tree: this line's figures may include theirs, so never add them up",
        examples=[["1006"]],
    )
    within: list[str] = Field(
        description="Codes of other lines (same direction and period) above this code: "
        "their figures may include this line's",
        examples=[["10"]],
    )
    comparison: Comparison | None = Field(
        default=None,
        description="The comparison the source makes for this line's value or quantity, "
        "where it names an earlier period to compare with (its base_period)",
    )


class CommodityLines(Pair):
    lines: list[CommodityLine] = Field(
        description="One line per commodity, direction and period; lines are never summed. "
        "A code's figures may include those of its sub-codes (cereals, 10, include rice, "
        "1006): `contains` and `within` name the lines that overlap"
    )


class Baseline(ApiModel):
    period: PeriodOut | None
    value: Figure | None
    explanation: str


class Progress(ApiModel):
    latest: list[Figure] = Field(description="The latest actual figures of the same flow")
    assessment: str


class Plan(ApiModel):
    figure: Figure = Field(description="The target or forecast as the source states it")
    baseline: Baseline
    implied_level: Figure | None = Field(
        description="The level the target or forecast means, where a baseline level is known"
    )
    progress: Progress


class Plans(Pair):
    plans: list[Plan]


class MirrorLine(ApiModel):
    exporter: CountryRef
    importer: CountryRef
    commodity: CommodityItem
    period: PeriodOut
    measure: str = Field(description="trade_value or quantity", examples=["trade_value"])
    exporter_reports: Figure | None = Field(
        description="The flow as the exporter reported it (its exports), if it did"
    )
    importer_reports: Figure | None = Field(
        description="The same flow as the importer reported it (its imports), if it did"
    )
    gap: Figure | None = Field(
        description="Importer's figure minus exporter's, where both reported. Imports are "
        "usually valued CIF (with freight and insurance) and exports FOB, and goods in "
        "transit, re-exports and confidential lines differ by side; no reason is stored "
        "unless a source gives one."
    )
    gap_percent: Figure | None = Field(description="The gap as a percent of the exporter's figure")


class MirrorStatistics(Pair):
    lines: list[MirrorLine] = Field(
        description="One line per direction, commodity, period and measure that either side "
        "reported; a's exports to b first"
    )


class PartnerShare(ApiModel):
    percent: Amount = Field(
        description="The partner's value over the world's, x 100, rounded to 0.01 (toward "
        "the safe side where the figures are bounds)",
        examples=[12.34],
    )
    qualifier: str = Field(description="As the two figures allow: exact, a bound, or approximately")
    of: str = Field(
        description="world_reported: the reporter's own figure with World; sum_of_partners: "
        "where it reports none, the sum of the partners it reports"
    )
    rests_on: list[int] = Field(description="The figures it is computed from")


class PartnerLine(ApiModel):
    rank: int = Field(examples=[1])
    partner: CountryRef
    kind: str = Field(description="country, nes (not elsewhere specified) or special")
    value: Figure
    share: PartnerShare | None = Field(description="Null where the figures give no share")


class WorldTotal(ApiModel):
    basis: str = Field(
        description="reported (the reporter's own figure with World), sum_of_partners (no "
        "such figure: the partners' sum, without what the reporter did not allocate to a "
        "partner), or none"
    )
    value: Amount | None = Field(examples=[57000000000])
    qualifier: str | None = None
    figure: Figure | None = Field(description="The reported World figure, where there is one")
    rests_on: list[int] = Field(description="The figures the world's value rests on")


class PartnersSumOut(ApiModel):
    """Derived: the ranked partners' values added up (World, groups such as the EU, and
    other reporters' figures never are)."""

    value: Amount = Field(examples=[6320.5])
    qualifier: str
    partner_count: int
    rests_on: list[int] = Field(description="The partners' figures it adds up")
    unallocated: Amount | None = Field(
        description="The reported World figure minus this sum: trade the reporter did not "
        "allocate to a partner it lists (null without a World figure). Negative where its "
        "partners add up to more than its World figure"
    )
    unallocated_qualifier: str | None = None


class PartnersAnswer(ApiModel):
    reporter: CountryRef = Field(description="Whose statistics these are: only its figures")
    flow: str = Field(examples=["export"])
    commodity: CommodityItem
    period: PeriodOut
    source: int | None = Field(
        description="The source every figure of the ranking comes from: the one asked, else "
        "the one of the World figure, else the one with the most partners"
    )
    other_sources: list[int] = Field(
        description="Other sources with figures of the same question, left out: another "
        "dataset's figures are never ranked or summed with these (ask with source=)"
    )
    world: WorldTotal = Field(description="What the shares are of")
    sum_of_partners: PartnersSumOut | None = Field(
        description="The partners' sum beside the world, with what it leaves unallocated; "
        "null when no partner is ranked"
    )
    partner_count: int = Field(description="Partners ranked, before `limit`")
    partners: list[PartnerLine]
    groups: list[Figure] = Field(
        description="Figures with groups of countries (the EU): they overlap the partners "
        "ranked, so they are neither ranked nor summed"
    )
