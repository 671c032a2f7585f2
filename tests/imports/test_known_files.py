"""A file imported before, byte for byte, is answered without staging it, only while
every figure its import stored is still current; any other file is imported in full."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.imports import service
from app.imports.models import ImportedFile
from app.observations import service as observations
from app.observations.models import Observation
from tests.helpers import import_lines

LINES = [
    f"{year},{reporter},X,{partner},{chapter:02d},{year + chapter},{chapter}.25"
    for year in (1971, 1972)
    for reporter, partner in (("AZE", "KAZ"), ("KAZ", "AZE"), ("GEO", "ARM"))
    for chapter in (1, 2)
]
FIGURES = 2 * len(LINES)
CHANGED = [LINES[0].replace(",1.25", ",9.25"), *LINES[1:]]


@pytest.fixture
def staged(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many files were read and staged so far."""
    count = 0
    original = service.stage

    def counted(*args: Any, **kwargs: Any) -> service.StagedImport:
        nonlocal count
        count += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "stage", counted)
    return lambda: count


def _import(engine: Engine, lines: list[str], source_id: int = 1) -> tuple[int, int, int, int]:
    report = import_lines(engine, lines, source_id)
    return report.rows, report.added, report.revised, report.unchanged


def _value_of_first_line(engine: Engine) -> str:
    with engine.connect() as connection:
        value = connection.execute(
            text(
                "SELECT value FROM observations WHERE valid_to IS NULL AND period = '1971' "
                "AND reporter_code = 'AZE' AND partner_code = 'KAZ' "
                "AND commodity_code = '01' AND measure = 'trade_value'"
            )
        ).scalar_one()
    return str(value)


def test_the_same_file_again_is_answered_without_reading_it(
    engine: Engine, staged: Callable[[], int]
) -> None:
    assert _import(engine, LINES) == (len(LINES), FIGURES, 0, 0)
    assert _import(engine, LINES) == (len(LINES), 0, 0, FIGURES)
    assert _import(engine, LINES) == (len(LINES), 0, 0, FIGURES)
    assert staged() == 1
    # Another source, or other bytes with the same figures, are read in full.
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sources (slug, publisher, title, published_on, language) "
                "VALUES ('other', 'Other', 'Other', '2020-01-01', 'en')"
            )
        )
        other = connection.execute(text("SELECT max(id) FROM sources")).scalar_one()
    assert _import(engine, LINES, source_id=other)[1] == FIGURES
    assert _import(engine, LINES[::-1])[3] == FIGURES
    assert staged() == 3


def test_a_file_whose_figures_were_revised_since_is_imported_in_full(
    engine: Engine, staged: Callable[[], int]
) -> None:
    _import(engine, LINES)
    assert _import(engine, CHANGED) == (len(LINES), 0, 1, FIGURES - 1)
    assert _value_of_first_line(engine) == "9.250000"
    # The first file again puts its value back: it is read, not answered from memory.
    assert _import(engine, LINES) == (len(LINES), 0, 1, FIGURES - 1)
    assert _value_of_first_line(engine) == "1.250000"
    assert staged() == 3


def test_a_file_with_a_retracted_figure_is_imported_in_full(
    engine: Engine, staged: Callable[[], int]
) -> None:
    _import(engine, LINES)
    with Session(engine) as session, session.begin():
        row = session.scalars(
            select(Observation).where(Observation.valid_to.is_(None), Observation.period == "1972")
        ).first()
        assert row is not None
        assert observations.retract(session, row, recorded_by="test").retracted
    assert _import(engine, LINES) == (len(LINES), 0, 1, FIGURES - 1)
    assert staged() == 2


def test_only_an_import_that_stored_every_figure_is_remembered(
    engine: Engine, staged: Callable[[], int]
) -> None:
    _import(engine, LINES[:4])
    # Four of its lines were in the store already: their figures are another import's.
    assert _import(engine, LINES) == (len(LINES), FIGURES - 8, 0, 8)
    with engine.connect() as connection:
        remembered = connection.execute(select(func.count()).select_from(ImportedFile)).scalar_one()
    assert remembered == 1
    assert _import(engine, LINES) == (len(LINES), 0, 0, FIGURES)
    assert staged() == 3
