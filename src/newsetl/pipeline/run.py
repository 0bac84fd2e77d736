"""The run lifecycle every writing flow shares: lock, record, work, clean up.

    with writing(warehouse) as session:              # the run lock, for the whole flow
        with session.run("backfill", parameters) as run:  # a `runs` row: running -> ok | failed
            run.counts.add(...)                      # the work; counts land in the row
    # on leaving: extraction processes stopped, search index refreshed if anything changed

A backfill is one recorded run; an ingest is one per source inside one
session, so its index is refreshed once, after every source. Flows call
only this; nothing here imports Prefect.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from newsetl.pipeline.backfill import interrupted, stop_extraction_pool
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.pipeline.failpoints import failpoint
from newsetl.store.search import index_is_stale, refresh_index, update_index
from newsetl.store.warehouse import (
    Counts,
    Warehouse,
    WarehouseMissing,
    finish_run,
    new_run_id,
    start_run,
)


class Terminated(SystemExit):
    """A writing run stopped by SIGTERM (`systemctl stop`, `docker stop`, `kill`).

    Raised in the main thread by the handler `writing` installs, so the run
    unwinds like a Ctrl-C: the batch in flight rolls back, the `runs` row
    says `interrupted` with the counts of the batches that committed, and
    the process exits with 128 + the signal number, as a shell reports it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@dataclass
class Run:
    """One recorded run: its id, and the counts the work adds to."""

    run_id: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Session:
    """A flow's hold on the warehouse: what its runs changed decides the index refresh."""

    warehouse: Warehouse
    changed: bool = False  # some run loaded or updated an article

    @contextmanager
    def run(self, flow: str, parameters: dict, source: str | None = None) -> Iterator[Run]:
        """Record a run in `runs`: `ok` when the block ends, `failed` when it raises,
        `interrupted` when it is stopped (Ctrl-C, SIGTERM, or any other exception that
        is not an error, such as a Prefect cancellation).

        The counts go into the row as each batch commits (`load_batch`) and
        once more here, so a failed or killed run still says what its
        committed batches did. When this last write fails, the error of the
        work (if any) is the one raised, and the row stays `running` until
        the next run marks it `interrupted`.
        """
        run = Run(new_run_id())
        with self.warehouse.connect() as con:
            start_run(con, run.run_id, flow, parameters, EXTRACTOR_VERSION, source=source)
        status = "failed"
        try:
            yield run
            status = "ok"
        except BaseException as exc:
            # An error that Ctrl-C caused (DuckDB's "INTERRUPT Error") is an interruption.
            status = ("failed" if isinstance(exc, Exception) and not interrupted()
                      else "interrupted")
            raise
        finally:
            self.changed |= bool(run.counts.loaded or run.counts.updated)
            try:
                with self.warehouse.connect() as con:
                    finish_run(con, run.run_id, run.counts, status)
            except Exception as exc:
                if status == "ok":
                    raise
                print(f"newsetl: could not record the end of run {run.run_id} ({exc}); "
                      "the next run will mark it interrupted", file=sys.stderr)


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises `Terminated` in the main thread.

    Without it SIGTERM ends the process where it stands (or, inside a Prefect
    flow, raises Prefect's own signal exception, which a run recorded as
    `failed`). The first signal raises; the handler that was there before is
    put back at once, so a second SIGTERM acts as it did before, and on leaving.
    Outside the main thread (where Python cannot install handlers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, previous)
        raise Terminated(signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def writing(warehouse: str | os.PathLike[str] | Warehouse | None) -> Iterator[Session]:
    """Hold the warehouse's run lock for a flow; stop the extraction processes and
    bring the search index up to date (when an article changed, or it is stale) on the way out.

    The index is updated only when the work ended normally: after a failure
    the articles its loads queued (`newsetl.store.search`) are still queued,
    and the next writing run (or `newsetl index`) applies exactly those.
    """
    session = Session(warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse))
    with _sigterm_raises(), session.warehouse.exclusive_run():
        ok = False
        try:
            yield session
            ok = True
        finally:
            # The rebuild needs memory in proportion to the warehouse: idle extraction
            # processes should not hold theirs meanwhile.
            stop_extraction_pool(abandon=not ok)
            if ok:
                failpoint("index-refresh")
                with session.warehouse.connect() as con:
                    if session.changed or index_is_stale(con):
                        # The queued articles only (newsetl.store.search).
                        update_index(con, lambda: failpoint("index-committed"))


def record_run(warehouse: str | os.PathLike[str] | Warehouse | None, flow: str,
               parameters: dict, counts: Counts) -> str:
    """Record a run that had nothing to do (`plan_backfill`) as `ok`; returns its run id.

    The same row as a run of the flow (its parameters, counts, start and end),
    taken under the run lock like any run, so `status`, `report` and the next
    run's repair of `running` rows see no difference; only no Prefect flow
    run was started for it.
    """
    warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    run_id = new_run_id()
    with _sigterm_raises(), warehouse.exclusive_run(), warehouse.connect() as con:
        start_run(con, run_id, flow, parameters, EXTRACTOR_VERSION)
        finish_run(con, run_id, counts, "ok")
    return run_id


def rebuild_index(warehouse: str | os.PathLike[str] | Warehouse | None) -> None:
    """Rebuild the whole search index now, under the run lock (`newsetl index`): the
    repair for an index that lost track (rows deleted by hand, a restored backup).
    Runs never do this; they apply the articles their loads queued (`update_index`)."""
    warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    if not warehouse.exists():
        raise WarehouseMissing(f"no warehouse at {warehouse.path}: run `newsetl backfill` first")
    with _sigterm_raises(), warehouse.exclusive_run(), warehouse.connect() as con:
        refresh_index(con)
