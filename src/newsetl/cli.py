"""The `newsetl` command line.

Commands that run a flow import Prefect (1-3 s); the others (`extract`, `sql`,
`--help`) never do, so they answer at once, and neither does a backfill with
nothing new to read (`_backfill_without_flow`).
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
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

app = typer.Typer(
    help="newsetl: fetch or read news articles, extract their fields, load them into DuckDB.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WarehouseOpt = Annotated[str | None, typer.Option(
    "--warehouse", "-w", help="Warehouse file \\[env NEWSETL_WAREHOUSE; default "
    "newsetl.duckdb in warehouse/].", show_default=False)]
WorkersOpt = Annotated[int | None, typer.Option(
    help="Extraction processes (default: one per core).", show_default=False)]
DaskOpt = Annotated[str | None, typer.Option(
    help="Run extraction on Dask: a scheduler (tcp://host:8786), or local[:N] for a cluster "
    "of N processes here \\[env NEWSETL_DASK_ADDRESS].", show_default=False)]
InFlightOpt = Annotated[int | None, typer.Option(
    help="Groups of files extracted at once (default 2; on --dask-address local:N, N; "
    "on another Dask cluster, give its number of worker processes).", show_default=False)]
# Exit status of a run that finished but quarantined some inputs.
EXIT_REJECTS = 3
# `newsetl --debug ...`: print the traceback of a failure, not only its one `error:` line.
_DEBUG = {"on": False}


def _print_version(value: bool) -> None:
    """`newsetl --version`: the installed package's version, then exit (eager: needs no
    command)."""
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        typer.echo(f"newsetl {version('newsetl')}")
    except PackageNotFoundError:  # run from a source tree that was never installed
        typer.echo("newsetl (not installed)")
    raise typer.Exit()


@app.callback()
def _global_options(debug: Annotated[bool, typer.Option(
        "--debug", help="On failure, print the traceback too (it always goes to the log file "
        "named in the error line).")] = False,
        _version: Annotated[bool, typer.Option(
            "--version", help="Print the version and exit.", is_eager=True,
            callback=_print_version)] = False) -> None:
    _DEBUG["on"] = debug


def _prefect_environment() -> None:
    """Keep Prefect's state in the project and its telemetry off, unless the user chose.

    The temporary Prefect server builds its database on a first start, which
    took 19-31 s on a loaded 2-core machine: Prefect's default wait of 20 s
    made a fresh `make run` fail there, so we wait up to 120 s.
    """
    from newsetl.pipeline.prefect_server import kept_api_url, prefect_home

    os.environ["PREFECT_HOME"] = str(prefect_home())
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not os.environ.get("PREFECT_API_URL"):
        # A kept server (`newsetl server start`) saves the temporary one's start-up
        # (6-16 s) and keeps the runs. Set before Prefect is imported, which reads it then.
        api_url = kept_api_url(prefect_home())
        if api_url:
            os.environ["PREFECT_API_URL"] = api_url
            typer.echo(f"newsetl: Prefect server {api_url.removesuffix('/api')} "
                       "(newsetl server start)", err=True)


def _temporary_server_unless_one_is_set() -> None:
    """With no server named (PREFECT_API_URL, the kept one), start Prefect's temporary
    server ourselves, in its own session, and stop it when this process exits.

    Left to Prefect, the temporary server was in the terminal's process group: a
    Ctrl-C killed it while the flow still had to report its end, and the command hung.
    Started after the orphan guard, so a kill -9 of this process takes it too.
    """
    import atexit

    from newsetl.pipeline.prefect_server import (
        ServerError,
        prefect_home,
        start_temporary,
        start_timeout,
        stop_temporary,
    )

    if os.environ.get("PREFECT_API_URL"):
        return
    settings = sys.modules.get("prefect.settings")
    if settings is not None and settings.PREFECT_API_URL.value():
        return  # Prefect already runs here, told where its server is (tests' harness)
    home = prefect_home()
    try:
        process, api_url = start_temporary(home, start_timeout())
    except ServerError as exc:
        raise _server_failure("the temporary Prefect server did not start", exc) from None
    atexit.register(stop_temporary, process, home)
    os.environ["PREFECT_API_URL"] = api_url
    os.environ.setdefault("PREFECT_UI_URL", "")  # it serves no UI: no "View at" link
    typer.echo(f"newsetl: temporary Prefect server {api_url.removesuffix('/api')} for this "
               "command (`newsetl server start` keeps one: no start-up, runs kept)", err=True)


def _server_failure(what: str, exc: Exception) -> typer.Exit:
    """One `error:` line for a server that did not come up: why, and the log to read
    (the log's last lines, which `ServerError` carries, stay in the log)."""
    reason, _, log = str(exc).splitlines()[0].partition("; last lines of ")
    return _fail(f"{what}: {reason}" + (f" (its log: {log.removesuffix(':')})" if log else ""))


def load_flow(module: str, name: str, dask_address: str | None = None,
              temporary_server: bool = True) -> Any:
    """Import flow `name` from `flows/<module>.py` of this project.

    `dask_address` (see `newsetl.pipeline.runners`) puts its extraction tasks on Dask;
    the flow module reads it when loaded. What the flow starts (Prefect's temporary
    server, extraction processes) dies with this process, even on kill -9.
    `temporary_server=False`: the caller sees to its server (`serve`).
    """
    from newsetl.pipeline.orphans import start_orphan_guard

    _prefect_environment()
    start_orphan_guard()
    if temporary_server:
        _temporary_server_unless_one_is_set()
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
    _check_backfill_arguments(paths or [], since, until)
    _check_warehouse_folder(warehouse)
    started = time.monotonic()
    # The flow's own parameters (as its `runs` row records them), for a run without a flow.
    parameters = dict(paths=paths or [], warehouse=warehouse, batch_size=batch_size,
                      files_per_task=200, workers=workers, in_flight=in_flight, force=force,
                      reprocess=reprocess, since=since.date() if since else None,
                      until=until.date() if until else None, sources=source,
                      allow_outside_links=allow_outside_links)
    with _reported(warehouse), _interrupted():
        result = None if force else _backfill_without_flow(warehouse, parameters)
    if result is None:
        with _interrupted(before_run=True):
            flow = load_flow("backfill", "backfill", dask_address)
        _flow_tracebacks_to_log(warehouse)
        with _reported(warehouse), _interrupted():
            result = flow(**parameters, show_progress=sys.stderr.isatty())
    seconds = time.monotonic() - started
    typer.echo(
        f"backfill {result['run_id']} into {result['warehouse']}: {result['seen']} items seen, "
        f"{result['loaded']} loaded, {result['updated']} updated, "
        f"{result['unchanged']} unchanged, {result['skipped']} skipped, "
        f"{result['out_of_window']} out of window, {result['rejected']} rejected "
        f"in {seconds:.1f} s" + (" (nothing new: no flow run)" if result.get("planned") else "")
    )
    for reason, n in sorted(result["reasons"].items()):
        typer.echo(f"  rejected ({reason}): {n}: SELECT * FROM rejects WHERE reason = '{reason}'")
    if result["rejected"]:
        raise typer.Exit(EXIT_REJECTS)


def _backfill_without_flow(warehouse: str | None, parameters: dict) -> dict | None:
    """A backfill with nothing new to read, done without Prefect; None when there is work.

    Importing Prefect and starting, ending and reporting a flow run cost 2-5 s,
    which a no-op backfill (a cron job's usual case) should not pay:
    `plan_backfill` compares the inputs with the file ledger first, read-only,
    and when all are settled the run is recorded in `runs` like any other
    (counts, status `ok`, duration) and the command ends. A run that has work
    goes through the flow, and so shows in the Prefect UI.
    """
    from dataclasses import asdict

    from newsetl.pipeline.backfill import plan_backfill
    from newsetl.pipeline.run import record_run
    from newsetl.store.warehouse import Warehouse

    counts = plan_backfill(warehouse, parameters["paths"], reprocess=parameters["reprocess"],
                           allow_outside_links=parameters["allow_outside_links"])
    if counts is None:
        return None
    run_id = record_run(warehouse, "backfill", parameters, counts)
    return {"run_id": run_id, "warehouse": str(Warehouse(warehouse).path), "planned": True,
            **asdict(counts)}


# A shell's exit status for a command ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


@contextmanager
def _interrupted(before_run: bool = False) -> Iterator[None]:
    """Ctrl-C during a run: one line and exit status 130, not click's "Aborted!" (exit 1)
    nor a traceback. The run's `runs` row already says `interrupted` (`Session.run`), and
    the ledger makes the next run go on from the last committed batch. `before_run`:
    while Prefect loads, before any run was recorded.

    From the first Ctrl-C on, Prefect's console lines ("Crash detected!", each task
    cancelled) are held back: the user asked to stop, and the one line says what
    happened. They still reach the Prefect server's UI and logs.
    """
    import signal
    import threading

    from newsetl.pipeline.backfill import interrupt, interrupted

    def stop(signum: int, frame: Any) -> None:
        interrupt()  # in case the exception is swallowed (see `interrupt`)
        _quiet_prefect_console()
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, stop) if main_thread else None
    try:
        yield
    except Exception:
        if not interrupted():
            raise
        # what Ctrl-C interrupted said so its own way (DuckDB: "INTERRUPT Error")
        _say_interrupted(before_run)
    except KeyboardInterrupt:
        _say_interrupted(before_run)
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)


