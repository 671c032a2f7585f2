"""What a pair read asks (`Question`), parsed on the event loop before its thread runs,
and the 404 of a question the data cannot answer: the periods that would, and the forecasts
and targets that cover the period asked, with the URLs to follow."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.deps import in_read_session
from app.core.errors import NotFoundError
from app.countries import service as countries
from app.countries.service import Country
from app.http.params import AsOfDep, CountryPath, FreqQuery, PeriodDep, freq_filter
from app.http.representation import Format, FormatQuery, negotiate
from app.observations.facts import Fact
from app.observations.service import PairScope
from app.shared.patterns import COUNTRY_PATTERN
from app.shared.periods import Period
from app.trade import service
from app.trade.ledger import PairLedger
from app.trade.presenters import PairView


def _periods_problem(
    ledger: PairLedger,
    what: str,
    period: Period,
    available: Sequence[Period],
    plans: Sequence[Fact] = (),
    *,
    as_range: bool = False,
) -> NotFoundError:
    """A 404 that lists the periods with data, and the forecasts and targets that cover
    the asked period (a year-end forecast answers a question the data cannot yet)."""
    labels = [item.label for item in available]
    listing = ", ".join(labels) if labels else "none"
    covering = [plan for plan in plans if plan.period.overlaps(period)]
    detail = f"No {what} for {ledger.a}-{ledger.b} in {period.label}. Periods with data: {listing}."
    whole_years = period.months > 12 and period.start.month == 1 and period.end.month == 12
    if whole_years and not as_range:
        detail += (
            f" {period.label} is one period of {period.months // 12} years; for each year "
            "inside it, add freq=A."
        )
    if covering:
        named = "; ".join(
            f"{plan.status} for {plan.period.label} (figure {plan.id})" for plan in covering
        )
        detail += f" Covering this period: {named}; see /v1/trade/{ledger.a}/{ledger.b}/targets."
    extra: dict[str, object] = {"available_periods": labels}
    if covering:
        extra["plans"] = [
            {
                "id": plan.id,
                "status": plan.status,
                "period": plan.period.label,
                "measure": plan.measure,
                "href": f"/v1/observations/{plan.id}",
            }
            for plan in covering
        ]
    return NotFoundError(detail, extra=extra)


ReporterQuery = Annotated[
    str | None,
    Query(
        pattern=COUNTRY_PATTERN,
        description="Where both countries report a flow, whose figures to use: a or b "
        "(default a, the first country of the path); any ISO 3166-1 code form. Another "
        "country is a 404: it reports no figures of the pair's own.",
        examples=["KZ"],
    ),
]


def resolve_pair(session: Session, a: str, b: str) -> tuple[Country, Country]:
    first = countries.resolve(session, a, parameter="path.a")
    second = countries.resolve(session, b, parameter="path.b")
    if first.alpha3 == second.alpha3:
        # Well-formed codes, but no such resource: a country does not trade with itself.
        raise NotFoundError(
            f"No pair {a}-{b}: both codes name {first.name}, and a pair needs two countries."
        )
    return first, second


@dataclass(frozen=True)
class Question:
    """What a pair read asks, as parsed on the event loop before its thread runs."""

    request: Request
    a: str
    b: str
    period: Period | None
    as_of: datetime | None
    output: Format
    reporter: str | None = None  # whose figures to prefer where both sides report a flow
    freq: str | None = None  # the span a series keeps (Period.span), upper case

    @property
    def range(self) -> Period | None:
        """A period of another span than freq=: the range a series keeps to."""
        if self.period is not None and self.freq is not None and not self.period.in_span(self.freq):
            return self.period
        return None

    @property
    def one_period(self) -> Period | None:
        """The one period asked for, when the answer is that period's point."""
        return self.period if self.range is None else None

    def scope(self, *, total_only: bool | None, one_point: bool = False) -> PairScope:
        return service.scope_for(
            self.as_of, total_only=total_only, period=self.period, one_point=one_point
        )

    def view(
        self,
        session: Session,
        pair: tuple[Country, Country],
        *,
        total_only: bool | None,
        one_point: bool = False,
    ) -> PairView:
        """`one_point`: the answer is one period's point (`service.scope_for`)."""
        scope = self.scope(total_only=total_only, one_point=one_point)
        return PairView(session, pair, scope, _preferred(session, self, pair))


