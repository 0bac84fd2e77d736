"""`newsetl sql` without --write reads the warehouse and nothing else.

Each hostile statement runs through the real CLI (a subprocess) against a
copy of a real warehouse: it must end with one `error:` line and exit 1,
leave the warehouse byte for byte as it was, and create no file anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsetl.pipeline.backfill import backfill_files
from newsetl.store.search import refresh_index
from newsetl.store.warehouse import Warehouse, connect
from tests.conftest import SEED_TITLE

NEWSETL = [sys.executable, "-m", "newsetl.cli"]
SECRET = "the-secret-word-in-a-file-outside-the-warehouse"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real warehouse (seed archive, search index), built once for the module."""
    root = tmp_path_factory.mktemp("built")
    archive = root / "archive"
    archive.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "seeds" / "000_23bec2932da9a753.txt",
                archive / "seed.txt")
    warehouse = root / "wh" / "newsetl.duckdb"
    backfill_files(warehouse, [str(archive)], "run-1")
    with connect(warehouse) as con:
        refresh_index(con)
    return warehouse


@pytest.fixture
def warehouse(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the real warehouse in this test's folder, beside a secret file."""
    copy = tmp_path / "wh" / "newsetl.duckdb"
    copy.parent.mkdir()
    shutil.copy(built, copy)
    shutil.copytree(Warehouse(built).search_dir, Warehouse(copy).search_dir)  # its search index
    (tmp_path / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    return copy


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _sql(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, "sql", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "NEWSETL_LOCK_WAIT": "1"}, timeout=120)


HOSTILE = [
    "COPY (SELECT 'x' AS a) TO '{wh}' (FORMAT csv)",
    "COPY (SELECT 'x' AS a) TO '{wh}.wal' (FORMAT csv)",
    "COPY articles TO '{tmp}/stolen.csv'",
    "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
    "EXPORT DATABASE '{tmp}/dump'",
    "SELECT * FROM read_text('{tmp}/secret.txt')",
    "SELECT * FROM read_blob('{tmp}/secret.txt')",
    "SELECT * FROM read_csv('{tmp}/secret.txt')",
    "SELECT * FROM '{tmp}/secret.txt'",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('{tmp}/*')",
    "SELECT * FROM read_csv('https://127.0.0.1:9/x.csv')",
    "INSTALL httpfs",
    "FORCE INSTALL fts",
    "LOAD httpfs",
    "LOAD '{tmp}/evil.duckdb_extension'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "ATTACH '{wh}' AS again",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET enable_external_access",
    "SET temp_directory = '{tmp}/spill'",
    "SET allowed_directories = ['{tmp}']",
    "PRAGMA memory_limit = '1GB'",
    "PRAGMA profiling_output = '{tmp}/profile.txt'",
    "PRAGMA enable_profiling = 'json'",
    "CALL enable_logging(storage = 'file', storage_path = '{tmp}/logs')",
    "CREATE TABLE x AS SELECT 1",
    "DELETE FROM articles",
    "SELECT 1; COPY (SELECT 1) TO '{tmp}/second.csv'",
    "SELECT 1; SET enable_external_access = true; COPY articles TO '{tmp}/third.csv'",
]


@pytest.mark.parametrize("statement", HOSTILE)
def test_hostile_sql_fails_in_one_line_and_changes_nothing(warehouse: Path, tmp_path: Path,
                                                            statement: str):
    before, files = _sha256(warehouse), _files(tmp_path)
    query = statement.format(wh=warehouse, tmp=tmp_path)
    result = _sql(query, "-w", str(warehouse), cwd=tmp_path)
    assert result.returncode == 1, (query, result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1, \
        result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert _sha256(warehouse) == before
    assert _files(tmp_path) == files  # no file written, not even DuckDB's .tmp or a WAL


@pytest.mark.parametrize("target", ["{wh}", "{wh}.wal", "{wh}.lock", "{tmp}/link.duckdb",
                                    "{tmp}/wh/../wh/newsetl.duckdb"])
def test_output_may_not_be_the_warehouse_or_its_files(warehouse: Path, tmp_path: Path,
                                                       target: str):
    (tmp_path / "link.duckdb").symlink_to(warehouse)
    before, files = _sha256(warehouse), _files(tmp_path)
    output = target.format(wh=warehouse, tmp=tmp_path)
    # Not even when the user asked to write.
    for options in (["-f", "csv"], ["-f", "parquet", "--write"]):
        result = _sql("SELECT 1 AS a", "-w", str(warehouse), "-o", output, *options,
                      cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.startswith("error: --output ") and "warehouse" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    assert _sha256(warehouse) == before and _files(tmp_path) == files


def test_reading_still_works(warehouse: Path, tmp_path: Path):
    before = _sha256(warehouse)
    table = _sql("SELECT title, word_count FROM latest_articles", "-w", str(warehouse),
                 cwd=tmp_path)
    assert table.returncode == 0 and "Lavrov" in table.stdout, table.stderr
    views = _sql("SELECT (SELECT count(*) FROM article_entities) > 0 AS e, "
                 "(SELECT count(*) FROM daily_counts) AS d, "
                 "(SELECT count(*) FROM quotes_with_speakers) > 0 AS q", "-w", str(warehouse),
                 "-f", "json", cwd=tmp_path)
    assert json.loads(views.stdout) == {"e": True, "d": 1, "q": True}, views.stderr
    joined = subprocess.run([*NEWSETL, "search", "regime change", "-w", str(warehouse), "-f", "csv",
                             "--sql", "SELECT title FROM hits JOIN articles USING (article_id)"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert joined.stdout.splitlines() == ["title", SEED_TITLE], joined.stderr
    search = subprocess.run([*NEWSETL, "search", "Petrocaribe", "-w", str(warehouse)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert search.returncode == 0 and SEED_TITLE in search.stdout, search.stderr
    assert _sha256(warehouse) == before


def test_output_files_are_written_by_newsetl(warehouse: Path, tmp_path: Path):
    folder = tmp_path / "it's here"  # a quote in the path: nothing is pasted into SQL
    folder.mkdir()
    query = "SELECT title, word_count FROM articles"
    as_csv = _sql(query, "-w", str(warehouse), "-f", "csv", "-o", str(folder / "out.csv"),
                  cwd=tmp_path)
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO((folder / "out.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["title", "word_count"] and rows[1][0] == SEED_TITLE
    as_parquet = _sql(query, "-w", str(warehouse), "--format", "parquet",
                      "-o", str(folder / "out.parquet"), cwd=tmp_path)
    assert as_parquet.returncode == 0, as_parquet.stderr
    table = pq.read_table(folder / "out.parquet")
    assert table.column_names == ["title", "word_count"]
    assert table.column("title").to_pylist() == [SEED_TITLE]
    assert table.column("word_count").to_pylist() == [int(rows[1][1])]


def test_write_mode_still_writes(warehouse: Path, tmp_path: Path):
    made = _sql("CREATE TABLE notes AS SELECT 'kept' AS note", "-w", str(warehouse), "--write",
                cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    read = _sql("SELECT note FROM notes", "-w", str(warehouse), "-f", "csv", cwd=tmp_path)
    assert read.stdout.splitlines() == ["note", "kept"]
