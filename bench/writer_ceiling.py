"""The single-writer ceiling: articles/s that one DuckDB file takes through our load path.

    make bench-writer      # or: .venv/bin/python bench/writer_ceiling.py [--articles N]

Extraction is out of the way: a few gold pages from ../shared/eval are extracted
once (`process_item`, as a backfill does), and their rows are copied into N distinct
articles (own id, URL, item key and hashes; a random MinHash signature each, as
distinct articles have, so near-duplicate clustering sees no false pairs), with
their entities, quotes and dates. Every batch (`--batch-size`, the flow's 200) is
built as Arrow tables before the clock starts, with its `items` and `files` ledger
rows; then `store.warehouse.load_batch` loads them one after another into a fresh
warehouse, one transaction each, as the flow's one writer does. That is repeated
`--rounds` times (a fresh warehouse each), and the median and range reported.

Not in the figure: the search index update at the end of a run (its own bench:
bench/growth.py), and anything before the load (reading files, extraction).
The rate of the last tenth of the batches beside the first tenth shows whether
loading slows as the file grows. `rows_per_s` counts every row the loads write:
the article, its version, its 16 near-duplicate bands, entities, quotes, dates,
and its `items` and `files` ledger rows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newsetl.models import Item  # noqa: E402
from newsetl.pipeline.backfill import ExtractOptions, process_item  # noqa: E402
from newsetl.pipeline.extract import EXTRACTOR_VERSION  # noqa: E402
from newsetl.store.rows import ArticleRows, build_batch  # noqa: E402
from newsetl.store.warehouse import Batch, connect, load_batch  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from scale import gold_pages, write_figures  # noqa: E402  (as make bench does)
from scale import spread as scale_spread  # noqa: E402


def templates(count: int) -> list[ArticleRows]:
    """Rows of `count` gold pages spread over the sets (every k-th), extracted once."""
    pages = gold_pages()
    step = max(1, len(pages) // count)
    rows = []
    for i, (url, html) in enumerate(pages[::step][:count]):
        item = Item(key=f"gold/{i:04d}.html", data=html, archive_path=f"/gold/{i:04d}.html",
                    source="bench", url=url, content_type="text/html")
        result = process_item(item, ExtractOptions())
        if isinstance(result, ArticleRows):
            rows.append(result)
    return rows


def copy_of(template: ArticleRows, n: int, rng: random.Random) -> ArticleRows:
    """Article `n`: the template's rows under a new identity, children included."""
    aid = f"w{n:015d}"
    path = f"/archive/{n // 1000:04d}/{n:07d}.html.gz"
    key = f"{n // 1000:04d}/{n:07d}.html.gz"
    digest = f"{rng.getrandbits(128):032x}"
    article = dict(template.article)
    minhash = article["minhash"]
    article.update(article_id=aid, url=f"{article['url']}#copy-{n}", archive_path=path,
                   item_key=key, item_hash=digest, content_hash=f"{rng.getrandbits(128):032x}",
                   minhash=None if minhash is None
                   else [rng.getrandbits(63) for _ in minhash])
    common = {"article_id": aid}
    return ArticleRows(
        article=article,
        entities=[{**e, **common} for e in template.entities],
        quotes=[{**q, **common} for q in template.quotes],
        dates=[{**d, **common} for d in template.dates],
        item={**template.item, "item_key": key, "item_hash": digest, "archive_path": path,
              "article_id": aid},
    )


def batches(rows: list[ArticleRows], articles: int, batch_size: int, seed: int) -> list[Batch]:
    """`articles` copies of `rows` in batches, each with the `files` rows it completes."""
    rng = random.Random(seed)
    out = []
    for start in range(0, articles, batch_size):
        copies = [copy_of(rows[n % len(rows)], n, rng)
                  for n in range(start, min(start + batch_size, articles))]
        files = [{"path": c.article["archive_path"], "size": 10_000, "mtime_ns": 0, "items": 1,
                  "extractor_version": EXTRACTOR_VERSION, "manifest_mtime_ns": None}
                 for c in copies]
        out.append(build_batch(copies, [], EXTRACTOR_VERSION, files=files))
    return out


STORED = ("articles", "article_versions", "article_bands", "entities", "quotes",
          "date_mentions", "items", "files")


def load_all(path: Path, loads: list[Batch]) -> tuple[list[float], dict[str, int]]:
    """Seconds of each `load_batch`, in order, into a fresh warehouse at `path`, and
    the rows each table holds after (the bands and versions the load adds included)."""
    seconds = []
    with connect(path) as con:
        for i, batch in enumerate(loads):
            start = time.perf_counter()
            load_batch(con, batch, f"ceiling-{i}")
            seconds.append(time.perf_counter() - start)
        con.execute("CHECKPOINT")
        stored = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in STORED}
    return seconds, stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=200,
                        help="articles per load (the flow's default batch)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="loads into a fresh warehouse each (median and range reported)")
    parser.add_argument("--templates", type=int, default=60,
                        help="gold pages extracted once, whose rows are copied")
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "out" / "writer_ceiling.json")
    args = parser.parse_args()
    rows = templates(args.templates)
    loads = batches(rows, args.articles, args.batch_size, seed=19)
    children = {name: sum(getattr(b, name).num_rows for b in loads)
                for name in ("entities", "quotes", "dates")}
    print(f"{args.articles} articles from {len(rows)} extracted pages, "
          f"{len(loads)} batches of {args.batch_size}; child rows: {children}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="newsetl-writer-"))
    rates, first, last, sizes = [], [], [], []
    tenth = max(1, len(loads) // 10)
    for r in range(args.rounds):
        target = tmp / f"round-{r}.duckdb"
        seconds, stored = load_all(target, loads)
        rates.append(args.articles / sum(seconds))
        first.append(sum(b.articles.num_rows for b in loads[:tenth]) / sum(seconds[:tenth]))
        last.append(sum(b.articles.num_rows for b in loads[-tenth:]) / sum(seconds[-tenth:]))
        sizes.append(target.stat().st_size / 2**20)
        print(f"round {r + 1}/{args.rounds}: {rates[-1]:.0f} articles/s "
              f"({sum(seconds):.1f} s; first tenth {first[-1]:.0f}/s, "
              f"last tenth {last[-1]:.0f}/s)", flush=True)
        target.unlink()
        target.with_name(target.name + ".wal").unlink(missing_ok=True)

    child_rows = sum(n for t, n in stored.items() if t != "articles")

    def spread(values: list[float]) -> dict[str, float]:
        return {key: round(value) for key, value in scale_spread(values).items()}

    figures = {
        "articles": args.articles,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "template_pages": len(rows),
        "other_rows_per_article": round(child_rows / args.articles, 1),
        **{f"{table}_rows": n for table, n in stored.items()},
        "articles_per_s": spread(rates),
        "rows_per_s": spread([r * (1 + child_rows / args.articles) for r in rates]),
        "articles_per_s_first_tenth": spread(first),
        "articles_per_s_last_tenth": spread(last),
        "first_to_last_tenth_ratio": round(statistics.median(first) / statistics.median(last), 2),
        "warehouse_mb": round(statistics.median(sizes), 1),
    }
    write_figures(figures, args.out)
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
