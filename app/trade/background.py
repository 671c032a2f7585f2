"""Stale pairs derived in the background of a worker, as reads ask for them.

A read that finds a pair marked stale is answered by the ledger and asks for the pair
here; one thread of the worker derives the pairs asked for, one write transaction each,
on the primary store (a replica cannot be written). A pair asked for again while it
waits is asked for once. A failure is logged and leaves the mark: the next read asks
again (a store that is away or busy is one line of the log, not a traceback).
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.trade import stored

log = logging.getLogger(__name__)


class Derivations:
    def __init__(self, write: sessionmaker[Session]) -> None:
        self._write = write
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pair-derivations")
        self._asked: set[tuple[int, int]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def ask(self, pair: tuple[int, int]) -> None:
        """Derive this pair (M49 keys) soon."""
        pair = (min(pair), max(pair))
        with self._lock:
            if self._closed or pair in self._asked:
                return
            self._asked.add(pair)
            self._thread.submit(self._derive, pair)

    def _derive(self, pair: tuple[int, int]) -> None:
        try:
            with self._write() as session, session.begin():
                stored.derive(session, pair)
        except DBAPIError as error:  # the store is away or busy: the next read asks again
            log.warning("pair %s not derived: %s", pair, type(error.orig).__name__)
        except Exception:
            log.exception("deriving the stored points of pair %s failed", pair)
        finally:
            with self._lock:
                self._asked.discard(pair)

    def close(self) -> None:
        """Stop after the derivation in progress; pairs still waiting stay marked."""
        with self._lock:
            self._closed = True
        self._thread.shutdown(wait=True, cancel_futures=True)