def _say_interrupted(before_run: bool = False) -> NoReturn:
    typer.echo("interrupted: nothing was run" if before_run else
               "interrupted: the run is recorded as interrupted; run again to resume", err=True)
    raise typer.Exit(EXIT_INTERRUPTED) from None


def _quiet_prefect_console() -> None:
    """Silence Prefect's console handler, if Prefect is loaded (its API handler stays)."""
    handlers = sys.modules.get("prefect.logging.handlers")
    if handlers is None:
        return
    for handler in logging.getLogger().handlers:
        if isinstance(handler, handlers.PrefectConsoleHandler):
            handler.setLevel(logging.CRITICAL + 1)


def _check_backfill_arguments(paths: list[str], since: datetime | None,
                              until: datetime | None) -> None:
    """Before Prefect starts (seconds) and before a warehouse is made: a path that does not
    exist, or an empty date window, is a typing mistake to name in one line (exit 2)."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        typer.echo(f"error: no such file or folder: {missing[0]}{more}", err=True)
        raise typer.Exit(2)
    if since and until and since > until:
        typer.echo(f"error: --since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}: "
                   "no item could match", err=True)
        raise typer.Exit(2)


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
    with _interrupted(before_run=True):
        flow = load_flow("ingest", "ingest", dask_address)
    _flow_tracebacks_to_log(warehouse)
    with _reported(warehouse), _interrupted():
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

    Uses PREFECT_API_URL, else the kept server (`newsetl server start`), else
    starts a local Prefect server on 127.0.0.1 (its UI address is printed) for
    as long as this runs. Exit status 2 when the
    sources config cannot be used (missing, invalid, no enabled source).
    """
    from newsetl.pipeline.prefect_server import ServerError
    from newsetl.web.sources import SourcesError, check_sources

    try:  # before Prefect starts: a config mistake costs a second and one line
        check_sources(sources, need_enabled=True)
        serve_sources = load_flow("serve", "serve_sources", temporary_server=False)
        serve_sources(str(sources), warehouse, limit)
    except SourcesError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except ServerError as exc:
        raise _server_failure("the Prefect server did not come up", exc) from None


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
    console = Console()
    if console.width < 120:  # nine columns do not fit: one block per source instead
        for s in config.sources:
            started, status, loaded, rejected = last.get(s.name, (None, "never", None, None))
            when = f"cron {s.schedule.cron}" if s.schedule.cron else (
                f"every {s.schedule.interval_seconds} s")
            ran = (f"{started:%Y-%m-%d %H:%M} {status}, {loaded} loaded, {rejected} rejected"
                   if started else status)
            console.print(f"{s.name} ({s.kind}, {'enabled' if s.enabled else 'disabled'}, "
                          f"{when})", markup=False, highlight=False, overflow="fold")
            for address in s.urls:
                console.print(f"  {address}", markup=False, highlight=False, overflow="fold")
            console.print(f"  last run: {ran}", markup=False, highlight=False)
        return
    table = Table("source", "kind", "schedule", "enabled", "url(s)", "last run", "status",
                  "loaded", "rejected")
    for s in config.sources:
        started, status, loaded, rejected = last.get(s.name, (None, "never", None, None))
        when = s.schedule.cron or f"every {s.schedule.interval_seconds} s"
        table.add_row(s.name, s.kind, when, "yes" if s.enabled else "no", "\n".join(s.urls),
                      started.strftime("%Y-%m-%d %H:%M") if started else "-", status,
                      str(loaded if loaded is not None else "-"),
                      str(rejected if rejected is not None else "-"))
    console.print(table)


