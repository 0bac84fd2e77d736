"""Every warehouse table declared once: its columns in order, their types and meanings.

Why one declaration: an article's shape used to be written in four places
(the dataclass, row building, the DDL with its Arrow schema, the README),
and `pa.Table.from_pylist` drops a key the schema lacks and fills a missing
one with NULL, so forgetting one list lost a field without an error. Now the
Arrow schemas, the loader's column lists, the row builders' key checks and
README.md's column tables are derived from `TABLES`, and tests/test_schema.py
compares `TABLES` with what the migrations actually build.

The migrations (`warehouse.MIGRATIONS`) stay literal history: a new column is
a migration appended there *and* a column appended here, last in its table
(`ALTER TABLE ... ADD COLUMN` puts it last). `python -m newsetl.store.schema
--readme` then rewrites README.md's column tables.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One column: its name, DuckDB type (as written in the DDL) and a one-line meaning.

    `content` marks the `articles` columns that `content_hash` covers: what a
    reader sees, so that equal hashes mean nothing visible changed.
    """

    name: str
    type: str
    meaning: str
    content: bool = False


@dataclass(frozen=True)
class Table:
    """One table: its columns in DDL order and who fills them.

    `from_arrow`: rows arrive as an Arrow batch (`arrow_table`); its
    `loader_fills` columns are not in the batch but set by the loading SQL
    (`insert_select` insists each gets an expression). `same_as` names the
    table whose columns this one copies (README shows one line for it).
    `key`: the columns that name one row. `key_constraint`: DuckDB enforces
    it as a PRIMARY KEY; False for the tables that grow with the archive,
    which `load_batch` keeps unique itself, because DuckDB rewrites a
    PRIMARY KEY's whole index at every checkpoint (duckdb/duckdb#24848): a
    run's checkpoint took 16.4 s at 320,000 articles, growing with the warehouse.
    """

    name: str
    columns: tuple[Column, ...]
    from_arrow: bool = True
    loader_fills: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    key_constraint: bool = True
    same_as: str | None = None

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        doubled = sorted({n for n in names if names.count(n) > 1})
        unknown = [n for n in (*self.loader_fills, *self.key) if n not in names]
        if doubled or unknown:
            raise ValueError(f"table {self.name}: columns declared twice {doubled}, "
                             f"loader_fills/key naming no column {unknown}")

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def batch_names(self) -> tuple[str, ...]:
        """The columns a batch row must have, exactly: all but those the loader fills."""
        if not self.from_arrow:
            raise TypeError(f"table {self.name} is not loaded from Arrow batches")
        return tuple(n for n in self.names if n not in self.loader_fills)

    @cached_property
    def content_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.content)

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of this table's batches, derived from the DuckDB types."""
        types = {c.name: c.type for c in self.columns}
        return pa.schema([(n, arrow_type(types[n])) for n in self.batch_names])


# DuckDB type -> Arrow type of batch columns. Lists and maps are built from these.
_ARROW: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(), "JSON": pa.string(), "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(), "BIGINT": pa.int64(), "UBIGINT": pa.uint64(),
    "DOUBLE": pa.float64(), "DATE": pa.date32(), "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}
_MAP = re.compile(r"MAP\((\w+), (\w+)\)")


def arrow_type(duckdb_type: str) -> pa.DataType:
    """The Arrow type that loads into a DuckDB column of `duckdb_type` without a cast."""
    if duckdb_type.endswith("[]"):
        return pa.list_(arrow_type(duckdb_type[:-2]))
    if m := _MAP.fullmatch(duckdb_type):
        return pa.map_(arrow_type(m.group(1)), arrow_type(m.group(2)))
    try:
        return _ARROW[duckdb_type]
    except KeyError:
        raise ValueError(f"no Arrow type for DuckDB type {duckdb_type!r}: "
                         "add it to newsetl.store.schema._ARROW") from None


