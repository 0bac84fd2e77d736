"""The backfill flow end to end, on a real (temporary) Prefect server."""

from pathlib import Path

import duckdb
import pytest

from newsetl.cli import load_flow
from tests.conftest import SEED_TITLE


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


def test_backfill_flow_runs_twice_and_records_both_runs(prefect_server, archive: Path,
                                                        warehouse_file: Path):
    backfill = load_flow("backfill", "backfill")
    first = backfill(paths=[str(archive)], warehouse=str(warehouse_file), files_per_task=1)
    second = backfill(paths=[str(archive)], warehouse=str(warehouse_file))
    assert (first["loaded"], first["skipped"]) == (2, 0)
    assert (second["loaded"], second["skipped"], second["seen"]) == (0, 2, 2)
    with duckdb.connect(str(warehouse_file), read_only=True) as con:
        runs = con.execute("SELECT flow, status, seen, loaded, skipped, rejected FROM runs "
                           "ORDER BY started_at").fetchall()
        titles = con.execute("SELECT title FROM articles ORDER BY title").fetchall()
    assert runs == [("backfill", "ok", 2, 2, 0, 0), ("backfill", "ok", 2, 0, 2, 0)]
    assert titles == [("Harbour reopens after storm",), (SEED_TITLE,)]