@app.command()
def extract(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Archive files or folders (recursive): .txt, .html, .gz, .warc.gz (every "
        "record); `-` reads one page from standard input.", show_default=False)] = None,
    url: Annotated[list[str] | None, typer.Option(
        "--url", help="Fetch this page (politely: robots.txt, no private addresses) and "
        "extract it; repeatable.", show_default=False)] = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A host, address or network --url may fetch from although the "
        "address check refuses it (e.g. 127.0.0.1 for a local test server); repeatable.",
        show_default=False)] = None,
) -> None:
    """Extract each input and print one JSON object per article (no warehouse).

    A folder gives one object per file below it, a WARC file one per record.
    An input that holds no article, cannot be read or fetched, or that
    extraction fails on, prints {"source", "error", "detail"} and the others
    go on. The date field is `published_at`, as in the `articles` table.
    Exit status: 0 when every input gave an article, 1 when any did not, 2 when
    no input was given.
    """
    from newsetl.models import Reject

    if not paths and not url:
        typer.echo("error: give files or folders to extract, `-` for standard input, "
                   "or --url URL", err=True)
        raise typer.Exit(2)
    failed = total = 0
    for source, result in _extract_inputs(paths or [], url or [], tuple(allow_host or ())):
        total += 1
        if isinstance(result, Reject):
            failed += 1
            record = {"source": source, "error": result.reason, "detail": result.detail}
        else:
            from dataclasses import asdict

            record = {"source": source, **asdict(result)}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, default=_jsonable) + "\n")
        sys.stdout.flush()
    if failed:
        typer.echo(f"extract: {failed} of {total} inputs gave no article", err=True)
        raise typer.Exit(1)


