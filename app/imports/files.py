"""Files as people have them: plain or gzip-compressed; comma, semicolon or tab separated.

UN Comtrade's bulk downloads are gzip-compressed tab-separated files; spreadsheets in
many locales save CSV with semicolons and a byte-order mark. All are detected from the
file itself, never configured.
"""

import gzip
import io
import zlib
from dataclasses import dataclass
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"
DELIMITERS = (",", ";", "\t")
# Enough to hold any header row we accept.
SAMPLE_BYTES = 64 * 1024
# A compressed file may not inflate past this many times the size limit of uploads.
MAX_INFLATION = 20


class FileTooLargeError(Exception):
    pass


# What a broken, truncated or oversized compressed file raises while it is read.
UNREADABLE = (FileTooLargeError, EOFError, gzip.BadGzipFile, zlib.error)


def unreadable_reason(error: BaseException) -> str:
    return f"unreadable compressed file: {error or 'it ends too early'}"


class _Inflated(io.RawIOBase):
    """A gzip stream that refuses to inflate past `limit` bytes (a gzip bomb)."""

    def __init__(self, compressed: IO[bytes], limit: int) -> None:
        self._source = gzip.GzipFile(fileobj=compressed, mode="rb")
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        count = self._source.readinto(buffer)
        self._read += count
        if self._read > self._limit:
            raise FileTooLargeError(f"the file inflates past {self._limit} bytes")
        return count


@dataclass(frozen=True)
class OpenedFile:
    binary: IO[bytes]
    compressed: bool
    delimiter: str


def open_upload(binary: IO[bytes], *, max_inflated_bytes: int) -> OpenedFile:
    """The file's bytes (inflated if need be) and the delimiter its header row uses."""
    buffered: io.BufferedReader[io.RawIOBase] = io.BufferedReader(
        _Raw(binary), buffer_size=SAMPLE_BYTES
    )
    compressed = buffered.peek(2)[:2] == GZIP_MAGIC
    if compressed:
        inflated = _Inflated(buffered, max_inflated_bytes)
        buffered = io.BufferedReader(inflated, buffer_size=SAMPLE_BYTES)
    return OpenedFile(buffered, compressed, _delimiter(buffered.peek(SAMPLE_BYTES)))


def _delimiter(sample: bytes) -> str:
    """The delimiter that splits the header row into the most columns (comma on a tie)."""
    header = sample.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return max(
        DELIMITERS, key=lambda delimiter: (header.count(delimiter), -DELIMITERS.index(delimiter))
    )


class _Raw(io.RawIOBase):
    """Any binary file as a raw stream, so that it can be buffered and peeked at."""

    def __init__(self, binary: IO[bytes]) -> None:
        self._binary = binary

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        data = self._binary.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._binary.tell()
