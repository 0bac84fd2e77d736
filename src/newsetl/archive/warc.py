"""WARC files: the raw record of what each run fetched, and reading it back.

Writing: `WarcWriter` appends to one gzipped WARC per run (the caller picks
the path, e.g. `warehouse/newsetl.archive/<source>/<run-id>.warc.gz`), one gzip member per
record so any record can be read from its offset alone. For each fetch it
writes a `response` record and then its `request` record. What is kept:

* `ok` pages, feeds and sitemaps: the evidence an article is extracted from;
* `http-error` responses that have a body (e.g. a 404 or 410 page): they
  prove a page was gone when we looked;
* nothing else: `not-modified` has no new content (the `fetches` table
  records the revalidation) and rejections carry no body we trust. Redirect
  hops are not archived either; the fetch result lists them.

The body in a `FetchResult` is already content-decoded (gzip, br), so the
archived HTTP headers are made to match it: `Content-Encoding`,
`Transfer-Encoding` and `Content-Length` are replaced by the true length of
the stored body, and the originals kept as `X-Archive-Orig-*` headers (the
convention of pywb and other replay tools).

Reading: `iter_warc_items` turns each 2xx HTML `response` record back into
an `Item`, and a record it cannot read into a `Reject`, then resynchronises
on the next gzip member (or the next `WARC/` line of an uncompressed file)
and goes on: one bad record must not hide the rest of a run's pages.
Digests are checked, so a flipped bit or a truncated record is noticed
rather than extracted.

Reading is bounded, whatever the file holds: a header line over
`MAX_HEADER_LINE` bytes, or a record whose header lines total over
`MAX_HEADER_BYTES` (a file of zeros without a newline, say), is a
`bad-warc-record` as soon as the limit is passed; a payload, and its
content-encoding (gzip, deflate) once undone, over `MAX_ITEM_BYTES` is
`too-large` after at most that many bytes plus one were produced. warcio's
own `readline` and decoders grow without limit, hence `_BoundedReader` and
`_decode_payload`.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import BUFF_SIZE
from warcio.warcwriter import WARCWriter

from newsetl.archive.files import MAX_ITEM_BYTES, item_hash
from newsetl.models import HTTP_ERROR, OK, PAGE_TYPES, FetchResult, Item, Reject, media_type

ARCHIVED_OUTCOMES = frozenset({OK, HTTP_ERROR})
# Replaced in the archived response headers because the stored body is decoded.
_ENCODING_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."
_SCAN_CHUNK = 1024 * 1024
# WARC and HTTP header lines are short; a record's headers are a few KB.
MAX_HEADER_LINE = 64 * 1024
MAX_HEADER_BYTES = 1024 * 1024
_DECODE_STEP = 64 * 1024  # compressed bytes fed to the decoder at a time


class _BoundedReader(DecompressingBufferedReader):
    """warcio's reader with `readline` bounded, per line and per record.

    warcio reads every WARC and HTTP header line, and the blank lines
    between records, with `readline` on this one reader; unbounded, a
    newline-free stream (2 GB of zeros) grows one line to its whole size.
    `_BoundedIterator` resets `header_bytes` at each record.
    """

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream, block_size=BUFF_SIZE)
        self.header_bytes = 0

    def readline(self, length: int | None = None) -> bytes:
        limit = MAX_HEADER_LINE + 1
        line = super().readline(limit if length is None or length < 0 else min(length, limit))
        self.header_bytes += len(line)
        if len(line) > MAX_HEADER_LINE and not line.endswith(b"\n"):
            raise ArchiveLoadFailed(f"a header line over {MAX_HEADER_LINE} bytes")
        if self.header_bytes > MAX_HEADER_BYTES:
            raise ArchiveLoadFailed(f"record headers over {MAX_HEADER_BYTES} bytes")
        return line


class _BoundedIterator(ArchiveIterator):
    """`ArchiveIterator` reading through `_BoundedReader`."""

    def __init__(self, fh: BinaryIO, **kwargs: object) -> None:
        super().__init__(fh, **kwargs)
        self.reader = _BoundedReader(self.fh)  # nothing has been read yet

    def _next_record(self, next_line: bytes | None) -> ArcWarcRecord:
        self.reader.header_bytes = len(next_line or b"")
        return super()._next_record(next_line)


@dataclass(frozen=True)
class WarcLocation:
    """Where a response record is: enough for a `fetches` row to point at it."""

    path: str
    offset: int  # byte offset of the record's gzip member
    length: int  # bytes of that member

    @property
    def archive_path(self) -> str:
        """`path#offset`, the form `Item.archive_path` uses for WARC records."""
        return f"{self.path}#{self.offset}"


class WarcWriter:
    """Append fetches to one gzipped WARC file; use as a context manager.

    The file is opened for appending, so a run that restarts with the same
    path adds to its WARC instead of destroying what it had written.
    """

    def __init__(self, path: str | os.PathLike[str], *, software: str = "newsetl") -> None:
        self.path = Path(path)
        if not self.path.name.endswith(".warc.gz"):
            raise ValueError(f"a gzipped WARC path must end in .warc.gz: {self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: BinaryIO = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        self._writer = WARCWriter(self._fh, gzip=True)
        if self._fh.tell() == 0:
            info = {"software": software, "format": "WARC File Format 1.0"}
            self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, info))

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._fh.close()

    def write(self, result: FetchResult) -> WarcLocation | None:
        """Archive one fetch; None when the policy above says it is not kept."""
        if result.outcome not in ARCHIVED_OUTCOMES or result.status is None or result.body is None:
            return None
        fetched_at = result.fetched_at or datetime.now(UTC)
        date = datetime_to_iso_date(fetched_at.astimezone(UTC).replace(tzinfo=None))
        response = self._writer.create_warc_record(
            result.final_url,
            "response",
            payload=io.BytesIO(result.body),
            length=len(result.body),
            http_headers=StatusAndHeaders(
                f"{result.status} {result.reason}".strip(),
                _archived_headers(result.headers, len(result.body)),
                protocol="HTTP/1.1",
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        offset = self._fh.tell()
        self._writer.write_record(response)
        length = self._fh.tell() - offset
        parts = urlsplit(result.final_url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = self._writer.create_warc_record(
            result.final_url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1",
                [("Host", parts.netloc), *result.request_headers],
                is_http_request=True,
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        self._writer.write_record(request)
        return WarcLocation(str(self.path), offset, length)


def _archived_headers(headers: tuple[tuple[str, str], ...], length: int) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() in _ENCODING_HEADERS:
            kept.append((f"X-Archive-Orig-{name}", value))
        else:
            kept.append((name, value))
    kept.append(("Content-Length", str(length)))
    return kept


def iter_warc_items(path: str | os.PathLike[str], source: str) -> Iterator[Item | Reject]:
    """Each 2xx HTML response in a WARC as an Item; unreadable records as Rejects.

    Other records (request, warcinfo, non-HTML or non-2xx responses) are
    skipped silently: they are not articles. Never raises for bad content.
    """
    path = str(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as err:
        yield Reject(input=path, reason="missing", detail=str(err), source=source)
        return
    try:
        gzipped = fh.read(2) == _GZIP_MAGIC[:2]
        position: int | None = 0
        while position is not None:
            fh.seek(position)
            records = _BoundedIterator(fh, check_digests="raise")
            resume_from = position  # end of the last record read whole
            try:
                for record in records:
                    yielded = _record_to_item(record, path, source, records)
                    resume_from = records.get_record_offset() + records.get_record_length()
                    if yielded is not None:
                        yield yielded
                problem = _trailing_garbage(fh, resume_from)
            # warcio is not hardened against every malformation (a record without
            # a target URI raises AttributeError): any failure while parsing
            # untrusted bytes means "this record is unreadable".
            except Exception as err:
                problem = f"{type(err).__name__}: {err}"
            if problem is None:
                return
            yield Reject(
                input=f"{path}#{resume_from}",
                reason="bad-warc-record",
                detail=_printable(problem),
                source=source,
            )
            position = _next_record_start(fh, resume_from, gzipped)
    finally:
        fh.close()


def _trailing_garbage(fh: BinaryIO, end: int) -> str | None:
    """What is wrong with the bytes after the last record warcio read, if any.

    warcio stops silently at a truncated gzip member, so a cut-off file would
    otherwise just look shorter.
    """
    fh.seek(end)
    rest = fh.read(_SCAN_CHUNK)
    return "truncated or unreadable data after the last good record" if rest.strip() else None


def _printable(text: str, limit: int = 300) -> str:
    return "".join(c if c.isascii() and c.isprintable() else "?" for c in text)[:limit]


def _record_to_item(
    record: ArcWarcRecord, path: str, source: str, records: ArchiveIterator
) -> Item | Reject | None:
    """Read one record fully (so digests are checked); raises on a corrupt record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    offset = records.offset
    uri = record.rec_headers.get_header("WARC-Target-URI")
    status = record.http_headers.get_statuscode()
    content_type = record.http_headers.get_header("Content-Type")
    if not (status or "").startswith("2") or media_type(content_type) not in PAGE_TYPES:
        return None
    if record.payload_length > MAX_ITEM_BYTES:
        return Reject(
            input=f"{path}#{offset}",
            reason="too-large",
            source=source,
            key=uri,
            detail=f"{record.payload_length} bytes, over the {MAX_ITEM_BYTES} limit",
        )
    raw = record.raw_stream.read(MAX_ITEM_BYTES + 1)  # no Content-Length: no limit but ours
    if len(raw) > MAX_ITEM_BYTES:
        return Reject(input=f"{path}#{offset}", reason="too-large", source=source, key=uri,
                      detail=f"a payload over the {MAX_ITEM_BYTES} byte limit")
    if record.payload_length >= 0 and len(raw) != record.payload_length:
        raise ArchiveLoadFailed(f"record truncated: {len(raw)} of {record.payload_length} bytes")
    try:
        data = _decode_payload(record, raw)
    except ValueError as err:
        reason = "too-large" if isinstance(err, _TooLarge) else "bad-warc-record"
        return Reject(input=f"{path}#{offset}", reason=reason, source=source, key=uri,
                      detail=_printable(str(err)), item_hash=item_hash(raw))
    return Item(
        key=uri,
        data=data,
        archive_path=f"{path}#{offset}",
        source=source,
        url=uri,
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
        content_type="text/html",  # XHTML is extracted as HTML
        http_charset=_charset(content_type),
    )


