"""Files as people have them: plain or gzip-compressed; comma, semicolon or tab separated;
UTF-8 (with or without a byte-order mark), UTF-16, or Windows-1252 / ISO-8859-1.

UN Comtrade's bulk downloads are gzip-compressed tab-separated files; spreadsheets in
many locales save CSV with semicolons and a byte-order mark, or as "Unicode text"
(UTF-16); a download opened and saved again on Windows is often Windows-1252 (`Türkiye`
as the single byte 0xFC). All are detected from the file itself, never configured, and
the rest of the import reads UTF-8.
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
    _lines: "_CheckedLines"
    _utf16: str | None

    @property
    def encoding(self) -> str:
        """The encoding the file was read in, as far as it has been read."""
        return self._utf16 or self._lines.encoding


class BadLineError(Exception):
    """A line the import cannot read: too long, or not UTF-8. Says which line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


# Windows-1252 where it defines a byte, ISO-8859-1 where it does not (0x81, 0x8d, 0x8f,
# 0x90, 0x9d): as text read through Latin-1, only 0x80-0x9f differ.
_WINDOWS_1252 = {
    byte: bytes([byte]).decode("cp1252", errors="ignore") or chr(byte) for byte in range(0x80, 0xA0)
}


def _from_windows_1252(data: bytes) -> bytes:
    return data.decode("latin-1").translate(_WINDOWS_1252).encode("utf-8")


class _Recoded(io.RawIOBase):
    """A raw stream of the bytes `_produce` makes of its source's, a chunk at a time."""

    _pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:  # type: ignore[override]
        while not self._pending:
            produced = self._produce(len(buffer))
            if produced is None:
                return 0
            self._pending = memoryview(produced)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def _produce(self, size: int) -> bytes | None:
        """The bytes of the source's next `size` (b"": none yet); None at its end."""
        raise NotImplementedError


class _CheckedLines(_Recoded):
    """The text as UTF-8, refused at the first line longer than `max_line` bytes or the
    first byte that is not text, with that line's number.

    A file is UTF-8 until a byte says otherwise. If every byte before it was ASCII (which
    both encodings spell alike), the file is Windows-1252 from there on, and is
    re-encoded; after UTF-8 letters, a stray byte is an error.

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
        self._ascii_so_far = True
        self.encoding = "utf-8"

    def _produce(self, size: int) -> bytes | None:
        chunk = self._source.read(size)
        if not chunk:  # a character the last chunk began, ended by the file
            ending = self._text(b"", final=True) if self.encoding == "utf-8" else b""
            return ending or None
        self._check_lengths(chunk)
        return self._text(chunk)

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

    def _text(self, chunk: bytes, *, final: bool = False) -> bytes:
        """The chunk's text as UTF-8; a character it cuts waits for the next chunk."""
        if self.encoding == "windows-1252":
            return _from_windows_1252(chunk)
        held = self._decoder.getstate()[0]  # the start of a character the last chunk cut
        try:
            decoded = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            # Where the bad byte is in `held + chunk` (the decoder's own input).
            at = min(max(error.start, 0), len(held) + len(chunk))
            if self._ascii_so_far and (held + chunk)[:at].isascii():
                self.encoding = "windows-1252"
                return _from_windows_1252(held + chunk)
            raise self._bad_byte(chunk, max(at - len(held), 0)) from None
        if self._ascii_so_far and not decoded.isascii():
            self._ascii_so_far = False
        still = self._decoder.getstate()[0]
        if held or still:
            whole = held + chunk
            return whole[: len(whole) - len(still)]
        return chunk

    def _bad_byte(self, chunk: bytes, at: int) -> BadLineError:
        before = self._lines - chunk.count(b"\n")
        line = before + chunk[:at].count(b"\n") + 1
        shown = f" (byte 0x{chunk[at]:02x})" if at < len(chunk) else ""
        return BadLineError(line, f"the file is not UTF-8 text{shown}")


class _FromUtf16(_Recoded):
    """UTF-16 text (with a byte-order mark, or little- or big-endian without) as UTF-8."""

    def __init__(self, source: IO[bytes], codec: str) -> None:
        self._source = source
        self._decoder = codecs.getincrementaldecoder(codec)()
        self._lines = 0

    def _produce(self, size: int) -> bytes | None:
        chunk = self._source.read(size)
        try:
            text = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise BadLineError(self._lines + 1, "the file is not UTF-16 text") from None
        self._lines += text.count("\n")
        return text.encode("utf-8") if text or chunk else None


def _utf16_codec(start: bytes) -> str | None:
    """UTF-16's codec for a file that starts with these bytes; None for other text."""
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    # Without a byte-order mark: the header row's ASCII letters, each beside a NUL byte.
    even, odd = start[0::2], start[1::2]
    if len(start) < 16:
        return None
    if even.count(0) == 0 and odd.count(0) >= len(odd) * 0.9:
        return "utf-16-le"
    if odd.count(0) == 0 and even.count(0) >= len(even) * 0.9:
        return "utf-16-be"
    return None


def open_upload(binary: IO[bytes], *, max_inflated_bytes: int, max_line_bytes: int) -> OpenedFile:
    """The file's text as UTF-8 bytes (inflated if need be, lines checked) and the
    delimiter its header row uses."""
    buffered: io.BufferedReader[io.RawIOBase] = io.BufferedReader(
        _Raw(binary), buffer_size=SAMPLE_BYTES
    )
    compressed = buffered.peek(2)[:2] == GZIP_MAGIC
    source: io.BufferedReader[io.RawIOBase] = buffered
    if compressed:
        source = io.BufferedReader(_Inflated(buffered, max_inflated_bytes), SAMPLE_BYTES)
    utf16 = _utf16_codec(source.peek(64)[:64])
    if utf16 is not None:
        source = io.BufferedReader(_FromUtf16(source, utf16), SAMPLE_BYTES)
    lines = _CheckedLines(source, max_line_bytes)
    checked = io.BufferedReader(lines, SAMPLE_BYTES)
    encoding = "utf-16" if utf16 else None
    return OpenedFile(checked, compressed, _delimiter(checked.peek(SAMPLE_BYTES)), lines, encoding)


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
