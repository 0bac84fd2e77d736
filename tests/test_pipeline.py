"""The backfill core against a real DuckDB file: idempotence, versions, quarantine."""

import gzip
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from newsetl.archive.files import list_inputs
from newsetl.pipeline.backfill import ExtractOptions, Window, backfill_files, extract_files
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.store.warehouse import MIGRATIONS, Ledger, connect, ledger_paths
from tests.conftest import SEED, SEED_TITLE, make_seed_archive, warehouse_snapshot


def _rows(warehouse: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query).fetchall()


def test_backfill_loads_the_seed_and_html(archive: Path, warehouse_file: Path):
    counts = backfill_files(warehouse_file, [str(archive)], "run-1")
    assert (counts.seen, counts.loaded, counts.rejected) == (2, 2, 0)
    (seed,) = _rows(warehouse_file, "SELECT title, language, paragraph_count, len(notes), "
                    "source, body LIKE '%[Photo%' FROM articles WHERE title LIKE 'Lavrov%'")
    assert seed == (SEED_TITLE, "en", 9, 2, "test-archive", False)
    (page,) = _rows(warehouse_file, "SELECT title, source, url FROM articles "
                    "WHERE source = 'coast-gazette'")
    assert page == ("Harbour reopens after storm", "coast-gazette",
                    "https://gazette.example/news/harbour")


