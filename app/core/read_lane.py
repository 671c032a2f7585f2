"""Blocking reads off the event loop, handed over in batches.

Every hand-off between the event loop and a thread costs system calls: one to wake the
thread, one to wake the loop with the answer. Where system calls are dear (virtual
machines, sandboxes) those cost more than a small query. The lane keeps its own few
threads and one queue:

- a thread that finishes a job takes the next queued one without being woken; only an
  idle thread is woken, and only when one is idle;
- answers go back to the loop in batches: while one wake of the loop is pending, every
  answer finished meanwhile joins it. Nothing waits for a batch to fill.

Under load, one wake of the loop carries many answers; at rest, each answer goes at once.
"""

import asyncio
import contextvars
import functools
import threading
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Callable[[], Any], asyncio.Future[Any]]
_Outcome = tuple[asyncio.Future[Any], Any, BaseException | None]


class ReadLane:
    def __init__(self, threads: int) -> None:
        self._size = threads
        self._threads: list[threading.Thread] = []
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition()
        self._idle = 0
        self._closed = False
        # Finished jobs not yet handed to their event loop (one loop per worker process;
        # tests may run several).
        self._answers: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        self._answers_lock = threading.Lock()

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` in one of the lane's threads, with this request's context."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        in_context = functools.partial(contextvars.copy_context().run, work)
        with self._ready:
            if self._closed:
                raise RuntimeError("the read lane is closed")
            self._jobs.append((in_context, future))
            if self._idle:
                self._ready.notify()
            elif len(self._threads) < self._size:
                self._start_thread()
        return await future

    def _start_thread(self) -> None:
        thread = threading.Thread(
            target=self._serve, name=f"read-lane-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    if self._closed:
                        return
                    self._idle += 1
                    self._ready.wait()
                    self._idle -= 1
                work, future = self._jobs.popleft()
            try:
                outcome: _Outcome = (future, work(), None)
            except BaseException as error:  # the awaiting request gets it
                outcome = (future, None, error)
            self._answer(outcome)

    def _answer(self, outcome: _Outcome) -> None:
        loop = outcome[0].get_loop()
        with self._answers_lock:
            waiting = self._answers.setdefault(loop, [])
            waiting.append(outcome)
            first = len(waiting) == 1
        if first:  # otherwise a wake of the loop is already pending and takes this along
            try:
                loop.call_soon_threadsafe(self._deliver, loop)
            except RuntimeError:  # the loop is closed: nobody waits for these answers
                with self._answers_lock:
                    self._answers.pop(loop, None)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._answers_lock:
            answers = self._answers.pop(loop, [])
        for future, result, error in answers:
            if future.done():  # its request was cancelled
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def close(self) -> None:
        """Let the threads finish the queued jobs and stop."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        for thread in self._threads:
            thread.join()
        self._threads.clear()
