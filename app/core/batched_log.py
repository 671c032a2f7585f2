"""A log handler that writes access lines in batches: one write for many lines.

Writing and flushing the stream once per request costs about as much as a cached
answer. Records are formatted when they are emitted and kept in order. Access records
(INFO of the BATCHED loggers) wait. They are written with the first other record (which
is written at once, after them), when they fill one write of ATOMIC_WRITE_BYTES, and
otherwise at most FLUSH_SECONDS later, by a thread of the handler's own. The server
logs its shutdown after the last request, so a stopped server has written every line;
a killed one may lose the last FLUSH_SECONDS of access lines, the price of the same
choice in nginx's `access_log ... buffer= flush=`.
"""

import logging
import threading
from typing import TextIO

FLUSH_SECONDS = 0.2
# Several worker processes share one stderr pipe: a write of at most PIPE_BUF bytes is
# never interleaved with another's, so each write carries whole lines up to that size.
ATOMIC_WRITE_BYTES = 4096
BATCHED = frozenset({"tradestats.access"})


class BatchedStreamHandler(logging.StreamHandler[TextIO]):
    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._waiting: list[str] = []
        self._waiting_bytes = 0
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        line += self.terminator
        size = len(line.encode("utf-8", "replace"))
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            if self._waiting_bytes + size > ATOMIC_WRITE_BYTES:
                self._write_waiting()
            self._waiting.append(line)
            self._waiting_bytes += size
            urgent = record.name not in BATCHED or record.levelno >= logging.WARNING
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

    def _write_waiting(self) -> None:
        """One write, flushed at once, of the waiting lines (called with the lock held)."""
        if self._waiting:
            try:
                self.stream.write("".join(self._waiting))
                self.stream.flush()
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": "log write failed"}))
            self._waiting.clear()
            self._waiting_bytes = 0

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._write_waiting()
            super().flush()

    def close(self) -> None:
        self.flush()
        self._wake.set()
        super().close()
