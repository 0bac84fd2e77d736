"""Web ingestion of one source, as plain functions: discover, fetch, archive, record.

Every response is written to the run's WARC file first (`fetch_source`), and
the articles are then loaded *from that WARC* by the same code as a backfill
(`pipeline.backfill.backfill_files`; the ingest flow composes the two). So
what a scheduled ingest stored is exactly what a later backfill over the
archive folder reproduces, and the ledger keys agree: a backfill after an
ingest skips what the ingest loaded.

Nothing fetched is lost to a kill: the fetch log commits before the load,
and `pages_to_load` hands the next run every WARC whose pages were fetched
but whose load did not finish.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsetl.archive.warc import WarcWriter
from newsetl.models import NOT_MODIFIED, OK, FetchResult
from newsetl.pipeline.failpoints import failpoint
from newsetl.store.fetchlog import (
    fetch_row,
    known_urls,
    record_fetches,
    unloaded_warcs,
    validators,
)
from newsetl.store.warehouse import Counts, Warehouse
from newsetl.web.discover import discover_source
from newsetl.web.fetch import Fetcher
from newsetl.web.sources import Source, SourcesConfig


@dataclass
class Fetched:
    """What fetching one source did, and the WARC file its responses went to."""

    counts: Counts
    warc_file: str


def fetch_source(warehouse: Warehouse, config: SourcesConfig, source: Source, run_id: str,
                 fetcher: Fetcher | None = None) -> Fetched:
    """Discover, fetch (politely) and archive one source's new pages.

    Pages already stored are not fetched again unless the source asks for
    `refresh`; then the stored validators make it a conditional GET, and a
    304 counts as skipped. A failed fetch becomes a `rejects` row with the
    fetch outcome as its reason; the run goes on. The WARC goes to the
    warehouse's `archive_dir`, absolute, so the `fetches` log and the file
    ledger name it the same way whatever the working directory.
    """
    with warehouse.connect() as con:
        stored = known_urls(con)
    fetcher = fetcher or Fetcher(config.fetch)
    warc_file = warehouse.archive_dir / source.name / f"{run_id}.warc.gz"
    fetches: list[dict] = []
    rejects: list[dict] = []
    counts = Counts()

    def log(kind: str, result: FetchResult, warc: WarcWriter) -> None:
        where = warc.write(result)
        fetches.append(fetch_row(source.name, kind, result, where and where.path,
                                 where and where.offset, where and where.length))
        if result.outcome not in (OK, NOT_MODIFIED):
            rejects.append({"input": result.url, "reason": result.outcome,
                            "detail": result.detail, "item_hash": None})

    with WarcWriter(warc_file) as warc:
        found = discover_source(source, fetcher.fetch)
        for result in found.fetches:
            log(source.kind, result, warc)
        rejects += [{"input": p.url, "reason": p.reason, "detail": p.detail, "item_hash": None}
                    for p in found.problems]
        pages = [p.url for p in found.pages if source.refresh or p.url not in stored]
        counts.skipped = len(found.pages) - len(pages)
        with warehouse.connect() as con:
            stored_validators = validators(con, pages)
        for url in pages:
            etag, modified = stored_validators.get(url, (None, None))
            result = fetcher.fetch(url, "page", etag=etag, last_modified=modified,
                                   rate_limit=source.rate_limit)
            log("page", result, warc)
            failpoint("page-fetched")
            if result.outcome == NOT_MODIFIED:
                counts.skipped += 1
    with warehouse.connect() as con:
        record_fetches(con, run_id, fetches, rejects)
    failpoint("fetches-recorded")
    counts.seen = counts.skipped + len(rejects)
    counts.rejected = len(rejects)
    for reject in rejects:
        counts.reasons[reject["reason"]] = counts.reasons.get(reject["reason"], 0) + 1
    return Fetched(counts, str(warc_file))


def pages_to_load(warehouse: Warehouse, source: str, fetched: Fetched) -> list[str]:
    """The WARC files a source's load must read: this run's, and any earlier one whose
    fetched pages never finished loading (its run was killed or failed after fetching)."""
    with warehouse.connect() as con:
        pending = unloaded_warcs(con, source)
    return list(dict.fromkeys([*pending, fetched.warc_file]))
