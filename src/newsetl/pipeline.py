"""The backfill, as plain functions: archive files in, warehouse rows out.

`backfill_files` is what one Prefect task runs: it streams the items of a
list of files, skips those the ledger says are already done, extracts the
rest and loads them in batches of `batch_size`, one transaction each.
Memory holds one batch at a time, however large the archive.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import TypeVar

from newsetl.archive import item_hash, iter_items
from newsetl.extract import EXTRACTOR_VERSION, extract_item
from newsetl.models import Article, Item, Reject, Rejected
from newsetl.rows import build_batch
from newsetl.warehouse import Counts, connect, known_items, load_batch

T = TypeVar("T")


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` elements (the last may be shorter), lazily."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def extract_or_reject(item: Item) -> Article | Reject:
    """Extract one item; a `Rejected` input becomes a `Reject` with its reason."""
    try:
        return extract_item(item)
    except Rejected as exc:
        return Reject(input=item.archive_path, reason=exc.reason, detail=exc.detail,
                      source=item.source, key=item.key, item_hash=item_hash(item.data))


@dataclass(frozen=True)
class Window:
    """Which items a backfill takes: by source, and by date (published, else fetched)."""

    since: date | None = None
    until: date | None = None  # inclusive
    sources: frozenset[str] = frozenset()

    def wants_source(self, source: str | None) -> bool:
        return not self.sources or source in self.sources

    def contains(self, item: Item, article: Article) -> bool:
        when = article.published_at or item.fetched_at
        if when is None and (self.since or self.until):
            path = Path(item.archive_path.split("#", 1)[0])
            when = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        day = when.date() if when else None
        return not ((self.since and day and day < self.since)
                    or (self.until and day and day > self.until))


def backfill_files(warehouse: str | os.PathLike[str] | None, files: list[str], run_id: str,
                   batch_size: int = 200, force: bool = False,
                   extractor_version: str = EXTRACTOR_VERSION, window: Window = Window(),
                   on_batch: Callable[[Counts], None] | None = None) -> Counts:
    """Extract and load every item in `files`; returns what was done.

    An item is skipped when the ledger (`items`) holds the same bytes
    processed by the same extractor version, unless `force`. The warehouse
    is opened only to look up and to load each batch, never while
    extracting, so readers get in between batches.
    """
    total = Counts()
    for chunk in chunks(iter_items(files), batch_size):
        counts = Counts(seen=len(chunk))
        with connect(warehouse) as con:
            done = {} if force else known_items(
                con, [(e.source, e.key) for e in chunk if e.key is not None])
        loaded: list[tuple[Item, Article]] = []
        rejects: list[Reject] = []
        for entry in chunk:
            digest = item_hash(entry.data) if isinstance(entry, Item) else entry.item_hash
            if not window.wants_source(entry.source):
                counts.out_of_window += 1
            elif done.get((entry.source, entry.key)) == (digest, extractor_version):
                counts.skipped += 1
            elif isinstance(entry, Reject):
                rejects.append(entry)
            elif isinstance(result := extract_or_reject(entry), Reject):
                rejects.append(result)
            elif not window.contains(entry, result):
                counts.out_of_window += 1
            else:
                loaded.append((entry, result))
        with connect(warehouse) as con:
            counts.add(load_batch(con, build_batch(loaded, rejects, extractor_version), run_id))
        total.add(counts)
        if on_batch is not None:
            on_batch(counts)
    return total
