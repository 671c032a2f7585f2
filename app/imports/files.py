"""Files as people have them: plain or gzip-compressed; comma, semicolon or tab separated.

UN Comtrade's bulk downloads are gzip-compressed tab-separated files; spreadsheets in
many locales save CSV with semicolons and a byte-order mark. All are detected from the
file itself, never configured.
"""

import codecs
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


class BadLineError(Exception):
    """A line the import cannot read: too long, or not UTF-8. Says which line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _CheckedLines(io.RawIOBase):
    """The text's bytes, refused at the first line longer than `max_line` bytes or the
    first byte that is not UTF-8, with that line's number.

    Checked here, on bytes, because the text and CSV layers above read ahead (a decoding
    error there names a line thousands before the bad byte) and hold a whole line in
    memory (a 1 GB line would be read whole).
    """

    def __init__(self, source: IO[bytes], max_line: int) -> None:
        self._source = source
        self._max_line = max_line
        self._lines = 0  # newlines read so far
        self._since_newline = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        chunk = self._source.read(len(buffer))
        if not chunk:
            self._check_text(b"", final=True)
            return 0
        self._check_lengths(chunk)
        self._check_text(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _check_lengths(self, chunk: bytes) -> None:
        first = chunk.find(b"\n")
        # Lines wholly inside a chunk are shorter than the chunk; only its ends can be long.
        head = len(chunk) if first < 0 else first
        if self._since_newline + head > self._max_line:
            raise BadLineError(self._lines + 1, f"the line is longer than {self._max_line} bytes")
        if first < 0:
            self._since_newline += len(chunk)
            return
        self._lines += chunk.count(b"\n")
        self._since_newline = len(chunk) - chunk.rfind(b"\n") - 1

    def _check_text(self, chunk: bytes, *, final: bool = False) -> None:
        try:
            self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            before = self._lines - chunk.count(b"\n")
            line = before + chunk[: max(error.start, 0)].count(b"\n") + 1
            raise BadLineError(
                line, f"the file is not UTF-8 text (byte 0x{chunk[error.start]:02x})"
            ) from None


def open_upload(binary: IO[bytes], *, max_inflated_bytes: int, max_line_bytes: int) -> OpenedFile:
    """The file's bytes (inflated if need be, lines checked) and the delimiter its header
    row uses."""
    buffered: io.BufferedReader[io.RawIOBase] = io.BufferedReader(
        _Raw(binary), buffer_size=SAMPLE_BYTES
    )
    compressed = buffered.peek(2)[:2] == GZIP_MAGIC
    source: IO[bytes] = buffered
    if compressed:
        source = io.BufferedReader(_Inflated(buffered, max_inflated_bytes), SAMPLE_BYTES)
    checked = io.BufferedReader(_CheckedLines(source, max_line_bytes), SAMPLE_BYTES)
    return OpenedFile(checked, compressed, _delimiter(checked.peek(SAMPLE_BYTES)))


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
