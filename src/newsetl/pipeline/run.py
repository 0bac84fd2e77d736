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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from newsetl.pipeline.backfill import stop_extraction_pool
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.pipeline.failpoints import failpoint
from newsetl.store.search import index_is_stale, refresh_index
from newsetl.store.warehouse import Counts, Warehouse, finish_run, new_run_id, start_run


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
        `interrupted` when it is stopped (Ctrl-C, SIGTERM turned into an exception).

        The counts are written whatever happens, so a failed run still says
        what its committed batches did.
        """
        run = Run(new_run_id())
        with self.warehouse.connect() as con:
            start_run(con, run.run_id, flow, parameters, EXTRACTOR_VERSION, source=source)
        status = "failed"
        try:
            yield run
            status = "ok"
        except (KeyboardInterrupt, SystemExit):
            status = "interrupted"
            raise
        finally:
            self.changed |= bool(run.counts.loaded or run.counts.updated)
            with self.warehouse.connect() as con:
                finish_run(con, run.run_id, run.counts, status)


@contextmanager
def writing(warehouse: str | os.PathLike[str] | Warehouse | None) -> Iterator[Session]:
    """Hold the warehouse's run lock for a flow; stop the extraction processes and
    refresh the search index (when an article changed, or it is stale) on the way out.

    The index is refreshed only when the work ended normally: after a
    failure the next run finds it stale and rebuilds it.
    """
    session = Session(warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse))
    with session.warehouse.exclusive_run():
        ok = False
        try:
            yield session
            ok = True
        finally:
            # The rebuild needs memory in proportion to the warehouse: idle extraction
            # processes should not hold theirs meanwhile.
            stop_extraction_pool()
            if ok:
                failpoint("index-refresh")
                with session.warehouse.connect() as con:
                    if session.changed or index_is_stale(con):
                        refresh_index(con)
