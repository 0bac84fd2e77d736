"""Parquet export of the warehouse, for pandas, polars, Spark and friends.

Article tables are partitioned by published month (`month=YYYY-MM`, or
`month=unknown` for articles without a date) in hive layout, so readers can
prune by month; every other table of the warehouse (runs, rejects, items,
fetches, files, article_bands, ...) is written whole, so nothing is left
behind when a table is added. A table with no rows is still written, as one
Parquet file holding its schema and zero rows (a partitioned one under
`month=unknown/`), so that `read_parquet('out/<table>/**/*.parquet')` never
fails with "No files found".

An export is written into a hidden staging folder beside the target and then
renamed into place, so a failed export leaves the target as it was. The
target must be new, empty, or an earlier export holding only the files that
export wrote (listed in its marker file, `MARKER`): newsetl never deletes a
file it did not write, so a folder with anything else in it is refused.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

_MONTH = "coalesce(strftime(a.published_at, '%Y-%m'), 'unknown')"
# table -> query giving its rows plus a `month` column from the article.
PARTITIONED = {
    "articles": f"SELECT a.*, {_MONTH} AS month FROM articles a",
    "article_versions": f"SELECT a.*, {_MONTH} AS month FROM article_versions a",
    "entities": f"SELECT e.*, {_MONTH} AS month FROM entities e JOIN articles a USING (article_id)",
    "quotes": f"SELECT q.*, {_MONTH} AS month FROM quotes q JOIN articles a USING (article_id)",
    "date_mentions": f"SELECT d.*, {_MONTH} AS month FROM date_mentions d "
                     "JOIN articles a USING (article_id)",
}
# The warehouse's tables written whole; an export without one of them fails (the
# connection is not a warehouse), and any table a later migration adds is found and
# exported too (`_TABLES`).
WHOLE = ("article_bands", "fetches", "files", "items", "rejects", "runs", "schema_version")
# Tables of DuckDB's own or of an extension (the full-text index lives in its own
# schema) are not the warehouse's data: only the `main` schema's tables are exported.
_TABLES = ("SELECT table_name FROM duckdb_tables() WHERE NOT internal "
           "AND schema_name = 'main' AND database_name = current_database() ORDER BY 1")
# Written last into every export: which files it wrote, so the next export may replace them.
MARKER = ".newsetl-export.json"


class ExportError(ValueError):
    """The target folder cannot take an export; the message says why and what to do."""


def staging_dir(directory: str | os.PathLike[str]) -> Path:
    """The hidden folder beside `directory` that this process stages its export in.

    Known before the export starts, so that a locked-down connection can be
    allowed to write there and nowhere else (`Warehouse.query_connection`).
    """
    target = Path(os.path.abspath(directory))
    return target.parent / f".{target.name}.newsetl-export-{os.getpid()}"


def _files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def _earlier_export(target: Path) -> set[str] | None:
    """The files an earlier export wrote into `target` (None: `target` is new or empty).

    Raises ExportError when `target` holds anything that export did not write.
    """
    if not target.exists():
        return None
    if not target.is_dir():
        raise ExportError(f"{target} is not a folder: export into a new or empty folder")
    present = _files_under(target)
    if not present and not any(target.iterdir()):
        return None
    try:
        listed = set(json.loads((target / MARKER).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ExportError(f"{target} is not empty and holds no earlier export ({MARKER}): "
                          "export into a new or empty folder") from None
    foreign = sorted(present - listed - {MARKER})
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise ExportError(f"{target / foreign[0]}{more} was not written by `newsetl export`: "
                          "move it away, or export into another folder")
    return listed


def _write_tables(con: duckdb.DuckDBPyConnection, stage: Path) -> dict[str, int]:
    """COPY every table under `stage`; the path is bound, never pasted into the SQL.

    A partitioned COPY of zero rows writes no file at all, so an empty article
    table gets one zero-row file in `month=unknown/` (its schema, as hive
    readers see the non-empty ones: the month comes from the folder name).
    """
    written: dict[str, int] = {}
    found = [row[0] for row in con.execute(_TABLES).fetchall()]
    tables = list(dict.fromkeys([*PARTITIONED, *WHOLE, *found]))
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        query = PARTITIONED.get(table)
        if query is None:
            (stage / table).mkdir()
            con.execute(f"COPY {quoted} TO ? (FORMAT parquet)",
                        [str(stage / table / "data.parquet")])
            written[table] = con.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            continue
        written[table] = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
        if written[table]:
            con.execute(f"COPY ({query}) TO ? (FORMAT parquet, PARTITION_BY (month))",
                        [str(stage / table)])
        else:
            (stage / table / "month=unknown").mkdir(parents=True)
            con.execute(f"COPY (SELECT * EXCLUDE (month) FROM ({query})) TO ? (FORMAT parquet)",
                        [str(stage / table / "month=unknown" / "data_0.parquet")])
    return written


def _move_into_place(stage: Path, target: Path, earlier: set[str] | None) -> None:
    """Put the staged export where `target` is, removing only the earlier export's files."""
    if earlier is None:
        if target.exists():
            target.rmdir()  # empty: checked by _earlier_export
        stage.rename(target)
        return
    old = stage.with_name(stage.name + "-old")
    if old.exists():  # left by a killed export of a process with our pid: ours
        shutil.rmtree(old)
    old.mkdir()
    try:
        for name in sorted({path.split("/")[0] for path in earlier} | {MARKER}):
            if (target / name).exists() or (target / name).is_symlink():
                (target / name).rename(old / name)
        try:
            for entry in sorted(stage.iterdir()):
                entry.rename(target / entry.name)
        except OSError:  # put the earlier export back where the new one did not land
            for entry in old.iterdir():
                if not (target / entry.name).exists():
                    entry.rename(target / entry.name)
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)  # only files the earlier export wrote


def export_parquet(con: duckdb.DuckDBPyConnection, directory: str | os.PathLike[str]
                   ) -> dict[str, int]:
    """Write every table under `directory/<table>/`; returns rows written per table.

    `con` may be a `Warehouse.query_connection(writable_dir=staging_dir(directory))`.
    """
    target = Path(os.path.abspath(directory))
    earlier = _earlier_export(target)
    stage = staging_dir(target)
    if stage.exists():  # left by a killed export of a process with our pid: ours
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    try:
        written = _write_tables(con, stage)
        (stage / MARKER).write_text(json.dumps(
            {"written_by": "newsetl export", "files": sorted(_files_under(stage))},
            indent=1), encoding="utf-8")
        _move_into_place(stage, target, earlier)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return written