def _extract_inputs(paths: list[str], urls: list[str], allow_hosts: tuple[str, ...]
                    ) -> Iterator[tuple[str, Any]]:
    """(where it came from, Article or Reject) for every item of every input, in order.

    `where` is the input as the user typed it: a file, `folder/inner/file.html`
    for a file found in a folder, `file.warc.gz#offset` for a WARC record,
    `-`, or the URL.
    """
    from newsetl.archive.files import iter_items
    from newsetl.models import Item, Reject
    from newsetl.pipeline.extract import extract_or_reject

    for arg in paths:
        if arg == "-":
            item = _stdin_item()
            yield "-", item if isinstance(item, Reject) else extract_or_reject(item)
            continue
        typed = arg.rstrip("/") or arg
        absolute = str(Path(arg).absolute())
        found = False
        for item in iter_items([arg]):
            found = True
            where = item.input if isinstance(item, Reject) else item.archive_path
            if where.startswith(absolute):
                where = typed + where[len(absolute):]
            yield where, item if isinstance(item, Reject) else extract_or_reject(item)
        if not found:  # a folder with no archive file below it
            yield arg, Reject(input=arg, reason="no-inputs", source="",
                              detail="no .txt, .html, .htm, .gz or .warc.gz file below it")
    if urls:
        from newsetl.models import media_type
        from newsetl.web.fetch import Fetcher
        from newsetl.web.sources import FetchSettings

        with Fetcher(FetchSettings(allow_hosts=allow_hosts)) as fetcher:
            for address in urls:
                fetched = fetcher.fetch(address, "page")
                if not fetched.ok or fetched.body is None:
                    yield address, Reject(input=address, reason=fetched.outcome,
                                          detail=fetched.detail, source="")
                    continue
                header = fetched.header("Content-Type")
                charset = next((v.strip().strip("\"'") for k, _, v in
                                (param.partition("=") for param in (header or "").split(";")[1:])
                                if k.strip().lower() == "charset"), None)
                yield address, extract_or_reject(Item(
                    key=fetched.final_url, data=fetched.body, archive_path=address,
                    source="web", url=fetched.final_url, fetched_at=fetched.fetched_at,
                    content_type="text/plain" if media_type(header) == "text/plain"
                    else "text/html", http_charset=charset or None))


