"""The `newsetl` command line.

Commands that run a flow import Prefect (about a second); the others
(`extract`, `sql`, `--help`) never do, so they answer at once.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import logging
import os
import sys
import tempfile
import time
import traceback
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
# `newsetl --debug ...`: print the traceback of a failure, not only its one `error:` line.
_DEBUG = {"on": False}


@app.callback()
def _global_options(debug: Annotated[bool, typer.Option(
        "--debug", help="On failure, print the traceback too (it always goes to the log file "
        "named in the error line).")] = False) -> None:
    _DEBUG["on"] = debug


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
    the flow module reads it when loaded. What the flow starts (Prefect's temporary
    server, extraction processes) dies with this process, even on kill -9.
    """
    from newsetl.pipeline.orphans import start_orphan_guard

    _prefect_environment()
    start_orphan_guard()
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
    allow_outside_links: Annotated[bool, typer.Option(
        help="Follow symlinks that lead out of the archive (else quarantined as "
        "outside-archive).")] = False,
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
    _check_warehouse_folder(warehouse)
    started = time.monotonic()
    flow = load_flow("backfill", "backfill", dask_address)
    _flow_tracebacks_to_log(warehouse)
    with _reported(warehouse):
        result = flow(paths=paths or [], warehouse=warehouse, batch_size=batch_size,
                      force=force, workers=workers, in_flight=in_flight,
                      reprocess=reprocess, since=since.date() if since else None,
                      until=until.date() if until else None, sources=source,
                      allow_outside_links=allow_outside_links,
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
    _check_warehouse_folder(warehouse)
    started = time.monotonic()
    flow = load_flow("ingest", "ingest", dask_address)
    _flow_tracebacks_to_log(warehouse)
    with _reported(warehouse):
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
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"--file: {_describe(exc)}") from None
    if query is None or query == "-":
        return sys.stdin.read()
    return query


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _log_traceback(exc: BaseException, warehouse: str | None) -> Path | None:
    """Append `exc`'s traceback to the log beside the warehouse (else in the temp folder).

    Returns where it went, or None when neither could be written (say, a full disk).
    """
    from newsetl.store.warehouse import Warehouse

    text = (f"--- {datetime.now().isoformat(timespec='seconds')} newsetl "
            f"{' '.join(sys.argv[1:])}\n{''.join(traceback.format_exception(exc))}")
    for path in (Warehouse(warehouse).log_file,
                 Path(tempfile.gettempdir()) / f"newsetl-{os.getuid()}.log"):
        try:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    return None


def _describe(exc: BaseException) -> str:
    """One line for an error: an OSError names its file without Python's `[Errno n]`."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        files = f"{exc.filename} -> {exc.filename2}" if exc.filename2 else str(exc.filename)
        return f"{exc.strerror}: {files}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__  # not DuckDB's "LINE 1: ..."


@contextmanager
def _reported(warehouse: str | None) -> Iterator[None]:
    """End a command that failed with one `error:` line and exit status 1, not a traceback.

    A `WarehouseError` (busy, missing, corrupt) or ExportError says all there is to
    say. An OSError (read-only folder, full disk) or a DuckDB error is unexpected:
    its traceback goes to the log file the line names (and to stderr with --debug).
    Flows run inside Prefect, which re-raises the flow's own exception here.
    """
    import duckdb

    from newsetl.store.export import ExportError
    from newsetl.store.warehouse import WarehouseError

    try:
        yield
    except (WarehouseError, ExportError) as exc:
        if _DEBUG["on"]:
            traceback.print_exc()
        raise _fail(str(exc)) from None
    except (OSError, duckdb.Error) as exc:
        if _DEBUG["on"]:
            traceback.print_exc()
        log = _log_traceback(exc, warehouse)
        where = f"traceback in {log}" if log else "rerun with --debug for the traceback"
        raise _fail(f"{_describe(exc)} ({where})") from None


def _check_warehouse_folder(warehouse: str | None) -> None:
    """Before Prefect starts (seconds): the warehouse folder must exist or be creatable,
    and be writable; a path under a regular file, say, costs one line."""
    from newsetl.store.warehouse import Warehouse

    folder = Warehouse(warehouse).path.parent
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise _fail(f"cannot create the warehouse folder {folder}: {blocker} is a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"cannot create the warehouse folder {folder}: {_describe(exc)}") from None
    if not os.access(folder, os.W_OK):
        raise _fail(f"the warehouse folder {folder} is not writable")


class _TracebackOffConsole(logging.Filter):
    """Keeps records that carry a traceback off Prefect's console handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is None and record.exc_text is None


