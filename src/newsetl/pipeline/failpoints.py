"""Crash points: where the crash tests stop a run as a kill -9 would.

A run reaches a named point at each phase boundary (a page fetched, the
fetch log committed, a batch loaded, the index refresh about to start).
With $NEWSETL_FAILPOINT unset, reaching one costs a dictionary lookup.
"""

from __future__ import annotations

import os
import signal

FAILPOINT = "NEWSETL_FAILPOINT"
_hits: dict[str, int] = {}


def failpoint(name: str) -> None:
    """Die here, as a kill -9 would, when $NEWSETL_FAILPOINT names this point.

    `name` or `name@N` (the Nth time the point is reached). The crash tests
    use it to stop a run at each phase boundary and check that the next run
    repairs everything; unset, it costs one dictionary lookup.
    """
    wanted = os.environ.get(FAILPOINT)
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point == name:
        _hits[name] = _hits.get(name, 0) + 1
        if _hits[name] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)
