"""The incremental search index (tantivy beside the warehouse): runs add and replace only
what they changed, a run killed between the DuckDB commit and the index commit is caught
up by the next, and `newsetl search` (with its SQL join) reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from newsetl.pipeline.backfill import backfill_files
from newsetl.pipeline.failpoints import FAILPOINT
from newsetl.pipeline.run import rebuild_index, writing
from newsetl.store.search import (
    index_is_stale,
    refresh_index,
    search,
    search_dir_of,
    search_ids,
    snippet,
    update_index,
)
from newsetl.store.warehouse import Warehouse, connect
from tests.conftest import SEED, SEED_TITLE, make_seed_archive

NEWSETL = [sys.executable, "-m", "newsetl.cli"]


def _article(root: Path, name: str, title: str, body: str) -> None:
    """A plain-text article file: first line the title, then paragraphs."""
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def _run(warehouse: Path, archive: Path) -> None:
    """What the backfill flow does, without Prefect: a recorded run under the run lock."""
    with writing(warehouse) as session, session.run("backfill", {}) as run:
        backfill_files(session.warehouse, [str(archive)], run.run_id, counts=run.counts)


def _indexed(warehouse: Path) -> int:
    import tantivy

    return tantivy.Index.open(str(Warehouse(warehouse).search_dir)).searcher().num_docs


def _segments(warehouse: Path) -> set[str]:
    return {p.name for p in Warehouse(warehouse).search_dir.iterdir()
            if p.name.endswith(".idx")}


def _pending(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT DISTINCT article_id FROM index_pending ORDER BY 1").fetchall()]


BODY = ("The {word} committee met on Tuesday to discuss the harbour budget for next year. "
        "Members argued about ferries, piers and the price of fuel for the fishing fleet, "
        "and agreed to meet again before the end of the month.")


def test_a_run_adds_its_articles_without_rebuilding_the_index(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    assert Warehouse(warehouse).search_dir == tmp_path / "w.search"
    assert _indexed(warehouse) == 2 and _pending(warehouse) == []
    before = _segments(warehouse)
    assert before
    new = tmp_path / "b"
    _article(new, "x.txt", "Zanzibarite found", BODY.format(word="zanzibarite"))
    _run(warehouse, new)
    assert _indexed(warehouse) == 3 and _pending(warehouse) == []
    # The first run's segment is still there: the new article was added, nothing rebuilt.
    assert before <= _segments(warehouse)
    with connect(warehouse, read_only=True) as con:
        assert [h.title for h in search(con, "zanzibarite")] == ["Zanzibarite found"]
        assert not index_is_stale(con)


def test_a_changed_article_is_replaced_not_doubled(tmp_path: Path):
    warehouse, archive = tmp_path / "w.duckdb", tmp_path / "a"
    _article(archive, "x.txt", "Harbour committee", BODY.format(word="quokkaberry"))
    _run(warehouse, archive)
    _article(archive, "x.txt", "Harbour committee", BODY.format(word="wombatine"))
    _run(warehouse, archive)
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT version FROM articles").fetchall() == [(2,)]
        assert search(con, "quokkaberry") == []
        assert [h.title for h in search(con, "wombatine")] == ["Harbour committee"]
    assert _indexed(warehouse) == 1


def test_a_deleted_article_leaves_the_index(tmp_path: Path):
    """Whatever deletes an article queues its id; the update then removes it."""
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    with connect(warehouse) as con:
        gone = con.execute("SELECT min(article_id) FROM articles").fetchone()[0]
        con.execute("DELETE FROM articles WHERE article_id = ?", [gone])
        assert index_is_stale(con)  # the index holds one article more than the table
        con.execute("INSERT INTO index_pending VALUES (?, now(), 'purge')", [gone])
        assert update_index(con) == 1
        assert gone not in {h.article_id for h in search(con, "Lavrov", limit=50)}
        assert not index_is_stale(con)
    assert _indexed(warehouse) == 1


def test_hits_show_what_the_warehouse_holds_read_from_the_index(tmp_path: Path):
    """Title, date, source and snippet come from the index's store and match `articles`;
    while the index lags behind the table, a hit whose article is gone is left out."""
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    with connect(warehouse) as con:
        dated = con.execute("SELECT min(article_id) FROM articles").fetchone()[0]
        con.execute("UPDATE articles SET published_at = '2024-05-03 07:30:00.123456+01' "
                    "WHERE article_id = ?", [dated])
        con.execute("INSERT INTO index_pending VALUES (?, now(), 'fix')", [dated])
        assert update_index(con) == 1
        hits = search(con, "Lavrov regime")
        assert len(hits) == 2 and not index_is_stale(con)
        for hit in hits:
            row = con.execute("SELECT title, published_at, source, body FROM articles "
                              "WHERE article_id = ?", [hit.article_id]).fetchone()
            assert (hit.title, hit.published_at, hit.source) == row[:3]
            assert hit.snippet == snippet(row[3], "Lavrov regime")
        assert {h.published_at is None for h in hits} == {True, False}
        gone = hits[0].article_id
        con.execute("DELETE FROM articles WHERE article_id = ?", [gone])
        assert [h.article_id for h in search(con, "Lavrov regime")] == [hits[1].article_id]


def test_an_index_built_by_an_older_newsetl_is_rebuilt_whole(tmp_path: Path):
    """An index whose schema is not this version's (fields added since) is not read: search
    says to rebuild it, and the next run's update builds it whole."""
    import tantivy

    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    old = tmp_path / "old.search"
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("article_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body")
    writer = tantivy.Index(builder.build(), path=str(old.mkdir() or old)).writer(15_000_000, 1)
    writer.add_document(tantivy.Document(article_id="x", body="Lavrov"))
    writer.commit()
    writer.wait_merging_threads()
    shutil.rmtree(tmp_path / "w.search")
    old.rename(tmp_path / "w.search")
    with connect(warehouse) as con:
        assert index_is_stale(con)
        with pytest.raises(LookupError, match="older newsetl: run `newsetl index`"):
            search(con, "Lavrov")
        assert update_index(con) == 2
        assert len(search(con, "Lavrov")) == 2 and not index_is_stale(con)


