"""Stored rows read by key, in two steps: which rows, then those rows only.

`articles` has no index on `article_id` (DuckDB rewrites a PRIMARY KEY's
whole index at every checkpoint: `newsetl.store.schema.Table.key_constraint`),
and a filter on the key does not stop DuckDB from decompressing the other
columns it was asked for in every row group: `SELECT body ... WHERE
article_id IN (500 ids)` took 2.75 s at 322,000 articles. So the key column
alone is scanned for the row ids (0.26 s there, once for any number of
keys), and the rows are then read by row id, range by range: 0.01-0.3 s for
the 500 recent articles a run's index update asks for (new and changed
articles are appended at the end), 0.02-0.04 s for 10 search hits spread over
1,000,000 articles. Row ids are stable while the run lock keeps other
writers out (and within a reader's connection).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

# Row ids written into one `IN (...)` list: a few hundred a statement.
ID_CHUNK = 500
# Row ids further apart than this are read as separate ranges (DuckDB's vector: 2,048 rows).
_GAP = 2_048
# Ranges joined into one statement by UNION ALL.
_RANGES = 100


def row_ids(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[int]:
    """The row ids of the stored articles among `ids`, ascending: one scan of the key
    column, whatever the number of ids."""
    if not ids:
        return []
    return sorted(row[0] for row in con.execute(
        "SELECT rowid FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids]).fetchall())


def _runs(rowids: list[int]) -> Iterator[list[int]]:
    """Ascending `rowids` cut where two lie more than `_GAP` apart, at most `ID_CHUNK`
    a run: each run is one range of the table to read."""
    run: list[int] = []
    for rowid in rowids:
        if run and (rowid - run[-1] > _GAP or len(run) == ID_CHUNK):
            yield run
            run = []
        run.append(rowid)
    if run:
        yield run


def rows_by_rowid(con: duckdb.DuckDBPyConnection, table: str, columns: str,
                  rowids: list[int], batch_rows: int = 5_000) -> Iterator[pa.RecordBatch]:
    """`SELECT columns FROM table` for the rows `rowids` (ascending), in Arrow record
    batches (`columns` may hold expressions).

    Each run of nearby row ids is read as its range (`rowid BETWEEN lo AND hi`, which
    DuckDB answers from those rows' vectors alone) narrowed by the list; the ranges of
    one statement are joined by UNION ALL. Bound as parameters, or as one list
    without its ranges, the row ids are checked row by row after reading every row
    of the columns asked for: 11-19 s for 10 articles of 1,000,000. Row ids are
    integers read from DuckDB, so writing them into the SQL is safe.
    """
    runs = list(_runs(rowids))
    for at in range(0, len(runs), _RANGES):
        parts = [f"SELECT {columns} FROM {table} WHERE rowid BETWEEN {run[0]} AND {run[-1]} "
                 f"AND rowid IN ({', '.join(str(int(r)) for r in run)})"
                 for run in runs[at:at + _RANGES]]
        yield from con.execute(" UNION ALL ".join(parts)).to_arrow_reader(batch_rows)


def articles_by_key(con: duckdb.DuckDBPyConnection, columns: str, ids: list[str],
                    batch_rows: int = 5_000) -> Iterator[pa.RecordBatch]:
    """`SELECT columns FROM articles` for the stored articles among `ids`
    (`rows_by_rowid` over `row_ids`)."""
    yield from rows_by_rowid(con, "articles", columns, row_ids(con, ids), batch_rows)


def articles_table(con: duckdb.DuckDBPyConnection, columns: str, ids: list[str]) -> pa.Table:
    """`articles_by_key` as one Arrow table (empty, with its columns, when none is stored)."""
    found = list(articles_by_key(con, columns, ids))
    if found:
        return pa.Table.from_batches(found)
    return con.execute(f"SELECT {columns} FROM articles LIMIT 0").to_arrow_table()
