"""The backfill flow end to end, on a real (temporary) Prefect server."""

from pathlib import Path

import duckdb

from newsetl.cli import load_flow
from newsetl.store.search import indexed_count
from tests.conftest import SEED_TITLE, make_seed_archive, warehouse_snapshot
from tests.test_ingest import page, rss, write_config


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


def test_reprocess_rereads_known_inputs_without_paths(prefect_server, archive: Path,
                                                      warehouse_file: Path):
    backfill = load_flow("backfill", "backfill")
    backfill(paths=[str(archive)], warehouse=str(warehouse_file))
    again = backfill(paths=[], reprocess=True, force=True, warehouse=str(warehouse_file))
    assert (again["seen"], again["unchanged"], again["loaded"]) == (2, 2, 0)


def test_backfill_on_a_local_dask_cluster_loads_what_the_default_runner_loads(
        prefect_server, archive: Path, tmp_path: Path, monkeypatch):
    make_seed_archive(archive / "more", 20)
    on_threads, on_dask = tmp_path / "threads.duckdb", tmp_path / "dask.duckdb"
    load_flow("backfill", "backfill")(paths=[str(archive)], warehouse=str(on_threads),
                                      files_per_task=5, batch_size=4)
    monkeypatch.setenv("NEWSETL_DASK_ADDRESS", "local:2")
    backfill = load_flow("backfill", "backfill")
    assert type(backfill.task_runner).__name__ == "DaskTaskRunner"
    result = backfill(paths=[str(archive)], warehouse=str(on_dask), files_per_task=5,
                      batch_size=4)
    assert (result["seen"], result["loaded"], result["rejected"]) == (22, 22, 0)
    assert warehouse_snapshot(on_dask) == warehouse_snapshot(on_threads)


def test_ingest_flow_records_one_run_per_source(prefect_server, httpserver, tmp_path: Path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/a").respond_with_data(page("Alpha news", "alpha"),
                                                      content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(page("Beta news", "beta"),
                                                      content_type="text/html")
    httpserver.expect_request("/feed").respond_with_data(
        rss(httpserver.url_for("")[:-1], ["/a", "/b"]), content_type="application/rss+xml")
    write_config(tmp_path, f'[sources.wire]\nkind = "feed"\nurl = "{httpserver.url_for("/feed")}"'
                           '\nschedule = "1h"\n[sources.off]\nkind = "urls"\nurls = '
                           f'["{httpserver.url_for("/a")}"]\nschedule = "1h"\nenabled = false\n')
    ingest = load_flow("ingest", "ingest")
    warehouse = tmp_path / "wh.duckdb"
    results = ingest(sources_file=str(tmp_path / "sources.toml"), warehouse=str(warehouse))
    assert list(results) == ["wire"] and results["wire"]["loaded"] == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("SELECT flow, source, status, loaded FROM runs").fetchall()
        indexed = indexed_count(con)
    assert runs == [("ingest", "wire", "ok", 2)]
    assert indexed == 2  # the search index took in both articles
