"""The CLI as a user runs it: a real process, real files, a real warehouse."""

import json
import os
import subprocess
import sys
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