def _c(name: str, type: str, meaning: str, content: bool = False) -> Column:
    return Column(name, type, meaning, content)


_RUN = "the run that last wrote the row"

ARTICLES = Table("articles", key=("article_id",), key_constraint=False,
                 loader_fills=("cluster_id", "version", "first_seen_at", "last_seen_at",
                               "run_id"), columns=(
    _c("article_id", "VARCHAR", "stable id: first 16 hex of SHA-256 of the canonical URL when "
       "known (`rel=canonical`, else the fetched URL, normalised), else of `source/item_key`"),
    _c("source", "VARCHAR", "source name (manifest, sources config)"),
    _c("url", "VARCHAR", "URL the item came from (manifest, WARC), else the page's canonical URL"),
    _c("canonical_url", "VARCHAR", "the page's own canonical URL", content=True),
    _c("title", "VARCHAR", "headline as the reader sees it", content=True),
    _c("authors", "VARCHAR[]", "writers as the page credits them (people, agencies); the "
       "publication's own name only when the page names no one else", content=True),
    _c("published_at", "TIMESTAMPTZ", "publication time as the page says, in UTC; the "
       "publisher's day wins over a UTC timestamp that has already turned to the next day "
       "(the date in the article's address, else the page's own day-before reading) and over "
       "metadata re-stamped a year or more later; NULL when unknown", content=True),
    _c("modified_at", "TIMESTAMPTZ", "modification time as the page says, in UTC; NULL when "
       "unknown", content=True),
    _c("language", "VARCHAR", "ISO 639-1, detected from the body text; the page's declaration "
       "(`lang`, `og:locale`, JSON-LD) stands when the body is under 200 characters or the "
       "detector agrees", content=True),
    _c("body", "VARCHAR", "main text, paragraphs joined by blank lines (`\\n\\n`)", content=True),
    _c("notes", "VARCHAR[]", "editor notes and photo captions of plain-text articles",
       content=True),
    _c("word_count", "INTEGER", "words in `body`"),
    _c("paragraph_count", "INTEGER", "paragraphs in `body`"),
    _c("description", "VARCHAR", "lede / meta description", content=True),
    _c("site_name", "VARCHAR", "publication", content=True),
    _c("section", "VARCHAR", "section of the publication", content=True),
    _c("topics", "VARCHAR[]", "keywords / tags", content=True),
    _c("top_image", "VARCHAR", "lead image URL", content=True),
    _c("image_captions", "VARCHAR[]", "captions of images in the article", content=True),
    _c("is_paywalled", "BOOLEAN", "as the page declares it; NULL when it does not say",
       content=True),
    _c("encoding", "VARCHAR", "charset used to decode the bytes"),
    _c("encoding_source", "VARCHAR", "why that charset (`bom`, `http`, `meta`, `utf-8`, "
       "`detector`, `fallback`; `utf-8 over http|meta`: the bytes are UTF-8 although that "
       "declaration names another charset; `detector over http|meta`: the declared charset "
       "cannot decode the bytes). A declared UTF-8 page with a few bad bytes stays UTF-8, the "
       "bad bytes replaced, as browsers do"),
    _c("provenance", "MAP(VARCHAR, VARCHAR)", "field -> where its value came from (`json-ld`, "
       "`opengraph`, `meta`, `microdata`, `h1`, `title`, `trafilatura`, `byline`, `htmldate`, "
       "`text`, `url`; `byline`: the page's own author markup, an \"Autor:\" label or a "
       "\"von ...\" line)"),
    _c("content_hash", "VARCHAR", "SHA-256 of the content columns (marked `content` in "
       "`newsetl.store.schema`): equal hashes, nothing a reader sees changed"),
    _c("minhash", "BIGINT[]", "MinHash signature (64 values) of the body's word 3-grams, for "
       "near-duplicate detection"),
    _c("cluster_id", "VARCHAR", "near-duplicate cluster (syndicated wire copy): the smallest "
       "`article_id` among articles whose bodies are at least 70% alike (estimated Jaccard of "
       "word 3-grams); an article with no near-duplicate is its own cluster"),
    _c("extractor_version", "VARCHAR", "`newsetl.pipeline.extract.EXTRACTOR_VERSION` that "
       "produced the row"),
    _c("version", "INTEGER", "1 for the first load, +1 for each change"),
    _c("first_seen_at", "TIMESTAMPTZ", "when a run first read it"),
    _c("last_seen_at", "TIMESTAMPTZ", "when a run last read it"),
    _c("archive_path", "VARCHAR", "file it was read from (`file.warc.gz#offset` for a WARC "
       "record)"),
    _c("item_key", "VARCHAR", "key in the archive"),
    _c("item_hash", "VARCHAR", "SHA-256 of the raw bytes"),
    _c("run_id", "VARCHAR", "the last run that touched the row"),
    # Not `content`: it says which method produced the entity/quote rows (like
    # `extractor_version`), not what the page says; a change of method alone is not a change
    # a reader of the article sees, and it comes with an EXTRACTOR_VERSION bump anyway.
    _c("enrichment", "VARCHAR", "which enrichment ran, chosen by `language`: `full` (English: "
       "people, places, organisations, quotes, dates); for other languages the parts measured "
       "good enough for each, joined by `+`: `people+quotes+organisations (language de)`, "
       "`people+quotes (language fr)` and `(language es)`, `people+organisations (language pl)` "
       "(people with a known first name, quotes with speakers, organisations from explicit "
       "cues; never places or dates), `none (language xx)` (no method meets the precision bar for "
       "that language: no entities, quotes or dates; `xx` is `unknown` when no language was "
       "detected), `failed` (enrichment raised: see `provenance['enrichment']`); NULL: "
       "loaded before this column existed"),
))