def _stdin_item() -> Any:
    """Standard input as one page: HTML when it starts like markup, else plain text."""
    from newsetl.archive.files import MAX_ITEM_BYTES
    from newsetl.models import Item, Reject

    data = sys.stdin.buffer.read(MAX_ITEM_BYTES + 1)
    if len(data) > MAX_ITEM_BYTES:
        return Reject(input="-", reason="too-large", source="stdin", key="-",
                      detail=f"over the {MAX_ITEM_BYTES} bytes limit")
    markup = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    return Item(key="-", data=data, archive_path="-", source="stdin",
                content_type="text/html" if markup else "text/plain")


def _read_query(query: str | None, file: Path | None) -> str:
    """The SQL text: the argument, `-` for standard input, or --file (never two of them).

    No SQL at all (an empty file or standard input) is a usage mistake: one line, exit 2.
    """
    if file is not None and query is not None:
        typer.echo("error: give the SQL as an argument or with --file, not both", err=True)
        raise typer.Exit(2)
    if file is not None:
        try:
            text, where = file.read_text(encoding="utf-8"), f"--file {file}"
        except (OSError, UnicodeDecodeError) as exc:
            raise _fail(f"--file: {_describe(exc)}") from None
    elif query is None or query == "-":
        if sys.stdin.isatty():
            typer.echo("(reading SQL from standard input; end with Ctrl-D)", err=True)
        text, where = sys.stdin.read(), "standard input"
    else:
        text, where = query, "the argument"
    if not text.strip():
        typer.echo(f"error: no SQL in {where}: give a query, e.g. "
                   "newsetl sql \"SELECT count(*) FROM articles\"", err=True)
        raise typer.Exit(2)
    return text


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
        if not write and "read-only mode" in str(exc):
            hint = " (add --write to change the warehouse)"
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
        if cursor is None:  # only comments: DuckDB ran nothing
            raise _fail("the SQL holds no statement to run")
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

        console = Console(file=out, width=None if out is sys.stdout else 200)
        _print_grid(columns, rows, console)


# The table format is for reading, as in the duckdb shell: at most this many rows, and no
# value wider than this many characters (csv and json give every row and every character).
_GRID_ROWS, _GRID_CELL = 40, 32


def _cell(value: Any) -> str:
    """One value on one line, at most `_GRID_CELL` characters (cut with an ellipsis)."""
    text = "NULL" if value is None else " ".join(str(value).split("\n"))
    return text if len(text) <= _GRID_CELL else text[: _GRID_CELL - 1] + "…"


