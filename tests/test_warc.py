"""WARC round trips: what the fetcher got is what the archive gives back."""

from __future__ import annotations

import gzip
import io
import json
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsetl.archive.warc import WarcWriter, iter_warc_items
from newsetl.models import Item, Reject
from newsetl.web.fetch import Fetcher, FetchResult
from newsetl.web.sources import FetchSettings

PAGE = "<!doctype html><html><head><title>Café</title></head><body><p>Hafen \u2013 offen</p>"
WHEN = datetime(2024, 5, 1, 12, 30, 15, tzinfo=UTC)


def page(n: int, **changes) -> FetchResult:
    fields = {
        "url": f"https://gazette.example/news/{n}",
        "final_url": f"https://gazette.example/news/{n}",
        "outcome": "ok",
        "status": 200,
        "reason": "OK",
        "headers": (
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ),
        "request_headers": (("User-Agent", "newsetl-test"), ("Accept", "text/html")),
        "body": f"<html><body><p>Story {n}</p></body></html>".encode(),
        "fetched_at": WHEN,
        **changes,
    }
    return FetchResult(**fields)


def items(path: Path) -> list[Item | Reject]:
    return list(iter_warc_items(path, source="gazette"))


def test_fetched_page_round_trips_with_identical_bytes(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    body = gzip.compress(PAGE.encode("utf-8"))
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news/1", query_string="b=2").respond_with_data(
        body, headers={"Content-Type": "text/html; charset=UTF-8", "Content-Encoding": "gzip"}
    )
    settings = FetchSettings(allow_hosts=("127.0.0.1", "localhost"), rate_limit=0.0)
    with Fetcher(settings) as fetcher:
        result = fetcher.fetch(httpserver.url_for("/news/1") + "?b=2")
    assert result.outcome == "ok"
    path = tmp_path / "archive" / "run-1.warc.gz"
    with WarcWriter(path) as writer:
        location = writer.write(result)
    assert location is not None and location.path == str(path)

    (item,) = items(path)
    assert isinstance(item, Item)
    assert item.data == result.body == PAGE.encode("utf-8")
    assert item.key == item.url == result.final_url
    assert item.archive_path == f"{path}#{location.offset}" == location.archive_path
    assert item.source == "gazette"
    assert item.content_type == "text/html"
    assert item.http_charset == "UTF-8"
    assert item.fetched_at == result.fetched_at.replace(microsecond=0)

    # The offset and length point at exactly one record, readable on its own.
    with open(path, "rb") as fh:
        fh.seek(location.offset)
        member = fh.read(location.length)
    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    assert record.rec_type == "response"
    assert record.http_headers.get_header("Content-Encoding") is None  # body is stored decoded
    assert record.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert record.http_headers.get_header("Content-Length") == str(len(result.body))


def test_request_record_follows_each_response(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    with WarcWriter(path) as writer:
        writer.write(page(1, final_url="https://gazette.example/news/1?x=1"))
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.http_headers) for r in ArchiveIterator(fh)]
    assert [kind for kind, _ in records] == ["warcinfo", "response", "request"]
    request = records[2][1]
    assert request.protocol == "GET" and request.statusline == "/news/1?x=1 HTTP/1.1"
    assert request.get_header("Host") == "gazette.example"
    assert request.get_header("User-Agent") == "newsetl-test"
    assert [v for k, v in records[1][1].headers if k == "Set-Cookie"] == ["a=1", "b=2"]


