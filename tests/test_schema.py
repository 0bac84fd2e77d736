"""The one declaration per table (`newsetl.store.schema`) against everything that repeats it.

The migrations, the dataclasses, the rows built for a load and README.md
each restate a table's columns; each disagreement fails here, naming the
table and the column, instead of a field silently going missing.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from newsetl.models import Article, DateMention, Entity, Item, Quote, Reject
from newsetl.store import schema
from newsetl.store.rows import CHILD_TABLES, article_rows, build_batch, content_hash, field_problems
from newsetl.store.schema import (
    ARTICLES,
    DATE_MENTIONS,
    ENTITIES,
    FILES,
    ITEMS,
    QUOTES,
    REJECTS,
    RUNS,
    TABLES,
    Column,
    SchemaMismatch,
    arrow_table,
    insert_select,
    readme_differences,
    render_readme,
    warehouse_differences,
)
from newsetl.store.warehouse import Batch, connect, load_batch

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "newsetl"


def _with_column(table: schema.Table, column: Column) -> schema.Table:
    return dataclasses.replace(table, columns=(*table.columns, column))


def _article() -> Article:
    return Article(
        title="Harbour reopens", body="First para.\n\nSecond para with \u201cquote\u201d.",
        authors=["Ann Smith", "Bo Lee"], published_at=datetime(2014, 10, 8, 9, 30, tzinfo=UTC),
        modified_at=None, language="en", notes=["Photo: x"], description="Lede",
        site_name="Coast Gazette", canonical_url="https://gazette.example/news/harbour",
        section="News", topics=["ports", "weather"], top_image="https://gazette.example/i.jpg",
        image_captions=["The pier"], is_paywalled=False, encoding="utf-8",
        encoding_source="meta", provenance={"title": "h1"},
        entities=[Entity("Ann Smith", "person", 1, 3, [3])],
        quotes=[Quote(1, "quote", "Ann Smith", "person", "said", 30, 35)],
        dates=[DateMention("Oct. 8, 2014", "On Oct. 8, 2014.", 3, "2014-10-08", True)])


# --- migrations against the declaration ---------------------------------------------------


def test_migrations_build_exactly_the_declared_tables(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        problems = warehouse_differences(con)
        assert not problems, "\n".join(problems)
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    assert tables == set(TABLES)


def test_a_declared_column_no_migration_creates_is_named(tmp_path: Path) -> None:
    declared = _with_column(ARTICLES, Column("example_field", "VARCHAR", "an example"))
    with connect(tmp_path / "w.duckdb") as con:
        problems = warehouse_differences(con, [declared])
    assert "articles.example_field is declared but no migration creates it" in problems


def test_an_undeclared_column_a_wrong_type_and_a_wrong_order_are_named(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("ALTER TABLE items ADD COLUMN note VARCHAR")
        con.execute("ALTER TABLE files ALTER COLUMN items TYPE BIGINT")
        problems = warehouse_differences(con)
        # ADD COLUMN appends: a column declared anywhere but last is out of order.
        con.execute("ALTER TABLE quotes ADD COLUMN tone VARCHAR")
        moved = dataclasses.replace(schema.QUOTES, columns=(
            Column("tone", "VARCHAR", "x"), *schema.QUOTES.columns))
        order = warehouse_differences(con, [moved])
    assert "items.note is created by the migrations but not declared in newsetl.store.schema" \
        in problems
    assert "files.items is declared INTEGER but the migrations make it BIGINT" in problems
    assert order == ["quotes.tone is declared at position 1 but the migrations put article_id "
                     "there (ADD COLUMN appends: declare a new column last)"]


def test_a_declared_key_the_migrations_lack_is_named(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        problems = warehouse_differences(con, [dataclasses.replace(RUNS, key=("flow",))])
        enforced = warehouse_differences(con, [dataclasses.replace(ITEMS, key_constraint=True)])
    assert problems == ["runs: primary key declared ('flow',), the migrations make it "
                        "('run_id',)"]
    assert enforced == ["items: primary key declared ('source', 'item_key'), the migrations "
                        "make it none"]


def test_keys_the_load_keeps_are_unique_after_loading_twice(tmp_path: Path) -> None:
    """articles, items and files have no PRIMARY KEY (DuckDB rewrites its index at every
    checkpoint), so `load_batch` keeps them unique: a batch with a key twice, loaded
    twice, leaves one row per key."""
    def item(key: str, digest: str) -> dict:
        return {"source": "s", "item_key": key, "item_hash": digest,
                "archive_path": f"/a/{key}.warc.gz#1", "status": "rejected",
                "article_id": None, "extractor_version": "v"}

    files = [{"path": "/a/f", "size": 1, "mtime_ns": 1, "items": 2, "extractor_version": "v",
              "manifest_mtime_ns": None}] * 2
    batch = Batch(articles=arrow_table([], ARTICLES), entities=arrow_table([], ENTITIES),
                  quotes=arrow_table([], QUOTES), dates=arrow_table([], DATE_MENTIONS),
                  items=arrow_table([item("k", "h1"), item("k", "h2"), item("j", "h3")], ITEMS),
                  rejects=arrow_table([], REJECTS), files=arrow_table(files, FILES))
    with connect(tmp_path / "w.duckdb") as con:
        for run in ("r1", "r2"):
            load_batch(con, batch, run)
        rows = con.execute("SELECT item_key, item_hash, file, run_id FROM items "
                           "ORDER BY item_key").fetchall()
        paths = con.execute("SELECT path, run_id FROM files").fetchall()
    assert rows == [("j", "h3", "/a/j.warc.gz", "r2"), ("k", "h2", "/a/k.warc.gz", "r2")]
    assert paths == [("/a/f", "r2")]


# --- dataclasses and rows against the declaration -------------------------------------------


def test_every_dataclass_field_has_a_column_or_is_listed_as_stored_elsewhere() -> None:
    problems = field_problems()
    assert not problems, "\n".join(problems)


def test_an_article_field_with_no_column_is_named() -> None:
    @dataclasses.dataclass
    class Extended(Article):
        example_field: str | None = None

    assert field_problems(Extended) == [
        "Extended.example_field is neither an articles column nor listed in "
        "newsetl.store.rows.ARTICLE_NOT_STORED"]


def test_a_child_field_with_no_column_is_named() -> None:
    @dataclasses.dataclass
    class Tagged(Entity):
        wikidata: str | None = None

    children = {**CHILD_TABLES, Tagged: CHILD_TABLES[Entity]}
    assert "Tagged.wikidata has no column entities.wikidata" in field_problems(
        children=children)


def test_rows_of_an_article_are_exactly_the_batch_columns(tmp_path: Path) -> None:
    item = Item(key="a.html", data=b"<p>x</p>", archive_path="/a/a.html", source="s",
                url="https://gazette.example/news/harbour")
    rows = article_rows(item, _article(), "v1")
    reject = Reject("/a/b.txt", "empty", "no bytes", source="s", key="b.txt", item_hash="h")
    batch = build_batch([rows], [reject], "v1", files=[
        {"path": "/a/a.html", "size": 8, "mtime_ns": 1, "items": 1, "extractor_version": "v1",
         "manifest_mtime_ns": None}])
    assert batch.articles.schema.names == list(ARTICLES.batch_names)
    with connect(tmp_path / "w.duckdb") as con:
        counts = load_batch(con, batch, "run-1")
        stored = con.execute(
            "SELECT a.title, a.encoding, a.provenance, a.version, a.run_id, q.start_offset, "
            "q.end_offset, d.date, d.start_offset, e.offsets, i.run_id, f.items "
            "FROM articles a JOIN quotes q USING (article_id) JOIN date_mentions d "
            "USING (article_id) JOIN entities e USING (article_id) "
            "JOIN items i USING (article_id), files f").fetchall()
        versions = con.execute("SELECT count(*) FROM article_versions").fetchone()
        rejected = con.execute("SELECT input, reason, run_id FROM rejects").fetchall()
    assert (counts.loaded, counts.rejected) == (1, 1)
    assert stored == [("Harbour reopens", "utf-8", {"title": "h1"}, 1, "run-1", 30, 35,
                       date(2014, 10, 8), 3, [3], "run-1", 1)]
    assert versions == (1,)
    assert rejected == [("/a/b.txt", "empty", "run-1")]


def test_a_row_with_an_unknown_or_a_missing_key_is_refused_by_name() -> None:
    row = {name: None for name in ITEMS.batch_names}
    assert arrow_table([row], ITEMS).num_rows == 1
    with pytest.raises(SchemaMismatch, match="key 'example_field' is not a batch column of items"):
        arrow_table([{**row, "example_field": "x"}], ITEMS)
    del row["status"]
    with pytest.raises(SchemaMismatch, match=r"lacks column items\.status"):
        arrow_table([row], ITEMS)
    # A column the loader fills is not the batch's to give.
    with pytest.raises(SchemaMismatch, match="key 'run_id'"):
        arrow_table([{**row, "status": "loaded", "run_id": "r"}], ITEMS)


def test_an_insert_must_fill_exactly_the_loader_columns() -> None:
    sql = insert_select(FILES, "b_files", fill={"run_id": "?", "processed_at": "now()"})
    assert sql.startswith("INSERT INTO files (path, size, mtime_ns, items, extractor_version, "
                          "run_id, processed_at, manifest_mtime_ns) SELECT path, ")
    with pytest.raises(SchemaMismatch, match=r"must fill \['processed_at', 'run_id'\]"):
        insert_select(FILES, "b_files", fill={"run_id": "?"})


def test_no_insert_into_a_table_relies_on_column_positions() -> None:
    positional = re.compile(r"INSERT\s+(OR\s+REPLACE\s+)?INTO\s+\S+\s+(SELECT|VALUES)\b", re.I)
    found = [f"{path.relative_to(SRC)}: {m.group(0)}" for path in sorted(SRC.rglob("*.py"))
             for m in positional.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_arrow_batches_are_built_only_through_the_checking_helper() -> None:
    found = [str(path.relative_to(SRC)) for path in sorted(SRC.rglob("*.py"))
             if path.name != "schema.py" and "from_pylist" in path.read_text(encoding="utf-8")]
    assert found == [], "build Arrow batches with newsetl.store.schema.arrow_table"


def test_content_hash_is_what_it_was_before_the_declaration() -> None:
    # Computed by the release before `newsetl.store.schema`: stored articles must stay unchanged.
    # A new `content` column changes every article's hash (each gets a new version when next
    # read): when that is meant, update the hash and the set below with it.
    assert content_hash(_article()) == (
        "bbe4285a3dd355c5f3eb8bbf3a970625143c81efd4c05eb3887f30024192c979"), \
        "content_hash changed: every stored article would count as changed"
    assert set(ARTICLES.content_names) == {
        "title", "authors", "published_at", "modified_at", "language", "body", "notes",
        "description", "site_name", "canonical_url", "section", "topics", "top_image",
        "image_captions", "is_paywalled"}


def test_every_declared_type_has_an_arrow_type() -> None:
    for table in TABLES.values():
        for column in table.columns:
            schema.arrow_type(column.type)
    with pytest.raises(ValueError, match="no Arrow type for DuckDB type 'HUGEINT'"):
        schema.arrow_type("HUGEINT")


# --- README.md against the declaration ------------------------------------------------------


def test_readme_column_tables_match_the_declaration() -> None:
    problems = readme_differences((REPO / "README.md").read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_a_readme_out_of_step_is_named_and_rewritten(tmp_path: Path) -> None:
    declared = [*TABLES.values()]
    declared[0] = _with_column(ARTICLES, Column("example_field", "VARCHAR", "an example"))
    text = render_readme((REPO / "README.md").read_text(encoding="utf-8"))
    assert readme_differences(text, declared) == [
        "README.md's columns of articles differ from the declaration: run "
        "`python -m newsetl.store.schema --readme`"]
    fixed = render_readme(text, declared)
    assert "| `example_field` | VARCHAR | an example |" in fixed
    assert readme_differences(fixed, declared) == []
    # Only the blocks change: the prose around them stays as written.
    assert re.sub(r"\| `example_field`.*\n", "", fixed) == text
    missing = text.replace("<!-- columns:quotes -->", "")
    assert readme_differences(missing)[0].startswith(
        "README.md has no <!-- columns:quotes --> block")


def test_the_command_rewrites_and_checks_a_readme(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    current = render_readme((REPO / "README.md").read_text(encoding="utf-8"))
    readme.write_text(current.replace("| `title` | VARCHAR | headline as the reader sees it |\n",
                                      ""), encoding="utf-8")
    assert schema.main(["--check", str(readme)]) == 1
    assert "columns of articles differ" in capsys.readouterr().err
    assert schema.main(["--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == current
    assert schema.main(["--check", str(tmp_path / "nope.md")]) == 2
    assert capsys.readouterr().err.startswith("newsetl.store.schema: cannot read ")


def test_a_real_load_into_a_migrated_warehouse_keeps_the_declared_shape(tmp_path: Path) -> None:
    # After loads (temp tables, views, the full-text index aside) the tables still match.
    item = Item(key="a.txt", data=b"x", archive_path="/a/a.txt", source="s")
    batch = build_batch([article_rows(item, _article(), "v1")], [], "v1")
    with connect(tmp_path / "w.duckdb") as con:
        load_batch(con, batch, "run-1")
        assert warehouse_differences(con) == []
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_versions").fetchone() == (1,)
