"""Full-text search over titles and bodies: a tantivy index beside the warehouse.

Why tantivy and not DuckDB's `fts`: DuckDB's index does not follow table
changes, so it had to be rebuilt whole after every run that changed an
article (4.7 s and 380 MB at 5,000 articles, growing with the warehouse).
Tantivy (the Rust engine's official Python bindings) deletes and adds
documents and commits them incrementally, so a run pays for the articles it
changed only; its BM25 ranking and a query over 1M documents take
milliseconds (README, "Growth", has the measurements, beside DuckDB `fts`
rebuilt per month). The index also stores what a hit shows (title, source,
publication time, body), so a search reads nothing from DuckDB while the
index is up to date.

The index lives in a folder beside the DuckDB file (`Warehouse.search_dir`,
`/x/y.duckdb` -> `/x/y.search/`). DuckDB and tantivy cannot commit together,
so the warehouse keeps a queue: every load that adds or changes an article
inserts its id into `index_pending` in the load's own transaction (and sets
the `index_state` dirty mark). `update_index` applies the queued ids to the
index (delete by id, then add the current row if the article still exists),
commits tantivy, and only then empties those queue rows. A run killed
between the two commits leaves its ids queued, and the next run (or
`newsetl index`) applies exactly them again: delete-then-add is idempotent,
so a changed article is replaced, never doubled, and a deleted one removed.
`refresh_index` rebuilds the whole index into a new folder and swaps it in:
the repair command (`newsetl index`), and the first build of a warehouse
made before this index existed.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from newsetl.store.lookup import articles_by_key, articles_table

# Writer memory: tantivy flushes a segment when it fills; bounded, whatever the warehouse size.
WRITER_HEAP = 64_000_000
_CHUNK = 5_000  # articles read from DuckDB at a time while indexing
# DuckDB keeps the blocks a scan reads in its buffer pool, up to 80% of the machine's memory:
# a rebuild reading every body of 1,000,000 articles held 5.9 GB. The scan streams, so a
# bound costs it nothing (11-18 s at 256-512 MB against 13 s unbounded).
_REBUILD_MEMORY = "256MB"

_TEXT_FIELDS = ["title", "body"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _analyzer():  # -> tantivy.TextAnalyzer
    """Words lowercased, accents folded, English stop words dropped, Porter-stemmed: what
    the DuckDB `fts` index did (`stemmer = 'porter', stopwords = 'english', strip_accents`)."""
    import tantivy

    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english")).build())


def _schema():  # -> tantivy.Schema
    """What is searched (title, body; source and day as filters) and what a hit shows,
    stored in the index: reading title and body back from DuckDB cost 13 ms a hit on a
    cold open at 1,000,000 articles (README, "Growth"), the index's own store < 1 ms.
    An index built with another schema (an older newsetl) does not open (`_open`)."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("article_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="newsetl")
    builder.add_text_field("body", stored=True, tokenizer_name="newsetl")
    builder.add_text_field("source", stored=True, tokenizer_name="raw")
    builder.add_date_field("day", indexed=True, fast=True)
    # `published_at` to show, in microseconds since 1970 UTC: stored, not searched.
    builder.add_integer_field("published_us", stored=True, indexed=False)
    return builder.build()


def search_dir_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The index folder of the warehouse `con` is open on (`Warehouse.search_dir`)."""
    path = con.execute("SELECT path FROM duckdb_databases() "
                       "WHERE database_name = current_database()").fetchone()[0]
    if not path:
        raise LookupError("an in-memory database has no search index")
    path = Path(path).absolute()
    return path.with_name(path.stem + ".search")


def _open(directory: Path, create: bool = False):  # -> tantivy.Index | None
    """The index in `directory`, or None when there is none or it was built with another
    schema: either way the next run (or `newsetl index`) builds it whole."""
    import tantivy

    if not create and not (directory.is_dir() and tantivy.Index.exists(str(directory))):
        return None
    directory.mkdir(parents=True, exist_ok=True)
    try:
        index = tantivy.Index(_schema(), path=str(directory), reuse=True)
    except ValueError as error:  # built with another schema: rebuilt like a missing one
        if create or "schema does not match" not in str(error):
            raise
        return None
    index.register_tokenizer("newsetl", _analyzer())
    return index


def indexed_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many articles the search index holds (0 when there is no index yet)."""
    index = _open(search_dir_of(con))
    return 0 if index is None else index.searcher().num_docs


def mark_index_dirty(con: duckdb.DuckDBPyConnection, run_id: str,
                     changed: str | None = None) -> None:
    """Queue the articles `changed` (a SELECT of article ids) for the index and set the
    dirty mark; call inside the load's transaction, so that both commit with the load."""
    if changed is not None:
        con.execute(f"INSERT INTO index_pending (article_id, queued_at, run_id) "
                    f"SELECT article_id, now(), ? FROM ({changed})", [run_id])
    con.execute("UPDATE index_state SET dirty = true, changed_at = now(), run_id = ?", [run_id])