ARTICLE_VERSIONS = Table("article_versions", ARTICLES.columns, from_arrow=False,
                         same_as="articles")

ARTICLE_BANDS = Table("article_bands", from_arrow=False, columns=(
    _c("article_id", "VARCHAR", "the article"),
    _c("band", "INTEGER", "band number, 0-15"),
    _c("hash", "UBIGINT", "hash of the band's 4 signature values"),
))

ENTITIES = Table("entities", columns=(
    _c("article_id", "VARCHAR", "the article"),
    _c("name", "VARCHAR", "canonical form: the fullest form in the article, \"Sergei Lavrov\" "
       "for \"Lavrov\""),
    _c("kind", "VARCHAR", "`person`, `place`, `organisation`"),
    _c("mentions", "INTEGER", "how many times it is named"),
    _c("first_offset", "INTEGER", "character offset of the first mention in `body`"),
    _c("offsets", "INTEGER[]", "character offset of every mention"),
    _c("extractor_version", "VARCHAR", "the extractor that found it"),
))

QUOTES = Table("quotes", columns=(
    _c("article_id", "VARCHAR", "the article"),
    _c("ordinal", "INTEGER", "1, 2, ... in body order"),
    _c("text", "VARCHAR", "the quotation, without the quote marks"),
    _c("speaker", "VARCHAR", "canonical person name, or the non-person source such as \"the "
       "document\""),
    _c("speaker_kind", "VARCHAR", "`person`, `organisation`, `document`, `unnamed` (a source "
       "described, not named, kept as written: \"an insider\", \"una vecina\"), `unknown` "
       "(no speaker found, or a name the rules cannot tell as a person or an organisation, "
       "kept as written: \"said Kotak Institutional Equities\")"),
    _c("verb", "VARCHAR", "reporting verb as written"),
    _c("start_offset", "INTEGER", "where `text` starts in `body`"),
    _c("end_offset", "INTEGER", "where `text` ends in `body`"),
    _c("extractor_version", "VARCHAR", "the extractor that found it"),
))

