"""The `newsetl` command line.

Commands that run a flow import Prefect (about a second); the others
(`extract`, `sql`, `--help`) never do, so they answer at once.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="newsetl: fetch or read news articles, extract their fields, load them into DuckDB.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WarehouseOpt = Annotated[str | None, typer.Option(
    "--warehouse", "-w", help="Warehouse file [env NEWSETL_WAREHOUSE; default "
    "warehouse/newsetl.duckdb].", show_default=False)]
# Exit status of a run that finished but quarantined some inputs.
EXIT_REJECTS = 3


def _prefect_environment() -> None:
    """Keep Prefect's state in the project and its telemetry off, unless the user chose."""
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def load_flow(module: str, name: str) -> Any:
    """Import flow `name` from `flows/<module>.py` of this project."""
    _prefect_environment()
    path = PROJECT_ROOT / "flows" / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"newsetl_flows.{module}", path)
    if spec is None or spec.loader is None:
        raise typer.BadParameter(f"no flow file at {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


@app.command()
def backfill(
    paths: Annotated[list[str], typer.Argument(help="Archive files or folders (recursive).")],
    warehouse: WarehouseOpt = None,
    batch_size: Annotated[int, typer.Option(help="Articles per load transaction.")] = 200,
    force: Annotated[bool, typer.Option(help="Re-extract items already loaded.")] = False,
) -> None:
    """Extract every archived article under PATHS and load it into the warehouse."""
    started = time.monotonic()
    flow = load_flow("backfill", "backfill")
    result = flow(paths=paths, warehouse=warehouse, batch_size=batch_size, force=force)
    seconds = time.monotonic() - started
    typer.echo(
        f"backfill {result['run_id']} into {result['warehouse']}: {result['seen']} items seen, "
        f"{result['loaded']} loaded, {result['updated']} updated, "
        f"{result['unchanged']} unchanged, {result['skipped']} skipped, "
        f"{result['rejected']} rejected in {seconds:.1f} s"
    )
    for reason, n in sorted(result["reasons"].items()):
        typer.echo(f"  rejected ({reason}): {n}  -> SELECT * FROM rejects WHERE reason = '{reason}'")
    if result["rejected"]:
        raise typer.Exit(EXIT_REJECTS)


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Archived files (.txt, .html, .gz).")],
) -> None:
    """Extract each file and print one JSON object per input (no warehouse)."""
    from dataclasses import asdict

    from newsetl.extract import extract_path
    from newsetl.models import Reject

    for path in paths:
        result = extract_path(path)
        if isinstance(result, Reject):
            record = {"source": path, "error": result.reason, "detail": result.detail}
        else:
            record = {"source": path, **asdict(result), "published": result.published_at}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=_jsonable) + "\n")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="The SQL to run.")],
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    write: Annotated[bool, typer.Option(help="Open the warehouse for writing.")] = False,
) -> None:
    """Run SQL on the warehouse (read-only unless --write) and print the result."""
    import duckdb

    from newsetl.warehouse import connect

    try:
        with connect(warehouse, read_only=not write) as con:
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except (duckdb.Error, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)),
                                        ensure_ascii=False, default=str) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("NULL" if v is None else str(v) for v in row))
        Console().print(table)


def main() -> None:
    app()
