"""What a run leaves behind when it is killed, stopped, or fails, and what the next run does.

Real processes are killed at real points (`newsetl.pipeline.failpoints`) or
sent real signals; the warehouse is a real DuckDB file, and the full disk
is a real 2 MB tmpfs. Each test checks what a user would see afterwards:
`newsetl search` finding an edited word, a rerun that rejects nothing, a
`runs` row that says what the run committed.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from newsetl.archive.files import MAX_ITEM_BYTES
from newsetl.archive.warc import WarcWriter
from newsetl.models import Item
from newsetl.pipeline.backfill import ExtractOptions, backfill_files
from newsetl.pipeline.extract import extract_item
from newsetl.pipeline.failpoints import FAILPOINT
from newsetl.pipeline.run import writing
from newsetl.store import warehouse as store
from newsetl.store.rows import article_rows, build_batch
from newsetl.store.search import index_is_stale, search
from newsetl.store.warehouse import Warehouse, connect, load_batch
from newsetl.web.fetch import FetchResult
from tests.conftest import HTML_PAGE, make_seed_archive

NEWSETL = [sys.executable, "-m", "newsetl.cli"]


def _env(failpoint: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a run in its own process: the tests' Prefect server, a failpoint."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, **extra}
    if PREFECT_API_URL.value():  # under the `prefect_server` fixture
        env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    env.pop(FAILPOINT, None)
    if failpoint:
        env[FAILPOINT] = failpoint
    return env


def _newsetl(*args: str, failpoint: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, *args], env=_env(failpoint), capture_output=True,
                          text=True, check=False)


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _finds(warehouse: Path, word: str) -> list[str]:
    with connect(warehouse, read_only=True) as con:
        return [hit.article_id for hit in search(con, word, limit=50)]


# --- (3) the search index after a run killed before its rebuild ------------------------


def test_a_run_killed_before_its_index_rebuild_is_repaired_by_the_next(
        prefect_server, tmp_path: Path) -> None:
    archive = make_seed_archive(tmp_path / "archive", 3)
    warehouse = tmp_path / "wh" / "w.duckdb"
    first = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1")
    assert first.returncode == 0, first.stderr
    assert _finds(warehouse, "zanzibarite") == []

    # Edit one article: the number of articles stays the same, which is what
    # a count of indexed documents cannot tell apart from a fresh index.
    edited = archive / "0001.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA zanzibarite was found.\n",
                      encoding="utf-8")
    killed = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1",
                      failpoint="index-refresh")
    assert killed.returncode == -9, killed.stderr
    assert _query(warehouse, "SELECT count(*) FROM articles WHERE body ILIKE '%zanzibarite%'"
                  ) == [(1,)]
    assert _finds(warehouse, "zanzibarite") == []  # the index is stale ...
    assert _query(warehouse, "SELECT dirty FROM index_state") == [(True,)]  # ... and says so
    stale = _newsetl("search", "zanzibarite", "-w", str(warehouse))
    assert stale.returncode == 0
    assert "out of date" in stale.stderr and "newsetl index" in stale.stderr

    # The next run has nothing to load ("3 skipped") and rebuilds all the same.
    rerun = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert "0 loaded, 0 updated" in rerun.stdout and "3 skipped" in rerun.stdout
    assert len(_finds(warehouse, "zanzibarite")) == 1
    assert _query(warehouse, "SELECT dirty FROM index_state") == [(False,)]
    fresh = _newsetl("search", "zanzibarite", "-w", str(warehouse))
    assert "out of date" not in fresh.stderr and "zanzibarite" in fresh.stdout.lower()


def test_newsetl_index_rebuilds_a_stale_index(tmp_path: Path) -> None:
    archive = make_seed_archive(tmp_path / "archive", 2)
    warehouse = tmp_path / "wh" / "w.duckdb"
    backfill_files(warehouse, [str(archive)], "run-1")  # loads, no rebuild: the mark stays
    with connect(warehouse, read_only=True) as con:
        assert index_is_stale(con)
    done = _newsetl("index", "-w", str(warehouse))
    assert done.returncode == 0, done.stderr
    with connect(warehouse, read_only=True) as con:
        assert not index_is_stale(con)
        assert len(search(con, "Lavrov")) == 2
    missing = _newsetl("index", "-w", str(tmp_path / "nowhere.duckdb"))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no warehouse at")


# --- (4) inputs rejected without a hash ---------------------------------------------------


def _broken_warc(path: Path) -> None:
    """A WARC with one good article and a second record cut off half-way."""
    def page(n: int) -> FetchResult:
        return FetchResult(url=f"https://gazette.example/news/{n}",
                           final_url=f"https://gazette.example/news/{n}", outcome="ok",
                           status=200, reason="OK",
                           headers=(("Content-Type", "text/html; charset=utf-8"),),
                           request_headers=(), body=HTML_PAGE.replace(
                               "Port Ellen", f"Port Ellen {n}").encode())

    with WarcWriter(path) as writer:
        writer.write(page(1))
        last = writer.write(page(2))
    assert last is not None
    path.write_bytes(path.read_bytes()[: last.offset + last.length // 2])


@pytest.fixture
def troubled_archive(tmp_path: Path) -> Path:
    """Three archives under one folder: one with a too-large file (sparse: no disk used),
    one whose manifest does not parse, one holding a WARC with a broken record."""
    root = tmp_path / "archive"
    make_seed_archive(root / "big", 1)
    with open(root / "big" / "huge.txt", "wb") as fh:
        fh.truncate(MAX_ITEM_BYTES + 1)
    make_seed_archive(root / "badmanifest", 1)
    (root / "badmanifest" / "manifest.toml").write_text("source = [unclosed\n",
                                                         encoding="utf-8")
    (root / "warc").mkdir()
    (root / "warc" / "manifest.toml").write_text('source = "gazette"\n', encoding="utf-8")
    _broken_warc(root / "warc" / "run.warc.gz")
    return root


def test_inputs_rejected_without_a_hash_are_not_rejected_again(
        prefect_server, troubled_archive: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "w.duckdb"
    args = ("backfill", str(troubled_archive), "-w", str(warehouse), "--workers", "1")
    first = _newsetl(*args)
    assert first.returncode == 3, first.stderr
    assert "2 loaded" in first.stdout and "3 rejected" in first.stdout
    assert sorted(r for (r,) in _query(warehouse, "SELECT reason FROM rejects")) == [
        "bad-manifest", "bad-warc-record", "too-large"]

    second = _newsetl(*args)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 loaded, 0 updated, 0 unchanged" in second.stdout
    assert "0 rejected" in second.stdout
    assert _query(warehouse, "SELECT count(*) FROM rejects") == [(3,)]  # no new rows

    # A changed file is read again, and so are the files under a changed manifest.
    huge = troubled_archive / "big" / "huge.txt"
    os.utime(huge, ns=(huge.stat().st_atime_ns, huge.stat().st_mtime_ns + 10**9))
    (troubled_archive / "badmanifest" / "manifest.toml").write_text(
        'source = "fixed"\n', encoding="utf-8")
    third = _newsetl(*args)
    assert third.returncode == 3, third.stderr
    assert "1 loaded" in third.stdout and "1 rejected" in third.stdout
    assert _query(warehouse, "SELECT reason FROM rejects WHERE run_id = (SELECT max(run_id) "
                             "FROM runs)") == [("too-large",)]
    assert _query(warehouse, "SELECT DISTINCT source FROM articles WHERE source = 'fixed'"
                  ) == [("fixed",)]


def test_a_file_that_may_read_next_time_is_read_next_time(tmp_path: Path) -> None:
    """A hashless reject that is not settled (the file vanished) leaves no ledger row."""
    archive = make_seed_archive(tmp_path / "archive", 1)
    gone = archive / "gone.txt"
    warehouse = tmp_path / "wh" / "w.duckdb"
    counts = backfill_files(warehouse, [str(archive), str(gone)], "run-1")
    assert counts.reasons == {"missing": 1}
    again = backfill_files(warehouse, [str(archive), str(gone)], "run-2")
    assert again.reasons == {"missing": 1} and again.skipped == 1


# --- (9) a commit that fails --------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 2 MB tmpfs (needs root; skipped where mounting is not permitted)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_reported_as_a_full_disk(tiny_disk: Path, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Harbour reopens\nThe harbour reopened on Monday.\n", encoding="utf-8")
    article = extract_item(Item(key="a.txt", data=text.read_bytes(), archive_path=str(text),
                                source="s"))
    rows = []
    for i in range(60):  # 60 x 64 kB of incompressible text: over the 2 MB disk
        item = Item(key=f"{i}.txt", data=str(i).encode(), archive_path=f"/a/{i}.txt",
                    source="s")
        body = " ".join(secrets.token_hex(16) for _ in range(2000))
        rows.append(article_rows(item, dataclasses.replace(article, body=body), "v1"))
    batch = build_batch(rows, [], "v1")
    with connect(tiny_disk / "w.duckdb") as con:
        with pytest.raises(duckdb.Error) as failed:
            load_batch(con, batch, "run-1")
        assert "No space left on device" in str(failed.value)
        assert "no transaction is active" not in str(failed.value)
        # Nothing of the batch is in, and the connection is usable.
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (0,)


# --- (11) the runs table ---------------------------------------------------------------

_RUN_ONE_GROUP = """
import sys
from newsetl.cli import load_flow
load_flow("backfill", "backfill")(paths=[sys.argv[1]], warehouse=sys.argv[2], workers=1,
                                   batch_size=2)