def index_is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """The index may not match `articles`: articles are queued for it (or the dirty mark
    is set), there is no index, or it holds another number of articles (rows deleted
    by hand, or a warehouse restored from a backup)."""
    try:
        index = _open(search_dir_of(con))
    except (LookupError, OSError, ValueError):
        return True
    return index is None or _differs(con, index.searcher())


def _differs(con: duckdb.DuckDBPyConnection, searcher) -> bool:  # searcher: tantivy.Searcher
    """`index_is_stale` for an index that exists, seen through `searcher`."""
    try:
        dirty = con.execute("SELECT coalesce(bool_or(dirty), true) FROM index_state").fetchone()[0]
        dirty = dirty or bool(con.execute("SELECT count(*) FROM index_pending").fetchone()[0])
    except duckdb.CatalogException:  # a warehouse older than the queue, opened read-only
        dirty = True
    return dirty or searcher.num_docs != con.execute("SELECT count(*) FROM articles").fetchone()[0]


# The indexed columns, in the order `_add` reads them.
_INDEXED = ("article_id, coalesce(title, '') AS title, coalesce(body, '') AS body, source, "
            "CAST(coalesce(published_at, first_seen_at) AS DATE) AS day, "
            "epoch_us(published_at) AS published_us")


def _every_row(con: duckdb.DuckDBPyConnection) -> Iterator[pa.RecordBatch]:
    """The indexed columns of every article, a chunk at a time (a full rebuild)."""
    yield from con.execute(f"SELECT {_INDEXED} FROM articles").to_arrow_reader(_CHUNK)


def _rows_of(con: duckdb.DuckDBPyConnection, ids: list[str]) -> Iterator[pa.RecordBatch]:
    """The indexed columns of the stored articles among `ids`, read by key
    (`newsetl.store.lookup`)."""
    yield from articles_by_key(con, _INDEXED, ids, _CHUNK)


def _add(writer, batch: pa.RecordBatch) -> int:  # writer: tantivy.IndexWriter
    import tantivy

    n = 0
    for aid, title, body, source, day, published_us in zip(
            *(batch.column(i).to_pylist() for i in range(6)), strict=True):
        doc = tantivy.Document(article_id=aid, title=title, body=body)
        if source is not None:
            doc.add_text("source", source)
        if day is not None:
            doc.add_date("day", datetime(day.year, day.month, day.day, tzinfo=UTC))
        if published_us is not None:
            doc.add_integer("published_us", published_us)
        writer.add_document(doc)
        n += 1
    return n


def _clear_marks(con: duckdb.DuckDBPyConnection, queued: str | None) -> None:
    """Empty the queue rows applied (all when `queued` is None) and clear the mark when
    the queue is empty, in one transaction."""
    from newsetl.store.warehouse import transaction  # warehouse imports this module

    with transaction(con):
        if queued is None:
            con.execute("DELETE FROM index_pending")
        else:
            con.execute(f"DELETE FROM index_pending WHERE article_id IN ({queued})")
        con.execute("UPDATE index_state SET dirty = false, rebuilt_at = now() "
                    "WHERE NOT EXISTS (SELECT 1 FROM index_pending)")
        con.execute("INSERT INTO index_state (dirty, rebuilt_at) SELECT false, now() "
                    "WHERE NOT EXISTS (SELECT 1 FROM index_state)")


def update_index(con: duckdb.DuckDBPyConnection,
                 committed: Callable[[], None] = lambda: None) -> int:
    """Apply the queued articles to the index: what a run does at its end. Returns how
    many ids were applied. Builds the whole index only when there is none yet.
    `committed` runs between the index's commit and the queue's (the crash tests' hook)."""

    directory = search_dir_of(con)
    index = _open(directory)
    if index is None:
        return refresh_index(con)
    con.execute("CREATE OR REPLACE TEMP TABLE i_queued AS "
                "SELECT DISTINCT article_id FROM index_pending")
    ids = [row[0] for row in con.execute("SELECT article_id FROM i_queued").fetchall()]
    if ids:
        writer = index.writer(WRITER_HEAP, 1)
        try:
            for aid in ids:
                writer.delete_documents_by_term("article_id", aid)
            for batch in _rows_of(con, ids):
                _add(writer, batch)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()
        committed()
    _clear_marks(con, "SELECT article_id FROM i_queued")
    con.execute("DROP TABLE IF EXISTS i_queued")
    return len(ids)


