"""The ingest flow: configured web sources into the archive and the warehouse.

Thin orchestration over `newsetl.pipeline.ingest` and `newsetl.pipeline.backfill`: per source,
one task fetches and archives (a whole source is one coarse unit: its
politeness state lives in one fetcher), then its WARC file is extracted by
the same task as a backfill's, on threads here or on a Dask cluster
(`newsetl.pipeline.runners`), and loaded by this process. Each source is its own row
in `runs`, so counts are per source. The run lock makes an overlapping run
wait, then fail clearly, instead of interleaving.
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
    stop_extraction_pool,
)
from newsetl.pipeline.extract import EXTRACTOR_VERSION
from newsetl.pipeline.ingest import Fetched, fetch_source
from newsetl.pipeline.progress import progress_bar
from newsetl.pipeline.runners import extraction_workers, groups_in_flight, task_runner
from newsetl.store.search import index_is_stale, refresh_index
from newsetl.store.warehouse import (
    Counts,
    connect,
    exclusive_run,
    finish_run,
    new_run_id,
    start_run,
    warehouse_path,
)
from newsetl.web.sources import load_sources

extract = task(extract_group, name="extract", retries=2, retry_delay_seconds=2,
               cache_policy=NO_CACHE)


@task(cache_policy=NO_CACHE)
def fetch(warehouse: str, sources_file: str, name: str, run_id: str) -> Fetched:
    """Discover, fetch and archive one source's new pages."""
    config = load_sources(sources_file)
    source = next(s for s in config.sources if s.name == name)
    return fetch_source(warehouse, config, source, run_id)


def ingest_one(warehouse: str, sources_file: str, name: str, options: ExtractOptions,
               in_flight: int) -> Counts:
    """One source, recorded as its own run: fetch, then extract and load its WARC."""
    run_id = new_run_id()
    with connect(warehouse) as con:
        start_run(con, run_id, "ingest", {"sources_file": sources_file, "source": name},
                  EXTRACTOR_VERSION, source=name)
    counts, status = Counts(), "failed"
    try:
        fetched = fetch(warehouse, sources_file, name, run_id)
        counts = fetched.counts
        counts.add(backfill_files(warehouse, [fetched.warc_file], run_id, options,
                                  in_flight=in_flight, submit=extract.submit))
        status = "ok"
    finally:
        with connect(warehouse) as con:
            finish_run(con, run_id, counts, status)
    return counts


@flow(name="ingest", task_runner=task_runner())
def ingest(sources_file: str = "sources.toml", source: str | None = None,
           warehouse: str | None = None, workers: int | None = None,
           in_flight: int | None = None, show_progress: bool = False) -> dict:
    """Ingest one named source, or every enabled one; returns counts per source.

    `workers`: extraction processes per task (default: one per core; 1 on Dask).
    `in_flight`: groups of files extracted at once (see `runners.groups_in_flight`).
    """
    logger = get_run_logger()
    runner = FlowRunContext.get().task_runner  # threads, or Dask (newsetl.pipeline.runners)
    target = str(warehouse_path(warehouse))
    options = ExtractOptions(workers=extraction_workers(workers, runner))
    config = load_sources(sources_file)
    names = [s.name for s in config.sources if (s.name == source if source else s.enabled)]
    if source and not names:
        raise ValueError(f"{sources_file}: no source named {source!r}")
    groups = groups_in_flight(in_flight, runner)
    results: dict[str, dict] = {}
    with exclusive_run(target), progress_bar(len(names), show_progress, "ingest",
                                             "sources") as advance:
        for name in names:
            try:
                counts = ingest_one(target, sources_file, name, options, groups)
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
            results[name] = asdict(counts)
            advance(1, counts)
        stop_extraction_pool()
        with connect(target) as con:
            if any(r.get("loaded") or r.get("updated") for r in results.values()) or (
                    index_is_stale(con)):
                refresh_index(con)  # a rebuild: skipped when no article changed
    return results
