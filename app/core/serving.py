"""uvicorn with a listening socket of each worker's own (SO_REUSEPORT).

uvicorn's workers share one socket, bound by the supervisor. Whichever worker is
waiting when clients connect accepts every connection pending: 64 connections opened
at once were split 53 to 11 between two workers, and the clients of the busier one
waited up to five times as long (a commodity breakdown's slowest answer passed 1 s while
the other worker's clients waited 200 ms). With a socket of its own per worker, each
bound to the same address with SO_REUSEPORT, the kernel spreads new connections across
the workers evenly.

The supervisor binds a socket too, which never listens: it finds a port that is taken
(or picks one, for port 0) before any worker starts. Where SO_REUSEPORT is missing
(Windows), and for one worker or `--reload`, uvicorn serves as it does by itself.
"""

import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _own_sockets(host: str, port: int) -> list[socket.socket]:
    return [reuse_port_socket(host, port)]


class OwnSockets(list[socket.socket]):
    """What the supervisor hands each worker it starts as its sockets: pickled to the
    worker as the address alone, so that each worker binds a socket of its own there."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return _own_sockets, (self.host, self.port)


def serve(app: str, *, reload: bool = False, **options: Any) -> None:
    """`uvicorn.run(app, factory=True, **options)`, each worker on a socket of its own."""
    workers = options.get("workers") or 1
    if reload or workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, factory=True, reload=reload, **options)
        return
    config = uvicorn.Config(app, factory=True, **options)
    try:
        reserved = reuse_port_socket(config.host, config.port)
    except OSError as error:
        logger.error(error)
        sys.exit(1)
    port = reserved.getsockname()[1]
    logger.info(
        "Uvicorn running on http://%s:%d with %d workers, a socket each (Press CTRL+C to quit)",
        config.host,
        port,
        workers,
    )
    with reserved:
        Multiprocess(config, sockets=OwnSockets(config.host, port)).run()
