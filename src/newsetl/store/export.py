"""Parquet export of the warehouse, for pandas, polars, Spark and friends.

Article tables are partitioned by published month (`month=YYYY-MM`, or
`month=unknown` for articles without a date) in hive layout, so readers can
prune by month; the small bookkeeping tables are written whole.
"""

from __future__ import annotations

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
WHOLE = ("runs", "rejects", "items")


def export_parquet(con: duckdb.DuckDBPyConnection, directory: str | Path) -> dict[str, int]:
    """Write every table under `directory/<table>/`; returns rows written per table."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table, query in PARTITIONED.items():
        con.execute(f"COPY ({query}) TO '{out / table}' (FORMAT parquet, "
                    "PARTITION_BY (month), OVERWRITE true)")
        written[table] = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    for table in WHOLE:
        (out / table).mkdir(exist_ok=True)
        con.execute(f"COPY {table} TO '{out / table / 'data.parquet'}' (FORMAT parquet)")
        written[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return written
