"""The fetch log: what web ingestion asked the warehouse and told it.

`fetches` holds every HTTP request an ingest made and where its response
is archived. From it come the URLs not to fetch again, the validators of a
conditional GET, and the WARC files whose pages were fetched but not yet
loaded (an ingest killed between its fetch and its load).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from newsetl.models import FetchResult
from newsetl.store.schema import FETCHES, REJECTS, arrow_table
from newsetl.store.warehouse import FETCH_SCHEMA, transaction


def known_urls(con: duckdb.DuckDBPyConnection) -> set[str]:
    """URLs already stored: fetched successfully before, or an article's URL.

    A fetched page whose WARC is not loaded yet counts too: `unloaded_warcs`
    hands that WARC to the next run's load, so it is not fetched twice.
    """
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


def unloaded_warcs(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """WARC files of `source` holding a fetched page that the file ledger does not
    list as done: the load of an earlier run did not finish (it was killed, or it
    failed). Loading them again costs only what is missing: loaded items are
    skipped by their hashes."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT f.warc_path FROM fetches f ANTI JOIN files d ON d.path = f.warc_path "
        "WHERE f.source = ? AND f.kind = 'page' AND f.outcome = 'ok' "
        "AND f.warc_path IS NOT NULL ORDER BY 1", [source]).fetchall()]


def fetch_row(source: str, kind: str, result: FetchResult, warc_path: str | None,
              warc_offset: int | None, warc_length: int | None) -> dict:
    """One `fetches` row: what happened to a request, and where its response is archived."""
    return {
        "source": source, "kind": kind, "url": result.url, "final_url": result.final_url,
        "status": result.status, "outcome": result.outcome, "detail": result.detail,
        "content_type": result.content_type,
        "bytes": len(result.body) if result.body is not None else None,
        "elapsed_ms": round(result.elapsed * 1000, 1), "redirects": list(result.redirects),
        "etag": result.etag, "last_modified": result.last_modified,
        "headers": list(dict((k.lower(), v) for k, v in result.headers).items()),
        "warc_path": warc_path, "warc_offset": warc_offset, "warc_length": warc_length,
        "fetched_at": result.fetched_at,
    }


def record_fetches(con: duckdb.DuckDBPyConnection, run_id: str, fetches: list[dict],
                   rejects: list[dict]) -> None:
    """Store the fetch log and the failed fetches in one transaction."""
    con.register("f", arrow_table(fetches, FETCHES))
    con.register("r", arrow_table(rejects, REJECTS))
    columns = ", ".join(FETCH_SCHEMA.names)
    try:
        with transaction(con):
            con.execute(f"INSERT INTO fetches (run_id, {columns}) SELECT ?, {columns} FROM f",
                        [run_id])
            con.execute("INSERT INTO rejects (run_id, input, reason, detail, item_hash, "
                        "rejected_at) SELECT ?, input, reason, detail, item_hash, now() FROM r",
                        [run_id])
    finally:
        con.unregister("f")
        con.unregister("r")