DATE_MENTIONS = Table("date_mentions", columns=(
    _c("article_id", "VARCHAR", "the article"),
    _c("text", "VARCHAR", "as written: \"Wednesday (Oct. 8)\""),
    _c("context", "VARCHAR", "its sentence"),
    _c("start_offset", "INTEGER", "where `text` starts in `body`"),
    _c("date", "DATE", "the date, only when the year is known"),
    _c("year_known", "BOOLEAN", "whether the year is known (else `date` is NULL)"),
    _c("extractor_version", "VARCHAR", "the extractor that found it"),
))

ITEMS = Table("items", key=("source", "item_key"), key_constraint=False,
              loader_fills=("run_id", "processed_at", "file"), columns=(
    _c("source", "VARCHAR", "source name"),
    _c("item_key", "VARCHAR", "key in the archive"),
    _c("item_hash", "VARCHAR", "SHA-256 of the bytes"),
    _c("archive_path", "VARCHAR", "file it was read from"),
    _c("status", "VARCHAR", "`loaded` or `rejected`"),
    _c("article_id", "VARCHAR", "the article it became; NULL when rejected"),
    _c("extractor_version", "VARCHAR", "the extractor that processed it"),
    _c("run_id", "VARCHAR", _RUN),
    _c("processed_at", "TIMESTAMPTZ", "when that run loaded it"),
    _c("file", "VARCHAR", "the archive file: `archive_path` without a WARC record's "
       "`#offset`; the ledger looks items up by it"),
))

RUNS = Table("runs", from_arrow=False, key=("run_id",), columns=(
    _c("run_id", "VARCHAR", "UTC start time and process id"),
    _c("flow", "VARCHAR", "`backfill` or `ingest`"),
    _c("source", "VARCHAR", "the ingested source; NULL for a backfill"),
    _c("parameters", "JSON", "the run's parameters"),
    _c("started_at", "TIMESTAMPTZ", "when it started"),
    _c("finished_at", "TIMESTAMPTZ", "when it ended; NULL while running or when killed"),
    _c("status", "VARCHAR", "`running`, `ok`, `failed`, `interrupted` (stopped by Ctrl-C or "
       "SIGTERM; or killed, found by the next run)"),
    _c("seen", "INTEGER", "items seen (every count grows as each batch commits)"),
    _c("loaded", "INTEGER", "new articles"),
    _c("updated", "INTEGER", "articles whose content or extractor changed"),
    _c("unchanged", "INTEGER", "articles re-read with the same content"),
    _c("skipped", "INTEGER", "items the ledger says are done"),
    _c("out_of_window", "INTEGER", "items outside `--since`, `--until`, `--source`"),
    _c("rejected", "INTEGER", "inputs quarantined"),
    _c("extractor_version", "VARCHAR", "the extractor of the run"),
))

REJECTS = Table("rejects", loader_fills=("run_id", "rejected_at"), columns=(
    _c("run_id", "VARCHAR", "the run that rejected it"),
    _c("input", "VARCHAR", "path or URL"),
    _c("reason", "VARCHAR", "`empty`, `binary`, `bad-gzip`, `too-large`, `unsupported-type`, "
       "`missing`, `no-text`, `bad-warc-record`, `bad-filename`, `outside-archive`, "
       "`extractor-error` (extraction raised: `detail` gives the exception and where in our "
       "code), `extractor-crash`, a fetch outcome, ..."),
    _c("detail", "VARCHAR", "human explanation"),
    _c("item_hash", "VARCHAR", "SHA-256 of the bytes, when they could be read"),
    _c("rejected_at", "TIMESTAMPTZ", "when"),
))

