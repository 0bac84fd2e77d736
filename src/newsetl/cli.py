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
from collections.abc import Iterator
from contextlib import contextmanager
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
WorkersOpt = Annotated[int | None, typer.Option(
    help="Extraction processes (default: one per core).", show_default=False)]
DaskOpt = Annotated[str | None, typer.Option(
    help="Run extraction on Dask: a scheduler (tcp://host:8786), or local[:N] for a cluster "
    "of N processes here [env NEWSETL_DASK_ADDRESS].", show_default=False)]
InFlightOpt = Annotated[int | None, typer.Option(
    help="Groups of files extracted at once (default 2; on --dask-address local:N, N; "
    "on another Dask cluster, give its number of worker processes).", show_default=False)]
# Exit status of a run that finished but quarantined some inputs.
EXIT_REJECTS = 3


def _prefect_environment() -> None:
    """Keep Prefect's state in the project and its telemetry off, unless the user chose.

    The temporary Prefect server builds its database on a first start, which
    took 19-31 s on a loaded 2-core machine: Prefect's default wait of 20 s
    made a fresh `make run` fail there, so we wait up to 120 s.
    """
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def load_flow(module: str, name: str, dask_address: str | None = None) -> Any:
    """Import flow `name` from `flows/<module>.py` of this project.

    `dask_address` (see `newsetl.pipeline.runners`) puts its extraction tasks on Dask;
    the flow module reads it when loaded.
    """
    _prefect_environment()
    if dask_address:
        from newsetl.pipeline.runners import DASK_ADDRESS

        os.environ[DASK_ADDRESS] = dask_address
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
    paths: Annotated[list[str] | None, typer.Argument(
        help="Archive files or folders (recursive): .txt, .html, .gz, .warc.gz.")] = None,
    warehouse: WarehouseOpt = None,
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Only items published (else fetched) on or after.")] = None,
    until: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Only items published (else fetched) on or before.")] = None,
    source: Annotated[list[str] | None, typer.Option(
        help="Only items of this source (repeatable).")] = None,
    reprocess: Annotated[bool, typer.Option(
        help="Also re-read every input the warehouse already knows.")] = False,
    force: Annotated[bool, typer.Option(
        help="Re-extract items even when their bytes and extractor version are unchanged."
    )] = False,
    batch_size: Annotated[int, typer.Option(help="Articles per load transaction.")] = 200,
    workers: WorkersOpt = None,
    dask_address: DaskOpt = None,
    in_flight: InFlightOpt = None,
) -> None:
    """Extract every archived article under PATHS and load it into the warehouse.

    Only new, changed, or older-extractor items are processed unless --force.
    Exit status: 0 when all went in, 3 when some inputs were quarantined
    (see the `rejects` table), 1 when the run failed.
    """
    if not paths and not reprocess:
        raise typer.BadParameter("give PATHS, or --reprocess to re-read known inputs")
    started = time.monotonic()
    flow = load_flow("backfill", "backfill", dask_address)
    result = flow(paths=paths or [], warehouse=warehouse, batch_size=batch_size, force=force,
                  workers=workers, in_flight=in_flight,
                  reprocess=reprocess, since=since.date() if since else None,
                  until=until.date() if until else None, sources=source,
                  show_progress=sys.stderr.isatty())
    seconds = time.monotonic() - started
    typer.echo(
        f"backfill {result['run_id']} into {result['warehouse']}: {result['seen']} items seen, "
        f"{result['loaded']} loaded, {result['updated']} updated, "
        f"{result['unchanged']} unchanged, {result['skipped']} skipped, "
        f"{result['out_of_window']} out of window, {result['rejected']} rejected "
        f"in {seconds:.1f} s"
    )
    for reason, n in sorted(result["reasons"].items()):
        typer.echo(f"  rejected ({reason}): {n}: SELECT * FROM rejects WHERE reason = '{reason}'")
    if result["rejected"]:
        raise typer.Exit(EXIT_REJECTS)


SourcesOpt = Annotated[Path, typer.Option(
    "--sources", help="Sources config (see sources.example.toml).")]