def _print_grid(columns: list[str], rows: list[tuple], console: Any) -> None:
    """A grid that fits the console: the leading columns that fit, long values cut, at most
    `_GRID_ROWS` rows (first and last halves), then one line saying what was left out.

    Squeezing every column into the width (rich's default) left 34 columns of one
    character each at 80 columns: nothing readable.
    """
    from rich import box
    from rich.table import Table

    shown_rows = rows if len(rows) <= _GRID_ROWS else (
        rows[: _GRID_ROWS // 2] + rows[-(_GRID_ROWS // 2):])
    cells = [[_cell(v) for v in row] for row in shown_rows]
    widths = [max([len(_cell(name)), *(len(r[i]) for r in cells)])
              for i, name in enumerate(columns)]
    used, keep, last_width = 0, 0, None  # each column with its padding and divider
    for width in widths:
        room = console.width - used - 3
        if keep and width > room:
            if room >= 8:  # the next column, cut to what is left, still says something
                keep, last_width = keep + 1, room
            break
        used, keep = used + width + 3, keep + 1
    table = Table(*(_cell(name) for name in columns[:keep]), box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    numbers = (int, float, Decimal)
    for i, column in enumerate(table.columns):
        column.no_wrap, column.overflow = True, "ellipsis"
        first = next((row[i] for row in shown_rows if row[i] is not None), None)
        if isinstance(first, numbers) and not isinstance(first, bool):
            column.justify = "right"
    if last_width is not None:
        table.columns[-1].max_width = last_width
    for i, row in enumerate(cells):
        if len(rows) > _GRID_ROWS and i == _GRID_ROWS // 2:
            table.add_row(*("…" for _ in range(keep)))
        table.add_row(*row[:keep])
    if columns:
        console.print(table)
    said = f"{len(rows)} row{'s' if len(rows) != 1 else ''}" + (
        f" ({_GRID_ROWS} shown)" if len(rows) > _GRID_ROWS else "")
    if keep < len(columns):
        left = columns[keep:]
        said += (f", {len(columns)} columns ({keep} shown; not shown: "
                 + ", ".join(left[:6]) + (", ..." if len(left) > 6 else "") + ")")
    console.print(said, markup=False, highlight=False)
    if len(rows) > _GRID_ROWS or keep < len(columns):
        console.print("(--format csv or json gives every row and column)", markup=False,
                      highlight=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to look for in titles and bodies.")],
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Only articles published on or after.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 10,
    warehouse: WarehouseOpt = None,
    sql_query: Annotated[str | None, typer.Option(
        "--sql", help="Run this SQL with the hits as a table `hits` (article_id, score, rank), "
        "e.g. \"SELECT rank, title FROM hits JOIN articles USING (article_id) ORDER BY rank\"."
        )] = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="With --sql: table, csv or json (one object a line).")] = "table",
) -> None:
    """Full-text search (BM25) over titles and bodies."""
    from newsetl.store.search import hits_table, index_is_stale
    from newsetl.store.search import search as run_search

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("--format is one of table, csv, json")
    with _opened(warehouse) as con:
        if sql_query is not None:
            con.register("hits", hits_table(con, query, since=since.date() if since else None,
                                            source=source, limit=limit))
            cursor = con.execute(sql_query)
            if cursor is None or cursor.description is None:
                raise _fail("the SQL gave no result to show")
            _print_rows([d[0] for d in cursor.description], cursor.fetchall(), fmt,
                        sys.stdout)
            return
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
    """Rebuild the whole full-text search index (repair: runs update it incrementally)."""
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
        "--output", "-o", help="HTML file to write \\[default: report.html beside the "
        "warehouse].", show_default=False)] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write an HTML report: articles over time per source, languages, people, places,
    organisations, the most quoted, runs and rejects over time."""
    from newsetl.store.report import render_report
    from newsetl.store.warehouse import Warehouse

    output = output or Warehouse(warehouse).report_file
    _refuse_warehouse_output(output, warehouse)
    with _opened(warehouse) as con:
        html = render_report(con, warehouse_path=Warehouse(warehouse).path)
    with _reported(warehouse):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(html, encoding="utf-8")
    typer.echo(f"report written to {output}")


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """The warehouse at a glance: last runs, rows per table, the last run's rejects, schema
    version, size on disk, search index freshness, and the Prefect server flows would use."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from newsetl.store.status import warehouse_status
    from newsetl.store.warehouse import Warehouse

    where = Warehouse(warehouse)
    with _opened(warehouse) as con:
        state = warehouse_status(con)
    console = Console()
    files = (where.path, where.path.with_name(where.path.name + ".wal"))
    size = sum(p.stat().st_size for p in files if p.exists())
    console.print(f"[bold]{where.path}[/]  {size / 1e6:.1f} MB, schema version "
                  f"{state.schema_version}, search index "
                  + ("up to date" if state.index_fresh else
                     "[yellow]out of date[/] (newsetl index)"), highlight=False)
    console.print(f"Prefect: {_prefect_in_use()}", highlight=False)
    runs = Table(title="last runs", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                 collapse_padding=True)
    for name in ("started UTC", "flow", "source", "status", "time"):
        runs.add_column(name, no_wrap=True)
    for name in ("seen", "new", "upd", "skip", "rej"):
        runs.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for run in state.runs:
        runs.add_row(run.started_at.strftime("%m-%d %H:%M"), run.flow, run.source or "-",
                     run.status, "-" if run.seconds is None else f"{run.seconds:.0f}s",
                     *("-" if n is None else str(n) for n in (run.seen, run.loaded, run.updated,
                                                                run.skipped, run.rejected)))
    console.print(runs if state.runs else "no runs yet")
    rows = Table("table", title="rows per table", title_justify="left", box=box.SIMPLE_HEAD)
    rows.add_column("rows", justify="right")
    for name, n in state.rows.items():
        rows.add_row(name, f"{n:,}")
    console.print(rows)
    if state.last_run_rejects:
        console.print("rejects of the last run: " + ", ".join(
            f"{reason} {n}" for reason, n in state.last_run_rejects.items()), highlight=False)