def test_what_is_archived(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    with WarcWriter(path) as writer:
        assert writer.write(page(1)) is not None
        assert (
            writer.write(page(2, outcome="http-error", status=404, reason="Not Found")) is not None
        )
        assert writer.write(page(3, outcome="not-modified", status=304, body=None)) is None
        assert writer.write(page(4, outcome="too-large", body=None)) is None
        assert writer.write(page(5, outcome="blocked-address", status=None, body=None)) is None
        feed = page(6, headers=(("Content-Type", "application/rss+xml"),), body=b"<rss/>")
        assert writer.write(feed) is not None
    # Only the 2xx HTML page is an article; the 404 page and the feed are evidence.
    assert [i.url for i in items(path)] == ["https://gazette.example/news/1"]


def test_writer_appends_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    with WarcWriter(path) as writer:
        writer.write(page(1))
    with WarcWriter(path) as writer:
        second = writer.write(page(2))
    assert second is not None and second.offset > 0
    assert [i.url for i in items(path)] == [
        "https://gazette.example/news/1",
        "https://gazette.example/news/2",
    ]


def test_writer_wants_a_gzipped_warc_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.warc\.gz"):
        WarcWriter(tmp_path / "run.warc")


def write_three(path: Path) -> list:
    with WarcWriter(path) as writer:
        return [writer.write(page(n)) for n in (1, 2, 3)]


def test_corrupt_record_between_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    locations = write_three(path)
    data = bytearray(path.read_bytes())
    middle = locations[1]
    data[middle.offset + middle.length // 2] ^= 0xFF  # one flipped byte inside record 2
    path.write_bytes(bytes(data))

    found = items(path)
    assert [i.url for i in found if isinstance(i, Item)] == [
        "https://gazette.example/news/1",
        "https://gazette.example/news/3",
    ]
    (reject,) = [r for r in found if isinstance(r, Reject)]
    assert reject.reason == "bad-warc-record"
    assert reject.input == f"{path}#{middle.offset}"
    assert reject.source == "gazette"


def test_record_with_broken_headers_between_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    locations = write_three(path)
    data = path.read_bytes()
    middle = locations[1]
    broken = gzip.compress(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 10\r\n\r\nnot http\r\n\r\n\r\n"
    )
    path.write_bytes(data[: middle.offset] + broken + data[middle.offset + middle.length :])

    found = items(path)
    assert [i.url for i in found if isinstance(i, Item)] == [
        "https://gazette.example/news/1",
        "https://gazette.example/news/3",
    ]
    assert [r.reason for r in found if isinstance(r, Reject)] == ["bad-warc-record"]


def test_truncated_file_gives_what_was_readable(tmp_path: Path) -> None:
    path = tmp_path / "run.warc.gz"
    locations = write_three(path)
    last = locations[2]
    path.write_bytes(path.read_bytes()[: last.offset + last.length // 2])

    found = items(path)
    assert [i.url for i in found if isinstance(i, Item)] == [
        "https://gazette.example/news/1",
        "https://gazette.example/news/2",
    ]
    (reject,) = [r for r in found if isinstance(r, Reject)]
    assert reject.reason == "bad-warc-record"
    assert reject.input == f"{path}#{last.offset}"


def test_uncompressed_warc_with_a_corrupt_record(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n in (1, 2, 3):
        html = f"<html><body><p>Story {n}</p></body></html>".encode()
        writer.write_record(
            writer.create_warc_record(
                f"https://gazette.example/news/{n}",
                "response",
                payload=io.BytesIO(html),
                length=len(html),
                http_headers=StatusAndHeaders(
                    "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
                ),
            )
        )
    path = tmp_path / "plain.warc"
    path.write_bytes(buffer.getvalue().replace(b"Story 2", b"Story X"))  # digest no longer matches

    found = items(path)
    assert [i.url for i in found if isinstance(i, Item)] == [
        "https://gazette.example/news/1",
        "https://gazette.example/news/3",
    ]
    assert [r.reason for r in found if isinstance(r, Reject)] == ["bad-warc-record"]


def test_missing_file_is_a_reject(tmp_path: Path) -> None:
    (reject,) = items(tmp_path / "nope.warc.gz")
    assert isinstance(reject, Reject) and reject.reason == "missing"


def test_other_tools_warcs_with_chunked_gzip_payloads(tmp_path: Path) -> None:
    """An uncompressed WARC whose response kept its transfer and content encodings."""
    html = PAGE.encode("utf-8")
    packed = gzip.compress(html)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    headers = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", "application/xhtml+xml"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ],
        protocol="HTTP/1.1",
    )
    writer.write_record(
        writer.create_warc_record(
            "https://other.example/a",
            "response",
            payload=io.BytesIO(chunked),
            length=len(chunked),
            http_headers=headers,
        )
    )
    path = tmp_path / "other.warc"
    path.write_bytes(buffer.getvalue())

    (item,) = items(path)
    assert item.data == html
    assert item.content_type == "text/html" and item.http_charset is None


# Hostile archives: bombs are built in tmp_path without ever holding what they inflate to,
# and read in a child process so that its peak memory is its own.
_READ_AND_MEASURE = """
import json, resource, sys
from newsetl.archive.files import iter_items
entries = [(type(e).__name__, getattr(e, "reason", None), getattr(e, "detail", ""))
           for e in iter_items([sys.argv[1]])]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"entries": entries, "peak": peak}))
"""
GB = 1 << 30


def zeros_compressed(megabytes: int, wrapper: str) -> bytes:
    """`megabytes` MB of zeros as a gzip ("gzip") or zlib ("deflate") stream, built in ~1 MB.

    One MB of zeros is compressed once, ended by a full flush (so it needs
    no earlier data), and repeated; then the end block and the checksum.
    """
    mb = bytes(1 << 20)
    seg_maker = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = seg_maker.compress(mb) + seg_maker.flush(zlib.Z_FULL_FLUSH)
    end_maker = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = segment * megabytes + end_maker.flush()
    size = megabytes << 20
    if wrapper == "gzip":
        crc = 0
        for _ in range(megabytes):
            crc = zlib.crc32(mb, crc)
        return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + body
                + struct.pack("<II", crc, size & 0xFFFFFFFF))
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(mb, adler)
    return b"\x78\xda" + body + struct.pack(">I", adler)


def read_in_child(path: Path) -> tuple[list[list], int]:
    """What `iter_items` gives for `path`, and the reading process's peak memory in bytes."""
    done = subprocess.run([sys.executable, "-c", _READ_AND_MEASURE, str(path)],
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout)
    return result["entries"], result["peak"]


def test_zeros_helper_inflates_to_what_it_says() -> None:
    for wrapper, wbits in (("gzip", 31), ("deflate", 15)):
        data = zlib.decompress(zeros_compressed(3, wrapper), wbits)
        assert data == bytes(3 << 20)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_content_encoding_bomb_is_too_large_in_bounded_memory(tmp_path: Path,
                                                              encoding: str) -> None:
    """A tiny .warc.gz whose payload inflates to 1 GB (the issue's 12 KB -> 12 GB case)."""
    bomb = zeros_compressed(1024, encoding)
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for n, (payload, headers) in enumerate([
            (bomb, [("Content-Type", "text/html"), ("Content-Encoding", encoding)]),
            (b"<html><body><p>Fine</p></body></html>", [("Content-Type", "text/html")]),
        ]):
            writer.write_record(writer.create_warc_record(
                f"https://gazette.example/{n}", "response", payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")))
    assert path.stat().st_size < 100_000

    entries, peak = read_in_child(path)
    assert [(kind, reason) for kind, reason, _ in entries] == [("Reject", "too-large"),
                                                              ("Item", None)]
    assert peak < GB


def test_gzip_of_zeros_without_a_newline_is_a_bad_record_in_bounded_memory(
        tmp_path: Path) -> None:
    """2 GB of zeros, no newline: warcio's readline would hold it all in one line."""
    path = tmp_path / "zeros.warc.gz"
    path.write_bytes(zeros_compressed(2048, "gzip"))
    entries, peak = read_in_child(path)
    assert [(kind, reason) for kind, reason, _ in entries] == [("Reject", "bad-warc-record")]
    assert "header line over" in entries[0][2]
    assert peak < GB


def test_record_with_endless_headers_is_a_bad_record(tmp_path: Path) -> None:
    """Short header lines, but megabytes of them: the record's header total is bounded."""
    good = io.BytesIO()
    writer = WARCWriter(good, gzip=True)
    html = b"<html><body><p>After</p></body></html>"
    writer.write_record(writer.create_warc_record(
        "https://gazette.example/after", "response", payload=io.BytesIO(html),
        length=len(html),
        http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                      protocol="HTTP/1.1")))
    endless = b"WARC/1.0\r\nWARC-Type: response\r\n" + b"X-Filler: a\r\n" * 200_000
    path = tmp_path / "headers.warc.gz"
    path.write_bytes(gzip.compress(endless) + good.getvalue())

    found = items(path)
    assert [r.reason for r in found if isinstance(r, Reject)] == ["bad-warc-record"]
    assert "record headers over" in next(r for r in found if isinstance(r, Reject)).detail
    assert [i.url for i in found if isinstance(i, Item)] == ["https://gazette.example/after"]


def test_record_without_content_length_is_read_only_to_the_limit(tmp_path: Path) -> None:
    """No Content-Length: warcio would read the whole member as the payload."""
    from newsetl.archive.files import MAX_ITEM_BYTES

    head = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://gazette.example/x\r\n"
            b"\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    path = tmp_path / "nolength.warc.gz"
    with path.open("wb") as fh:
        fh.write(compressor.compress(head))
        for _ in range(MAX_ITEM_BYTES // (1 << 20) + 2):
            fh.write(compressor.compress(b"<p>" + b"x" * ((1 << 20) - 3)))
        fh.write(compressor.flush())
    (reject,) = items(path)
    assert isinstance(reject, Reject) and reject.reason == "too-large"


def test_mislabelled_encoding_is_read_as_plain_bytes(tmp_path: Path) -> None:
    html = b"<html><body><p>Not gzipped at all</p></body></html>"
    path = tmp_path / "label.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warc_record(
            "https://gazette.example/label", "response", payload=io.BytesIO(html),
            length=len(html), http_headers=StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                protocol="HTTP/1.1")))
    (item,) = items(path)
    assert isinstance(item, Item) and item.data == html