@app.command()
def ingest(
    sources: SourcesOpt = Path("sources.toml"),
    source: Annotated[str | None, typer.Option(
        help="Only this source (default: every enabled one).")] = None,
    warehouse: WarehouseOpt = None,
    workers: WorkersOpt = None,
    dask_address: DaskOpt = None,
    in_flight: InFlightOpt = None,
) -> None:
    """Fetch the configured sources once: discover, fetch politely, archive, load.

    Exit status: 0 when all went in, 3 when some inputs were quarantined (see
    the `rejects` table; a URL in the config that is not http(s) is one of
    them, reason bad-url), 1 when a source failed, 2 when the sources config
    cannot be used (missing, invalid, unknown --source): nothing was run.
    """
    from newsetl.web.sources import SourcesError, check_sources

    try:  # before Prefect starts: a config mistake costs a second and one line
        check_sources(sources, source)
    except SourcesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    started = time.monotonic()
    flow = load_flow("ingest", "ingest", dask_address)
    results = flow(sources_file=str(sources), source=source, warehouse=warehouse,
                   workers=workers, in_flight=in_flight, show_progress=sys.stderr.isatty())
    failed = rejected = 0
    for name, counts in results.items():
        if "error" in counts:
            failed += 1
            typer.echo(f"{name}: failed: {counts['error']}")
            continue
        rejected += counts["rejected"]
        typer.echo(f"{name}: {counts['seen']} seen, {counts['loaded']} loaded, "
                   f"{counts['updated']} updated, {counts['skipped']} skipped, "
                   f"{counts['rejected']} rejected {counts['reasons'] or ''}")
    typer.echo(f"ingest finished in {time.monotonic() - started:.1f} s")
    if failed:
        raise typer.Exit(1)
    if rejected:
        raise typer.Exit(EXIT_REJECTS)


@app.command()
def serve(
    sources: SourcesOpt = Path("sources.toml"),
    limit: Annotated[int, typer.Option(min=1, help="Most flow runs at a time; runs of one "
                                       "source never overlap.")] = 1,
    warehouse: WarehouseOpt = None,
) -> None:
    """Run the ingest flow on each enabled source's schedule until Ctrl-C.

    Without PREFECT_API_URL, starts a local Prefect server on 127.0.0.1 (its UI
    address is printed) for as long as this runs. Exit status 2 when the
    sources config cannot be used (missing, invalid, no enabled source).
    """
    from newsetl.web.sources import SourcesError, check_sources

    try:  # before Prefect starts: a config mistake costs a second and one line
        check_sources(sources, need_enabled=True)
        serve_sources = load_flow("serve", "serve_sources")
        serve_sources(str(sources), warehouse, limit)
    except SourcesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command(name="sources")
def list_sources(sources: SourcesOpt = Path("sources.toml"),
                 warehouse: WarehouseOpt = None) -> None:
    """List the configured sources with their schedule and last run."""
    import duckdb
    from rich.console import Console
    from rich.table import Table

    from newsetl.store.warehouse import Warehouse, WarehouseError, last_runs_by_source
    from newsetl.web.sources import SourcesError, load_sources

    try:
        config = load_sources(sources)
    except SourcesError as exc:
        raise _fail(str(exc)) from None
    last: dict[str, tuple] = {}
    try:
        with Warehouse(warehouse).connect(read_only=True) as con:
            last = last_runs_by_source(con, "ingest")
    except (duckdb.Error, WarehouseError):
        pass  # no warehouse yet: every source shows "never"
    table = Table("source", "kind", "schedule", "enabled", "url(s)", "last run", "status",
                  "loaded", "rejected")
    for s in config.sources:
        started, status, loaded, rejected = last.get(s.name, (None, "never", None, None))
        when = s.schedule.cron or f"every {s.schedule.interval_seconds} s"
        table.add_row(s.name, s.kind, when, "yes" if s.enabled else "no", "\n".join(s.urls),
                      started.strftime("%Y-%m-%d %H:%M") if started else "-", status,
                      str(loaded if loaded is not None else "-"),
                      str(rejected if rejected is not None else "-"))
    Console().print(table)


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Archived files (.txt, .html, .gz).")],
) -> None:
    """Extract each file and print one JSON object per input (no warehouse).

    An input that holds no article, or that extraction fails on, prints
    {"source", "error", "detail"} and the others go on. Exit status: 0 when
    every input gave an article, 1 when any did not.
    """
    from dataclasses import asdict

    from newsetl.models import Reject
    from newsetl.pipeline.extract import extract_path

    failed = 0
    for path in paths:
        result = extract_path(path)
        if isinstance(result, Reject):
            failed += 1
            record = {"source": path, "error": result.reason, "detail": result.detail}
        else:
            record = {"source": path, **asdict(result), "published": result.published_at}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=_jsonable) + "\n")
    if failed:
        typer.echo(f"extract: {failed} of {len(paths)} inputs gave no article", err=True)
        raise typer.Exit(1)


