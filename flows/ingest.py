"""The ingest flow: configured web sources into the archive and the warehouse.

Thin orchestration over `newsetl.ingest`: one task per source (a whole
source is one coarse unit: its politeness state lives in one fetcher), each
recorded as its own row in `runs` so counts are per source. The run lock
makes an overlapping run wait, then fail clearly, instead of interleaving.
"""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.extract import EXTRACTOR_VERSION
from newsetl.ingest import ingest_source
from newsetl.progress import progress_bar
from newsetl.search import refresh_index
from newsetl.sources import load_sources
from newsetl.warehouse import (
    Counts,
    connect,
    exclusive_run,
    finish_run,
    new_run_id,
    start_run,
    warehouse_path,
)


@task(cache_policy=NO_CACHE)
def ingest_one(warehouse: str, sources_file: str, name: str) -> dict:
    """Discover, fetch, archive and load one source; returns its counts."""
    logger = get_run_logger()
    config = load_sources(sources_file)
    source = next(s for s in config.sources if s.name == name)
    run_id = new_run_id()
    with connect(warehouse) as con:
        start_run(con, run_id, "ingest", {"sources_file": sources_file, "source": name},
                  EXTRACTOR_VERSION, source=name)
    counts, status = Counts(), "failed"
    try:
        counts = ingest_source(warehouse, config, source, run_id)
        status = "ok"
    finally:
        with connect(warehouse) as con:
            finish_run(con, run_id, counts, status)
    logger.info("source %s: %d seen, %d new, %d updated, %d skipped, %d rejected %s",
                name, counts.seen, counts.loaded, counts.updated, counts.skipped,
                counts.rejected, counts.reasons or "")
    return {"run_id": run_id, **asdict(counts)}


@flow(name="ingest")
def ingest(sources_file: str = "sources.toml", source: str | None = None,
           warehouse: str | None = None, show_progress: bool = False) -> dict:
    """Ingest one named source, or every enabled one; returns counts per source."""
    logger = get_run_logger()
    target = str(warehouse_path(warehouse))
    config = load_sources(sources_file)
    names = [s.name for s in config.sources if (s.name == source if source else s.enabled)]
    if source and not names:
        raise ValueError(f"{sources_file}: no source named {source!r}")
    results: dict[str, dict] = {}
    with exclusive_run(target), progress_bar(len(names), show_progress, "ingest",
                                             "sources") as advance:
        for name in names:
            try:
                results[name] = ingest_one(target, sources_file, name)
                advance(1, Counts(**{k: v for k, v in results[name].items() if k != "run_id"}))
            except Exception as exc:
                if source:  # a run of one source (a scheduled deployment) fails visibly
                    raise
                logger.error("source %s failed: %s", name, exc)  # the others go on
                results[name] = {"error": str(exc)}
                advance(1, Counts())
        with connect(target) as con:
            refresh_index(con)
    return results