FETCHES = Table("fetches", loader_fills=("run_id",), columns=(
    _c("run_id", "VARCHAR", "the ingest run"),
    _c("source", "VARCHAR", "source name"),
    _c("kind", "VARCHAR", "`page`, `feed`, `sitemap`, `urls`"),
    _c("url", "VARCHAR", "as requested, canonical"),
    _c("final_url", "VARCHAR", "after redirects"),
    _c("status", "INTEGER", "HTTP status of the last response"),
    _c("outcome", "VARCHAR", "`ok`, `not-modified`, `robots-disallowed`, `too-large`, "
       "`bad-content-type`, `redirect-loop`, `too-many-redirects`, `blocked-address`, "
       "`bad-url`, `http-error`, `connection-error`, `budget-exhausted`"),
    _c("detail", "VARCHAR", "human explanation of the outcome"),
    _c("content_type", "VARCHAR", "media type of the response"),
    _c("bytes", "INTEGER", "size of the body"),
    _c("elapsed_ms", "DOUBLE", "from the first request to the end, waits included"),
    _c("redirects", "VARCHAR[]", "each URL that answered with a redirect, in order"),
    _c("etag", "VARCHAR", "kept for conditional GETs"),
    _c("last_modified", "VARCHAR", "kept for conditional GETs"),
    _c("headers", "MAP(VARCHAR, VARCHAR)", "response headers (names lower-cased)"),
    _c("warc_path", "VARCHAR", "WARC file holding the raw response; NULL when not kept"),
    _c("warc_offset", "BIGINT", "where its record starts in that file"),
    _c("warc_length", "BIGINT", "the record's length"),
    _c("fetched_at", "TIMESTAMPTZ", "when the last response arrived (UTC)"),
))

FILES = Table("files", key=("path",), key_constraint=False,
              loader_fills=("run_id", "processed_at"), columns=(
    _c("path", "VARCHAR", "absolute path of the file"),
    _c("size", "BIGINT", "size in bytes, as seen before reading it"),
    _c("mtime_ns", "BIGINT", "modification time (ns), as seen before reading it"),
    _c("items", "INTEGER", "how many items it held"),
    _c("extractor_version", "VARCHAR", "the extractor that processed it"),
    _c("run_id", "VARCHAR", _RUN),
    _c("processed_at", "TIMESTAMPTZ", "when that run completed it"),
    _c("manifest_mtime_ns", "BIGINT", "for a file quarantined as `bad-manifest`: its "
       "manifest's modification time (ns), so that fixing the manifest gets it read again; "
       "NULL otherwise"),
))

INDEX_STATE = Table("index_state", from_arrow=False, columns=(
    _c("dirty", "BOOLEAN", "articles changed that the search index has not caught up with "
       "(they wait in `index_pending`)"),
    _c("changed_at", "TIMESTAMPTZ", "when a load last changed an article"),
    _c("run_id", "VARCHAR", "the run of that load"),
    _c("rebuilt_at", "TIMESTAMPTZ", "when the index last caught up (or was rebuilt)"),
))

INDEX_PENDING = Table("index_pending", from_arrow=False, columns=(
    _c("article_id", "VARCHAR", "an article added, changed or deleted since the search index "
       "last caught up: queued by the load's own transaction, removed once the index has "
       "committed it"),
    _c("queued_at", "TIMESTAMPTZ", "when the load queued it"),
    _c("run_id", "VARCHAR", "the run of that load"),
))

SCHEMA_VERSION = Table("schema_version", from_arrow=False, columns=(
    _c("version", "INTEGER", "the migration's number"),
    _c("applied_at", "TIMESTAMPTZ", "when it was applied to this file"),
))

# In README order.
TABLES: dict[str, Table] = {t.name: t for t in (
    ARTICLES, ARTICLE_VERSIONS, ARTICLE_BANDS, ENTITIES, QUOTES, DATE_MENTIONS, ITEMS, FILES,
    RUNS, REJECTS, FETCHES, INDEX_STATE, INDEX_PENDING, SCHEMA_VERSION)}


class SchemaMismatch(ValueError):
    """Rows, SQL or a warehouse that disagree with the declaration (a programming error)."""


