"""A pair's turnover, flows and balance, derived when their inputs land and stored as
the API renders them (`models.PairPointRow`), so that an uncached read of a series or of
one of its periods is one indexed lookup and no Python per figure.

- Every write of total figures marks the pairs it touched stale, in its own transaction
  (`staleness`, through `app.observations.changes`): a cheap upsert, so a Comtrade
  file of 150 partners imports in 3 s, not the 25 s that deriving them there took.
- A read of a stale pair is answered by the ledger, as before, and asks for the pair to
  be derived (`background.Derivations`): `derive` runs the same ledger and presenters
  the live read uses, in both orders, so the stored bytes are the bytes that read
  renders, and removes the mark unless a write marked it again meanwhile.
- Read by `answer`: the answer as now known, from a's side by default. Questions of
  another kind (`as_of`, `reporter=`, a range with freq=, CSV) are not asked of it;
  where it has no point for the period asked, it answers None and the ledger answers
  (with the 404 that lists the periods that would answer).

Only totals are stored: a point rests on a pair's total figures alone, so a write of
commodity lines (a BACI year) marks nothing. The store holds at most eight rows per
period of a pair with totals (four answers, two orders), each point compressed (zlib,
level 1: 4.2 times smaller, 11 µs to decompress a point of 3 KB).
"""

import zlib
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy.orm import Session

from app.countries import service as countries
from app.countries.service import Country
from app.observations import changes
from app.shared.periods import Period
from app.shared.rendering import to_json
from app.shared.vocabulary import Flow
from app.trade import repository, service, staleness
from app.trade.presenters import PairView

staleness.listen()

# The stored operations, by their route's name.
OPERATIONS = {"turnover": 0, "exports": 1, "imports": 2, "balance": 3}
_FLOWS = {"exports": Flow.EXPORT, "imports": Flow.IMPORT}


def _points(view: PairView) -> Iterable[tuple[int, Period, bytes]]:
    """Every point of the pair's four series, in series order, rendered."""
    ledger = view.ledger
    turnover = OPERATIONS["turnover"]
    for period in service.turnover_periods(ledger):
        point = service.turnover_point(ledger, period)
        if point is not None:
            yield turnover, point.period, to_json(view.turnover(point))
    for name, flow in _FLOWS.items():
        for period in service.flow_periods(ledger, flow):
            found = service.flow_point(ledger, flow, period)
            if found is not None:
                yield OPERATIONS[name], found.period, to_json(view.point(found))
    for balance in service.balance_series(ledger):
        yield OPERATIONS["balance"], balance.period, to_json(view.balance(balance))


def _rows(session: Session, a: Country, b: Country) -> list[dict[str, Any]]:
    scope = service.scope_for(None, total_only=True, period=None)
    view = PairView(session, (a, b), scope)
    positions: dict[int, int] = {}
    rows = []
    for operation, period, body in _points(view):
        position = positions[operation] = positions.get(operation, -1) + 1
        rows.append(
            {
                "a": a.m49,
                "b": b.m49,
                "operation": operation,
                "position": position,
                "start_date": period.start,
                "end_date": period.end,
                "body": zlib.compress(body, 1),
            }
        )
    return rows


def derive(session: Session, pair: changes.Pair) -> bool:
    """Derive a marked pair's points again, in both orders, from the figures `session`
    sees, and remove its mark; False when it was not marked (another derivation did it)."""
    pair = (min(pair), max(pair))
    if not repository.hold_mark(session, pair):
        return False
    known = countries.by_m49(session, set(pair))
    rows: list[dict[str, Any]] = []
    if len(known) == 2:
        first, second = known[pair[0]], known[pair[1]]
        rows = _rows(session, first, second) + _rows(session, second, first)
    repository.replace(session, pair, rows)
    return True


def derive_stale(session: Session, limit: int = 1_000) -> int:
    """Derive up to `limit` marked pairs now (what reads would otherwise ask for one by
    one); the number derived."""
    pairs = repository.stale_pairs(session, limit)
    return sum(derive(session, pair) for pair in pairs)


# Raise when a build derives or renders the points otherwise: the next `tradestats
# migrate` marks every pair's points stale.
DERIVATION_VERSION = 1
_DERIVATION = "pair_points"


def bring_up_to_date(session: Session) -> int | None:
    """Unless the stored points are of this build's derivation, mark every pair with
    totals stale (`migrations/env.py` calls it once the store is at head): reads derive
    them as they come. The number of pairs marked; None if the points were current."""
    if repository.derivation_version(session, _DERIVATION) == DERIVATION_VERSION:
        return None
    pairs = repository.pairs_with_totals(session)
    repository.mark_stale(session, pairs)
    repository.set_derivation_version(session, _DERIVATION, DERIVATION_VERSION)
    return len(pairs)


class StalePointsError(Exception):
    """The pair's points are marked stale: the ledger answers, and the pair is derived."""


def lookup(a: int, b: int, operation: str, period: Period | None) -> repository.Asked:
    """The stored points an answer of `operation` (of one period, or of the series) of
    the pair (a, b) rests on."""
    span = None if period is None else (period.start, period.end)
    window = None
    if period is not None and operation == "balance":
        # The balance of one period is a series of that period's point, whose spans are
        # those of the points the ledger of its window finds (`service.scope_for`).
        window = (period.shifted_years(-1).start, period.shifted_years(1).end)
    return repository.Asked(a, b, OPERATIONS[operation], span, window)


def answer(
    stored: repository.Points,
    pair: bytes,
    operation: str,
    period: Period | None,
    freq: str | None,
) -> bytes | None:
    """The JSON answer of `operation` for a pair (`pair`: its two countries' references,
    rendered as a JSON array) as now known, from the points `lookup` read: the whole
    series (`period` None, kept to `freq`'s span if given), or one period's; None where
    the points hold no answer for that period."""
    # Bodies stay compressed until kept: a series kept to one span answers a few of them.
    points = [(Period(start, end), body) for start, end, body in stored]
    flow = _FLOWS.get(operation)
    if period is not None and operation != "balance":
        found = [body for at, body in points if at == period and body is not None]
        if not found:
            return None
        # The answer is the point's fields, then the pair's (and the flow), as the
        # models order them (`schemas.TurnoverAnswer`, `schemas.FlowAnswer`).
        tail = b',"pair":' + pair
        if flow is not None:
            tail += b',"flow":' + orjson.dumps(flow.value)
        return zlib.decompress(found[0])[:-1] + tail + b"}"
    spans = list(dict.fromkeys(at.span for at, _ in points))
    kept = [
        body
        for at, body in points
        if body is not None
        and (freq is None or at.in_span(freq))
        and (period is None or at == period)
    ]
    if period is not None and not kept:
        return None
    document: dict[str, Any] = {"pair": orjson.Fragment(pair), "spans": spans}
    if flow is not None:
        document["flow"] = flow.value
    document["series"] = [orjson.Fragment(zlib.decompress(body)) for body in kept]
    return orjson.dumps(document)
