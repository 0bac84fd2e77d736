"""The CLI as a user runs it: a real process, real files, a real warehouse."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEED, SEED_TITLE

NEWSETL = [sys.executable, "-m", "newsetl.cli"]


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, *args], capture_output=True, text=True, check=check)


def test_extract_prints_one_json_object_per_input(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    proc = _run("extract", str(SEED), str(empty), check=False)
    assert proc.returncode == 1  # an input gave no article
    seed, bad = (json.loads(line) for line in proc.stdout.splitlines())
    assert seed["source"] == str(SEED)
    assert seed["title"] == SEED_TITLE
    assert seed["language"] == "en"
    assert seed["published"] is None and seed["authors"] == []
    assert len(seed["body"].split("\n\n")) == 9 and len(seed["notes"]) == 2
    assert (bad["source"], bad["error"]) == (str(empty), "empty")


def test_commands_without_a_flow_do_not_import_prefect():
    code = ("import sys; from typer.testing import CliRunner; from newsetl.cli import app; "
            f"r = CliRunner().invoke(app, ['extract', {str(SEED)!r}]); "
            "assert r.exit_code == 0, r.output; print('prefect' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


@pytest.fixture
def small_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE articles AS SELECT 'a' AS title, 3 AS word_count "
                    "UNION ALL SELECT 'b, \"c\"', 5")
    return path


def test_sql_formats(small_warehouse: Path):
    query = "SELECT title, word_count FROM articles ORDER BY title"
    csv_out = _run("sql", query, "--warehouse", str(small_warehouse), "--format", "csv").stdout
    assert csv_out.splitlines() == ["title,word_count", "a,3", '"b, ""c""",5']
    json_out = _run("sql", query, "-w", str(small_warehouse), "-f", "json").stdout
    assert [json.loads(line) for line in json_out.splitlines()] == [
        {"title": "a", "word_count": 3}, {"title": 'b, "c"', "word_count": 5}]
    table = _run("sql", query, "-w", str(small_warehouse)).stdout
    assert "title" in table and "b, \"c\"" in table


def test_sql_is_read_only_by_default_and_errors_are_one_line(small_warehouse: Path):
    result = _run("sql", "DELETE FROM articles", "-w", str(small_warehouse), check=False)
    assert result.returncode == 1
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    bad = _run("sql", "SELEC 1", "-w", str(small_warehouse), check=False)
    assert bad.returncode == 1 and "syntax error" in bad.stderr.lower()


def test_sql_on_a_missing_warehouse_says_what_to_do(tmp_path: Path):
    result = _run("sql", "SELECT 1", "-w", str(tmp_path / "none.duckdb"), check=False)
    assert result.returncode == 1 and "newsetl backfill" in result.stderr


def test_help_lists_the_commands():
    out = _run("--help").stdout
    for command in ("backfill", "extract", "sql"):
        assert command in out


# -- config mistakes: one line, exit 2, before Prefect starts ---------------------------

_GOOD_SOURCE = '[sources.a]\nkind = "feed"\nurl = "https://a.example/rss"\nschedule = "1h"\n'


