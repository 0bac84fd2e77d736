"""Backfill throughput at scale, beside bare trafilatura, in alternating rounds.

    make bench PAGES=1000 ROUNDS=5   # or: .venv/bin/python bench/scale.py [--pages N] [--rounds R]

Builds an archive of N distinct HTML pages (default 5,000) from the gold pages in
../shared/eval: each copy gets its own URL and a changed sentence, so it is its own
article. Then, on this machine, R rounds (default 3) of three phases each:

- trafilatura: bare `bare_extraction(with_metadata=True)` (the call the gold sets'
  reference figures use) over the same pages, already in memory, in one process;
- flow: the backfill flow into a fresh warehouse, on a Prefect server: the kept
  one (`newsetl server start`) when it runs, else the one PREFECT_API_URL names,
  else one started here for the bench (the output says which);
- plain: the same work without Prefect: the flow's body (`pipeline.run.writing`,
  `backfill_files` on threads of our own, the same index update on the way out).

A machine shared with others is never quiet, and whatever else runs lands on the
phase that happens to run then: three sequential runs at 1,000 pages gave ratios of
1.06x, 1.5x and 1.33x. Rounds interleave the phases so that noise hits all three
alike, and the order rotates from round to round (trafilatura-flow-plain,
flow-plain-trafilatura, ...), so that what one phase leaves behind (a server still
writing a run's logs, a busy page cache) does not always fall on the same neighbour.
Every round starts from the same state: fresh warehouses, no extraction processes.
The figures are per-round ratios (a round's phases ran close together): their
median and their spread (min-max), with a verdict when the spread is too wide to
conclude, and for the Prefect overhead, whether it is under the 5% target.

After the rounds, outside the timed phases (sampling memory costs the kernel time):
peak memory of the flow's processes at N and at 1,000 pages, the no-op rerun, and
the DuckDB load alone (the last plain run's batches into empty warehouses). For the
load path's ceiling without extraction see `bench/writer_ceiling.py`.

Figures go to a JSON file and a table.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO))

from newsetl.archive.files import list_inputs  # noqa: E402
from newsetl.cli import load_flow  # noqa: E402
from newsetl.pipeline.backfill import (  # noqa: E402
    Extracted,
    ExtractOptions,
    backfill_files,
    extract_group,
)
from newsetl.pipeline.run import writing  # noqa: E402
from newsetl.pipeline.runners import THREADS_IN_FLIGHT  # noqa: E402
from newsetl.store.warehouse import Ledger, connect, load_batch  # noqa: E402

PHASES = ("trafilatura", "flow", "plain")
OVERHEAD_TARGET = 0.05  # issue 18: Prefect overhead under 5% of the flow's wall time
RATIO_SPREAD_LIMIT = 0.2  # a ratio whose rounds differ by more than 20% of its median

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


def read_corpus(root: Path) -> list[bytes]:
    """The pages `build_corpus` wrote, back in memory (trafilatura's input)."""
    return [gzip.decompress(p.read_bytes()) for p in sorted(root.glob("*/*.html.gz"))]


def trafilatura_seconds(htmls: list[bytes]) -> float:
    """Wall time of bare trafilatura over `htmls`, in this process, one page after another."""
    from trafilatura import bare_extraction

    start = time.perf_counter()
    for html in htmls:
        bare_extraction(html, with_metadata=True)
    return time.perf_counter() - start


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


def spread(values: list[float]) -> dict[str, float]:
    """Median and range of per-round figures (min-max: with 3-5 rounds, quartiles
    would be read off one or two values anyway)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def write_figures(figures: dict, out: Path) -> None:
    """The figures as JSON in `out`, and as a table on stdout (a `spread` as median and range)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    width = max(map(len, figures))
    for name, value in figures.items():
        if isinstance(value, dict):
            value = f"median {value['median']}  (min {value['min']}, max {value['max']})"
        print(f"  {name:{width}s}  {value}")
    print(f"figures: {out}")


def ratio_verdict(ratio: dict[str, float], rounds: int) -> str:
    """Whether the rounds agree well enough for the end-to-end ratio to mean something."""
    if rounds < 3:
        return f"too few rounds ({rounds}) to judge the spread: run 3 or more"
    width = (ratio["max"] - ratio["min"]) / ratio["median"]
    if width > RATIO_SPREAD_LIMIT:
        return (f"too wide to conclude: the rounds differ by {width:.0%} of the median "
                f"(more than {RATIO_SPREAD_LIMIT:.0%}); run more rounds or on a quieter machine")
    return f"consistent: the rounds differ by {width:.0%} of the median"


def overhead_verdict(overhead: dict[str, float], rounds: int,
                     target: float = OVERHEAD_TARGET) -> str:
    """Whether the Prefect overhead is under `target`, in every round, none, or unknown.

    The flow does all that the plain run does and more, so a round where the
    plain run is slower by more than `target` shows noise larger than the
    effect being judged: then nothing is concluded, whatever the range.
    """
    low, high = overhead["min"], overhead["max"]
    if rounds < 3:
        return f"too few rounds ({rounds}) to judge: run 3 or more"
    if low < -target:
        return (f"too noisy to conclude: in one round the plain run took {-low:.1%} longer "
                f"than the flow, which does more; noise of that size hides a {target:.0%} "
                "effect; run more rounds or on a quieter machine")
    if high < target:
        return f"target met: under {target:.0%} in every round"
    if low >= target:
        return f"target not met: {target:.0%} or more in every round"
    both = " (the range holds both 0% and the target)" if low <= 0 else ""
    return (f"too wide to conclude: the rounds range over {low:.1%} to {high:.1%}, "
            f"which includes {target:.0%}{both}; run more rounds or on a quieter machine")


def per_round(seconds: dict[str, list[float]]) -> tuple[list[float], list[float]]:
    """Each round's end-to-end ratio to trafilatura and its Prefect overhead share."""
    flow, plain, traf = seconds["flow"], seconds["plain"], seconds["trafilatura"]
    return ([t / f for f, t in zip(flow, traf, strict=True)],
            [1 - p / f for f, p in zip(flow, plain, strict=True)])


def summary(seconds: dict[str, list[float]]) -> str:
    """One line on the rounds so far, so that an interrupted bench still says something."""
    ratios, overheads = map(spread, per_round(seconds))
    return (f"end to end {ratios['median']:.2f}x trafilatura ({ratios['min']:.2f}-"
            f"{ratios['max']:.2f}), Prefect overhead {overheads['median']:.1%} "
            f"({overheads['min']:.1%} to {overheads['max']:.1%})")


def prefect_server(tmp: Path, user_url: str | None
                   ) -> tuple[str, AbstractContextManager[str | None]]:
    """Which Prefect server the flow runs use, and a context that provides it.

    `user_url` is PREFECT_API_URL as the user set it, before `load_flow`, which
    sets it to the kept server's (`newsetl server start`) when one runs, or
    may start a temporary server for the command; when nothing did, a server
    is started here for the length of the bench.
    """
    from newsetl.pipeline.prefect_server import prefect_home, running

    api_url = os.environ.get("PREFECT_API_URL")
    kept = running(prefect_home())
    if user_url:
        return f"{user_url} (PREFECT_API_URL)", nullcontext(None)
    if api_url and kept is not None and kept.api_url == api_url:
        return f"kept server {kept.url} (newsetl server start)", nullcontext(None)
    if api_url:
        return (f"temporary server {api_url.removesuffix('/api')}, started for this bench "
                "(no kept server ran)"), nullcontext(None)
    return "a local server started for this bench (no kept server ran)", \
        load_flow("serve", "local_server")(tmp / "prefect")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of trafilatura, flow and plain, interleaved")
    parser.add_argument("--workers", type=int, default=None,
                        help="extraction processes (default: one per core)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "scale.json")
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-scale-"))
    archive, small = tmp / "archive", tmp / "archive" / "000"
    html_mb = sum(map(len, build_corpus(archive, args.pages))) / 2**20
    print(f"corpus: {args.pages} pages, {html_mb:.0f} MB of HTML in {tmp}")
    build_corpus(tmp / "warm", 4 * workers)

    user_url = os.environ.get("PREFECT_API_URL")
    backfill = load_flow("backfill", "backfill")
    server, serving = prefect_server(tmp, user_url)
    print(f"Prefect: {server}")

    def flow(target: Path, paths: list[Path]) -> dict:
        return backfill(paths=[str(p) for p in paths], warehouse=str(target), workers=workers)

    kept: list[Extracted] = []

    def extract_and_keep(files: list[str], ledger: Ledger, options: ExtractOptions
                         ) -> list[Extracted]:
        batches = extract_group(files, ledger, options)
        kept.extend(batches)
        return batches

    def plain(target: Path) -> None:
        """The flow's body without Prefect: same lock, run row, loads and index update."""
        kept.clear()
        files = [str(p) for p in list_inputs([archive])]
        with (ThreadPoolExecutor(THREADS_IN_FLIGHT) as threads, writing(str(target)) as session,
              session.run("backfill", {"paths": [str(archive)]}) as run):
            backfill_files(session.warehouse, files, run.run_id,
                           ExtractOptions(workers=workers), in_flight=THREADS_IN_FLIGHT,
                           submit=lambda *group: threads.submit(extract_and_keep, *group),
                           counts=run.counts)

    def trafilatura() -> float:
        htmls = read_corpus(archive)  # untimed: the flow reads its files, this reads memory
        seconds = trafilatura_seconds(htmls)
        del htmls
        return seconds

    seconds: dict[str, list[float]] = {phase: [] for phase in PHASES}
    with serving as api_url:
        if api_url:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            settings = temporary_settings({PREFECT_API_URL: api_url})
        else:
            settings = nullcontext()
        with settings:
            # A server busy with its own start-up would steal a core from the first round.
            flow(tmp / "warm.duckdb", [tmp / "warm"])
            for r in range(args.rounds):
                order = PHASES[r % 3:] + PHASES[:r % 3]
                for phase in order:
                    gc.collect()
                    target = tmp / f"{phase}-{r}.duckdb"
                    run = {"trafilatura": trafilatura,
                           "flow": lambda t=target: flow(t, [archive]),
                           "plain": lambda t=target: plain(t)}[phase]
                    seconds[phase].append(timed(run)[0])
                print(f"round {r + 1}/{args.rounds} ({', '.join(order)}): "
                      + ", ".join(f"{p} {seconds[p][-1]:.1f} s" for p in PHASES)
                      + f"; so far {summary(seconds)}", flush=True)
                for phase in ("flow", "plain"):  # keep round 0's for size and the rerun
                    if r:
                        for f in tmp.glob(f"{phase}-{r}.*"):
                            shutil.rmtree(f) if f.is_dir() else f.unlink()
            with peak_memory() as peak:
                first = flow(tmp / "memory.duckdb", [archive])
                memory_full = peak()
            noop_seconds, again = timed(lambda: flow(tmp / "memory.duckdb", [archive]))
            with peak_memory() as peak:
                flow(tmp / "small.duckdb", [small])
                memory_small = peak()
    small_pages = sum(1 for _ in small.glob("*.html.gz"))

    load_seconds = []
    rows = sum(e.batch.articles.num_rows + e.batch.entities.num_rows + e.batch.quotes.num_rows
               + e.batch.dates.num_rows for e in kept)
    for attempt in range(3):
        with connect(tmp / f"load-{attempt}.duckdb") as con:
            load_seconds.append(sum(timed(lambda e=e: load_batch(con, e.batch, "load"))[0]
                                    for e in kept))
    articles, mb_per_1000 = size_per_1000(tmp / "flow-0.duckdb")

    pages = args.pages
    end_to_end, overhead = map(spread, per_round(seconds))
    medians = {phase: statistics.median(values) for phase, values in seconds.items()}

    def rounded(figure: dict[str, float], digits: int) -> dict[str, float]:
        return {k: round(v, digits) for k, v in figure.items()}

    figures = {
        "pages": pages,
        "rounds": args.rounds,
        "prefect_server": server,
        "articles_loaded": first["loaded"],
        "rejected": first["rejected"],
        "extraction_processes": workers,
        **{f"{phase}_seconds": rounded(spread(values), 1) for phase, values in seconds.items()},
        "end_to_end_pages_per_s": round(pages / medians["flow"], 1),
        "trafilatura_pages_per_s": round(pages / medians["trafilatura"], 1),
        "ratio_end_to_end_to_trafilatura": rounded(end_to_end, 2),
        "ratio_verdict": ratio_verdict(end_to_end, len(seconds["flow"])),
        "prefect_overhead_share": rounded(overhead, 3),
        "prefect_overhead_verdict": overhead_verdict(overhead, len(seconds["flow"])),
        "duckdb_load_rows_per_s": round(rows / statistics.median(load_seconds)),
        "duckdb_load_articles_per_s": round(articles / statistics.median(load_seconds)),
        "peak_memory_mb": round(memory_full / 2**20),
        "peak_memory_mb_small": round(memory_small / 2**20),
        "small_pages": small_pages,
        "memory_ratio_full_to_small": round(memory_full / memory_small, 2),
        "warehouse_mb_per_1000_articles": round(mb_per_1000, 1),
        "noop_rerun_seconds": round(noop_seconds, 1),
        "noop_rerun_skipped": again["skipped"],
        "first_to_noop_ratio": round(medians["flow"] / noop_seconds, 1),
    }
    write_figures(figures, args.out)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