def test_second_run_skips_everything_and_adds_no_row(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    before = _rows(warehouse_file, "SELECT * EXCLUDE (last_seen_at) FROM articles ORDER BY 1")
    counts = backfill_files(warehouse_file, [str(archive)], "run-2")
    assert (counts.seen, counts.skipped, counts.loaded, counts.updated) == (2, 2, 0, 0)
    after = _rows(warehouse_file, "SELECT * EXCLUDE (last_seen_at) FROM articles ORDER BY 1")
    assert after == before
    assert _rows(warehouse_file, "SELECT count(*) FROM article_versions") == [(2,)]


def test_forced_rerun_finds_content_unchanged(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    counts = backfill_files(warehouse_file, [str(archive)], "run-2", force=True)
    assert (counts.unchanged, counts.updated, counts.loaded) == (2, 0, 0)
    assert _rows(warehouse_file, "SELECT DISTINCT version FROM articles") == [(1,)]


def test_changed_file_updates_article_and_keeps_previous_version(archive: Path,
                                                                 warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    seed = archive / "2014" / SEED.name
    seed.write_text(seed.read_text(encoding="utf-8").replace("Wednesday", "Thursday"),
                    encoding="utf-8")
    counts = backfill_files(warehouse_file, [str(archive)], "run-2")
    assert (counts.updated, counts.skipped) == (1, 1)
    (current,) = _rows(warehouse_file, "SELECT article_id, version, body LIKE '%Thursday%' "
                       "FROM articles WHERE title LIKE 'Lavrov%'")
    assert current[1:] == (2, True)
    versions = _rows(warehouse_file, "SELECT version, body LIKE '%Wednesday%' FROM "
                     f"article_versions WHERE article_id = '{current[0]}' ORDER BY version")
    assert versions == [(1, True), (2, False)]
    assert _rows(warehouse_file, "SELECT count(*) FROM articles") == [(2,)]


def test_new_extractor_version_reextracts_and_versions(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1", ExtractOptions(extractor_version="old"))
    counts = backfill_files(warehouse_file, [str(archive)], "run-2",
                            ExtractOptions(extractor_version="new"))
    assert counts.updated == 2
    assert _rows(warehouse_file, "SELECT DISTINCT extractor_version FROM articles") == [("new",)]
    assert _rows(warehouse_file, "SELECT extractor_version, count(*) FROM article_versions "
                 "GROUP BY 1 ORDER BY 1") == [("new", 2), ("old", 2)]


def test_bad_inputs_are_quarantined_and_the_rest_loads(archive: Path, warehouse_file: Path):
    (archive / "empty.txt").write_bytes(b"")
    (archive / "binary.txt").write_bytes(bytes(range(256)) * 4)
    data = gzip.compress(b"<html><body><p>" + b"lorem ipsum " * 500 + b"</p></body></html>")
    (archive / "truncated.html.gz").write_bytes(data[:40])
    (archive / "nothing.html").write_text("<html><body><nav>Home</nav></body></html>")
    shutil.copy(SEED, archive / "copy.txt")
    counts = backfill_files(warehouse_file, [str(archive)], "run-1")
    assert counts.rejected == 4
    assert counts.reasons == {"empty": 1, "binary": 1, "bad-gzip": 1, "no-text": 1}
    rejects = dict(_rows(warehouse_file, "SELECT regexp_extract(input, '[^/]+$'), reason "
                         "FROM rejects WHERE run_id = 'run-1'"))
    assert rejects == {"empty.txt": "empty", "binary.txt": "binary",
                       "truncated.html.gz": "bad-gzip", "nothing.html": "no-text"}
    assert _rows(warehouse_file, "SELECT count(*) FROM articles") == [(3,)]
    again = backfill_files(warehouse_file, [str(archive)], "run-2")
    assert (again.skipped, again.rejected) == (7, 0)  # the ledger remembers the rejects too


def test_schema_is_migrated_once_and_recorded(warehouse_file: Path):
    for _ in range(2):
        with connect(warehouse_file):
            pass
    assert _rows(warehouse_file, "SELECT version FROM schema_version ORDER BY 1") == [
        (v,) for v in range(1, len(MIGRATIONS) + 1)]


def test_an_older_warehouse_is_brought_up_to_date_on_connect(warehouse_file: Path,
                                                             monkeypatch):
    monkeypatch.setattr("newsetl.store.warehouse.MIGRATIONS", MIGRATIONS[:1])
    with connect(warehouse_file):
        pass
    monkeypatch.undo()
    with connect(warehouse_file) as con:
        views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert ("latest_articles",) in views
    assert _rows(warehouse_file, "SELECT max(version) FROM schema_version") == [
        (len(MIGRATIONS),)]


def test_the_keyed_tables_lose_their_primary_key_and_keep_their_rows(warehouse_file: Path,
                                                                     monkeypatch):
    """Migration 7 copies `articles`, `items` and `files` without their PRIMARY KEY (DuckDB
    rewrites its index at every checkpoint): the rows stay, and `items.file` is filled from
    `archive_path` (a WARC record's `#offset` cut off)."""
    monkeypatch.setattr("newsetl.store.warehouse.MIGRATIONS", MIGRATIONS[:6])
    with connect(warehouse_file) as con:
        con.execute("INSERT INTO articles (article_id, title) VALUES ('a1', 'One'), ('a2', 'Two')")
        con.execute("INSERT INTO items (source, item_key, archive_path) VALUES "
                    "('s', 'k1', '/x/a.warc.gz#120'), ('s', 'k2', '/x/b.html')")
        con.execute("INSERT INTO files (path, items) VALUES ('/x/b.html', 1)")
    monkeypatch.undo()
    with connect(warehouse_file):
        pass
    assert _rows(warehouse_file, "SELECT article_id, title FROM articles ORDER BY 1") == [
        ("a1", "One"), ("a2", "Two")]
    assert _rows(warehouse_file, "SELECT item_key, file FROM items ORDER BY 1") == [
        ("k1", "/x/a.warc.gz"), ("k2", "/x/b.html")]
    assert _rows(warehouse_file, "SELECT path, items FROM files") == [("/x/b.html", 1)]
    assert _rows(warehouse_file, "SELECT table_name FROM duckdb_constraints() "
                 "WHERE constraint_type = 'PRIMARY KEY' ORDER BY 1") == [("runs",)]
    assert _rows(warehouse_file, "SELECT count(*) FROM latest_articles") == [(2,)]


def test_date_and_source_window(archive: Path, warehouse_file: Path):
    # The HTML page was fetched 2014-10-09 (manifest); the seed has no date but its file's.
    seed = archive / "2014" / SEED.name
    os.utime(seed, (datetime(2020, 1, 1, tzinfo=UTC).timestamp(),) * 2)
    window = Window(since=date(2014, 10, 1), until=date(2014, 10, 31))
    counts = backfill_files(warehouse_file, [str(archive)], "run-1", ExtractOptions(window=window))
    assert (counts.loaded, counts.out_of_window) == (1, 1)
    assert _rows(warehouse_file, "SELECT source FROM articles") == [("coast-gazette",)]
    only_seed_source = Window(sources=frozenset({"test-archive"}))
    counts = backfill_files(warehouse_file, [str(archive)], "run-2",
                            ExtractOptions(window=only_seed_source))
    # The page is done and unchanged since run-1: skipped before its source is even read.
    assert (counts.loaded, counts.out_of_window, counts.skipped) == (1, 0, 1)


def test_ledger_lists_every_input_file_once(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    with connect(warehouse_file) as con:
        assert ledger_paths(con) == sorted(str(p) for p in list_inputs([archive]))


def test_a_process_pool_loads_the_same_warehouse_as_one_process(archive: Path, tmp_path: Path):
    make_seed_archive(archive / "more", 30)
    inline, pooled = tmp_path / "inline.duckdb", tmp_path / "pooled.duckdb"
    one = backfill_files(inline, [str(archive)], "run", ExtractOptions(batch_size=4),
                         files_per_task=7)
    two = backfill_files(pooled, [str(archive)], "run", ExtractOptions(batch_size=4, workers=2),
                         files_per_task=7)
    assert one == two and one.loaded == 32
    assert warehouse_snapshot(pooled) == warehouse_snapshot(inline)


def test_the_ledger_knows_a_file_by_any_path_to_it(archive: Path, warehouse_file: Path,
                                                    monkeypatch):
    monkeypatch.chdir(archive.parent)
    backfill_files(warehouse_file, [archive.name], "run-1")
    counts = backfill_files(warehouse_file, [str(archive)], "run-2")
    assert (counts.seen, counts.skipped) == (2, 2)


def test_extraction_needs_no_warehouse_only_the_ledger_entries(archive: Path):
    files = [str(p) for p in list_inputs([archive])]
    (first,) = extract_files(files, Ledger())
    assert (first.counts.seen, first.batch.articles.num_rows) == (2, 2)
    items = first.batch.items.to_pylist()
    known = Ledger(items={(i["source"], i["item_key"]): (i["item_hash"], EXTRACTOR_VERSION)
                          for i in items})
    (again,) = extract_files(files, known)
    assert (again.counts.skipped, again.batch.articles.num_rows) == (2, 0)


def test_an_unchanged_done_file_is_not_read_again(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    with connect(warehouse_file) as con:
        done = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), items FROM files")
                    .fetchall())
    assert done == {SEED.name: 1, "page.html.gz": 1}
    page = archive / "2014" / "page.html.gz"
    page.chmod(0)  # unreadable: a run that opened it would quarantine it
    try:
        counts = backfill_files(warehouse_file, [str(archive)], "run-2")
    finally:
        page.chmod(0o644)
    assert (counts.seen, counts.skipped, counts.rejected) == (2, 2, 0)
    os.utime(page, ns=(0, 0))  # touched: read again, and skipped by its unchanged bytes
    counts = backfill_files(warehouse_file, [str(archive)], "run-3")
    assert (counts.seen, counts.skipped, counts.loaded) == (2, 2, 0)


def test_a_file_with_an_item_outside_the_window_stays_out_of_the_file_ledger(
        archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1",
                   ExtractOptions(window=Window(sources=frozenset({"test-archive"}))))
    counts = backfill_files(warehouse_file, [str(archive)], "run-2")
    assert (counts.loaded, counts.skipped) == (1, 1)


def test_near_duplicates_share_a_cluster_and_other_articles_do_not(archive: Path,
                                                                   warehouse_file: Path):
    make_seed_archive(archive / "copies", 3)  # the seed's paragraphs, rotated: one story
    backfill_files(warehouse_file, [str(archive)], "run-1")
    clusters = _rows(warehouse_file, "SELECT title LIKE 'Lavrov%', count(DISTINCT cluster_id), "
                     "count(*) FROM articles GROUP BY 1 ORDER BY 1")
    assert clusters == [(False, 1, 1), (True, 1, 4)]
    (harbour,) = _rows(warehouse_file, "SELECT cluster_id = article_id FROM articles "
                       "WHERE title NOT LIKE 'Lavrov%'")
    assert harbour == (True,)


def test_near_copies_loaded_by_a_later_run_join_the_stored_articles_cluster(archive: Path,
                                                                           tmp_path: Path):
    """The stored side of the band join: copies met in a later run find the seed through
    `article_bands`, and the clusters come out as when everything is loaded at once."""
    later, at_once = tmp_path / "later.duckdb", tmp_path / "at-once.duckdb"
    backfill_files(later, [str(archive)], "run-1")
    make_seed_archive(archive / "copies", 3)
    backfill_files(later, [str(archive)], "run-2")
    backfill_files(at_once, [str(archive)], "run-1")
    query = "SELECT article_id, cluster_id FROM articles ORDER BY 1"
    assert _rows(later, query) == _rows(at_once, query)
    assert len({cluster for _, cluster in _rows(later, query)}) == 2