@pytest.mark.parametrize(
    ("command", "config", "expected"),
    [
        (["ingest"], None, "sources.toml: not found: cp sources.example.toml sources.toml"),
        (["serve"], None, "sources.toml: not found: cp sources.example.toml sources.toml"),
        (["ingest"], "[sources.a\n", "sources.toml: invalid TOML"),
        (["ingest"], _GOOD_SOURCE + "max_item = 3\n", "source 'a': max_item: unknown key"),
        (["ingest", "--source", "b"], _GOOD_SOURCE, "no source named 'b' (known: a)"),
        (["serve"], _GOOD_SOURCE + "enabled = false\n", "no enabled source to schedule"),
    ],
)
def test_config_mistakes_are_one_line_before_prefect_starts(
    tmp_path: Path, command: list[str], config: str | None, expected: str
):
    if config is not None:
        (tmp_path / "sources.toml").write_text(config, encoding="utf-8")
    home = tmp_path / "prefect-home"
    result = subprocess.run(
        [*NEWSETL, *command, "--warehouse", str(tmp_path / "w.duckdb")], cwd=tmp_path,
        env={**os.environ, "PREFECT_HOME": str(home)}, capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not home.exists()  # Prefect never started: it creates its home on import
    assert not (tmp_path / "w.duckdb").exists()


def test_flow_commands_wait_long_enough_for_a_first_prefect_start(tmp_path: Path):
    """Prefect's own 20 s wait is too short for a first start on a busy machine."""
    code = ("import os; from newsetl.cli import _prefect_environment; _prefect_environment(); "
            "import prefect.settings as s; "
            "print(s.PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())")
    env = {k: v for k, v in os.environ.items()
           if k != "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
    assert default.stdout.strip() == "120"
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "300"
    chosen = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert chosen.stdout.strip() == "300"  # the user's choice wins


# -- a corrupt or busy warehouse, failed writing commands: one line, never a traceback ----

def _real_warehouse(tmp_path: Path) -> Path:
    from newsetl.pipeline.backfill import backfill_files

    archive = tmp_path / "archive"
    archive.mkdir(parents=True)
    (archive / SEED.name).write_bytes(SEED.read_bytes())
    warehouse = tmp_path / "wh" / "w.duckdb"
    backfill_files(warehouse, [str(archive)], "run-1")
    return warehouse


def _error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize(("start", "end"), [(4096, 12288), (0, 4096)])
def test_a_corrupt_warehouse_is_named_at_once_not_waited_on(tmp_path: Path, start: int,
                                                            end: int):
    """DuckDB's checksum error says "block", which a lock test on "lock" took for a lock."""
    from newsetl.store.warehouse import Warehouse, WarehouseCorrupt

    warehouse = _real_warehouse(tmp_path)
    with warehouse.open("r+b") as fh:  # the database headers (start 0: the main header)
        fh.seek(start)
        fh.write(b"\x5a" * (end - start))
    with pytest.raises(WarehouseCorrupt, match="backfill --force"), \
            Warehouse(warehouse).connect(read_only=True, wait=3600):
        pass
    result = subprocess.run([*NEWSETL, "sql", "SELECT 1", "-w", str(warehouse)],
                            env={**os.environ, "NEWSETL_LOCK_WAIT": "3600"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: corrupt warehouse file {warehouse}: ")
    assert "restore it from a backup" in result.stderr and "in use" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A real warehouse that another process holds open for writing; (path, its pid)."""
    warehouse = _real_warehouse(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield warehouse, holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


def test_duckdbs_lock_conflict_is_what_makes_us_wait(held: tuple[Path, int]):
    from newsetl.store.warehouse import Warehouse, WarehouseBusy

    warehouse, pid = held
    with pytest.raises(WarehouseBusy, match=f"in use by process {pid}: gave up after 0 s"), \
            Warehouse(warehouse).connect(read_only=True, wait=0):
        pass
    result = subprocess.run([*NEWSETL, "sql", "SELECT 1", "-w", str(warehouse)],
                            env={**os.environ, "NEWSETL_LOCK_WAIT": "1"},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"is in use by process {pid}; waiting up to 1 s" in result.stderr
    assert _error_lines(result.stderr) == [
        f"error: {warehouse} is in use by process {pid}: gave up after 1 s "
        "(set NEWSETL_LOCK_WAIT to wait longer)"]


def test_writing_commands_refuse_an_unusable_folder_before_prefect_starts(tmp_path: Path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    (tmp_path / "sources.toml").write_text(_GOOD_SOURCE, encoding="utf-8")
    home = tmp_path / "prefect-home"
    warehouse = tmp_path / "file" / "w.duckdb"
    for command in (["backfill", str(SEED)], ["ingest"]):
        result = subprocess.run([*NEWSETL, *command, "--warehouse", str(warehouse)],
                                cwd=tmp_path, env={**os.environ, "PREFECT_HOME": str(home)},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert result.stderr == (f"error: cannot create the warehouse folder {warehouse.parent}:"
                                 f" {tmp_path / 'file'} is a file\n")
    assert not home.exists()  # Prefect never started


def test_export_and_report_fail_in_one_line(tmp_path: Path):
    warehouse = _real_warehouse(tmp_path)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    mine = tmp_path / "out" / "articles" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine", encoding="utf-8")
    cases = {
        ("export", str(tmp_path / "out")): "is not empty and holds no earlier export",
        ("export", str(tmp_path / "out"), "-w", str(tmp_path / "none.duckdb")):
            "run `newsetl backfill` first",
        ("report", "-o", str(warehouse)): "is the warehouse or one of its files",
        ("report", "-o", str(tmp_path / "file" / "report.html")):
            f"traceback in {warehouse.parent / 'newsetl.log'}",
    }
    for args, expected in cases.items():
        command = [*args] if "-w" in args else [*args, "-w", str(warehouse)]
        result = _run(*command, check=False)
        assert result.returncode == 1, args
        (line,) = _error_lines(result.stderr)
        assert expected in line and len(result.stderr.splitlines()) == 1, result.stderr
    assert mine.read_text(encoding="utf-8") == "mine"
    assert "FileExistsError" in (warehouse.parent / "newsetl.log").read_text(encoding="utf-8")


def test_a_backfill_failing_inside_its_flow_prints_one_line(prefect_server, tmp_path: Path):
    """Prefect re-raises the flow's exception and would print its traceback: neither shows."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}  # the tests' server
    warehouse = tmp_path / "wh" / "w.duckdb"
    (tmp_path / "wh" / "w.duckdb.lock").mkdir(parents=True)  # the run lock cannot be opened
    failed = subprocess.run([*NEWSETL, "backfill", str(SEED), "-w", str(warehouse)], env=env,
                            capture_output=True, text=True, timeout=600)
    assert failed.returncode == 1
    log = warehouse.parent / "newsetl.log"
    assert _error_lines(failed.stderr) == [
        f"error: Is a directory: {warehouse}.lock (traceback in {log})"]
    assert "IsADirectoryError" in log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")

    corrupt = _real_warehouse(tmp_path / "corrupt")
    with corrupt.open("r+b") as fh:
        fh.seek(4096)
        fh.write(b"\x00\xff" * 4096)
    result = subprocess.run([*NEWSETL, "backfill", str(SEED), "-w", str(corrupt)],
                            env={**env, "NEWSETL_LOCK_WAIT": "3600"},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    (line,) = _error_lines(result.stderr)
    assert line.startswith(f"error: corrupt warehouse file {corrupt}: ")
