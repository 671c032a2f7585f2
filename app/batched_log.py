"""A log handler that writes in batches: one write for many lines, not one per line.

Where a system call is dear (virtual machines, sandboxes), writing and flushing the
stream once per record costs more than the request it logs. Records are formatted when
they are emitted, kept in order, and written together: when WARNING or worse arrives
(at once, after what came before it), when many are waiting, and otherwise at most
FLUSH_SECONDS later, by a thread of the handler's own. On a clean shutdown logging
flushes what is left; a killed process may lose the last FLUSH_SECONDS of lines, the
price of the same choice in nginx's `access_log ... buffer= flush=`.
"""

import logging
import threading
from typing import TextIO

FLUSH_SECONDS = 0.2
MAX_WAITING = 256


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
            urgent = record.levelno >= logging.WARNING or len(self._waiting) >= MAX_WAITING
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
