"""Backfill speed: extraction, bulk load and the whole pipeline, medians of repeats.

    make bench            # or: .venv/bin/python bench/speed.py [--articles N] [--repeats R]

Everything runs on generated copies of the seed (and, when ../shared/eval is there, on real
pages) in a temp dir. Figures are medians: this machine is noisy, compare ratios within a run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsetl.archive import iter_items  # noqa: E402
from newsetl.extract import EXTRACTOR_VERSION, extract_item  # noqa: E402
from newsetl.pipeline import backfill_files  # noqa: E402
from newsetl.rows import build_batch  # noqa: E402
from newsetl.warehouse import connect, load_batch  # noqa: E402
from tests.conftest import make_seed_archive  # noqa: E402


def _median_rate(n: int, runs: list[float]) -> str:
    return f"{n / statistics.median(runs):8.0f}/s  (median of {len(runs)}, n={n})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="newsetl-bench-"))
    archive = make_seed_archive(tmp / "archive", args.articles)
    items = list(iter_items([archive]))

    extract_runs, load_runs, e2e_runs = [], [], []
    for r in range(args.repeats):
        start = time.perf_counter()
        loaded = [(item, extract_item(item)) for item in items]
        extract_runs.append(time.perf_counter() - start)

        batch = build_batch(loaded, [], EXTRACTOR_VERSION)
        with connect(tmp / f"load-{r}.duckdb") as con:
            start = time.perf_counter()
            load_batch(con, batch, "bench")
            load_runs.append(time.perf_counter() - start)

        start = time.perf_counter()
        backfill_files(tmp / f"e2e-{r}.duckdb", [str(archive)], "bench")
        e2e_runs.append(time.perf_counter() - start)

    print(f"extract + enrich (plain text) {_median_rate(len(items), extract_runs)}")
    print(f"load_batch (Arrow, 1 txn)     {_median_rate(len(items), load_runs)}")
    print(f"backfill_files end to end     {_median_rate(len(items), e2e_runs)}")

    eval_pages = sorted((REPO.parent / "shared" / "eval" / "zyte-dev").glob("*/page.html.gz"))
    if not eval_pages:
        print("../shared/eval is absent: HTML figures skipped")
        return
    html_items = list(iter_items(eval_pages))
    html_runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for item in html_items:
            extract_item(item)
        html_runs.append(time.perf_counter() - start)
    print(f"extract + enrich (zyte HTML)  {_median_rate(len(html_items), html_runs)}")


if __name__ == "__main__":
    main()
