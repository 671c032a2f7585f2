"""Who hears that figures of a pair changed, in the transaction that changed them.

Answers derived from a pair's totals are stored beside them (`app.trade.stored`) and
must not be read once their totals change (`app.trade.staleness` marks them). The trade
domain sits above this one, so it registers here when it is imported, and every write
(`staging`: merges, bulk loads, retractions) tells the listeners which pairs it touched
before its transaction ends.
"""

from collections.abc import Callable, Collection

from sqlalchemy.orm import Session

# A pair by its countries' M49 keys, as figures store them: (reporter, partner).
Pair = tuple[int, int]
Listener = Callable[[Session, Collection[Pair]], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def totals_changed(session: Session, pairs: Collection[Pair]) -> None:
    """Total figures of these pairs were added, revised or retracted in `session`'s
    transaction, which has not ended yet."""
    if not pairs:
        return
    if not _listeners:
        # Stored answers would go stale without a word: refuse the write instead.
        raise RuntimeError("no listener for changed totals: import app.trade.staleness")
    for listener in _listeners:
        listener(session, pairs)
