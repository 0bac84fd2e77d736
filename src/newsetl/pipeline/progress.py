"""A progress bar for long runs on a terminal (rich), silent elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from newsetl.store.warehouse import Counts


@contextmanager
def progress_bar(total: int, enabled: bool, description: str = "backfill", unit: str = "files",
                 ) -> Iterator[Callable[[int, Counts], None]]:
    """Yield `advance(units_done, counts)`; draws units done, items/s and ETA when enabled."""
    if not enabled:
        yield lambda files, counts: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn(unit + "  {task.fields[items]} items  {task.fields[rate]}"),
               TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, transient=False) as progress, _logs_above(progress.console):
        task = progress.add_task(description, total=total, items=0, rate="")
        seen = Counts()

        def advance(files: int, counts: Counts) -> None:
            seen.add(counts)
            elapsed = progress.tasks[0].elapsed or 1e-9
            progress.update(task, advance=files, items=seen.seen,
                            rate=f"{seen.seen / elapsed:.0f}/s  {seen.rejected} rejected")

        yield advance


@contextmanager
def _logs_above(console: Any) -> Iterator[None]:
    """Print Prefect's console log lines through the bar's console while it is drawn.

    Prefect's console handler holds a rich Console of its own on the real
    stderr, so its lines would overwrite the bar and come out clipped; on the
    bar's console they are printed above it. Only handlers that have a
    `console` (Prefect's) are switched, and switched back afterwards.
    """
    handlers = [h for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs")
                for h in logging.getLogger(name).handlers if hasattr(h, "console")]
    saved = [(h, h.console) for h in handlers]
    for handler in handlers:
        handler.console = console
    try:
        yield
    finally:
        for handler, original in saved:
            handler.console = original