class _TracebackLog(logging.Handler):
    """Appends the records that carry a traceback to the command's log file."""

    def __init__(self, path: Path) -> None:
        super().__init__(level=logging.ERROR)
        self.path = path
        self.setFormatter(logging.Formatter("--- %(asctime)s %(name)s %(levelname)s\n"
                                            "%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info is None and record.exc_text is None:
            return
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(self.format(record) + "\n")
        except OSError:
            pass  # the command's own error line says where its traceback went


def _flow_tracebacks_to_log(warehouse: str | None) -> None:
    """Prefect prints a failed flow's or task's traceback on the console (90 lines, twice
    with ours): send those records to the warehouse's log file instead, unless --debug.

    Prefect's console handler hangs on the root logger (its logging.yml); the API
    handler, which feeds the Prefect UI, sits on the flow and task loggers and keeps
    every record. Call after `load_flow`, once Prefect has set up its logging.
    """
    from prefect.logging.handlers import PrefectConsoleHandler

    from newsetl.store.warehouse import Warehouse

    if _DEBUG["on"]:
        return
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, PrefectConsoleHandler):
            handler.addFilter(_TracebackOffConsole())
    root.addHandler(_TracebackLog(Warehouse(warehouse).log_file))


@contextmanager
def _opened(warehouse: str | None, write: bool = False,
            writable_dir: Path | None = None) -> Iterator[Any]:
    """The commands' one door to the warehouse: read-only unless `write`.

    Read-only means `Warehouse.query_connection`: the SQL may read the
    warehouse and nothing else (no file, no network, no settings), except
    that COPY may write into `writable_dir`. Whatever goes wrong opening or
    querying it (no warehouse yet, locked, corrupt, bad or refused SQL, an
    output file that cannot be written) ends the command with one `error:`
    line and exit status 1.
    """
    import duckdb

    from newsetl.store.warehouse import Warehouse, WarehouseError

    door = Warehouse(warehouse)
    try:
        with (door.connect(read_only=False) if write
              else door.query_connection(writable_dir=writable_dir)) as con:
            yield con
    except (duckdb.Error, WarehouseError, LookupError, OSError) as exc:
        refused = isinstance(exc, duckdb.PermissionException) or (
            isinstance(exc, duckdb.InvalidInputException) and "has been locked" in str(exc))
        hint = (" (read-only SQL may read the warehouse and nothing else: no files, network, "
                "extensions or settings)") if refused and not write else ""
        raise _fail(_describe(exc) + hint) from None


def _refuse_warehouse_output(output: Path | None, warehouse: str | None) -> None:
    """An output file may never be the warehouse, its WAL or its run lock."""
    from newsetl.store.warehouse import Warehouse

    if output is not None and Warehouse(warehouse).owns(output):
        raise _fail(f"--output {output} is the warehouse or one of its files: "
                    "choose another file")


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
    """Run SQL on the warehouse and print the result.

    Read-only (the default) means the SQL can read the warehouse and nothing
    else: no other file, no network, no extension to install, no setting to
    change. The result is written by newsetl, never by DuckDB, and only to
    standard output or --output, which may not be the warehouse or its files.
    """
    if fmt not in ("table", "csv", "json", "parquet"):
        raise typer.BadParameter("--format is one of table, csv, json, parquet")
    if fmt == "parquet" and output is None:
        raise typer.BadParameter("--format parquet needs --output FILE")
    _refuse_warehouse_output(output, warehouse)
    text = _read_query(query, file)
    with _opened(warehouse, write) as con:
        cursor = con.execute(text)
        if fmt == "parquet":
            if cursor.description is None:
                raise _fail("the SQL gave no result to write")
            table = cursor.to_arrow_table()
        else:
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        # Written inside `_opened`: an output that cannot be written is one error line.
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, output)
            return
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
    from newsetl.store.search import index_is_stale
    from newsetl.store.search import search as run_search

    with _opened(warehouse) as con:
        hits = run_search(con, query, since=since.date() if since else None,
                          source=source, limit=limit)
        if index_is_stale(con):
            typer.echo("newsetl: the search index is out of date (a run stopped before "
                       "rebuilding it): run `newsetl index`", err=True)
    if not hits:
        typer.echo("no match")
    for hit in hits:
        when = hit.published_at.date().isoformat() if hit.published_at else "undated"
        typer.echo(f"{hit.score:6.3f}  {hit.title}\n        {when} · {hit.source} · "
                   f"{hit.article_id}\n        {hit.snippet}\n")


@app.command()
def index(warehouse: WarehouseOpt = None) -> None:
    """Rebuild the full-text search index (a run stopped before it rebuilt the index)."""
    from newsetl.pipeline.run import rebuild_index
    from newsetl.store.warehouse import WarehouseError

    try:
        rebuild_index(warehouse)
    except WarehouseError as exc:
        raise _fail(str(exc)) from None
    typer.echo("search index rebuilt")


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write into.")],
    fmt: Annotated[str, typer.Option("--format", help="Only parquet for now.")] = "parquet",
    warehouse: WarehouseOpt = None,
) -> None:
    """Export every table as Parquet, article tables partitioned by published month.

    DIR must be new, empty, or an earlier export: a folder holding files that
    `newsetl export` did not write is refused, never cleared.
    """
    from newsetl.store.export import export_parquet, staging_dir
    from newsetl.store.warehouse import Warehouse

    if fmt != "parquet":
        raise typer.BadParameter("only --format parquet is supported")
    door = Warehouse(warehouse)
    with _reported(warehouse), door.query_connection(writable_dir=staging_dir(directory)) as con:
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
    _refuse_warehouse_output(output, warehouse)
    with _opened(warehouse) as con:
        html = render_report(con)
    with _reported(warehouse):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
    typer.echo(f"report written to {output}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