def _read_query(query: str | None, file: Path | None) -> str:
    """The SQL text: the argument, `-` for standard input, or --file."""
    if file is not None:
        return file.read_text(encoding="utf-8")
    if query is None or query == "-":
        return sys.stdin.read()
    return query


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def _opened(warehouse: str | None, write: bool = False) -> Iterator[Any]:
    """The commands' one door to the warehouse: read-only unless `write`.

    Whatever goes wrong opening or querying it (no warehouse yet, locked,
    bad SQL) ends the command with one `error:` line and exit status 1.
    """
    import duckdb

    from newsetl.store.warehouse import Warehouse, WarehouseError

    try:
        with Warehouse(warehouse).connect(read_only=not write) as con:
            yield con
    except (duckdb.Error, WarehouseError, LookupError) as exc:
        raise _fail(str(exc)) from None


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(
        help="The SQL to run; `-` (or nothing) reads it from standard input.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the SQL from a file.")
                    ] = None,
    warehouse: WarehouseOpt = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="table, csv, json (one object a line) or parquet.")] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.")] = None,
    write: Annotated[bool, typer.Option(help="Open the warehouse for writing.")] = False,
) -> None:
    """Run SQL on the warehouse (read-only unless --write) and print the result."""
    if fmt not in ("table", "csv", "json", "parquet"):
        raise typer.BadParameter("--format is one of table, csv, json, parquet")
    if fmt == "parquet" and output is None:
        raise typer.BadParameter("--format parquet needs --output FILE")
    text = _read_query(query, file)
    with _opened(warehouse, write) as con:
        if fmt == "parquet":
            con.execute(f"COPY ({text.strip().rstrip(';')}) TO '{output}' (FORMAT parquet)")
            return
        cursor = con.execute(text)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        _print_rows(columns, rows, fmt, out)
    finally:
        if output:
            out.close()


def _print_rows(columns: list[str], rows: list[tuple], fmt: str, out: Any) -> None:
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt == "json":
        for row in rows:
            out.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False,
                                 default=str) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*("NULL" if v is None else str(v) for v in row))
        Console(file=out, width=None if out is sys.stdout else 200).print(table)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for in titles and bodies.")],
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Only articles published on or after.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 10,
    warehouse: WarehouseOpt = None,
) -> None:
    """Full-text search (BM25) over titles and bodies."""
    from newsetl.store.search import search as run_search

    with _opened(warehouse) as con:
        hits = run_search(con, query, since=since.date() if since else None,
                          source=source, limit=limit)
    if not hits:
        typer.echo("no match")
    for hit in hits:
        when = hit.published_at.date().isoformat() if hit.published_at else "undated"
        typer.echo(f"{hit.score:6.3f}  {hit.title}\n        {when} · {hit.source} · "
                   f"{hit.article_id}\n        {hit.snippet}\n")


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write into.")],
    fmt: Annotated[str, typer.Option("--format", help="Only parquet for now.")] = "parquet",
    warehouse: WarehouseOpt = None,
) -> None:
    """Export every table as Parquet, article tables partitioned by published month."""
    from newsetl.store.export import export_parquet

    if fmt != "parquet":
        raise typer.BadParameter("only --format parquet is supported")
    with _opened(warehouse) as con:
        written = export_parquet(con, directory)
    for table, n in written.items():
        typer.echo(f"{directory / table}: {n} rows")


@app.command()
def report(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="HTML file to write [default: report.html beside the "
        "warehouse].", show_default=False)] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write an HTML report: articles per day per source, top people and places, failures."""
    from newsetl.store.report import render_report
    from newsetl.store.warehouse import Warehouse

    output = output or Warehouse(warehouse).report_file
    with _opened(warehouse) as con:
        html = render_report(con)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    typer.echo(f"report written to {output}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
