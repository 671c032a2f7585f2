"""The read lane: work runs off the loop, answers come back to the right request, errors
and cancellations stay with their request, and closing lets queued work finish."""

import asyncio
import functools
import threading
from contextvars import ContextVar

import pytest

from app.core.read_lane import ReadLane

pytestmark = pytest.mark.anyio

request_name: ContextVar[str] = ContextVar("request_name", default="-")


async def test_each_request_gets_its_own_answer_from_another_thread() -> None:
    lane = ReadLane(threads=2)
    loop_thread = threading.get_ident()

    def work(n: int) -> tuple[int, bool]:
        return n * n, threading.get_ident() != loop_thread

    try:
        answers = await asyncio.gather(*(lane.run(functools.partial(work, n)) for n in range(200)))
    finally:
        lane.close()
    assert answers == [(n * n, True) for n in range(200)]


async def test_work_sees_its_request_context() -> None:
    lane = ReadLane(threads=1)

    async def as_request(name: str) -> str:
        request_name.set(name)
        return await lane.run(request_name.get)

    try:
        names = await asyncio.gather(*(as_request(f"r{n}") for n in range(20)))
    finally:
        lane.close()
    assert names == [f"r{n}" for n in range(20)]


async def test_an_error_goes_to_its_request_only() -> None:
    lane = ReadLane(threads=2)

    def fail() -> int:
        raise ValueError("bad read")

    try:
        failed, fine = await asyncio.gather(
            lane.run(fail), lane.run(lambda: 7), return_exceptions=True
        )
    finally:
        lane.close()
    assert isinstance(failed, ValueError)
    assert fine == 7


async def test_a_cancelled_request_does_not_disturb_the_others() -> None:
    lane = ReadLane(threads=1)
    release = threading.Event()
    blocked = asyncio.ensure_future(lane.run(release.wait))
    queued = asyncio.ensure_future(lane.run(lambda: "after"))
    await asyncio.sleep(0.05)
    blocked.cancel()
    release.set()
    try:
        assert await queued == "after"
    finally:
        lane.close()
    assert blocked.cancelled()


async def test_closing_finishes_queued_work_and_refuses_new_work() -> None:
    lane = ReadLane(threads=1)
    done: list[int] = []
    runs = [asyncio.ensure_future(lane.run(functools.partial(done.append, n))) for n in range(5)]
    await asyncio.gather(*runs)
    await asyncio.to_thread(lane.close)
    assert done == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="closed"):
        await lane.run(lambda: None)
