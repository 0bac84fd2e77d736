"""Run the ingest flow on every enabled source's schedule: `newsetl serve`.

One Prefect deployment per enabled source, all served by this process
(`prefect.serve`), so no work pool or worker is needed. Prefect schedules
nothing on its temporary (ephemeral) server, so we use a real one: the one
`PREFECT_API_URL` names; else the kept server of `newsetl server start` when it
runs; else one started here (`newsetl.pipeline.prefect_server.local_server`), on
127.0.0.1 and a free port, stopped whenever serving ends: Ctrl-C, SIGTERM or an
error.

The parts that need no Prefect server (ports, the server command, the health
wait, schedules as keyword arguments) are plain functions, tested as such.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.events.worker import EventsWorker
from prefect.flows import load_flow_from_entrypoint
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL, temporary_settings

from newsetl.pipeline.prefect_server import (  # noqa: F401 - re-exported: tests, callers
    HOST,
    ServerError,
    free_port,
    kept_api_url,
    local_server,
    prefect_home,
    server_command,
    server_environment,
    wait_for_health,
)
from newsetl.web.sources import Schedule, SourcesConfig, SourcesError, load_sources

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INGEST_ENTRYPOINT = f"{PROJECT_ROOT / 'flows' / 'ingest.py'}:ingest"
FLUSH_TIMEOUT = 5.0  # seconds for queued logs and events to reach the server at shutdown


def schedule_kwargs(schedule: Schedule) -> dict[str, Any]:
    """A source's schedule as the `cron=` or `interval=` argument of `to_deployment`."""
    if schedule.cron is not None:
        return {"cron": schedule.cron}
    if schedule.interval_seconds is None:
        raise ValueError("a schedule needs a cron string or an interval")
    return {"interval": timedelta(seconds=schedule.interval_seconds)}


def deployment_specs(config: SourcesConfig, sources_file: str,
                     warehouse: str | None) -> list[dict[str, Any]]:
    """`to_deployment` keyword arguments for each enabled source; disabled ones get none.

    Paths are made absolute because flow runs may start in another directory
    (a worker's, or a pulled copy of the project).
    """
    sources_path = str(Path(sources_file).resolve())
    warehouse_path = None if warehouse is None else str(Path(warehouse).resolve())
    return [
        {
            "name": f"ingest-{source.name}",
            "parameters": {"sources_file": sources_path, "source": source.name,
                           "warehouse": warehouse_path},
            "tags": ["newsetl", "ingest"],
            **schedule_kwargs(source.schedule),
        }
        for source in config.sources
        if source.enabled
    ]


def build_deployments(flow: Flow[..., Any], config: SourcesConfig, sources_file: str,
                      warehouse: str | None) -> list[RunnerDeployment]:
    """One deployment of `flow` per enabled source.

    At most one run per source at a time: a tick that comes while the previous
    run of that source is still going is cancelled rather than queued, so a
    slow site never builds a backlog of crawls.
    """
    one_at_a_time = ConcurrencyLimitConfig(
        limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
    return [flow.to_deployment(**spec, concurrency_limit=one_at_a_time)
            for spec in deployment_specs(config, sources_file, warehouse)]


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so `finally` blocks (stopping the server) run.

    Prefect's runner installs its own graceful handler while it serves; this
    covers the seconds before (server start-up) and after.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_deployments(deployments: list[RunnerDeployment], limit: int,
                      home: Path | None = None) -> None:
    """Serve `deployments` until stopped, at most `limit` flow runs at a time.

    Against `PREFECT_API_URL` when set; else against the kept server of `home`
    (default: $PREFECT_HOME, else the project's `.prefect/`) when one runs
    (`newsetl server start`); else against a server started here for as long
    as this serves.
    """
    home = home or prefect_home()
    api_url = PREFECT_API_URL.value() or kept_api_url(home)
    if api_url:
        print(f"newsetl: serving on the Prefect server at {api_url.removesuffix('/api')} "
              "(UI: flow runs, deployments, logs)", flush=True)
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            try:
                serve(*deployments, limit=limit)
            finally:
                _flush_to_server()
        return
    with (_sigterm_exits(), local_server(home) as api_url,
          # Prefect read its settings when imported, so setting the environment
          # now would not reach it; the runner passes this on to its flow runs.
          temporary_settings(updates={PREFECT_API_URL: api_url})):
        try:
            serve(*deployments, limit=limit)
        finally:
            _flush_to_server()  # before `local_server` stops the server


def _flush_to_server() -> None:
    """Send the runner's queued logs and events while our server still answers.

    Left to interpreter exit, they would be sent after the server is gone, and
    Prefect 3.9 can then wait on them forever (seen when SIGTERM cut a starting
    flow run short).
    """
    APILogWorker.drain_all(timeout=FLUSH_TIMEOUT)
    EventsWorker.drain_all(timeout=FLUSH_TIMEOUT)


def serve_sources(sources_file: str, warehouse: str | None, limit: int) -> None:
    """Serve the ingest flow for every enabled source of `sources_file` until stopped."""
    config = load_sources(sources_file)
    if not any(source.enabled for source in config.sources):
        raise SourcesError(sources_file, None, None, "no enabled source to schedule")
    ingest = load_flow_from_entrypoint(INGEST_ENTRYPOINT)
    serve_deployments(build_deployments(ingest, config, sources_file, warehouse), limit=limit)

