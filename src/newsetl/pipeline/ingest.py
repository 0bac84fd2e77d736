"""Web ingestion of one source, as plain functions: discover, fetch, archive, load.

Every response is written to the run's WARC file first (`fetch_source`), and
the articles are then loaded *from that WARC* by the same code as a backfill
(`pipeline.backfill_files`). So what a scheduled ingest stored is exactly
what a later backfill over `warehouse/archive/` reproduces, and the ledger
keys agree: a backfill after an ingest skips what the ingest loaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from newsetl.archive.warc import WarcLocation, WarcWriter
from newsetl.pipeline.backfill import backfill_files
from newsetl.store.warehouse import FETCH_SCHEMA, REJECT_SCHEMA, Counts, connect, warehouse_path
from newsetl.web.discover import discover_source
from newsetl.web.fetch import NOT_MODIFIED, OK, Fetcher, FetchResult
from newsetl.web.sources import Source, SourcesConfig


def archive_dir(warehouse: str | os.PathLike[str] | None) -> Path:
    """Raw WARC files live beside the warehouse: `<warehouse folder>/archive/`."""
    return warehouse_path(warehouse).parent / "archive"


def known_urls(con: duckdb.DuckDBPyConnection) -> set[str]:
    """URLs already stored: fetched successfully before, or an article's URL."""
    rows = con.execute(
        "SELECT url FROM fetches WHERE outcome = 'ok' AND kind = 'page' "
        "UNION SELECT url FROM articles WHERE url IS NOT NULL "
        "UNION SELECT canonical_url FROM articles WHERE canonical_url IS NOT NULL").fetchall()
    return {row[0] for row in rows}


def validators(con: duckdb.DuckDBPyConnection, urls: list[str]
               ) -> dict[str, tuple[str | None, str | None]]:
    """The ETag and Last-Modified of each URL's latest successful fetch (conditional GET)."""
    if not urls:
        return {}
    con.register("wanted", pa.table({"url": urls}))
    try:
        rows = con.execute(
            "SELECT url, etag, last_modified FROM fetches JOIN wanted USING (url) "
            "WHERE outcome = 'ok' AND (etag IS NOT NULL OR last_modified IS NOT NULL) "
            "QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1"
        ).fetchall()
    finally:
        con.unregister("wanted")
    return {url: (etag, modified) for url, etag, modified in rows}


def fetch_row(source: str, kind: str, result: FetchResult, where: WarcLocation | None) -> dict:
    """One `fetches` row: what happened to a request, and where its response is archived."""
    return {
        "source": source, "kind": kind, "url": result.url, "final_url": result.final_url,
        "status": result.status, "outcome": result.outcome, "detail": result.detail,
        "content_type": result.content_type,
        "bytes": len(result.body) if result.body is not None else None,
        "elapsed_ms": round(result.elapsed * 1000, 1), "redirects": list(result.redirects),
        "etag": result.etag, "last_modified": result.last_modified,
        "headers": list(dict((k.lower(), v) for k, v in result.headers).items()),
        "warc_path": where.path if where else None,
        "warc_offset": where.offset if where else None,
        "warc_length": where.length if where else None,
        "fetched_at": result.fetched_at,
    }


def _record(warehouse: str | os.PathLike[str] | None, run_id: str, fetches: list[dict],
            rejects: list[dict]) -> None:
    """Store the fetch log and the failed fetches in one transaction."""
    with connect(warehouse) as con:
        con.register("f", pa.Table.from_pylist(fetches, schema=FETCH_SCHEMA))
        con.register("r", pa.Table.from_pylist(rejects, schema=REJECT_SCHEMA))
        con.execute("BEGIN")
        con.execute("INSERT INTO fetches SELECT ?, * FROM f", [run_id])
        con.execute("INSERT INTO rejects SELECT ?, input, reason, detail, item_hash, now() "
                    "FROM r", [run_id])
        con.execute("COMMIT")


@dataclass
class Fetched:
    """What fetching one source did, and the WARC file its responses went to."""

    counts: Counts
    warc_file: str


def fetch_source(warehouse: str | os.PathLike[str] | None, config: SourcesConfig,
                 source: Source, run_id: str, fetcher: Fetcher | None = None) -> Fetched:
    """Discover, fetch (politely) and archive one source's new pages.

    Pages already stored are not fetched again unless the source asks for
    `refresh`; then the stored validators make it a conditional GET, and a
    304 counts as skipped. A failed fetch becomes a `rejects` row with the
    fetch outcome as its reason; the run goes on.
    """
    with connect(warehouse) as con:
        stored = known_urls(con)
    fetcher = fetcher or Fetcher(config.fetch)
    warc_file = archive_dir(warehouse) / source.name / f"{run_id}.warc.gz"
    warc_file.parent.mkdir(parents=True, exist_ok=True)
    fetches: list[dict] = []
    rejects: list[dict] = []
    counts = Counts()

    def failed(result: FetchResult) -> None:
        rejects.append({"input": result.url, "reason": result.outcome,
                        "detail": result.detail, "item_hash": None})

    with WarcWriter(warc_file) as warc:
        found = discover_source(source, fetcher.fetch)
        for result in found.fetches:
            fetches.append(fetch_row(source.name, source.kind, result, warc.write(result)))
            if result.outcome != OK:
                failed(result)
        rejects += [{"input": p.url, "reason": p.reason, "detail": p.detail, "item_hash": None}
                    for p in found.problems]
        pages = [p.url for p in found.pages if source.refresh or p.url not in stored]
        counts.skipped = len(found.pages) - len(pages)
        with connect(warehouse) as con:
            stored_validators = validators(con, pages)
        for url in pages:
            etag, modified = stored_validators.get(url, (None, None))
            result = fetcher.fetch(url, "page", etag=etag, last_modified=modified,
                                   rate_limit=source.rate_limit)
            fetches.append(fetch_row(source.name, "page", result, warc.write(result)))
            if result.outcome == NOT_MODIFIED:
                counts.skipped += 1
            elif result.outcome != OK:
                failed(result)
    _record(warehouse, run_id, fetches, rejects)
    counts.seen = counts.skipped + len(rejects)
    counts.rejected = len(rejects)
    for reject in rejects:
        counts.reasons[reject["reason"]] = counts.reasons.get(reject["reason"], 0) + 1
    return Fetched(counts, str(warc_file))


def ingest_source(warehouse: str | os.PathLike[str] | None, config: SourcesConfig,
                  source: Source, run_id: str, fetcher: Fetcher | None = None) -> Counts:
    """Fetch and archive one source's new pages, then load them from the WARC.

    The ingest flow composes the same two steps itself, to make fetching a
    Prefect task of its own and to extract on the flow's task runner.
    """
    fetched = fetch_source(warehouse, config, source, run_id, fetcher)
    fetched.counts.add(backfill_files(warehouse, [fetched.warc_file], run_id))
    return fetched.counts
