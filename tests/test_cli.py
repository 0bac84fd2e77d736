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
    assert seed["published_at"] is None and seed["authors"] == []
    assert "published" not in seed  # one name for the date, the warehouse's
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


# -- issue 18: fail fast in one line, readable output (a real process at 80 columns) --------

def _cli(*args: str, cwd: Path | None = None, stdin: str | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*NEWSETL, *args], capture_output=True, text=True, cwd=cwd,
                          input=stdin if stdin is not None else "", timeout=300,
                          env={**os.environ, "COLUMNS": "80", **(env or {})})


def test_backfill_mistakes_are_one_line_before_prefect_or_a_warehouse(tmp_path: Path):
    home, warehouse = tmp_path / "prefect-home", tmp_path / "w.duckdb"
    cases = {
        ("backfill", "/no/such/path"): "error: no such file or folder: /no/such/path",
        ("backfill", str(SEED), "--since", "2024-02-01", "--until", "2024-01-31"):
            "error: --since 2024-02-01 is after --until 2024-01-31: no item could match",
    }
    for args, expected in cases.items():
        result = _cli(*args, "-w", str(warehouse), env={"PREFECT_HOME": str(home)})
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [expected] and result.stdout == ""
    assert not home.exists()  # Prefect never started
    assert not warehouse.exists() and not (tmp_path / "newsetl.log").exists()


def test_sql_usage_mistakes_are_one_line(small_warehouse: Path, tmp_path: Path):
    w = ("-w", str(small_warehouse))
    empty = _cli("sql", *w, stdin="\n")
    assert empty.returncode == 2
    assert empty.stderr.splitlines() == [
        'error: no SQL in standard input: give a query, e.g. newsetl sql "SELECT count(*) '
        'FROM articles"']
    (tmp_path / "q.sql").write_text("SELECT 1", encoding="utf-8")
    both = _cli("sql", "SELECT 2", "--file", str(tmp_path / "q.sql"), *w)
    assert both.returncode == 2 and both.stdout == ""
    assert both.stderr.splitlines() == [
        "error: give the SQL as an argument or with --file, not both"]
    missing = _cli("sql", "--file", str(tmp_path / "none.sql"), *w)
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        f"error: --file: No such file or directory: {tmp_path / 'none.sql'}"]
    comment = _cli("sql", "-", *w, stdin="-- nothing to run\n")
    assert comment.returncode == 1
    assert comment.stderr.splitlines() == ["error: the SQL holds no statement to run"]
    for statement in ("DELETE FROM articles", "CREATE TABLE t (a INT)"):
        refused = _cli("sql", statement, *w)
        assert refused.returncode == 1
        (line,) = refused.stderr.splitlines()
        assert line.endswith("read-only mode! (add --write to change the warehouse)"), line
    real = ("-w", str(_real_warehouse(tmp_path)))
    written = _cli("sql", "DELETE FROM articles", *real, "--write")
    assert written.returncode == 0, written.stderr
    assert _cli("sql", "SELECT count(*) AS n FROM articles", *real, "-f", "csv").stdout == \
        "n\n0\n"


def test_help_shows_the_environment_variables_and_version():
    help_text = " ".join(_cli("backfill", "--help").stdout.replace("│", " ").split())
    assert "Warehouse file [env NEWSETL_WAREHOUSE; default newsetl.duckdb in warehouse/]." \
        in help_text  # whole at 80 columns: no word longer than the help column
    wide = _cli("backfill", "--help", env={"COLUMNS": "120"}).stdout.replace("│", " ")
    assert "[env NEWSETL_DASK_ADDRESS]" in " ".join(wide.split())  # at 80 it is cut, not lost
    report_help = " ".join(_cli("report", "--help").stdout.replace("│", " ").split())
    assert "[default: report.html beside the warehouse]" in report_help
    from importlib.metadata import version

    result = _cli("--version")
    assert result.returncode == 0 and result.stdout == f"newsetl {version('newsetl')}\n"


def test_sql_table_at_80_columns_shows_what_fits_and_says_what_is_left_out(tmp_path: Path):
    warehouse = _real_warehouse(tmp_path)
    result = _cli("sql", "SELECT * FROM articles", "-w", str(warehouse))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = lines[0].split()
    assert header[:2] == ["article_id", "source"] and len(header) >= 4
    total = len(duckdb.connect(str(warehouse), read_only=True).execute(
        "SELECT * FROM articles").description)
    assert total > 30
    footer = " ".join(lines[-3:])
    assert f"1 row, {total} columns ({len(header)} shown; not shown: " in footer
    assert "--format csv or json gives every row and column" in footer
    assert SEED_TITLE[:10] in result.stdout  # a long value is cut, not dropped
    assert "Lavrov to unnamed foe: Don\u2019t try to destabilize socialist nations" not in \
        result.stdout
    none = _cli("sql", "SELECT title FROM articles WHERE false", "-w", str(warehouse))
    assert none.stdout.splitlines()[-1] == "0 rows" and "title" in none.stdout


