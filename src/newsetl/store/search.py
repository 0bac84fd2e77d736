"""Full-text search over titles and bodies with DuckDB's `fts` extension.

The extension comes from the `duckdb-extension-fts` package (pinned to the
duckdb version): the first use installs it from that file into DuckDB's
extension folder, so nothing is downloaded and the `duckdb` shell finds it
too. DuckDB's FTS index does not follow table changes, so each run that
changed an article rebuilds it at its end (`refresh_index`), and so does the
next run after one that died before its rebuild (`index_is_stale`).
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


def index_is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """No index, or one over another number of articles (a run that died before its rebuild)."""
    try:
        indexed = con.execute(f"SELECT count(*) FROM {INDEX_SCHEMA}.docs").fetchone()[0]
    except duckdb.CatalogException:
        return True
    return indexed != con.execute("SELECT count(*) FROM articles").fetchone()[0]


def refresh_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the BM25 index over `articles.title` and `articles.body`."""
    load_fts(con)
    con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', "
                "stemmer = 'porter', stopwords = 'english', strip_accents = 1, lower = 1, "
                "overwrite = 1)")


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
