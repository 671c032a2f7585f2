"""A log handler that writes access lines in batches: one write for many lines.

Writing and flushing the stream once per request costs about as much as a cached
answer. Records are formatted when they are emitted and kept in order. Access records
(INFO of the BATCHED loggers) wait; they are written with the first other record (which
is written at once, after them), when many are waiting, and otherwise at most
FLUSH_SECONDS later, by a thread of the handler's own. Since the server logs its
shutdown after the last request, a stopped server has written every line; a killed one
may lose the last FLUSH_SECONDS of access lines, the price of the same choice in
nginx's `access_log ... buffer= flush=`.
"""

import logging
import threading
from typing import TextIO

FLUSH_SECONDS = 0.2
MAX_WAITING = 256
BATCHED = frozenset({"tradestats.access"})


class BatchedStreamHandler(logging.StreamHandler[TextIO]):
    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self._waiting.append(line)
            urgent = (
                record.name not in BATCHED
                or record.levelno >= logging.WARNING
                or len(self._waiting) >= MAX_WAITING
            )
        if urgent:
            self.flush()
        elif self._flusher is None:
            self._start_flusher()

    def _start_flusher(self) -> None:
        self._flusher = threading.Thread(target=self._flush_often, name="log-flush", daemon=True)
        self._flusher.start()

    def _flush_often(self) -> None:
        while not self._wake.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._waiting:
                try:
                    self.stream.write(self.terminator.join(self._waiting) + self.terminator)
                except Exception:
                    self.handleError(logging.makeLogRecord({"msg": "log write failed"}))
                self._waiting.clear()
            super().flush()

    def close(self) -> None:
        self.flush()
        self._wake.set()
        super().close()
