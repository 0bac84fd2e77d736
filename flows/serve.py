"""Run the ingest flow on every enabled source's schedule: `newsetl serve`.

One Prefect deployment per enabled source, all served by this process
(`prefect.serve`), so no work pool or worker is needed. Prefect schedules
nothing on its temporary (ephemeral) server, so without `PREFECT_API_URL` we
start a real local server ourselves, on 127.0.0.1 and a free port, and stop it
whenever serving ends: Ctrl-C, SIGTERM or an error. With `PREFECT_API_URL` set,
the deployments go to that server and nothing is started.

The parts that need no Prefect server (ports, the server command, the health
wait, schedules as keyword arguments) are plain functions, tested as such.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
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

from newsetl.web.sources import Schedule, SourcesConfig, SourcesError, load_sources

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INGEST_ENTRYPOINT = f"{PROJECT_ROOT / 'flows' / 'ingest.py'}:ingest"
HOST = "127.0.0.1"  # loopback only: the local server has no authentication
SERVER_START_TIMEOUT = 90.0  # seconds; a first start migrates the database (~10 s)
SERVER_STOP_TIMEOUT = 15.0  # seconds of grace after SIGTERM before SIGKILL
LOG_TAIL_LINES = 20
FLUSH_TIMEOUT = 5.0  # seconds for queued logs and events to reach the server at shutdown


class ServerError(RuntimeError):
    """The local Prefect server did not come up."""


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


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on now (the OS picks it; a race is possible but rare)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_command(port: int, host: str = HOST) -> list[str]:
    """`prefect server start` from this interpreter's environment, scheduler on."""
    return [sys.executable, "-m", "prefect", "server", "start", "--host", host,
            "--port", str(port), "--analytics-off"]


def server_environment(home: Path) -> dict[str, str]:
    """The server's environment: its state in `home`, telemetry off, not a client of another."""
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1")
    return env


def wait_for_health(api_url: str, timeout: float,
                    process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `<api_url>/health` until it answers 200; ServerError on timeout or early exit."""
    # No proxy: the server is on this machine, and a configured proxy would not reach it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while True:
        try:
            with opener.open(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset, or an HTTP error while the server starts
            pass
        if process is not None and process.poll() is not None:
            raise ServerError(f"the Prefect server exited (status {process.returncode}) "
                              f"before {api_url}/health answered")
        if time.monotonic() >= deadline:
            raise ServerError(f"no answer from {api_url}/health after {timeout:.0f} s")
        time.sleep(0.25)


def _log_tail(log: Path, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's whole process group, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def local_server(home: Path, timeout: float = SERVER_START_TIMEOUT) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1, yield its API URL, always stop it.

    Before it stops, the logs and events queued for it are sent (`_flush_to_server`).

    The server gets its own session, so a Ctrl-C in the terminal reaches only
    us: the runner can still pause its schedules on the server before we stop
    it, and stopping the group takes any child processes with it.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_url = f"http://{HOST}:{port}/api"
    log = home / "server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(server_command(port), env=server_environment(home),
                                   stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        try:
            wait_for_health(api_url, timeout, process)
        except ServerError as err:
            raise ServerError(f"{err}; last lines of {log}:\n{_log_tail(log)}") from None
        print(f"newsetl: Prefect server (pid {process.pid}) at http://{HOST}:{port} "
              f"(UI: flow runs, deployments, logs); its log: {log}", flush=True)
        yield api_url
    finally:
        _flush_to_server()
        _stop(process)


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

    Against `PREFECT_API_URL` when set; otherwise against a local server kept
    in `home` (default: $PREFECT_HOME, else the project's `.prefect/`).
    """
    if PREFECT_API_URL.value():
        serve(*deployments, limit=limit)
        return
    home = home or Path(os.environ.get("PREFECT_HOME") or PROJECT_ROOT / ".prefect")
    with (_sigterm_exits(), local_server(home) as api_url,
          # Prefect read its settings when imported, so setting the environment
          # now would not reach it; the runner passes this on to its flow runs.
          temporary_settings(updates={PREFECT_API_URL: api_url})):
        serve(*deployments, limit=limit)


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