def test_sources_reads_at_80_columns(tmp_path: Path):
    urls = [f"https://gazette.example/news/{n}-a-rather-long-article-address" for n in (1, 2)]
    (tmp_path / "sources.toml").write_text(
        _GOOD_SOURCE + '[sources.b]\nkind = "urls"\nurls = ' + json.dumps(urls)
        + '\nschedule = "1d"\nenabled = false\n', encoding="utf-8")
    result = _cli("sources", "-w", str(tmp_path / "none.duckdb"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for text in ("https://a.example/rss", *urls, "disabled", "last run: never"):
        assert any(text in line for line in lines), text


def test_extract_reads_folders_warc_files_and_standard_input(tmp_path: Path):
    from newsetl.archive.warc import WarcWriter
    from newsetl.models import FetchResult
    from tests.conftest import HTML_PAGE

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / SEED.name).write_bytes(SEED.read_bytes())
    (tmp_path / "a" / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "empty").mkdir()
    with WarcWriter(tmp_path / "w.warc.gz") as writer:
        for n, body in ((1, HTML_PAGE.encode()), (2, b"<html><body></body></html>")):
            writer.write(FetchResult(
                url=f"https://gazette.example/{n}", final_url=f"https://gazette.example/{n}",
                outcome="ok", status=200, reason="OK", body=body,
                headers=(("Content-Type", "text/html; charset=utf-8"),)))
    result = _cli("extract", "a", "w.warc.gz", "missing.txt", "empty", "-", cwd=tmp_path,
                  stdin=HTML_PAGE)
    assert result.returncode == 1  # some inputs gave no article
    records = [json.loads(line) for line in result.stdout.splitlines()]
    by_source = {r["source"]: r for r in records}
    assert f"a/b/{SEED.name}" in by_source and by_source[f"a/b/{SEED.name}"]["title"] == \
        SEED_TITLE
    assert by_source["a/page.html"]["title"] == by_source["-"]["title"]
    assert by_source["-"]["title"] and "error" not in by_source["-"]
    warc = [r for r in records if r["source"].startswith("w.warc.gz#")]
    assert len(warc) == 2 and warc[0]["title"] == by_source["-"]["title"]
    assert warc[1]["error"] != "missing"
    assert (by_source["missing.txt"]["error"], by_source["missing.txt"]["detail"]) == (
        "missing", "no such file")
    assert by_source["empty"]["error"] == "no-inputs"
    assert all("published" not in r for r in records)
    assert result.stderr == f"extract: 3 of {len(records)} inputs gave no article\n"
    nothing = _cli("extract")
    assert nothing.returncode == 2 and nothing.stderr.startswith("error: give files")


def test_extract_fetches_a_url_with_the_guarded_fetcher(httpserver):
    from tests.conftest import HTML_PAGE

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/news/1").respond_with_data(
        HTML_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    httpserver.expect_request("/news/gone").respond_with_data("gone", status=404)
    page, gone = httpserver.url_for("/news/1"), httpserver.url_for("/news/gone")
    refused = _cli("extract", "--url", page)  # 127.0.0.1 is refused unless allowed
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"] == "blocked-address"
    result = _cli("extract", "--url", page, "--url", gone, "--allow-host", "127.0.0.1")
    assert result.returncode == 1
    ok, missing = (json.loads(line) for line in result.stdout.splitlines())
    assert ok["source"] == page and ok["title"] and "error" not in ok
    assert (missing["source"], missing["error"]) == (gone, "http-error")
    assert "404" in missing["detail"]


def test_export_writes_every_table_even_an_empty_one(tmp_path: Path):
    from newsetl.store.warehouse import Warehouse

    warehouse = tmp_path / "w.duckdb"
    with Warehouse(warehouse).connect() as con:
        tables = {row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    assert {"fetches", "files", "article_bands", "schema_version"} <= tables
    result = _cli("export", str(tmp_path / "out"), "-w", str(warehouse))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "out").iterdir() if p.is_dir()} == tables
    reread = duckdb.connect()
    for table in tables:
        rows = reread.execute(f"SELECT count(*) FROM read_parquet("
                              f"'{tmp_path}/out/{table}/**/*.parquet')").fetchone()[0]
        assert f"{tmp_path / 'out' / table}: {rows} rows" in result.stdout
    columns = reread.execute(f"SELECT * FROM read_parquet('{tmp_path}/out/articles/**/*.parquet',"
                             " hive_partitioning = true)").description
    assert {"article_id", "title", "published_at", "month"} <= {c[0] for c in columns}


def test_an_ingest_archives_beside_its_own_warehouse(tmp_path: Path):
    from newsetl.store.warehouse import Warehouse

    assert Warehouse(tmp_path / "x" / "y.duckdb").archive_dir == tmp_path / "x" / "y.archive"
    assert Warehouse(tmp_path / "x" / "z.duckdb").archive_dir != \
        Warehouse(tmp_path / "x" / "y.duckdb").archive_dir


