"""The backfill flow: archive folders into the warehouse.

Thin orchestration over `newsetl.pipeline`: list the inputs, hand them to a
task in coarse batches of files (each task costs Prefect milliseconds, so
never one task per article), retry a batch that failed (the ledger makes a
retry redo only what did not commit), and record the run in `runs`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.archive import list_inputs
from newsetl.extract import EXTRACTOR_VERSION
from newsetl.pipeline import Window, backfill_files, chunks
from newsetl.progress import progress_bar
from newsetl.search import refresh_index
from newsetl.warehouse import (
    Counts,
    connect,
    exclusive_run,
    finish_run,
    ledger_paths,
    new_run_id,
    start_run,
    warehouse_path,
)


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def load_files(warehouse: str, files: list[str], run_id: str, batch_size: int, force: bool,
               window: Window) -> dict:
    """Extract and load one batch of archive files; returns its counts."""
    logger = get_run_logger()

    def report(counts: Counts) -> None:
        logger.info("batch: %d seen, %d new, %d updated, %d unchanged, %d skipped, "
                    "%d out of window, %d rejected", counts.seen, counts.loaded, counts.updated,
                    counts.unchanged, counts.skipped, counts.out_of_window, counts.rejected)

    return asdict(backfill_files(warehouse, files, run_id, batch_size=batch_size, force=force,
                                 window=window, on_batch=report))


@flow(name="backfill")
def backfill(paths: list[str], warehouse: str | None = None, batch_size: int = 200,
             files_per_task: int = 200, force: bool = False, reprocess: bool = False,
             since: date | None = None, until: date | None = None,
             sources: list[str] | None = None, show_progress: bool = False) -> dict:
    """Load every article under `paths` (and, with `reprocess`, every input the
    warehouse already knows); returns the run's counts and id."""
    logger = get_run_logger()
    target = str(warehouse_path(warehouse))
    window = Window(since=since, until=until, sources=frozenset(sources or ()))
    parameters = {"paths": paths, "batch_size": batch_size, "force": force,
                  "reprocess": reprocess, "since": since, "until": until, "sources": sources}
    with exclusive_run(target):
        with connect(target) as con:
            known = ledger_paths(con) if reprocess else []
            run_id = new_run_id()
            start_run(con, run_id, "backfill", parameters, EXTRACTOR_VERSION)
        files = [str(p) for p in list_inputs([*paths, *known])]
        files = list(dict.fromkeys(files))  # a file named twice is read once
        logger.info("run %s: %d input files into %s", run_id, len(files), target)
        total, status = Counts(), "failed"
        try:
            with progress_bar(len(files), show_progress) as advance:
                for group in chunks(files, files_per_task):
                    counts = Counts(**load_files(target, group, run_id, batch_size, force,
                                                 window))
                    total.add(counts)
                    advance(len(group), counts)
                    logger.info("progress: %d items seen, %d rejected so far",
                                total.seen, total.rejected)
            status = "ok"
        finally:
            with connect(target) as con:
                if status == "ok":
                    refresh_index(con)
                finish_run(con, run_id, total, status)
    return {"run_id": run_id, "warehouse": target, **asdict(total)}