def _prefect_in_use() -> str:
    """Which Prefect server a flow command would use now."""
    from newsetl.pipeline.prefect_server import prefect_home, running

    if os.environ.get("PREFECT_API_URL"):
        return f"{os.environ['PREFECT_API_URL']} (PREFECT_API_URL)"
    server = running(prefect_home())
    if server is not None:
        return f"kept server {server.url} (newsetl server start)"
    return "a temporary server per flow command (`newsetl server start` keeps one)"


server_app = typer.Typer(
    help="A kept local Prefect server (127.0.0.1) that flow commands use while it runs: "
    "no start-up per command, runs and logs kept in its UI.", no_args_is_help=True)
app.add_typer(server_app, name="server")


def _describe_server(server: Any) -> None:
    typer.echo(f"PREFECT_API_URL={server.api_url}")
    typer.echo(f"UI: {server.url}  (pid {server.pid}, log {server.log})")


@server_app.command("start")
def server_start() -> None:
    """Start the server in the background (or say where it already runs)."""
    from newsetl.pipeline.prefect_server import ServerError, prefect_home, start_kept

    home = prefect_home()
    try:
        server, started = start_kept(home)
    except ServerError as exc:
        raise _fail(f"the Prefect server did not start: {str(exc).splitlines()[0]} "
                    f"(see {home / 'server.log'})") from None
    typer.echo("started" if started else "already running")
    _describe_server(server)
    typer.echo("Flow commands (backfill, ingest, serve) use it until `newsetl server stop`.")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the kept server; flow commands go back to a temporary one."""
    from newsetl.pipeline.prefect_server import prefect_home, stop_kept

    server = stop_kept(prefect_home())
    typer.echo("no kept Prefect server was running" if server is None
               else f"stopped the Prefect server (pid {server.pid}, port {server.port})")


@server_app.command("status")
def server_status() -> None:
    """Say whether the kept server runs, and where. Exit status 1 when it does not."""
    from newsetl.pipeline.prefect_server import prefect_home, running

    server = running(prefect_home())
    if server is None:
        typer.echo(f"not running (state in {prefect_home()}); flow commands start a "
                   "temporary server each time")
        raise typer.Exit(1)
    typer.echo("running")
    _describe_server(server)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
