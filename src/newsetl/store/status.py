"""What `newsetl status` shows: the state of one warehouse, in one read.

Like dlt's `pipeline info`: the last runs with their counts, status and
duration; rows per table; the last run's rejects by reason; the schema
version; the search index's freshness. Plain data, so the CLI only prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from newsetl.store.schema import TABLES
from newsetl.store.search import index_is_stale


@dataclass
class RunSummary:
    run_id: str
    flow: str
    source: str | None
    status: str
    started_at: datetime
    seconds: float | None  # None while running, or when it was killed
    seen: int | None
    loaded: int | None
    updated: int | None
    skipped: int | None
    rejected: int | None


@dataclass
class WarehouseStatus:
    runs: list[RunSummary] = field(default_factory=list)  # newest first
    rows: dict[str, int] = field(default_factory=dict)  # table -> row count
    last_run_rejects: dict[str, int] = field(default_factory=dict)  # reason -> count
    schema_version: int = 0
    index_fresh: bool = False


def warehouse_status(con: duckdb.DuckDBPyConnection, last: int = 10) -> WarehouseStatus:
    """Gather the status of the warehouse behind `con` (read-only is enough)."""
    status = WarehouseStatus()
    for row in con.execute(
            "SELECT run_id, flow, source, status, started_at, "
            "epoch(finished_at) - epoch(started_at), seen, loaded, updated, skipped, rejected "
            "FROM runs ORDER BY started_at DESC LIMIT ?", [last]).fetchall():
        status.runs.append(RunSummary(*row))
    existing = {name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()}
    for name in TABLES:
        if name in existing:
            status.rows[name] = con.execute(f"SELECT count(*) FROM main.{name}").fetchone()[0]
    if status.runs:
        status.last_run_rejects = dict(con.execute(
            "SELECT reason, count(*) FROM rejects WHERE run_id = ? GROUP BY reason "
            "ORDER BY count(*) DESC", [status.runs[0].run_id]).fetchall())
    status.schema_version = con.execute(
        "SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    status.index_fresh = not index_is_stale(con)
    return status
