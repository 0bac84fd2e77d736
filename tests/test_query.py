"""Querying the warehouse: views, full-text search, Parquet export, the report."""

from pathlib import Path

import duckdb
import pytest

from newsetl.pipeline.backfill import ExtractOptions, backfill_files
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.store.export import MARKER, ExportError, export_parquet, staging_dir
from newsetl.store.report import render_report
from newsetl.store.search import index_is_stale, refresh_index, search, snippet
from newsetl.store.warehouse import Warehouse, connect
from tests.conftest import SEED_TITLE


@pytest.fixture
def loaded(archive: Path, warehouse_file: Path) -> Path:
    backfill_files(warehouse_file, [str(archive)], "run-1")
    with connect(warehouse_file) as con:
        refresh_index(con)
    return warehouse_file


@pytest.mark.parametrize("query", ["regime change", "Petrocaribe", "petrocaribe"])
def test_search_finds_the_seed(loaded: Path, query: str):
    with connect(loaded, read_only=True) as con:
        hits = search(con, query)
    assert [h.title for h in hits] == [SEED_TITLE]
    assert query.split()[0].lower() in hits[0].snippet.lower()


def test_search_filters_by_source_and_ranks_by_bm25(loaded: Path):
    with connect(loaded, read_only=True) as con:
        assert search(con, "harbour ferries") and search(con, "harbour", source="nobody") == []
        scores = [h.score for h in search(con, "harbour storm Lavrov")]
    assert scores == sorted(scores, reverse=True) and len(scores) == 2


def test_search_without_an_index_says_what_to_do(archive: Path, warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    with connect(warehouse_file, read_only=True) as con, pytest.raises(LookupError,
                                                                        match="backfill"):
        search(con, "anything")


def test_the_index_is_stale_until_rebuilt_over_every_article(archive: Path,
                                                              warehouse_file: Path):
    backfill_files(warehouse_file, [str(archive)], "run-1")
    with connect(warehouse_file) as con:
        assert index_is_stale(con)  # never built
        refresh_index(con)
        assert not index_is_stale(con)
        con.execute("DELETE FROM articles WHERE title = ?", [SEED_TITLE])
        assert index_is_stale(con)  # built over another set of articles


def test_snippet_marks_the_words():
    body = "First paragraph.\n\nThe regime said change is near."
    assert snippet(body, "regime change", width=80) == "First paragraph. The [regime] said " \
        "[change] is near."


def test_views_answer_the_common_questions(loaded: Path):
    with connect(loaded, read_only=True) as con:
        speakers = con.execute("SELECT speaker, count(*) FROM quotes_with_speakers "
                               "WHERE speaker_kind = 'person' GROUP BY 1").fetchall()
        daily = con.execute("SELECT sum(articles) FROM daily_counts").fetchone()[0]
        people = con.execute("SELECT person FROM person_mentions ORDER BY mentions DESC "
                             "LIMIT 1").fetchone()[0]
        latest = con.execute("SELECT count(*) FROM latest_articles").fetchone()[0]
        entity_rows = con.execute("SELECT count(*) FROM article_entities WHERE "
                                  "name = 'Sergei Lavrov'").fetchone()[0]
    assert ("Sergei Lavrov", 5) in speakers
    assert daily == latest == 2
    assert people == "Sergei Lavrov" and entity_rows == 1


def test_article_changes_view_diffs_versions(loaded: Path, archive: Path):
    upgraded = f"{EXTRACTOR_VERSION}-next"
    backfill_files(loaded, [str(archive)], "run-2", ExtractOptions(extractor_version=upgraded))
    with connect(loaded, read_only=True) as con:
        rows = con.execute("SELECT version, previous_extractor_version, extractor_version, "
                           "content_changed FROM article_changes WHERE title = ? "
                           "ORDER BY version", [SEED_TITLE]).fetchall()
    assert rows == [(1, None, EXTRACTOR_VERSION, None),
                    (2, EXTRACTOR_VERSION, upgraded, False)]


def test_parquet_export_rereads_with_the_same_counts(loaded: Path, tmp_path: Path):
    out = tmp_path / "export"
    with connect(loaded, read_only=True) as con:
        written = export_parquet(con, out)
        for table in ("articles", "entities", "quotes", "runs", "rejects", "items", "fetches",
                      "files", "article_bands", "schema_version", "article_versions"):
            stored = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert written[table] == stored
            assert duckdb.connect().execute(f"SELECT count(*) FROM read_parquet("
                                            f"'{out}/{table}/**/*.parquet')").fetchone()[0] \
                == stored
    reread = duckdb.connect()
    articles = reread.execute(f"SELECT count(*), count(DISTINCT month) FROM read_parquet("
                              f"'{out}/articles/**/*.parquet', hive_partitioning = true)"
                              ).fetchone()
    quotes = reread.execute(f"SELECT count(*) FROM '{out}/quotes/**/*.parquet'").fetchone()[0]
    assert articles[0] == written["articles"] == 2 and quotes == written["quotes"] > 0
    assert {p.name for p in (out / "articles").iterdir()} >= {"month=unknown"}
    # Exporting again replaces, never duplicates.
    with connect(loaded, read_only=True) as con:
        export_parquet(con, out)
    again = reread.execute(f"SELECT count(*) FROM '{out}/articles/**/*.parquet'").fetchone()[0]
    assert again == 2


def test_report_has_the_charts(loaded: Path):
    with connect(loaded, read_only=True) as con:
        html = render_report(con)
    assert html.startswith("<!doctype html>")
    assert html.count("<svg") == 3  # per day per source, people, places (no failures yet)
    assert "Sergei Lavrov" in html and "Moscow" in html
    assert "no data yet" in html  # failures chart is empty


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if ".newsetl-export-" in p.name]


