"""A pair's answers rendered: the trade service's plain results (`results`) as the API's
shapes (`schemas`), with every fact's references loaded once per answer."""

from sqlalchemy.orm import Session

from app.commodities import service as commodities
from app.commodities.schemas import CommodityItem
from app.commodities.service import Commodity
from app.countries.service import Country
from app.observations.facts import Fact
from app.observations.presenters import FigureRenderer
from app.observations.service import PairScope
from app.shared.schemas import Figure, PeriodOut
from app.trade import results, service
from app.trade.schemas import (
    BalancePoint,
    Baseline,
    CommodityLine,
    Comparison,
    EarlierLevels,
    FlowPoint,
    GrowthPair,
    MirrorLine,
    Plan,
    Progress,
    TurnoverComponents,
    TurnoverPoint,
    YearEarlier,
)


class PairView:
    """One answer's ledger and the renderer of its facts, references loaded once."""

    def __init__(
        self,
        session: Session,
        pair: tuple[Country, Country],
        scope: PairScope,
        prefer: str | None = None,
    ) -> None:
        self.session = session
        self.ledger = service.open_ledger(
            session, pair[0].alpha3, pair[1].alpha3, scope, prefer=prefer
        )
        self.render = FigureRenderer(session)
        self.render.load(self.ledger.facts)
        self.pair = (self.render.country(self.ledger.a), self.render.country(self.ledger.b))

    def figure(self, fact: Fact | None) -> Figure | None:
        return self.render.maybe(fact)

    def point(self, point: results.FlowResult) -> FlowPoint:
        return FlowPoint(
            period=PeriodOut.of(point.period),
            value=self.figure(point.value),
            year_earlier=YearEarlier(
                period=PeriodOut.of(point.earlier_period), value=self.figure(point.earlier_value)
            ),
            growth=GrowthPair(
                reported=self.figure(point.growth.reported),
                derived=self.figure(point.growth.derived),
            ),
        )

    def turnover(self, point: results.FlowResult) -> TurnoverPoint:
        components = point.components or results.Components(exports=None, imports=None)
        return TurnoverPoint(
            **dict(self.point(point)),
            components=TurnoverComponents(
                exports=self.figure(components.exports), imports=self.figure(components.imports)
            ),
        )

    def balance(self, point: results.BalanceResult) -> BalancePoint:
        return BalancePoint(
            period=PeriodOut.of(point.period),
            value=self.render.figure(point.value),
            exports=self.render.figure(point.exports),
            imports=self.render.figure(point.imports),
        )

    def lines(self, lines: list[results.CommodityLineResult]) -> list[CommodityLine]:
        known = commodities.by_code(self.session, {line.commodity for line in lines})
        return [self._line(line, known[line.commodity]) for line in lines]

    def _line(self, line: results.CommodityLineResult, commodity: Commodity) -> CommodityLine:
        earlier = None
        if line.earlier is not None:
            earlier = EarlierLevels(
                period=PeriodOut.of(line.earlier.period),
                value=self.figure(line.earlier.value),
                quantity=self.figure(line.earlier.quantity),
            )
        return CommodityLine(
            commodity=CommodityItem.of(commodity),
            flow=line.flow.value,
            period=PeriodOut.of(line.period),
            value=self.figure(line.value),
            quantity=self.figure(line.quantity),
            growth=self.figure(line.growth),
            multiplier=self.figure(line.multiplier),
            earlier=earlier,
            contains=list(line.contains),
            within=list(line.within),
            comparison=self._comparison(line.comparison),
        )

    def _comparison(self, comparison: results.ComparisonResult | None) -> Comparison | None:
        if comparison is None:
            return None
        return Comparison(
            compared_with=self.render.figure(comparison.compared_with),
            ratio=self.figure(comparison.ratio),
            growth=self.figure(comparison.growth),
            basis=comparison.basis.value,
        )

    def mirror_lines(self, lines: list[results.MirrorLineResult]) -> list[MirrorLine]:
        known = commodities.by_code(self.session, {line.commodity for line in lines})
        return [
            MirrorLine(
                exporter=self.render.country(line.exporter),
                importer=self.render.country(line.importer),
                commodity=CommodityItem.of(known[line.commodity]),
                period=PeriodOut.of(line.period),
                measure=line.measure.value,
                exporter_reports=self.figure(line.exporter_reports),
                importer_reports=self.figure(line.importer_reports),
                gap=self.figure(line.gap),
                gap_percent=self.figure(line.gap_percent),
            )
            for line in lines
        ]

    def plan(self, plan: results.PlanResult) -> Plan:
        baseline = plan.baseline
        return Plan(
            figure=self.render.figure(plan.figure),
            baseline=Baseline(
                period=PeriodOut.of(baseline.period) if baseline.period is not None else None,
                value=self.figure(baseline.value),
                explanation=baseline.explanation,
            ),
            implied_level=self.figure(plan.implied_level),
            progress=Progress(
                latest=[self.render.figure(fact) for fact in plan.latest],
                assessment=plan.assessment,
            ),
        )
