"""Measure enrichment on the hand-annotated enrich-dev pages.

Usage: python bench/enrich_eval.py [--out PATH] [--body-source auto|trafilatura]

For each page in /work/shared/eval/enrich-dev.json: get its body text (via
`newsetl.pipeline.extract.extract_path` once that exists, else trafilatura), run
`enrich`, write one JSON line per page, then score with the shared
score_enrich.py and print its figures and the throughput of `enrich` alone.
The pages are for measuring only: nothing here, or in the rules, may key on
a page or its id.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from newsetl.enrich import enrich
from newsetl.models import Article

SHARED = Path("/work/shared/eval")
GOLD = SHARED / "enrich-dev.json"
SCORER = SHARED / "score_enrich.py"


def _trafilatura_article(path: Path) -> Article:
    """Stand-in extractor until newsetl.pipeline.extract lands: trafilatura's text as paragraphs."""
    import trafilatura

    doc = trafilatura.bare_extraction(gzip.decompress(path.read_bytes()), with_metadata=True)
    title = doc.title
    lines = [line.strip() for line in (doc.text or "").split("\n") if line.strip()]
    if lines and title and lines[0] == title.strip():
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    published = None
    if doc.date:
        published = datetime.fromisoformat(doc.date)
    return Article(title=title, body="\n\n".join(lines), published_at=published)


def load_article(path: Path, source: str = "auto") -> Article | None:
    """The body source: the team's extractor when present (or asked for), else trafilatura.

    Returns None for a page the extractor rejects; it then scores as all misses.
    """
    if source == "trafilatura":
        return _trafilatura_article(path)
    try:
        from newsetl.pipeline.extract import extract_path
    except ImportError:
        return _trafilatura_article(path)
    article = extract_path(path)
    return article if isinstance(article, Article) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/enrich-dev-pred.jsonl"))
    parser.add_argument("--body-source", choices=["auto", "trafilatura"], default="auto")
    args = parser.parse_args()
    if not GOLD.exists():
        print(f"{GOLD} is absent: nothing to measure here.")
        return 0
    ids = [a["id"] for a in json.loads(GOLD.read_text())["articles"]]
    paths = [SHARED / "zyte-dev" / i / "page.html.gz" for i in ids]
    loaded = [(p, load_article(p, args.body_source)) for p in paths]
    pages = [(p, a) for p, a in loaded if a is not None]
    enrich(None, "Warm-up: load the gazetteers in Paris.", None)
    rounds = 20
    t0 = time.perf_counter()
    for _ in range(rounds):
        results = [enrich(a.title, a.body, a.published_at) for _, a in pages]
    elapsed = (time.perf_counter() - t0) / rounds
    with args.out.open("w") as fh:
        for (path, _), found in zip(pages, results, strict=True):
            row = {"source": str(path), "id": path.parent.name, **dataclasses.asdict(found)}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    articles = [a for _, a in pages]
    kb = sum(len(a.body) for a in articles) / 1024
    print(
        f"enrich: {len(articles)}/{len(paths)} pages, {kb:.0f} KB of body, "
        f"{len(articles) / elapsed:.0f} articles/s warm ({kb / elapsed:.0f} KB/s); "
        f"predictions in {args.out}"
    )
    with args.out.open() as fh:
        scored = subprocess.run(
            [sys.executable, str(SCORER), str(GOLD)], stdin=fh, capture_output=True, text=True
        )
    print(scored.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