def _preferred(session: Session, question: Question, pair: tuple[Country, Country]) -> str | None:
    if question.reporter is None:
        return None
    code = countries.resolve(session, question.reporter, parameter="query.reporter").alpha3
    codes = (pair[0].alpha3, pair[1].alpha3)
    if code not in codes:
        # Not a malformed request: that country's figures of this pair do not exist here.
        raise NotFoundError(
            f"No figures of {codes[0]}-{codes[1]} reported by {code}: a pair's answers rest "
            f"on its two countries' own statistics, so reporter= names one of them, "
            f"{codes[0]} or {codes[1]}. Every reporter's figures: "
            f"/v1/observations?reporter={codes[0]},{codes[1]}&partner={codes[0]},{codes[1]}.",
            extra={"pair": list(codes)},
        )
    return code


class _Dated(Protocol):
    @property
    def period(self) -> Period: ...


Point = TypeVar("Point", bound=_Dated)


def of_span(
    points: list[Point], freq: str | None, within: Period | None = None
) -> tuple[list[Point], list[str]]:
    """The points whose period has the span asked for (all without freq=), inside the
    range `within` if given, and every span the points have, in order of first appearance."""
    spans = list(dict.fromkeys(point.period.span for point in points))
    kept = [
        point
        for point in points
        if (freq is None or point.period.in_span(freq))
        and (within is None or within.contains(point.period))
    ]
    return kept, spans


async def series_question(
    request: Request,
    a: CountryPath,
    b: CountryPath,
    period: PeriodDep = None,
    freq: FreqQuery = None,
    as_of: AsOfDep = None,
    reporter: ReporterQuery = None,
    format: FormatQuery = None,
) -> Question:
    """The parameters every series endpoint takes (turnover, exports, imports, balance)."""
    return Question(
        request,
        a,
        b,
        period,
        as_of,
        negotiate(request, format),
        reporter=reporter,
        freq=freq_filter(freq, period),
    )


SeriesQuestion = Annotated[Question, Depends(series_question)]


def some_inside(
    question: Question,
    points: Sequence[_Dated],
    ledger: PairLedger,
    what: str,
    answered: Callable[[PairLedger], list[Period]],
    session: Session,
    pair: tuple[Country, Country],
) -> None:
    """A range with no point of its span inside: a 404 that lists the periods of that
    span that would answer (`answered` by the pair's whole ledger)."""
    if question.range is None or points:
        return
    full = _unwindowed(session, pair, question.as_of, total_only=True)
    known = [p for p in answered(full) if question.freq is not None and p.in_span(question.freq)]
    raise _periods_problem(
        ledger, f"{what} of span {question.freq}", question.range, known, as_range=True
    )


async def read_pair(
    question: Question, work: Callable[[Question, Session], Response], *, one_point: bool = False
) -> Response:
    """`work` on the question, in a read session (`in_read_session`). `one_point`: the work
    answers one period's point from a one-point scope (`service.scope_for`) when the
    question asks for one period, a short read: that period's levels, the year before's
    and the rates between."""
    short = one_point and question.one_period is not None
    return await in_read_session(
        question.request, lambda session: work(question, session), short=short
    )


def _unwindowed(
    session: Session,
    pair: tuple[Country, Country],
    as_of: datetime | None,
    *,
    total_only: bool | None,
) -> PairLedger:
    """Every period's figures: for listing the periods that have data, on a 404."""
    scope = service.scope_for(as_of, total_only=total_only, period=None)
    return service.open_ledger(session, pair[0].alpha3, pair[1].alpha3, scope)


def no_data(
    question: Question,
    session: Session,
    pair: tuple[Country, Country],
    what: str,
    answering: Callable[[PairLedger], Iterable[Period]],
    *,
    total_only: bool | None,
) -> NotFoundError:
    """The 404 of a period that answers nothing: it lists the periods that would answer
    (`answering`, asked of every period's figures) and the plans that cover the period."""
    assert question.period is not None
    full = _unwindowed(session, pair, question.as_of, total_only=total_only)
    known = sorted(set(answering(full)), key=lambda period: (period.start, period.end))
    return _periods_problem(full, what, question.period, known, full.plans)