"""


def test_a_run_killed_mid_way_shows_what_it_committed(prefect_server, tmp_path: Path) -> None:
    archive = make_seed_archive(tmp_path / "archive", 7)
    warehouse = tmp_path / "wh" / "w.duckdb"
    killed = subprocess.run([sys.executable, "-c", _RUN_ONE_GROUP, str(archive), str(warehouse)],
                            env=_env("batch-loaded@2"), capture_output=True, text=True,
                            check=False)
    assert killed.returncode == -9, killed.stderr
    (row,) = _query(warehouse, "SELECT status, seen, loaded, rejected FROM runs")
    assert row == ("running", 4, 4, 0)  # two batches of two committed
    assert _query(warehouse, "SELECT count(*) FROM articles") == [(4,)]

    rerun = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert _query(warehouse, "SELECT status, seen, loaded, skipped FROM runs ORDER BY run_id"
                  ) == [("interrupted", 4, 4, 0), ("ok", 7, 3, 4)]


def test_sigterm_stops_a_run_as_interrupted(prefect_server, tmp_path: Path) -> None:
    """SIGTERM while the run waits for a reader to let go of the file: the run ends
    `interrupted` with the counts it committed, exit status 143, and the next run finishes."""
    archive = make_seed_archive(tmp_path / "archive", 40)
    warehouse = tmp_path / "wh" / "w.duckdb"
    with connect(warehouse):
        pass  # created, so that this test can open it read-only
    run = subprocess.Popen([*NEWSETL, "backfill", str(archive), "-w", str(warehouse),
                            "--workers", "1", "--batch-size", "1"],
                           env=_env(NEWSETL_LOCK_WAIT="600"), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        # Take the file as a reader as soon as the run has recorded itself (retrying while
        # it holds the file), then keep it: the run's next connection has to wait.
        while True:
            try:
                reader = duckdb.connect(str(warehouse), read_only=True)
            except duckdb.IOException:
                time.sleep(0.02)  # the run holds the file: try again
                continue
            if reader.execute("SELECT count(*) FROM runs").fetchone() == (1,):
                break
            reader.close()
        status, loaded = reader.execute("SELECT status, loaded FROM runs").fetchone()
        assert (status, loaded < 40) == ("running", True)
        for line in run.stderr:
            if "is in use by" in line:
                break
        run.terminate()
        reader.close()
        _, err = run.communicate(timeout=300)
    finally:
        run.kill()
    assert run.returncode == 143, err
    ((status, loaded, seen),) = _query(warehouse, "SELECT status, loaded, seen FROM runs")
    assert status == "interrupted"
    assert _query(warehouse, "SELECT count(*) FROM articles") == [(loaded,)]
    assert seen >= loaded

    rerun = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert _query(warehouse, "SELECT count(*) FROM articles") == [(40,)]
    assert len(_finds(warehouse, "Lavrov")) == 40  # the index covers the whole warehouse


def test_ctrl_c_stops_a_run_in_one_line_and_leaves_no_process(prefect_server,
                                                              tmp_path: Path) -> None:
    """Ctrl-C as a terminal sends it (SIGINT to the whole process group, extraction
    processes included) while the run extracts: one line, exit status 130, no
    traceback, the `runs` row `interrupted`, no process left; the next run finishes."""
    import signal

    import psutil

    archive = make_seed_archive(tmp_path / "archive", 120)
    warehouse = tmp_path / "wh" / "w.duckdb"
    run = subprocess.Popen([*NEWSETL, "backfill", str(archive), "-w", str(warehouse),
                            "--workers", "2", "--batch-size", "5"], env=_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    try:
        seen = []
        for line in run.stderr:  # the flow has listed its inputs: extraction starts now
            seen.append(line)
            if "input files into" in line:
                break
        time.sleep(0.5)
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=120)
    finally:
        run.kill()
    err = "".join(seen) + err
    assert run.returncode == 130, err
    assert err.splitlines()[-1] == ("interrupted: the run is recorded as interrupted; "
                                    "run again to resume")
    assert "Traceback" not in err and "Aborted" not in err and "KeyboardInterrupt" not in err
    assert out == ""
    assert _query(warehouse, "SELECT status FROM runs") == [("interrupted",)]
    deadline = time.monotonic() + 30  # the fork server notices its parent's end by itself
    while left := [p.pid for p in psutil.process_iter(["pid"]) if _in_session(p, run.pid)]:
        assert time.monotonic() < deadline, f"still running after Ctrl-C: {left}"
        time.sleep(0.2)

    rerun = _newsetl("backfill", str(archive), "-w", str(warehouse), "--workers", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert _query(warehouse, "SELECT count(*) FROM articles") == [(120,)]


def _in_session(process: object, sid: int) -> bool:
    try:
        return os.getsid(process.pid) == sid  # type: ignore[attr-defined]
    except OSError:  # gone meanwhile
        return False


_HOLD_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
sys.stdin.read()
"""


