"""The progress bar and Prefect's console log lines share one console."""

from __future__ import annotations

import io
import logging

from rich.console import Console

from newsetl.pipeline.progress import progress_bar
from newsetl.store.warehouse import Counts


def test_prefect_log_lines_go_through_the_bars_console_while_it_is_drawn():
    from prefect.logging.handlers import PrefectConsoleHandler

    handler = PrefectConsoleHandler(stream=io.StringIO())
    original = handler.console
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with progress_bar(3, True, "backfill") as advance:
            assert handler.console is not original  # the bar's console: lines print above it
            assert isinstance(handler.console, Console)
            logging.getLogger("prefect.test").warning("a line above the bar")
            advance(1, Counts(seen=1))
        assert handler.console is original
    finally:
        root.removeHandler(handler)


def test_a_disabled_bar_leaves_the_handlers_alone():
    from prefect.logging.handlers import PrefectConsoleHandler

    handler = PrefectConsoleHandler(stream=io.StringIO())
    original = handler.console
    logging.getLogger().addHandler(handler)
    try:
        with progress_bar(3, False):
            assert handler.console is original
    finally:
        logging.getLogger().removeHandler(handler)