def test_export_never_deletes_a_file_it_did_not_write(loaded: Path, tmp_path: Path):
    out = tmp_path / "out"
    (out / "articles").mkdir(parents=True)
    (out / "articles" / "notes.txt").write_text("mine", encoding="utf-8")
    with connect(loaded, read_only=True) as con, pytest.raises(ExportError, match="not empty"):
        export_parquet(con, out)
    assert (out / "articles" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.rglob("*")) == ["articles", "notes.txt"]
    assert _leftovers(tmp_path) == []


def test_export_replaces_only_an_earlier_export(loaded: Path, tmp_path: Path):
    out = tmp_path / "out"
    with connect(loaded, read_only=True) as con:
        export_parquet(con, out)
        (out / "articles" / "notes.txt").write_text("mine", encoding="utf-8")
        with pytest.raises(ExportError, match=r"notes\.txt was not written by"):
            export_parquet(con, out)  # a user's file inside an earlier export: refused
        assert (out / "articles" / "notes.txt").read_text(encoding="utf-8") == "mine"
        (out / "articles" / "notes.txt").unlink()
        again = export_parquet(con, out)
    assert again["articles"] == 2
    assert (out / MARKER).exists() and _leftovers(tmp_path) == []


def test_a_failed_export_leaves_the_earlier_one_in_place(loaded: Path, tmp_path: Path):
    out = tmp_path / "out"
    with connect(loaded, read_only=True) as con:
        export_parquet(con, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    broken = duckdb.connect()  # has the article tables but no `runs`: fails half-way
    with connect(loaded, read_only=True) as con:
        for table in ("articles", "article_versions", "entities", "quotes", "date_mentions"):
            broken.register(table, con.execute(f"SELECT * FROM {table}").to_arrow_table())
    with pytest.raises(duckdb.CatalogException):
        export_parquet(broken, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert _leftovers(tmp_path) == []


def test_export_through_a_locked_down_connection_with_a_quote_in_the_path(loaded: Path,
                                                                           tmp_path: Path):
    out = tmp_path / "it's" / "export 'x'"
    with Warehouse(loaded).query_connection(writable_dir=staging_dir(out)) as con:
        written = export_parquet(con, out)
        with pytest.raises(duckdb.PermissionException):  # nowhere but the staging folder
            con.execute("COPY articles TO ? (FORMAT csv)", [str(tmp_path / "elsewhere.csv")])
    reread = duckdb.connect().execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
        [str(out / "articles" / "**" / "*.parquet")]).fetchone()[0]
    assert reread == written["articles"] == 2
    assert not (tmp_path / "elsewhere.csv").exists() and _leftovers(out.parent) == []