def test_a_failed_final_write_keeps_the_works_error_and_is_marked_by_the_next_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> None:
    warehouse = tmp_path / "wh" / "w.duckdb"
    monkeypatch.setattr(store, "LOCK_WAIT", 0.0)  # give up at once when the file is held
    readers: list[subprocess.Popen] = []
    with pytest.raises(ValueError, match="the work failed"), writing(warehouse) as session, \
            session.run("backfill", {}) as run:
        run.counts.seen = 5
        readers.append(subprocess.Popen([sys.executable, "-c", _HOLD_READER, str(warehouse)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True))
        assert readers[0].stdout.readline() == "holding\n"
        raise ValueError("the work failed")  # and the reader holds the file for the last write
    readers[0].communicate("")
    assert "could not record the end of run" in capfd.readouterr().err
    assert _query(warehouse, "SELECT status FROM runs") == [("running",)]

    with writing(warehouse) as session, session.run("backfill", {}):
        pass
    assert _query(warehouse, "SELECT status FROM runs ORDER BY run_id") == [
        ("interrupted",), ("ok",)]


class _CountingWarehouse(Warehouse):
    """A real warehouse that counts the connections opened to it."""

    opened = 0

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        type(self).opened += 1
        return super()._connect(read_only)


def test_one_connection_per_batch(tmp_path: Path) -> None:
    """A reader that takes the file between two connections makes the run wait at each:
    the ledger of the next group is looked up in a load's connection, not in its own."""
    archive = make_seed_archive(tmp_path / "archive", 6)
    warehouse = _CountingWarehouse(tmp_path / "wh" / "w.duckdb")
    with connect(warehouse):
        pass
    _CountingWarehouse.opened = 0
    batches: list[int] = []
    backfill_files(warehouse, [str(archive)], "run-1", ExtractOptions(batch_size=1),
                   files_per_task=2, in_flight=2, on_batch=lambda c, n: batches.append(n))
    assert len(batches) == 6
    # + the first group's ledger, + the one checkpoint at the end (`keep_wal`)
    assert _CountingWarehouse.opened == len(batches) + 2
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM files").fetchone() == (6,)

