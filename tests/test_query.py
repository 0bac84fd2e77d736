"""Querying the warehouse: views, full-text search, Parquet export, the report."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from newsetl.pipeline.backfill import ExtractOptions, backfill_files
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.store.export import MARKER, ExportError, export_parquet, staging_dir
from newsetl.store.report import STATUS_COLOURS, calendar_axis, calendar_ticks, render_report
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


REPORT_SECTIONS = ("summary", "articles", "groups", "languages", "entities", "quoted", "runs",
                   "rejects")


def _sections(html: str) -> dict[str, str]:
    """Each `<section id=...>` of the report and its HTML."""
    parts = html.split('<section id="')[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def test_report_has_every_section_with_real_content(loaded: Path):
    with connect(loaded) as con:  # publication dates 19 days apart: a gap on the axis
        con.execute("UPDATE articles SET published_at = CASE WHEN title = ? "
                    "THEN TIMESTAMPTZ '2014-10-01 09:00:00+00' "
                    "ELSE TIMESTAMPTZ '2014-10-20 18:00:00+00' END", [SEED_TITLE])
    with connect(loaded, read_only=True) as con:
        html = render_report(con, warehouse_path=loaded,
                             generated_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    assert html.startswith("<!doctype html>") and 'name="viewport"' in html
    assert f"<code>{loaded}</code>" in html
    assert 'generated <time datetime="2026-01-02T03:04:00Z">2026-01-02 03:04 UTC' in html
    sections = _sections(html)
    assert tuple(sections) == REPORT_SECTIONS
    chart = sections["articles"]
    # A calendar axis of days, labelled, in a wide and a narrow drawing; the empty days
    # between the two articles are bins too, and the axis names what it counts.
    assert chart.count("<svg") == 2 and "articles per day (UTC)" in chart
    wide, narrow = chart.split('class="chart narrow"')
    assert ">1 Oct 2014<" in wide and ">4 Oct<" in wide and ">19 Oct<" in wide  # every 3 days
    assert ">6 Oct 2014<" in narrow and ">13 Oct<" in narrow  # Mondays
    assert "2014-10-01 · test-archive: 1<" in chart
    assert "2014-10-20 · coast-gazette: 1<" in chart
    assert "2014-10-10" not in chart  # an empty day: no bar, only the gap
    assert "test-archive" in sections["groups"] and "coast-gazette" in sections["groups"]
    assert ">en<" in sections["languages"]
    assert "Sergei Lavrov" in sections["entities"] and "Moscow" in sections["entities"]
    assert "Sergei Lavrov" in sections["quoted"] and "in 1 article" in sections["quoted"]
    assert "No runs yet." in sections["runs"]  # backfill_files alone records no run
    assert "No rejects yet." in sections["rejects"]


def test_report_escapes_every_value_from_the_warehouse(loaded: Path):
    evil = "<script>alert('x')</script>"
    with connect(loaded) as con:
        con.execute("UPDATE entities SET name = ? WHERE name = 'Sergei Lavrov'", [evil])
        con.execute("UPDATE quotes SET speaker = ?, text = ?", [evil, evil])
        con.execute("UPDATE articles SET source = ?, language = ?, "
                    "published_at = TIMESTAMPTZ '2014-10-09 10:00:00+00'", [evil, evil])
        con.execute("INSERT INTO rejects (run_id, input, reason, detail, rejected_at) VALUES "
                    "('run-1', ?, ?, ?, TIMESTAMPTZ '2014-10-09 10:00:00+00')", [evil] * 3)
    with connect(loaded, read_only=True) as con:
        html = render_report(con, warehouse_path=f"/tmp/{evil}/w.duckdb")
    assert "<script" not in html
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    sections = _sections(html)
    for name in ("articles", "groups", "languages", "entities", "quoted", "rejects"):
        assert escaped in sections[name], name
    assert html.count(escaped) >= 10


def test_report_of_an_empty_warehouse_says_so(warehouse_file: Path):
    with connect(warehouse_file):
        pass  # creates the schema, no articles
    with connect(warehouse_file, read_only=True) as con:
        html = render_report(con)
    sections = _sections(html)
    assert tuple(sections) == REPORT_SECTIONS and "<svg" not in html
    assert "No articles yet." in sections["articles"] and "No runs yet." in sections["runs"]
    assert "No quotes with a named person yet." in sections["quoted"]
    assert str(warehouse_file) in html  # the open file, when the caller does not name it


def test_report_groups_one_archive_folder_by_site_name(loaded: Path):
    with connect(loaded) as con:
        con.execute("UPDATE articles SET source = 'one-folder', site_name = CASE WHEN title = ? "
                    "THEN 'Progreso Weekly' ELSE 'Coast Gazette' END, "
                    "published_at = TIMESTAMPTZ '2014-10-09 10:00:00+00'", [SEED_TITLE])
    with connect(loaded, read_only=True) as con:
        sections = _sections(render_report(con))
    assert "Articles by publication date, per site" in sections["articles"]
    for site in ("Progreso Weekly", "Coast Gazette"):
        assert site in sections["articles"] and site in sections["groups"]
    assert "one-folder" not in sections["articles"]


def test_report_charts_runs_and_rejects_over_time_by_status_and_reason(loaded: Path):
    with connect(loaded) as con:
        con.execute("INSERT INTO runs (run_id, flow, started_at, finished_at, status, seen) "
                    "VALUES ('run-0', 'backfill', TIMESTAMPTZ '2014-01-01 10:00:00+00', "
                    "TIMESTAMPTZ '2014-01-01 10:02:05+00', 'failed', 7), ('run-1', 'ingest', "
                    "TIMESTAMPTZ '2014-01-03 10:00:00+00', NULL, 'ok', 3)")
        con.execute("INSERT INTO rejects (run_id, input, reason, detail, rejected_at) VALUES "
                    "('run-0', '/a', 'binary', 'not text', TIMESTAMPTZ '2014-01-01 10:00:00+00'),"
                    "('run-0', '/b', 'empty', 'no bytes', TIMESTAMPTZ '2014-01-03 10:00:00+00')")
    with connect(loaded, read_only=True) as con:
        sections = _sections(render_report(con))
    runs, rejects = sections["runs"], sections["rejects"]
    # A calendar of days around the two runs, each coloured by its status.
    assert "runs per day (UTC)" in runs and ">1 Jan 2014<" in runs
    assert "2014-01-01 · failed: 1<" in runs and "2014-01-03 · ok: 1<" in runs
    assert f'fill="{STATUS_COLOURS["failed"]}"' in runs
    table = runs.split("<table", 1)[1]  # the last runs, newest first, with their duration
    assert table.index(">ingest<") < table.index(">backfill<") and ">2m05s<" in table
    assert "2014-01-01 · binary: 1<" in rejects and "2014-01-03 · empty: 1<" in rejects
    assert ">not text<" in rejects and ">no bytes<" in rejects


def test_a_long_time_range_is_binned_by_month_then_year():
    first, last = datetime(2000, 1, 1), datetime(2026, 7, 12)
    assert calendar_axis(first, last, max_bins=400).unit == "month"
    yearly = calendar_axis(first, last, max_bins=60)
    assert yearly.unit == "year" and len(yearly.bins) == 27  # 2000 to 2026, gaps included
    weekly = calendar_axis(datetime(2014, 1, 1), datetime(2014, 10, 1), max_bins=60)
    assert weekly.unit == "week" and all(b.weekday() == 0 for b in weekly.bins)
    one_day = calendar_axis(datetime(2014, 10, 9, 8), datetime(2014, 10, 9, 9), max_bins=60)
    assert one_day.unit == "day" and len(one_day.bins) == 7  # widened: context around it
    labels = [text for _, text in calendar_ticks(calendar_axis(first, last, 400), 9)]
    assert labels[0] == "2000" and labels[-1] == "2025" and len(labels) <= 9
    days = [text for _, text in calendar_ticks(
        calendar_axis(datetime(2014, 12, 20), datetime(2015, 1, 10), 400), 9)]
    assert days[0].endswith(" 2014") and "1 Jan 2015" in days and "31 Dec" not in days


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
