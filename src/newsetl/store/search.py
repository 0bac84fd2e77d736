"""Full-text search over titles and bodies with DuckDB's `fts` extension.

The extension comes from the `duckdb-extension-fts` package (pinned to the
duckdb version): the first use installs it from that file into DuckDB's
extension folder, so nothing is downloaded and the `duckdb` shell finds it
too. DuckDB's FTS index does not follow table changes, so each run that
changed an article rebuilds it at its end (`refresh_index`). Counting
articles cannot tell that a run died before its rebuild (an edited article
leaves the count as it was), so every load that changes an article sets a
dirty mark (`index_state`) in its own transaction and the rebuild clears it
in its own: while the mark is set the next writing run rebuilds, and
`newsetl search` says the index is out of date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

INDEX_SCHEMA = "fts_main_articles"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load `fts`, installing it from the pip package when DuckDB lacks it."""
    try:
        con.execute("LOAD fts")
    except duckdb.Error:
        import duckdb_extension_fts

        path = (Path(duckdb_extension_fts.__file__).parent / "extensions"
                / f"v{duckdb.__version__}" / "fts.duckdb_extension")
        con.execute(f"INSTALL '{path}'")
        con.execute("LOAD fts")


def mark_index_dirty(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Say that an article changed after the last rebuild; call inside the load's transaction."""
    con.execute("UPDATE index_state SET dirty = true, changed_at = now(), run_id = ?", [run_id])


def index_is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """The index may not match `articles`: the dirty mark is set (or its row is gone), there
    is no index, or it covers another number of articles (say, rows deleted by hand)."""
    try:
        dirty = con.execute("SELECT coalesce(bool_or(dirty), true) FROM index_state").fetchone()[0]
    except duckdb.CatalogException:  # a warehouse older than the mark, opened read-only
        dirty = False
    try:
        indexed = con.execute(f"SELECT count(*) FROM {INDEX_SCHEMA}.docs").fetchone()[0]
    except duckdb.CatalogException:
        return True
    return dirty or indexed != con.execute("SELECT count(*) FROM articles").fetchone()[0]


def refresh_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the BM25 index over `articles.title` and `articles.body`, and clear the
    dirty mark in the same transaction: a rebuild killed half-way leaves it set."""
    from newsetl.store.warehouse import transaction  # warehouse imports this module

    load_fts(con)
    with transaction(con):
        con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', "
                    "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, "
                    "overwrite = 1)")
        con.execute("UPDATE index_state SET dirty = false, rebuilt_at = now()")
        con.execute("INSERT INTO index_state (dirty, rebuilt_at) SELECT false, now() "
                    "WHERE NOT EXISTS (SELECT 1 FROM index_state)")


@dataclass
class Hit:
    article_id: str
    score: float
    title: str | None
    published_at: datetime | None
    source: str
    snippet: str


def snippet(body: str, query: str, width: int = 200) -> str:
    """The passage of `body` around the first query word, with the words marked [like this]."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 2]
    if not words:
        return body[:width]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\w*", re.IGNORECASE)
    match = pattern.search(body)
    start = max(0, match.start() - width // 3) if match else 0
    text = body[start:start + width].replace("\n\n", " ")
    text = pattern.sub(lambda m: f"[{m.group(0)}]", text)
    return ("…" if start else "") + text + ("…" if start + width < len(body) else "")


def search(con: duckdb.DuckDBPyConnection, query: str, since: date | None = None,
           source: str | None = None, limit: int = 10) -> list[Hit]:
    """Articles matching `query`, best BM25 score first."""
    load_fts(con)
    if not con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?",
                       [INDEX_SCHEMA]).fetchone()[0]:
        raise LookupError("no search index yet: run `newsetl backfill` to build it")
    rows = con.execute(
        f"SELECT article_id, {INDEX_SCHEMA}.match_bm25(article_id, ?) AS score, title, "
        "published_at, source, body FROM articles WHERE score IS NOT NULL "
        "AND (CAST(? AS DATE) IS NULL OR coalesce(published_at, first_seen_at) >= ?) "
        "AND (CAST(? AS VARCHAR) IS NULL OR source = ?) ORDER BY score DESC, article_id LIMIT ?",
        [query, since, since, source, source, limit],
    ).fetchall()
    return [Hit(aid, score, title, published, src, snippet(body, query))
            for aid, score, title, published, src, body in rows]
