"""The ingest flow: configured web sources into the archive and the warehouse.

Thin orchestration over `newsetl.pipeline`: per source, one task fetches and
archives (a whole source is one coarse unit: its politeness state lives in
one fetcher), then its WARC files are extracted by the same task as a
backfill's, on threads here or on a Dask cluster (`newsetl.pipeline.runners`),
and loaded by this process. Each source is its own row in `runs`, so counts
are per source; the lifecycle (run lock, run records, index refresh) is
`newsetl.pipeline.run`'s.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from newsetl.pipeline.backfill import (
    ExtractOptions,
    backfill_files,
    extract_group,
    retry_unless_stopping,
)
from newsetl.pipeline.ingest import Fetched, fetch_source, pages_to_load
from newsetl.pipeline.progress import progress_bar
from newsetl.pipeline.run import Session, writing
from newsetl.pipeline.runners import extraction_workers, groups_in_flight, task_runner
from newsetl.store.warehouse import Counts, Warehouse
from newsetl.web.sources import load_sources

extract = task(extract_group, name="extract", retries=2, retry_delay_seconds=2,
               retry_condition_fn=retry_unless_stopping, cache_policy=NO_CACHE)


@task(cache_policy=NO_CACHE)
def fetch(warehouse: Warehouse, sources_file: str, name: str, run_id: str) -> Fetched:
    """Discover, fetch and archive one source's new pages."""
    config = load_sources(sources_file)
    source = next(s for s in config.sources if s.name == name)
    return fetch_source(warehouse, config, source, run_id)


def ingest_one(session: Session, sources_file: str, name: str, parameters: dict,
               options: ExtractOptions, in_flight: int) -> tuple[str, Counts]:
    """One source, recorded as its own run: fetch, then extract and load its WARC files
    (this run's, and any whose load an earlier, killed run did not finish)."""
    with session.run("ingest", {**parameters, "source": name}, source=name) as run:
        fetched = fetch(session.warehouse, sources_file, name, run.run_id)
        run.counts.add(fetched.counts)
        backfill_files(session.warehouse, pages_to_load(session.warehouse, name, fetched),
                       run.run_id, options, in_flight=in_flight, submit=extract.submit,
                       counts=run.counts)
    return run.run_id, run.counts


@flow(name="ingest", task_runner=task_runner())
def ingest(sources_file: str = "sources.toml", source: str | None = None,
           warehouse: str | None = None, workers: int | None = None,
           in_flight: int | None = None, batch_size: int = 200,
           show_progress: bool = False) -> dict:
    """Ingest one named source, or every enabled one; returns run id and counts per source.

    `workers`: extraction processes per task (default: one per core; 1 on Dask).
    `in_flight`: groups of files extracted at once (see `runners.groups_in_flight`).
    `batch_size`: articles per load transaction.
    """
    logger = get_run_logger()
    context = FlowRunContext.get()
    runner = context.task_runner  # threads, or Dask (newsetl.pipeline.runners)
    parameters = {k: v for k, v in context.parameters.items() if k != "show_progress"}
    options = ExtractOptions(batch_size=batch_size, workers=extraction_workers(workers, runner))
    config = load_sources(sources_file)
    names = [s.name for s in config.sources if (s.name == source if source else s.enabled)]
    if source and not names:
        raise ValueError(f"{sources_file}: no source named {source!r}")
    groups = groups_in_flight(in_flight, runner)
    results: dict[str, dict] = {}
    with writing(warehouse) as session, progress_bar(len(names), show_progress, "ingest",
                                                     "sources") as advance:
        for name in names:
            try:
                run_id, counts = ingest_one(session, sources_file, name, parameters, options,
                                            groups)
            except Exception as exc:
                if source:  # a run of one source (a scheduled deployment) fails visibly
                    raise
                logger.error("source %s failed: %s", name, exc)  # the others go on
                results[name] = {"error": str(exc)}
                advance(1, Counts())
                continue
            logger.info("source %s: %d seen, %d new, %d updated, %d skipped, %d rejected %s",
                        name, counts.seen, counts.loaded, counts.updated, counts.skipped,
                        counts.rejected, counts.reasons or "")
            results[name] = {"run_id": run_id, **asdict(counts)}
            advance(1, counts)
    return results