def arrow_table(rows: list[dict], table: Table) -> pa.Table:
    """An Arrow batch for `table`, refusing a row whose keys are not exactly its batch columns.

    `pa.Table.from_pylist` would drop an unknown key and fill a missing one
    with NULL: a field forgotten on one side would vanish without a word.
    """
    expected = set(table.batch_names)
    for row in rows:
        if row.keys() != expected:
            extra = sorted(row.keys() - expected)
            missing = sorted(expected - row.keys())
            raise SchemaMismatch(
                f"{table.name} row: " + "; ".join(
                    [f"key {k!r} is not a batch column of {table.name}" for k in extra]
                    + [f"lacks column {table.name}.{k}" for k in missing]))
    return pa.Table.from_pylist(rows, schema=table.arrow_schema)


def insert_select(table: Table, source: str, fill: Mapping[str, str] | None = None,
                  alias: str | None = None) -> str:
    """`INSERT INTO table (every column) SELECT ...`: batch columns from `source`, the rest
    from `fill` (column -> SQL expression), all named, in declared order.

    `fill` must give exactly the table's `loader_fills`, so a column the
    loader forgets is an error here, not a NULL. `?` placeholders in `fill`
    are bound in declared column order.
    """
    fill = dict(fill or {})
    if set(fill) != set(table.loader_fills):
        raise SchemaMismatch(
            f"insert into {table.name}: loader must fill {sorted(table.loader_fills)}, "
            f"got {sorted(fill)}")
    prefix = f"{alias}." if alias else ""
    values = [fill.get(n, f"{prefix}{n}") for n in table.names]
    return (f"INSERT INTO {table.name} ({', '.join(table.names)}) "
            f"SELECT {', '.join(values)} FROM {source}")


def copy_rows(target: Table, source: Table, where: str) -> str:
    """`INSERT INTO target (cols) SELECT cols FROM source WHERE ...`, by name, not position."""
    missing = [n for n in target.names if n not in source.names]
    if missing:
        raise SchemaMismatch(f"copy {source.name} -> {target.name}: {source.name} lacks "
                             f"{missing}")
    cols = ", ".join(target.names)
    return f"INSERT INTO {target.name} ({cols}) SELECT {cols} FROM {source.name} WHERE {where}"


