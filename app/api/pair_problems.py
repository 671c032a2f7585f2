"""The 404 of a pair question that the data cannot answer: the periods that would, and
the forecasts and targets that cover the period asked (a year-end forecast answers a
question the data cannot yet), with the URLs to follow."""

from collections.abc import Sequence

from app.core.errors import NotFoundError
from app.observations.facts import Fact
from app.shared.periods import Period
from app.trade.ledger import PairLedger


def no_data(
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
