"""Revisions of one figure sent at once by two keys through two workers keep one history:
each revision is superseded exactly when the next is recorded, and `as_of` finds one."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from tests.helpers import SAMPLE_FIGURE, new_key
from tests.servers import serving

WRITERS_PER_KEY = 8
REVISIONS = 10  # per writer: 160 in all
PERIOD = "2011"


def _post_revisions(url: str, secret: str, values: range) -> list[int]:
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        return [
            client.post(
                "/v1/observations", json={**SAMPLE_FIGURE, "period": PERIOD, "value": str(value)}
            ).status_code
            for value in values
        ]


def _history(database_url: str) -> list[Any]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text(
                        "SELECT revision, value, recorded_at, valid_to FROM observations "
                        "WHERE period = :period AND reporter_code = 'AZE' AND partner_code = 'KAZ' "
                        "ORDER BY revision"
                    ),
                    {"period": PERIOD},
                )
            )
    finally:
        engine.dispose()


def _as_moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_concurrent_revisions_keep_one_history(database_url: str) -> None:
    secrets = [new_key(database_url, f"writer-{number}") for number in range(2)]
    writers = 2 * WRITERS_PER_KEY
    # Every writer sends values of its own, so each revision is a change.
    jobs = [
        (secrets[number % 2], range(1_000_000 + number, 1_000_000 + writers * REVISIONS, writers))
        for number in range(writers)
    ]
    env = {"WRITE_RATE_LIMIT": "100000/minute", "ACCESS_LOG": "false"}
    with serving(database_url, "--workers", "2", env=env) as server:
        with ThreadPoolExecutor(len(jobs)) as pool:
            statuses = [
                status
                for done in [pool.submit(_post_revisions, server.url, *job) for job in jobs]
                for status in done.result()
            ]
        assert set(statuses) == {201}, statuses
        rows = _history(database_url)
        assert [row.revision for row in rows] == list(range(1, len(rows) + 1))
        assert len(rows) == len(statuses)
        for older, newer in pairwise(rows):
            assert _as_moment(older.recorded_at) < _as_moment(newer.recorded_at)
            assert _as_moment(older.valid_to) == _as_moment(newer.recorded_at), (
                f"revision {older.revision} was superseded at {older.valid_to}, "
                f"but revision {newer.revision} was recorded at {newer.recorded_at}"
            )
        assert rows[-1].valid_to is None
        # As of each revision's own time, the API answers with that revision alone.
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for row in rows[:: max(1, len(rows) // 25)]:
                moment = _as_moment(row.recorded_at).isoformat().replace("+00:00", "Z")
                if "Z" not in moment:
                    moment += "Z"
                answer = client.get(
                    "/v1/observations",
                    params={
                        "reporter": "AZ",
                        "partner": "KZ",
                        "period": PERIOD,
                        "as_of": moment,
                    },
                )
                assert answer.status_code == 200, answer.text
                figures = answer.json()["data"]
                found = [Decimal(str(figure["value"])) for figure in figures]
                assert found == [Decimal(str(row.value))], moment