_KILLED_RUN = textwrap.dedent("""
    import sys
    from newsetl.pipeline.backfill import backfill_files
    from newsetl.pipeline.run import writing
    with writing(sys.argv[1]) as session, session.run("backfill", {}) as run:
        backfill_files(session.warehouse, [sys.argv[2]], run.run_id, counts=run.counts)
""")


def _killed_run(warehouse: Path, archive: Path, point: str) -> None:
    """A run in its own process, killed (SIGKILL) at failpoint `point`."""
    done = subprocess.run([sys.executable, "-c", _KILLED_RUN, str(warehouse), str(archive)],
                          env={**os.environ, FAILPOINT: point}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == -9, done.stderr


def test_a_run_killed_before_the_index_commit_is_caught_up_by_the_next(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    killed = tmp_path / "b"
    _article(killed, "x.txt", "Zanzibarite found", BODY.format(word="zanzibarite"))
    _article(killed, "y.txt", "Quokkaberry found", BODY.format(word="quokkaberry"))
    # Killed after the DuckDB commit, before the index update: both articles stay queued.
    _killed_run(warehouse, killed, "index-refresh")
    missing = _pending(warehouse)
    with connect(warehouse, read_only=True) as con:
        new_ids = sorted(r[0] for r in con.execute(
            "SELECT article_id FROM articles WHERE title LIKE '%found'").fetchall())
        assert missing == new_ids and index_is_stale(con)
        assert search(con, "zanzibarite") == []
    assert _indexed(warehouse) == 2 and len(missing) == 2
    before = _segments(warehouse)
    # The next run has nothing of its own to load (the ledger skips both) and applies
    # exactly the queued articles: added to the index as it is, not rebuilt.
    _run(warehouse, killed)
    assert _indexed(warehouse) == 4 and _pending(warehouse) == []
    assert before <= _segments(warehouse)
    with connect(warehouse, read_only=True) as con:
        assert [h.title for h in search(con, "zanzibarite")] == ["Zanzibarite found"]


def test_a_run_killed_after_the_index_commit_does_not_double_articles(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 2))
    killed = tmp_path / "b"
    _article(killed, "x.txt", "Zanzibarite found", BODY.format(word="zanzibarite"))
    # Killed after tantivy committed, before the queue was emptied: applied twice, once in.
    _killed_run(warehouse, killed, "index-committed")
    assert len(_pending(warehouse)) == 1 and _indexed(warehouse) == 3
    _run(warehouse, killed)
    assert _pending(warehouse) == [] and _indexed(warehouse) == 3
    with connect(warehouse, read_only=True) as con:
        assert len(search(con, "zanzibarite")) == 1 and not index_is_stale(con)


def test_newsetl_index_rebuilds_what_the_runs_built(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    _run(warehouse, make_seed_archive(tmp_path / "a", 3))
    with connect(warehouse, read_only=True) as con:
        incremental = search_ids(con, "Lavrov regime", limit=5)
    rebuild_index(warehouse)
    assert not (tmp_path / "w.search.new").exists() and not (tmp_path / "w.search.old").exists()
    with connect(warehouse, read_only=True) as con:
        assert search_ids(con, "Lavrov regime", limit=5) == incremental
        assert search_dir_of(con) == tmp_path / "w.search"


def test_an_index_lost_is_rebuilt_whole_by_the_next_run(tmp_path: Path):
    """A warehouse made before this index (or whose folder was removed) gets it once."""
    warehouse = tmp_path / "w.duckdb"
    backfill_files(warehouse, [str(make_seed_archive(tmp_path / "a", 2))], "run-1")
    with connect(warehouse) as con:
        assert index_is_stale(con)
        with pytest.raises(LookupError, match="newsetl index"):
            search(con, "Lavrov")
        assert update_index(con) == 2  # no index yet: built whole
        assert len(search(con, "Lavrov")) == 2 and not index_is_stale(con)
        assert refresh_index(con) == 2


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from the seed and a second article, by a recorded run."""
    root = tmp_path_factory.mktemp("seeded")
    archive = root / "archive"
    archive.mkdir()
    (archive / SEED.name).write_bytes(SEED.read_bytes())
    _article(archive, "harbour.txt", "Harbour committee meets", BODY.format(word="harbour"))
    _run(root / "w.duckdb", archive)
    return root / "w.duckdb"


def _search(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, "search", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_newsetl_search_prints_ranked_hits_with_snippets(seeded: Path):
    done = _search("Petrocaribe", "-w", str(seeded))
    assert done.returncode == 0, done.stderr
    assert SEED_TITLE in done.stdout and "[Petrocaribe]" in done.stdout
    assert "out of date" not in done.stderr
    assert _search("harbour", "-w", str(seeded), "--source", "nobody").stdout == "no match\n"
    later = _search("Petrocaribe", "-w", str(seeded), "--since", "2100-01-01")
    assert later.stdout == "no match\n"


def test_newsetl_search_sql_joins_the_hits_with_the_tables(seeded: Path):
    done = _search("Petrocaribe regime", "-w", str(seeded), "-f", "csv", "--sql",
                   "SELECT h.rank, a.title, count(e.name) > 0 AS has_entities FROM hits h "
                   "JOIN articles a USING (article_id) LEFT JOIN entities e "
                   "USING (article_id) GROUP BY ALL ORDER BY h.rank")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["rank,title,has_entities", f"1,{SEED_TITLE},True"]
    with connect(seeded, read_only=True) as con:
        scores = [h.score for h in search(con, "harbour Lavrov budget")]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    refused = _search("x", "-w", str(seeded), "--sql", "COPY hits TO '/tmp/x.csv'")
    assert refused.returncode == 1 and refused.stderr.startswith("error:")