def test_status_shows_runs_rows_rejects_and_the_index(tmp_path: Path):
    from newsetl.pipeline.backfill import backfill_files
    from newsetl.pipeline.run import writing

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "seed.txt").write_bytes(SEED.read_bytes())
    (archive / "empty.txt").write_bytes(b"")
    warehouse = tmp_path / "w.duckdb"
    with writing(warehouse) as session, session.run("backfill", {}) as run:
        backfill_files(warehouse, [str(archive)], run.run_id, counts=run.counts)
    proc = subprocess.run([*NEWSETL, "status", "-w", str(warehouse)], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "80"}, check=True)
    out = proc.stdout
    assert "search index up to date" in out and "schema version" in out
    assert "backfill" in out and " ok " in out
    assert "rejects of the last run: empty 1" in out
    rows = dict(line.split() for line in out.splitlines()
                if line.strip().startswith(("articles ", "quotes ")))
    assert rows == {"articles": "1", "quotes": "8"}
    assert max(len(line) for line in out.splitlines()) <= 80
    with duckdb.connect(str(warehouse)) as con:  # an article changed behind the index's back
        con.execute("UPDATE index_state SET dirty = true")
    out = _run("status", "-w", str(warehouse)).stdout
    assert "out of date" in out


# -- issue 18: a no-op backfill costs what its work costs: no Prefect ---------------------

_BACKFILL_AND_SAY_IF_PREFECT_CAME = """
import sys
from newsetl.cli import app
try:
    app(sys.argv[1:])
finally:
    print("prefect imported:", "prefect" in sys.modules, file=sys.stderr)
"""


def _loaded_archive(tmp_path: Path, n: int = 3) -> tuple[Path, Path]:
    """An archive of `n` pages loaded into a warehouse, as a backfill flow would (no Prefect)."""
    from newsetl.pipeline.backfill import backfill_files
    from newsetl.pipeline.run import writing
    from tests.conftest import make_seed_archive

    archive = make_seed_archive(tmp_path / "archive", n)
    warehouse = tmp_path / "wh" / "w.duckdb"
    with writing(warehouse) as session, session.run("backfill", {}) as run:
        backfill_files(warehouse, [str(archive)], run.run_id, counts=run.counts)
    return archive, warehouse


def test_a_no_op_backfill_records_its_run_without_prefect(tmp_path: Path):
    archive, warehouse = _loaded_archive(tmp_path)
    home = tmp_path / "prefect-home"
    result = subprocess.run(
        [sys.executable, "-c", _BACKFILL_AND_SAY_IF_PREFECT_CAME, "backfill", str(archive),
         "-w", str(warehouse), "--since", "2020-01-01"], capture_output=True, text=True,
        env={**os.environ, "PREFECT_HOME": str(home)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "prefect imported: False"
    assert not home.exists()  # no server asked for, none started
    (line,) = result.stdout.splitlines()
    assert line.startswith("backfill ") and ": 3 items seen, 0 loaded" in line
    assert line.endswith("(nothing new: no flow run)")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("SELECT run_id, flow, status, seen, loaded, skipped, "
                           "finished_at >= started_at, parameters->>'$.since' FROM runs "
                           "ORDER BY started_at").fetchall()
    assert len(rows) == 2
    run_id, *rest = rows[1]
    assert run_id in line
    assert rest == ["backfill", "ok", 3, 0, 3, True, "2020-01-01"]


def test_a_backfill_plans_a_flow_run_for_any_new_or_changed_input(tmp_path: Path):
    """What decides the no-op is the file ledger: an input it does not hold, or holds
    with another size or modification time, is work (and so a flow run)."""
    from newsetl.pipeline.backfill import plan_backfill

    archive, warehouse = _loaded_archive(tmp_path)
    settled = plan_backfill(warehouse, [str(archive)])
    assert settled is not None and (settled.seen, settled.skipped, settled.loaded) == (3, 3, 0)
    assert plan_backfill(warehouse, [], reprocess=True) is not None  # the ledger's own inputs
    assert plan_backfill(tmp_path / "none.duckdb", [str(archive)]) is None  # no warehouse yet

    page = archive / "0001.txt"
    before, original = page.stat(), page.read_bytes()
    page.write_bytes(original + b"\nOne more line.")
    assert plan_backfill(warehouse, [str(archive)]) is None  # changed
    assert plan_backfill(warehouse, [str(archive / "0000.txt")]) is not None  # not that one
    page.write_bytes(original)
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))
    assert plan_backfill(warehouse, [str(archive)]) is None  # same size, touched: re-read
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert plan_backfill(warehouse, [str(archive)]) is not None
    (archive / "new.txt").write_text("A new page.\n\nWith a body.", encoding="utf-8")
    assert plan_backfill(warehouse, [str(archive)]) is None  # new
    (archive / "new.txt").unlink()
    with duckdb.connect(str(warehouse)) as con:  # a stale index: the run would rebuild it
        con.execute("UPDATE index_state SET dirty = true")
    assert plan_backfill(warehouse, [str(archive)]) is None