def refresh_index(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild the whole index into a fresh folder, swap it in, then empty the queue.

    A rebuild killed half-way leaves the old index and the queue as they
    were (and a `.search.new` folder, removed by the next rebuild). Returns
    the number of articles indexed.
    """
    directory = search_dir_of(con)
    fresh = directory.with_name(directory.name + ".new")
    old = directory.with_name(directory.name + ".old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    index = _open(fresh, create=True)
    writer = index.writer(WRITER_HEAP, 1)
    con.execute(f"SET memory_limit = '{_REBUILD_MEMORY}'")
    try:
        n = sum(_add(writer, batch) for batch in _every_row(con))
    finally:
        con.execute("RESET memory_limit")
    writer.commit()
    writer.wait_merging_threads()
    del writer, index
    if directory.exists():
        directory.rename(old)
    fresh.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
    _clear_marks(con, None)
    return n


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


def _best(con: duckdb.DuckDBPyConnection, query: str, since: date | None, source: str | None,
          limit: int):  # -> tuple[tantivy.Searcher, list[tuple[float, tantivy.DocAddress]]]
    """The searcher and the (BM25 score, address) of the best matches.

    The query is a bag of words (no operators), as with the DuckDB index
    before: any word may match, more and rarer words score higher.
    """
    import tantivy

    index = _open(search_dir_of(con))
    if index is None:
        raise LookupError("no search index yet, or one built by an older newsetl: run "
                          "`newsetl index` (or the next backfill) to build it")
    searcher = index.searcher()
    words = " ".join(re.findall(r"\w+", query.lower()))
    if not words:
        return searcher, []
    parsed = index.parse_query_lenient(words, _TEXT_FIELDS)
    text = parsed[0] if isinstance(parsed, tuple) else parsed
    schema = index.schema
    clauses = [(tantivy.Occur.Must, text)]
    if source is not None:  # filters that do not change the score
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(
            tantivy.Query.term_query(schema, "source", source), 0.0)))
    if since is not None:
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(
            tantivy.Query.range_query(schema, "day", tantivy.FieldType.Date,
                                      lower_bound=datetime(since.year, since.month, since.day,
                                                           tzinfo=UTC)), 0.0)))
    # The words alone when nothing filters: tantivy then skips blocks of documents that
    # cannot reach the top (block-max WAND), p95 31 -> 22 ms at 1,000,000 articles.
    query = text if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)
    return searcher, searcher.search(query, limit, count=False).hits


def search_ids(con: duckdb.DuckDBPyConnection, query: str, since: date | None = None,
               source: str | None = None, limit: int = 10) -> list[tuple[str, float]]:
    """(article_id, BM25 score) of the best matches, best first (ties by id)."""
    searcher, found = _best(con, query, since, source, limit)
    hits = [(doc["article_id"][0], score) for doc, score in _documents(searcher, found)]
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def _documents(searcher, found: list) -> list:  # -> list[tuple[tantivy.Document, float]]
    """(stored document, score) of each hit in `found`, the documents read side by side:
    each is a random read of the index's store, and on a cold page cache those reads
    wait on the disk one after another (10 hits of 1,000,000 articles: median 95 -> 72 ms
    with caches dropped)."""
    def read(hit: tuple) -> tuple:  # (score, address) -> (document, score)
        return searcher.doc(hit[1]), hit[0]

    if len(found) < 2:
        return [read(hit) for hit in found]
    with ThreadPoolExecutor(min(len(found), 10)) as threads:
        return list(threads.map(read, found))


def _stored(doc, query: str, score: float) -> Hit:  # doc: tantivy.Document
    """A hit from the fields the index stores."""
    fields = doc.to_dict()
    published = fields.get("published_us")
    return Hit(article_id=fields["article_id"][0], score=score,
               title=fields["title"][0] or None,
               published_at=(_EPOCH + timedelta(microseconds=published[0])) if published else None,
               source=fields.get("source", [None])[0],
               snippet=snippet(fields["body"][0], query))


def search(con: duckdb.DuckDBPyConnection, query: str, since: date | None = None,
           source: str | None = None, limit: int = 10) -> list[Hit]:
    """Articles matching `query`, best BM25 score first (ties by id), with a snippet each.

    Title, date, source and body come from the index's own store. While the index
    has not caught up with the warehouse (`index_is_stale`), they are read from
    `articles` instead, and a hit whose article is no longer there is left out.
    """
    searcher, found = _best(con, query, since, source, limit)
    hits = sorted((_stored(doc, query, score) for doc, score in _documents(searcher, found)),
                  key=lambda hit: (-hit.score, hit.article_id))
    if not hits or not _differs(con, searcher):
        return hits
    # Read by key (`newsetl.store.lookup`): a filter on the id would read every body.
    table = articles_table(con, "article_id, title, published_at, source, body",
                           [hit.article_id for hit in hits])
    rows = {row[0]: row[1:] for row in zip(*table.to_pydict().values(), strict=True)}
    return [Hit(hit.article_id, hit.score, *rows[hit.article_id][:3],
                snippet(rows[hit.article_id][3] or "", query))
            for hit in hits if hit.article_id in rows]


def hits_table(con: duckdb.DuckDBPyConnection, query: str, since: date | None = None,
               source: str | None = None, limit: int = 10) -> pa.Table:
    """The hits as an Arrow table (`article_id`, `score`, `rank`) to register as `hits`
    and join with the warehouse tables in SQL (`newsetl search Q --sql ...`)."""
    ids = search_ids(con, query, since=since, source=source, limit=limit)
    return pa.table({"article_id": pa.array([aid for aid, _ in ids], pa.string()),
                     "score": pa.array([score for _, score in ids], pa.float64()),
                     "rank": pa.array(range(1, len(ids) + 1), pa.int32())})
