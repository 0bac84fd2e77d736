"""The report in a real browser: headless Chromium at a laptop's 1280 px and a phone's 390 px.

Skipped without the `chromium` package. The screenshots are read with a
small PNG decoder (numpy only), to check that something was drawn and that
nothing sticks out past the right edge of a phone's screen: the page's
background must run down both edges, so an element wider than the screen
(which the browser would cut off) fails the test.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from newsetl.pipeline.backfill import backfill_files
from newsetl.store.report import render_report
from newsetl.store.warehouse import connect
from tests.conftest import SEED_TITLE

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium package")

BACKGROUND = (246, 247, 249)  # the page's background colour (#f6f7f9)
BAR_BLUE = (51, 103, 214)  # bars and the first series (#3367d6)
SECTIONS = ("summary", "articles", "groups", "languages", "entities", "quoted", "runs",
            "rejects")


def read_png(path: Path) -> np.ndarray:
    """The pixels (height, width, channels) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data, pos, idat = path.read_bytes(), 8, []
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + size
    bpp = 3 if colour_type == 2 else 4
    rows = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, -1)
    out = np.zeros((height, width * bpp), np.int32)
    prev = np.zeros(width * bpp, np.int32)
    for y in range(height):  # undo each row's filter (PNG spec, section 9)
        kind, row = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = row
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(row.reshape(width, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:  # Up
            cur = (row + prev) % 256
        else:  # Average, Paeth: byte by byte
            cur = row.copy()
            for x in range(width * bpp):
                a = int(cur[x - bpp]) if x >= bpp else 0
                b = int(prev[x])
                if kind == 3:
                    cur[x] = (cur[x] + (a + b) // 2) % 256
                    continue
                c = int(prev[x - bpp]) if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[x] = (cur[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) % 256
        out[y], prev = cur, cur
    return out.reshape(height, width, bpp)[:, :, :3].astype(np.uint8)


def test_the_png_reader_reads_what_zlib_wrote(tmp_path: Path):
    # Two rows, filters None and Sub, RGB: the reader must give back the pixels.
    pixels = [[(255, 0, 0), (0, 255, 0)], [(10, 20, 30), (15, 25, 35)]]
    raw = b"\x00" + bytes([255, 0, 0, 0, 255, 0]) + b"\x01" + bytes([10, 20, 30, 5, 5, 5])

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    png = tmp_path / "t.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2,
                                                                      0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    assert read_png(png).tolist() == [[list(p) for p in row] for row in pixels]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline, with a throwaway profile."""
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--hide-scrollbars", *args],
        capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def report_file(archive: Path, warehouse_file: Path, tmp_path: Path) -> Path:
    """The report of a small warehouse with every chart and table, and long unbroken names
    that a phone's width must wrap or scroll, never cut."""
    backfill_files(warehouse_file, [str(archive)], "run-1")
    long_name = "Averyveryverylongsourcenamewithoutanyspacesatallthatnophonecouldfit" * 2
    with connect(warehouse_file) as con:
        con.execute("UPDATE articles SET published_at = CASE WHEN title = ? "
                    "THEN TIMESTAMPTZ '2014-10-01 09:00:00+00' "
                    "ELSE TIMESTAMPTZ '2014-10-20 18:00:00+00' END", [SEED_TITLE])
        con.execute("UPDATE articles SET source = ? WHERE title <> ?", [long_name, SEED_TITLE])
        con.execute("UPDATE entities SET name = ? WHERE name = 'Moscow'", [long_name])
        con.execute("INSERT INTO runs (run_id, flow, started_at, finished_at, status, seen, "
                    "loaded) VALUES ('run-1', 'backfill', TIMESTAMPTZ '2014-10-21 08:00:00+00',"
                    " TIMESTAMPTZ '2014-10-21 08:00:42+00', 'ok', 3, 2)")
        con.execute("INSERT INTO rejects (run_id, input, reason, detail, rejected_at) VALUES "
                    "('run-1', ?, 'binary', ?, TIMESTAMPTZ '2014-10-21 08:00:10+00')",
                    [f"/archive/{long_name}.bin", "not text: " + long_name])
    with connect(warehouse_file, read_only=True) as con:
        html = render_report(con, warehouse_path=warehouse_file)
    out = tmp_path / "report.html"
    out.write_text(html, encoding="utf-8")
    return out


def test_chromium_renders_every_section(report_file: Path, tmp_path: Path):
    dom = _chromium(tmp_path, "--dump-dom", report_file.as_uri()).stdout
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom, section
    assert dom.count('class="chart wide"') == dom.count('class="chart narrow"') == 3
    assert "Sergei Lavrov" in dom and ">1 Oct 2014<" in dom


@pytest.mark.parametrize(("width", "height"), [(1280, 2200), (390, 4200)])
def test_the_report_reads_at_laptop_and_phone_width(report_file: Path, tmp_path: Path,
                                                   width: int, height: int):
    shot = tmp_path / f"report-{width}.png"
    run = _chromium(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}",
                    report_file.as_uri())
    assert shot.exists(), run.stderr[-2000:]
    pixels = read_png(shot)
    assert pixels.shape[:2] == (height, width)
    colours = {tuple(c) for c in pixels.reshape(-1, 3)[::7].tolist()}
    assert len(colours) > 50 and BACKGROUND in colours and BAR_BLUE in colours  # drawn
    # Nothing cut at either side: the page's background runs down both edges.
    for edge in (pixels[:, :4], pixels[:, -4:]):
        assert {tuple(c) for c in edge.reshape(-1, 3).tolist()} == {BACKGROUND}
    # The page is as long as its content, not a blank screen: rows of content all the way
    # down to the last section, then background.
    drawn_rows = np.flatnonzero((pixels != BACKGROUND).any(axis=(1, 2)))
    assert drawn_rows.size > height // 4