def warehouse_differences(con: object, tables: Iterable[Table] | None = None) -> list[str]:
    """How a warehouse's tables differ from the declaration, one sentence each.

    Compares names, order, DuckDB types and primary keys, as the database
    reports them (`information_schema.columns`, `duckdb_constraints()`), so
    a migration and a declaration that drifted apart are named here. Given
    `tables`, only those are compared (no complaint about the others).
    """
    import duckdb

    every = tables is None
    tables = list(TABLES.values() if tables is None else tables)
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, type_ in con.execute(  # type: ignore[attr-defined]
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_catalog = current_database() "
            "AND table_name IN (SELECT table_name FROM duckdb_tables() "
            "WHERE schema_name = 'main' AND NOT temporary) "
            "ORDER BY table_name, ordinal_position").fetchall():
        actual.setdefault(table, []).append((column, type_))
    keys = {t: tuple(cols) for t, cols in con.execute(  # type: ignore[attr-defined]
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE constraint_type = 'PRIMARY KEY' AND schema_name = 'main'").fetchall()}
    problems = [f"{name} is created by the migrations but not declared in "
                "newsetl.store.schema" for name in actual
                if every and name not in {t.name for t in tables}]
    for table in tables:
        if table.name not in actual:
            problems.append(f"{table.name} is declared but no migration creates it")
            continue
        have = dict(actual[table.name])
        have_order = [n for n, _ in actual[table.name]]
        for column in table.columns:
            where = f"{table.name}.{column.name}"
            if column.name not in have:
                problems.append(f"{where} is declared but no migration creates it")
                continue
            declared = str(duckdb.sqltype(column.type))
            if have[column.name] != declared:
                problems.append(f"{where} is declared {column.type} but the migrations make "
                                f"it {have[column.name]}")
        for name in have_order:
            if name not in table.names:
                problems.append(f"{table.name}.{name} is created by the migrations but not "
                                "declared in newsetl.store.schema")
        common_declared = [n for n in table.names if n in have]
        common_actual = [n for n in have_order if n in table.names]
        for i, (want, got) in enumerate(zip(common_declared, common_actual, strict=True)):
            if want != got:
                problems.append(
                    f"{table.name}.{want} is declared at position {i + 1} but the migrations "
                    f"put {got} there (ADD COLUMN appends: declare a new column last)")
                break
        constraint = table.key if table.key_constraint else ()
        if keys.get(table.name, ()) != constraint:
            problems.append(f"{table.name}: primary key declared {constraint or 'none'}, the "
                            f"migrations make it {keys.get(table.name) or 'none'}")
    return problems


# README.md: each table's column list sits between these markers and is generated.
_BLOCK = re.compile(r"<!-- columns:(\w+) -->\n(.*?)<!-- /columns -->", re.DOTALL)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_columns(table: Table) -> str:
    """The Markdown that README.md shows for `table` between its markers."""
    if table.same_as:
        lines = [f"The same columns as `{table.same_as}`, in the same order."]
    else:
        lines = ["| column | type | meaning |", "| --- | --- | --- |"]
        lines += [f"| `{c.name}` | {c.type} | {_cell(c.meaning)} |" for c in table.columns]
    if table.key:
        kept = "" if table.key_constraint else " (kept unique by the load, not by a PRIMARY KEY: " \
            "see \"Growth\")"
        lines += ["", "Key: " + ", ".join(f"`{k}`" for k in table.key) + kept + "."]
    return "\n".join(lines) + "\n"


def readme_differences(text: str, tables: Iterable[Table] | None = None) -> list[str]:
    """The tables whose README block is missing or differs from what `render_columns` makes."""
    tables = list(TABLES.values() if tables is None else tables)
    blocks = {m.group(1): m.group(2) for m in _BLOCK.finditer(text)}
    names = {t.name for t in tables}
    problems = [f"README.md has a columns block for {name}, which is not declared"
                for name in blocks if name not in names]
    for table in tables:
        if table.name not in blocks:
            problems.append(f"README.md has no <!-- columns:{table.name} --> block: add the "
                            "marker pair under the table's heading")
        elif blocks[table.name] != render_columns(table):
            problems.append(f"README.md's columns of {table.name} differ from the declaration: "
                            "run `python -m newsetl.store.schema --readme`")
    return problems


def render_readme(text: str, tables: Iterable[Table] | None = None) -> str:
    """`text` with every declared table's columns block regenerated (others left alone)."""
    by_name = {t.name: t for t in (TABLES.values() if tables is None else tables)}

    def block(m: re.Match[str]) -> str:
        table = by_name.get(m.group(1))
        return m.group(0) if table is None else (
            f"<!-- columns:{table.name} -->\n{render_columns(table)}<!-- /columns -->")

    return _BLOCK.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    """`--readme [PATH]` rewrites README.md's column tables; `--check [PATH]` only compares."""
    parser = argparse.ArgumentParser(prog="python -m newsetl.store.schema",
                                     description="README.md's column tables, from the "
                                                 "declaration in newsetl.store.schema")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--readme", metavar="PATH", nargs="?", const="README.md",
                      help="rewrite the columns blocks of PATH in place (default README.md)")
    mode.add_argument("--check", metavar="PATH", nargs="?", const="README.md",
                      help="exit 1, naming the tables, when PATH differs")
    args = parser.parse_args(argv)
    path = Path(args.readme or args.check)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"newsetl.store.schema: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.check:
        problems = readme_differences(text)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    new = render_readme(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    missing = readme_differences(new)
    for problem in missing:
        print(problem, file=sys.stderr)
    print(f"{path}: {'rewritten' if new != text else 'already up to date'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
