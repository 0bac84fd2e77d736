"""Backfill throughput at scale, beside bare trafilatura, measured in one run.

    make bench-scale      # or: .venv/bin/python bench/scale.py [--pages N] [--out FILE]

Builds an archive of N distinct HTML pages (default 5,000) from the gold pages in
../shared/eval: each copy gets its own URL and a changed sentence, so it is its own
article. Then, in this order, on this machine:

1. bare trafilatura (`bare_extraction(with_metadata=True)`, the call the gold sets'
   reference figures use) over the same pages, already in memory, in one process;
2. the backfill flow into a fresh warehouse, on a local Prefect server, with the
   peak memory of this process and its children sampled (PSS; the server excluded);
3. the same flow again at once: the no-op rerun;
4. the same flow on the first 1,000 pages, for memory against size;
5. the same backfill without Prefect (`pipeline.backfill_files` on threads, plus the
   search index refresh the flow does), alternated with more flow runs
   (`--repeats`): the Prefect overhead is the difference of the medians;
6. the DuckDB load alone: the last plain run's batches loaded into empty warehouses.

Figures go to a JSON file and a table. The machine is noisy: compare ratios.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO))

from newsetl.cli import load_flow  # noqa: E402
from newsetl.pipeline.backfill import (  # noqa: E402
    Extracted,
    ExtractOptions,
    backfill_files,
    extract_group,
    stop_extraction_pool,
)
from newsetl.pipeline.runners import THREADS_IN_FLIGHT  # noqa: E402
from newsetl.store.search import refresh_index  # noqa: E402
from newsetl.store.warehouse import Ledger, connect, load_batch  # noqa: E402

# The URLs a page gives for itself: rel=canonical and og:url (attribute order varies).
_SELF_URL = re.compile(rb"""<(?:link[^>]*rel=["']?canonical|meta[^>]*og:url)[^>]*"""
                       rb"""(?:href|content)=["']([^"']+)["']""", re.IGNORECASE)
_FIRST_PARAGRAPH_END = re.compile(rb"</p>", re.IGNORECASE)


def gold_pages() -> list[tuple[str, bytes]]:
    """(url, html) of every gold page on hand; the test page when ../shared is absent."""
    pages = []
    for expected in sorted(EVAL.glob("*/*/expected.json")):
        url = json.loads(expected.read_text("utf-8")).get("url")
        html = expected.parent / "page.html.gz"
        if url and html.is_file():
            pages.append((url, gzip.decompress(html.read_bytes())))
    if not pages:
        from tests.conftest import HTML_PAGE

        print(f"bench/scale: no gold pages at {EVAL}; using the test page only")
        pages = [("https://gazette.example/news/harbour", HTML_PAGE.encode("utf-8"))]
    return pages


def variant(url: str, html: bytes, copy: int) -> tuple[str, bytes]:
    """Copy `copy` of a page: its own URL wherever the page names itself, one changed line."""
    if copy == 0:
        return url, html
    for own in {url.encode("utf-8"), *_SELF_URL.findall(html)}:
        html = html.replace(own, own.rstrip(b"/") + f"-copy-{copy}".encode())
    html = _FIRST_PARAGRAPH_END.sub(f" (Updated, copy {copy}.)</p>".encode(), html, count=1)
    return f"{url.rstrip('/')}-copy-{copy}", html


def build_corpus(root: Path, n: int) -> list[bytes]:
    """`n` distinct pages as .html.gz files with a manifest giving their URLs; returns the HTML."""
    pages = gold_pages()
    root.mkdir(parents=True)
    manifest = ['source = "bench"', ""]
    htmls = []
    for i in range(n):
        url, html = variant(*pages[i % len(pages)], copy=i // len(pages))
        name = f"{i // 1000:03d}/{i:06d}.html.gz"
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_bytes(gzip.compress(html, compresslevel=1))
        manifest += ["[[items]]", f'path = "{name}"', f"url = {json.dumps(url)}", ""]
        htmls.append(html)
    (root / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    return htmls


def trafilatura_rate(htmls: list[bytes]) -> float:
    from trafilatura import bare_extraction

    start = time.perf_counter()
    for html in htmls:
        bare_extraction(html, with_metadata=True)
    return len(htmls) / (time.perf_counter() - start)


def _is_prefect_server(cmdline: list[str]) -> bool:
    """`python -m prefect server start ...` (see flows/serve.py's `server_command`)."""
    return cmdline[1:5] == ["-m", "prefect", "server", "start"]


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """Sample the memory of this process and its children (not the Prefect server).

    PSS, not RSS: pages the extraction workers share with their fork server
    count once in the sum, as they take memory once.
    """
    me = psutil.Process()
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    if not _is_prefect_server(proc.cmdline()):
                        total += proc.memory_full_info().pss
                except psutil.Error:
                    continue
            peak = max(peak, total)
            stop.wait(0.5)  # reading PSS costs the kernel time: often enough, not more

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak
    finally:
        stop.set()
        thread.join()


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def size_per_1000(warehouse: Path) -> tuple[int, float]:
    with connect(warehouse) as con:
        con.execute("CHECKPOINT")
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    return articles, warehouse.stat().st_size / max(articles, 1) * 1000 / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=None,
                        help="extraction processes (default: one per core)")
    parser.add_argument("--repeats", type=int, default=2,
                        help="flow and plain runs, alternated (medians reported)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "scale.json")
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-scale-"))
    archive, small = tmp / "archive", tmp / "archive" / "000"
    htmls = build_corpus(archive, args.pages)
    print(f"corpus: {args.pages} pages, {sum(map(len, htmls)) / 2**20:.0f} MB of HTML in {tmp}")

    traf_rate = trafilatura_rate(htmls)
    del htmls
    print(f"bare trafilatura: {traf_rate:.1f} pages/s")

    build_corpus(tmp / "warm", 4 * workers)

    serve = load_flow("serve", "local_server")
    backfill = load_flow("backfill", "backfill")
    from prefect.settings import PREFECT_API_URL, temporary_settings

    def flow_run(target: Path, paths: list[Path]) -> dict:
        return backfill(paths=[str(p) for p in paths], warehouse=str(target),
                        workers=workers)

    kept: list[Extracted] = []

    def extract_and_keep(files: list[str], ledger: Ledger, options: ExtractOptions
                         ) -> list[Extracted]:
        batches = extract_group(files, ledger, options)
        kept.extend(batches)
        return batches

    def plain(target: Path) -> None:
        """What the flow does, on threads of our own instead of Prefect tasks."""
        kept.clear()
        with ThreadPoolExecutor(THREADS_IN_FLIGHT) as threads:
            backfill_files(target, [str(archive)], "plain", ExtractOptions(workers=workers),
                           in_flight=THREADS_IN_FLIGHT,
                           submit=lambda *group: threads.submit(extract_and_keep, *group))
        stop_extraction_pool()  # as the flow does
        with connect(target) as con:
            refresh_index(con)

    flow_runs, plain_runs = [], []
    with serve(tmp / "prefect") as api_url, temporary_settings({PREFECT_API_URL: api_url}):
        # A server busy with its own start-up would steal a core from the first run.
        flow_run(tmp / "warm.duckdb", [tmp / "warm"])
        with peak_memory() as peak:
            seconds, first = timed(lambda: flow_run(tmp / "flow-0.duckdb", [archive]))
            memory_full = peak()
        flow_runs.append(seconds)
        noop_seconds, again = timed(lambda: flow_run(tmp / "flow-0.duckdb", [archive]))
        with peak_memory() as peak:
            flow_run(tmp / "small.duckdb", [small])
            memory_small = peak()
        # Flow and plain runs alternate, so that the machine's noise hits both alike.
        for r in range(args.repeats):
            plain_runs.append(timed(lambda r=r: plain(tmp / f"plain-{r}.duckdb"))[0])
            if r:
                flow_runs.append(timed(lambda r=r: flow_run(tmp / f"flow-{r}.duckdb",
                                                            [archive]))[0])
    flow_seconds, plain_seconds = statistics.median(flow_runs), statistics.median(plain_runs)
    small_pages = sum(1 for _ in small.glob("*.html.gz"))

    load_seconds = []
    rows = sum(e.batch.articles.num_rows + e.batch.entities.num_rows + e.batch.quotes.num_rows
               + e.batch.dates.num_rows for e in kept)
    for attempt in range(3):
        with connect(tmp / f"load-{attempt}.duckdb") as con:
            load_seconds.append(sum(timed(lambda e=e: load_batch(con, e.batch, "load"))[0]
                                    for e in kept))
    articles, mb_per_1000 = size_per_1000(tmp / "flow-0.duckdb")

    figures = {
        "pages": args.pages,
        "articles_loaded": first["loaded"],
        "rejected": first["rejected"],
        "extraction_processes": workers,
        "end_to_end_pages_per_s": round(args.pages / flow_seconds, 1),
        "trafilatura_pages_per_s": round(traf_rate, 1),
        "ratio_end_to_end_to_trafilatura": round(args.pages / flow_seconds / traf_rate, 2),
        "flow_seconds": round(flow_seconds, 1),
        "plain_seconds": round(plain_seconds, 1),
        "prefect_overhead_share": round(1 - plain_seconds / flow_seconds, 3),
        "duckdb_load_rows_per_s": round(rows / statistics.median(load_seconds)),
        "duckdb_load_articles_per_s": round(articles / statistics.median(load_seconds)),
        "repeats": args.repeats,
        "peak_memory_mb": round(memory_full / 2**20),
        "peak_memory_mb_small": round(memory_small / 2**20),
        "small_pages": small_pages,
        "memory_ratio_full_to_small": round(memory_full / memory_small, 2),
        "warehouse_mb_per_1000_articles": round(mb_per_1000, 1),
        "noop_rerun_seconds": round(noop_seconds, 1),
        "noop_rerun_skipped": again["skipped"],
        "first_to_noop_ratio": round(flow_seconds / noop_seconds, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"  {name:{width}s}  {value}")
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
