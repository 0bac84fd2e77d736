"""The backfill flow: archive folders into the warehouse.

Thin orchestration over `newsetl.pipeline`: list the inputs, hand them to a
task in coarse batches of files (each task costs Prefect milliseconds, so
never one task per article), retry a batch that failed (the ledger makes a
retry redo only what did not commit), and record the run in `runs`.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.archive import list_inputs
from newsetl.extract import EXTRACTOR_VERSION
from newsetl.pipeline import backfill_files, chunks
from newsetl.warehouse import Counts, connect, finish_run, new_run_id, start_run, warehouse_path


@task(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def load_files(warehouse: str, files: list[str], run_id: str, batch_size: int,
               force: bool) -> dict:
    """Extract and load one batch of archive files; returns its counts."""
    logger = get_run_logger()

    def report(counts: Counts) -> None:
        logger.info("batch: %d seen, %d new, %d updated, %d unchanged, %d skipped, %d rejected",
                    counts.seen, counts.loaded, counts.updated, counts.unchanged,
                    counts.skipped, counts.rejected)

    return asdict(backfill_files(warehouse, files, run_id, batch_size=batch_size, force=force,
                                 on_batch=report))


@flow(name="backfill")
def backfill(paths: list[str], warehouse: str | None = None, batch_size: int = 200,
             files_per_task: int = 1000, force: bool = False) -> dict:
    """Load every article under `paths`; returns the run's counts and id."""
    logger = get_run_logger()
    target = str(warehouse_path(warehouse))
    files = [str(p) for p in list_inputs(paths)]
    run_id = new_run_id()
    parameters = {"paths": paths, "batch_size": batch_size, "force": force}
    with connect(target) as con:
        start_run(con, run_id, "backfill", parameters, EXTRACTOR_VERSION)
    logger.info("run %s: %d input files into %s", run_id, len(files), target)
    total, status = Counts(), "failed"
    try:
        for done, group in enumerate(chunks(files, files_per_task), start=1):
            total.add(Counts(**load_files(target, group, run_id, batch_size, force)))
            logger.info("progress: %d/%d files", min(done * files_per_task, len(files)),
                        len(files))
        status = "ok"
    finally:
        with connect(target) as con:
            finish_run(con, run_id, total, status)
    return {"run_id": run_id, "warehouse": target, **asdict(total)}
