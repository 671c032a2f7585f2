"""The limits uvicorn's HTTP protocol lacks: the size of a request's head (request line and
headers) and the time a client may take to send it.

uvicorn with httptools takes headers of any size (a 200 MB header was held whole) and
waits forever for a head that never ends, so one client can hold memory and connections
without limit where no proxy stands in front. `serve` names this protocol; everything
else is uvicorn's own.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.core.settings import get_settings

STATUS_TEXT = {408: b"408 Request Timeout", 431: b"431 Request Header Fields Too Large"}


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; 431 past `MAX_HEADER_BYTES`, 408 past
    `HEADER_TIMEOUT_SECONDS` (counted from the connection, or from a request's first byte)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_timeout_seconds
        self.head_bytes = 0
        self.head_too_large = False
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0
        self._start_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # The parser turns the error raised by _count into a 400: answer what it was.
        if self.head_too_large:
            self._refuse(431, f"The request head is larger than {self.max_head_bytes} bytes.")
            return
        super().send_400_response(msg)

    def _count(self, size: int) -> None:
        self.head_bytes += size
        if self.head_bytes > self.max_head_bytes:
            self.head_too_large = True
            raise ValueError("request head too large")

    def _start_head_timer(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # an answer is still on its way; its own keep-alive timer follows it
        self._refuse(408, f"The request head did not arrive within {self.head_timeout:g} s.")

    def _refuse(self, status: int, message: str) -> None:
        body = message.encode()
        self.logger.warning("Refused a request: %s", message)
        self.transport.write(
            b"HTTP/1.1 "
            + STATUS_TEXT[status]
            + b"\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        self.transport.close()