class _TooLarge(ValueError):
    """A payload that decodes to more than MAX_ITEM_BYTES."""


def _decode_payload(record: ArcWarcRecord, raw: bytes) -> bytes:
    """Undo chunking and content-encoding, as WARCs written by other tools keep them.

    At most MAX_ITEM_BYTES + 1 bytes are ever decoded: a 20 KB gzip member
    can inflate to 20 MB, and one gzipped twice to gigabytes. Raises
    `_TooLarge` past the limit, ValueError for a corrupt encoding. An
    encoding that fails on its first bytes is taken for a mislabelled plain
    body (as warcio does). Other encodings (`br` among them) are left as they
    are, as before: the extractor then sees bytes it cannot read.
    """
    headers = record.http_headers
    encoding = (headers.get_header("Content-Encoding") or "").strip().lower()
    if (headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        # De-chunking alone never grows the data: `raw` is already bounded.
        raw = ChunkedDataReader(io.BytesIO(raw)).read()
    if encoding in ("gzip", "x-gzip"):
        return _inflate(raw, [16 + zlib.MAX_WBITS])
    if encoding == "deflate":  # zlib-wrapped, or raw deflate as some servers send
        return _inflate(raw, [zlib.MAX_WBITS, -zlib.MAX_WBITS])
    return raw


def _inflate(raw: bytes, formats: list[int]) -> bytes:
    """`raw` decompressed with the first of `formats` (zlib wbits) that accepts it, bounded."""
    for wbits in formats:
        decoder, out, size = zlib.decompressobj(wbits), [], 0
        try:
            for start in range(0, len(raw), _DECODE_STEP):
                pending = raw[start:start + _DECODE_STEP]
                while pending:
                    chunk = decoder.decompress(pending, MAX_ITEM_BYTES + 1 - size)
                    out.append(chunk)
                    size += len(chunk)
                    if size > MAX_ITEM_BYTES:
                        raise _TooLarge(f"over {MAX_ITEM_BYTES} bytes once decoded")
                    pending = decoder.unconsumed_tail
                if decoder.eof:
                    break
            out.append(decoder.flush())  # a few bytes a capped call left inside zlib
            size += len(out[-1])
            if size > MAX_ITEM_BYTES:
                raise _TooLarge(f"over {MAX_ITEM_BYTES} bytes once decoded")
        except zlib.error as err:
            if size == 0:
                continue  # not this format (or not compressed at all)
            raise ValueError(f"corrupt content-encoding: {err}") from None
        return b"".join(out)
    return raw


def _charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _next_record_start(fh: BinaryIO, bad: int, gzipped: bool) -> int | None:
    """Offset of the next gzip member (or `WARC/1.x` line) after the bad record at `bad`."""
    needle = _GZIP_MAGIC if gzipped else _WARC_LINE
    fh.seek(bad)
    head = fh.read(_SCAN_CHUNK)
    # Skip the blank lines an uncompressed record ends with, then the bad
    # record's own first byte, so the search cannot find the bad record again.
    position = bad + len(head) - len(head.lstrip()) + 1
    while True:
        fh.seek(position)
        chunk = fh.read(_SCAN_CHUNK + len(needle))
        if len(chunk) < len(needle):
            return None
        found = chunk.find(needle)
        if found != -1:
            return position + found + (0 if gzipped else 1)
        position += _SCAN_CHUNK
