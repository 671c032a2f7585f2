"""Streaming CSV export: constant memory whatever the number of figures."""

from collections.abc import Iterator
from itertools import chain

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.http.representation import FIGURE_HEADER, figure_line
from app.observations import service as observations
from app.observations.presenters import FigureRenderer
from app.observations.service import ObservationFilter

BATCH = 2_000


def stream_csv(factory: sessionmaker[Session], criteria: ObservationFilter) -> Iterator[bytes]:
    """CSV chunks of about BATCH rows; its own session lives as long as the stream."""
    # The header goes out with the first batch: the first chunk is the store's answer.
    header = FIGURE_HEADER
    with factory() as session, session.begin():
        figures = FigureRenderer(session)
        for rows in observations.stream(session, criteria, BATCH):
            lines = "".join(figure_line("", figure) for figure in figures.plain_rows(rows))
            yield (header + lines).encode()
            header = ""
    if header:
        yield header.encode()


async def started_csv(
    factory: sessionmaker[Session], criteria: ObservationFilter
) -> Iterator[bytes]:
    """`stream_csv` with its first chunk read already: the store is asked before the status
    line goes out, so a database that is down is a 503, not a 200 with an empty file. A
    failure later on breaks the connection, so a cut file never looks complete."""
    chunks = stream_csv(factory, criteria)
    first: bytes = await run_in_threadpool(next, chunks)
    return chain([first], chunks)
