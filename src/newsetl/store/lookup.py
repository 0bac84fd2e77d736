"""Stored articles read by key, in two steps: which rows, then those rows only.

`articles` has no index on `article_id` (DuckDB rewrites a PRIMARY KEY's
whole index at every checkpoint: `newsetl.store.schema.Table.key_constraint`),
and a filter on the key does not stop DuckDB from decompressing the other
columns it was asked for in every row group: `SELECT body ... WHERE
article_id IN (500 ids)` took 2.75 s at 322,000 articles. So the key column
alone is scanned for the row ids (0.26 s there, once for any number of
keys), and the rows are then fetched by row id (0.01-0.3 s for 500 recent
ones, which is what a run asks for: new and changed articles are appended
at the end). Row ids are stable while the run lock keeps other writers out.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

# Row ids written into one `IN (...)` list: a few hundred a statement.
ID_CHUNK = 500


def in_lists(values: list) -> Iterator[list]:
    """`values` cut into lists of at most `ID_CHUNK`, one `IN (...)` each."""
    return (values[at:at + ID_CHUNK] for at in range(0, len(values), ID_CHUNK))


def row_ids(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[int]:
    """The row ids of the stored articles among `ids`, ascending: one scan of the key
    column, whatever the number of ids."""
    if not ids:
        return []
    return sorted(row[0] for row in con.execute(
        "SELECT rowid FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids]).fetchall())


def articles_by_key(con: duckdb.DuckDBPyConnection, columns: str, ids: list[str],
                    batch_rows: int = 5_000) -> Iterator[pa.RecordBatch]:
    """`SELECT columns FROM articles` for the stored articles among `ids`, in Arrow
    record batches (`columns` may hold expressions).

    The row ids go in as literals with their range: DuckDB then skips every row
    group outside it (bound as parameters, the list is checked row by row after
    reading each column: seconds at 300,000 articles). They are integers we read
    from DuckDB, so writing them into the SQL is safe.
    """
    for chunk in in_lists(row_ids(con, ids)):
        listed = ", ".join(str(int(rowid)) for rowid in chunk)
        yield from con.execute(
            f"SELECT {columns} FROM articles WHERE rowid BETWEEN {chunk[0]} AND {chunk[-1]} "
            f"AND rowid IN ({listed})").to_arrow_reader(batch_rows)


def articles_table(con: duckdb.DuckDBPyConnection, columns: str, ids: list[str]) -> pa.Table:
    """`articles_by_key` as one Arrow table (empty, with its columns, when none is stored)."""
    found = list(articles_by_key(con, columns, ids))
    if found:
        return pa.Table.from_batches(found)
    return con.execute(f"SELECT {columns} FROM articles LIMIT 0").to_arrow_table()
