"""The backfill flow: archive folders into the warehouse.

Thin orchestration over `newsetl.pipeline.backfill.backfill_files`: groups of files
are extracted by a Prefect task (coarse: each task costs Prefect
milliseconds, so never one task per article), on threads here or on a Dask
cluster (`newsetl.pipeline.runners`), retried when they fail (the ledger makes a
retry redo only what did not commit), and loaded by this process, the one
writer. The lifecycle (run lock, the `runs` row, index refresh) is
`newsetl.pipeline.run`'s.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from newsetl.archive.files import list_inputs
from newsetl.pipeline.backfill import (
    ExtractOptions,
    Window,
    backfill_files,
    extract_group,
    retry_unless_stopping,
)
from newsetl.pipeline.progress import progress_bar
from newsetl.pipeline.run import writing
from newsetl.pipeline.runners import extraction_workers, groups_in_flight, task_runner
from newsetl.store.warehouse import Counts, connect, ledger_paths

extract = task(extract_group, name="extract", retries=2, retry_delay_seconds=2,
               retry_condition_fn=retry_unless_stopping, cache_policy=NO_CACHE)


@flow(name="backfill", task_runner=task_runner())
def backfill(paths: list[str], warehouse: str | None = None, batch_size: int = 200,
             files_per_task: int = 200, workers: int | None = None,
             in_flight: int | None = None, force: bool = False,
             reprocess: bool = False, since: date | None = None, until: date | None = None,
             sources: list[str] | None = None, allow_outside_links: bool = False,
             show_progress: bool = False) -> dict:
    """Load every article under `paths` (and, with `reprocess`, every input the
    warehouse already knows); returns the run's counts and id.

    `workers`: extraction processes per task (default: one per core; 1 on Dask).
    `allow_outside_links`: follow symlinks that lead out of the archive.
    `in_flight`: groups of files extracted at once (see `runners.groups_in_flight`).
    """
    logger = get_run_logger()
    context = FlowRunContext.get()
    runner = context.task_runner  # threads, or Dask (newsetl.pipeline.runners)
    parameters = {k: v for k, v in context.parameters.items() if k != "show_progress"}
    options = ExtractOptions(batch_size=batch_size, workers=extraction_workers(workers, runner),
                             window=Window(since=since, until=until,
                                           sources=frozenset(sources or ())),
                             allow_outside_links=allow_outside_links)
    with writing(warehouse) as session, session.run("backfill", parameters) as run:
        if reprocess:
            with connect(session.warehouse) as con:
                paths = [*paths, *ledger_paths(con)]
        files = [str(p) for p in
                 list_inputs(paths, allow_outside_links=allow_outside_links)]
        logger.info("run %s: %d input files into %s, %d extraction processes per task",
                    run.run_id, len(files), session.warehouse.path, options.workers)
        with progress_bar(len(files), show_progress) as advance:

            def report(counts: Counts, files_done: int) -> None:
                advance(files_done, counts)
                logger.info("batch: %d seen, %d new, %d updated, %d unchanged, "
                            "%d skipped, %d out of window, %d rejected", counts.seen,
                            counts.loaded, counts.updated, counts.unchanged, counts.skipped,
                            counts.out_of_window, counts.rejected)

            backfill_files(session.warehouse, files, run.run_id, options, force=force,
                           files_per_task=files_per_task,
                           in_flight=groups_in_flight(in_flight, runner),
                           submit=extract.submit, on_batch=report, counts=run.counts)
    return {"run_id": run.run_id, "warehouse": str(session.warehouse.path), **asdict(run.counts)}
