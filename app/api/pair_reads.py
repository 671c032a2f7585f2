"""The four pair series reads (turnover, exports, imports, balance), answered in front
of FastAPI's router.

FastAPI's routing and dependency solving cost about 0.4 ms a request here, as much as the
read itself on a small pair. This layer parses the same parameters with the same parsers
and runs the same work (`app.api.trade.SERIES_WORK`), so it answers with the same bytes.
What it would answer differently never reaches its work: a parameter that does not match
its documented pattern, and any problem the work raises, go on to the FastAPI operation,
which stays in the OpenAPI document and answers them as it always did (its 422, 404 or
406). That hand-over happens before anything is sent; reads change nothing, so running
one again is safe.
"""

import re
from functools import partial

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import in_read_session, runtime
from app.api.pair_questions import Question, read_pair, resolve_pair
from app.api.trade import ONE_POINT_WORK, SERIES_WORK
from app.http.params import freq_filter, parse_period_parameter, utc_instant
from app.http.representation import Format, negotiate, respond_with
from app.shared.patterns import COUNTRY_PATTERN, FREQ_PATTERN, PERIOD_PATTERN
from app.trade.stored import StalePointsError
from app.trade.stored_reads import KnownPair, StoredReads

_COUNTRY = re.compile(COUNTRY_PATTERN)
_PERIOD = re.compile(PERIOD_PATTERN)
_FREQ = re.compile(FREQ_PATTERN)
_FORMATS = {item.value: item for item in Format}


class DeclinedError(Exception):
    """The request is the FastAPI operation's to answer."""


def matching(pattern: re.Pattern[str], text: str | None) -> str | None:
    if text is not None and pattern.fullmatch(text) is None:
        raise DeclinedError
    return text


def question_of(request: Request) -> Question:
    """The question `app.api.pair_questions.series_question` parses, parsed the same way;
    `DeclinedError` where FastAPI's validation would have refused a parameter, and the
    parsers' own problems where they would."""
    query = request.query_params
    a = matching(_COUNTRY, request.path_params["a"])
    b = matching(_COUNTRY, request.path_params["b"])
    assert a is not None
    assert b is not None
    period_text = matching(_PERIOD, query.get("period"))
    freq = matching(_FREQ, query.get("freq"))
    reporter = matching(_COUNTRY, query.get("reporter"))
    format_text = query.get("format")
    if format_text is not None and format_text not in _FORMATS:
        raise DeclinedError
    as_of_text = query.get("as_of")
    period = parse_period_parameter(period_text) if period_text is not None else None
    as_of = utc_instant(as_of_text) if as_of_text is not None else None
    output = negotiate(request, _FORMATS[format_text] if format_text is not None else None)
    freq = freq_filter(freq, period)
    return Question(request, a, b, period, as_of, output, reporter=reporter, freq=freq)


def _stored_answers(question: Question) -> bool:
    """Whether the stored points answer the question (`app.trade.stored`): the answer
    as now known, by the pair's own default reporter, in JSON, of the whole series or
    of one period."""
    return (
        question.as_of is None
        and question.reporter is None
        and question.output is Format.JSON
        and question.range is None
    )


def _learn(reads: StoredReads, question: Question, session: Session) -> KnownPair:
    """The pair resolved by a session the first time its codes are asked for (a problem
    with the codes, a 404 or a 422, is then the FastAPI operation's to answer)."""
    return reads.learn(question.a, question.b, resolve_pair(session, question.a, question.b))


async def _from_stored_points(operation: str, question: Question) -> Response | None:
    """The answer from the stored points; None where they hold none for the period asked
    (the ledger's 404) or are stale (the pair is then derived in the background)."""
    state = runtime(question.request)
    reads = state.stored_reads
    pair = reads.known(question.a, question.b)
    if pair is None:
        pair = await in_read_session(question.request, partial(_learn, reads, question), short=True)
    try:
        body = await reads.answer(pair, operation, question.one_period, question.freq)
    except StalePointsError:
        state.derivations.ask((pair.a, pair.b))
        return None
    if body is None:
        return None
    return respond_with(question.request, body, Format.JSON)


_PAIR_READ = re.compile(r"/v1/trade/([^/]+)/([^/]+)/(turnover|exports|imports|balance)")


def route_path(scope: Scope) -> str:
    """The path the router matches: without the root path a proxy mounts the app under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class PairReads:
    """A pure ASGI layer just outside the router: the four series reads answered from
    their work; every other request, and every one of these it declines, goes on to the
    router and its FastAPI operation, which answers it as it always did."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = None
        if scope["type"] == "http" and scope["method"] == "GET":
            found = _PAIR_READ.fullmatch(route_path(scope))
        if found is None:
            await self.app(scope, receive, send)
            return
        a, b, operation = found.groups()
        request = Request({**scope, "path_params": {"a": a, "b": b}}, receive)
        try:
            question = question_of(request)
            response = None
            if _stored_answers(question):
                response = await _from_stored_points(operation, question)
            if response is None:
                one_point = operation in ONE_POINT_WORK
                response = await read_pair(question, SERIES_WORK[operation], one_point=one_point)
        except Exception:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
