"""Where the flows' extraction tasks run: threads here, or a Dask cluster.

One setting decides it, read once, when a flow module is loaded, so that
the CLI (`--dask-address`), a deployment (an environment variable of its
work pool) and a test all choose the same way; what follows from it (how
many processes a task uses, how many tasks are in flight) is read off the
flow's task runner, never off the environment again:

    NEWSETL_DASK_ADDRESS unset           threads in the flow's process; each task
                                          extracts on a pool of one process per core
    NEWSETL_DASK_ADDRESS=tcp://host:8786  the Dask cluster at that scheduler
    NEWSETL_DASK_ADDRESS=local[:N]        a Dask cluster of N worker processes on
                                          this machine (default: one per core)

On Dask each worker is a process, so a task extracts in that process alone.
The warehouse is written by the flow's process in every case.
Prefect is imported here only inside the functions: `newsetl` stays
importable without it.
"""

from __future__ import annotations

import os
from typing import Any

from newsetl.pipeline.backfill import default_workers

DASK_ADDRESS = "NEWSETL_DASK_ADDRESS"


def dask_address() -> str | None:
    return os.environ.get(DASK_ADDRESS) or None


# Groups extracted at once on threads: one extracting while the flow loads another
# (the process pool inside each task is the parallelism).
THREADS_IN_FLIGHT = 2


def _local_cluster_size(address: str) -> int | None:
    if address == "local" or address.startswith("local:"):
        return int(address.partition(":")[2] or default_workers())
    return None


def _is_dask(runner: Any) -> bool:
    # By module name: importing prefect_dask (and dask) to check costs a second.
    return type(runner).__module__.startswith("prefect_dask")


def task_runner() -> Any:
    """The Prefect task runner for the extraction tasks.

    Prefect's default thread pool is unbounded; here it is as big as the
    number of groups in flight.
    """
    address = dask_address()
    if address is None:
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=THREADS_IN_FLIGHT)
    from prefect_dask import DaskTaskRunner

    workers = _local_cluster_size(address)
    if workers is not None:
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                              "processes": True, "dashboard_address": None})
    return DaskTaskRunner(address=address)


def extraction_workers(requested: int | None, runner: Any) -> int:
    """Processes each task extracts on: 1 on Dask (its workers are the processes)."""
    return 1 if _is_dask(runner) else requested or default_workers()


def groups_in_flight(requested: int | None, runner: Any) -> int:
    """Groups of files submitted at a time: enough to keep every extractor busy.

    On threads, two; on a local Dask cluster, one per worker; on another
    cluster, as asked (`--in-flight`: its number of worker processes), else two.
    """
    if requested:
        return requested
    if _is_dask(runner) and runner.address is None:
        return runner.cluster_kwargs.get("n_workers") or THREADS_IN_FLIGHT
    return THREADS_IN_FLIGHT
