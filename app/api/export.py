"""Streaming CSV export: constant memory whatever the number of figures."""

import io
from collections.abc import Iterator
from itertools import chain

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.http.representation import FIGURE_COLUMNS, csv_writer, figure_cells
from app.observations import service as observations
from app.observations.presenters import FigureRenderer
from app.observations.service import ObservationFilter

BATCH = 2_000


def stream_csv(factory: sessionmaker[Session], criteria: ObservationFilter) -> Iterator[bytes]:
    """CSV chunks of about BATCH rows; its own session lives as long as the stream."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(FIGURE_COLUMNS)
    with factory() as session, session.begin():
        figures = FigureRenderer(session)
        for rows in observations.stream(session, criteria, BATCH):
            writer.writerows(figure_cells("", figure) for figure in figures.plain_rows(rows))
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def started_csv(
    factory: sessionmaker[Session], criteria: ObservationFilter
) -> Iterator[bytes]:
    """`stream_csv` with its first chunk read already: the store is asked before the status
    line goes out, so a database that is down is a 503, not a 200 with an empty file. A
    failure later on breaks the connection, so a cut file never looks complete."""
    chunks = stream_csv(factory, criteria)
    first: bytes = await run_in_threadpool(next, chunks)
    return chain([first], chunks)
