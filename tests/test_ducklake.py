"""Past one warehouse file: two writer processes commit to one DuckLake at the same time.

A DuckDB file takes one writing process; DuckLake keeps the catalog (snapshots,
file lists) in a database that several clients can commit to, and the rows in
Parquet files. Its documentation names PostgreSQL (or SQLite, on one machine) as
the catalog for several writers; a DuckDB catalog file is one process only. So
this test starts its own PostgreSQL cluster (the binaries at /usr/local/bin, or
Debian's /usr/lib/postgresql/*/bin) in a temp folder, on 127.0.0.1 and a free
port, with no unix socket, and stops it after. Two processes attach the same lake
and insert `articles` rows (our declared columns, `store/schema.py`), twice with
both transactions open at once before either commits, and then freely; both
must commit every time, and a third connection must see all their rows.

Skipped, with the reason, when the PostgreSQL binaries or the duckdb extension
packages (`duckdb-extension-ducklake`, `duckdb-extension-postgres`, dev extra) are
missing. Run as a module, it is the writer process.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from newsetl.store.schema import ARTICLES, arrow_type

ROOT = Path(__file__).resolve().parents[1]
PG_DIRS = [Path("/usr/local/bin"),
           *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]
PG_USER = "postgres"  # the server refuses to run as root: as root, it runs as this user
BARRIER_TIMEOUT = 60.0  # seconds a writer waits for the other at a rendezvous
OPEN_ROUNDS, OPEN_ROWS = 2, 25  # commits made with both transactions open at once
FREE_ROUNDS, FREE_ROWS = 4, 10  # then commits made as they come
# The extensions' canonical names: `LOAD` takes the init function's name from the file's.
EXTENSIONS = {"ducklake": ("duckdb_extension_ducklake", "ducklake"),
              "postgres_scanner": ("duckdb_extension_postgres", "postgres")}


def pg_binary(name: str) -> Path | None:
    """`name` from PATH, /usr/local/bin or Debian's versioned folder; None if absent."""
    found = shutil.which(name)
    if found:
        return Path(found)
    return next((d / name for d in PG_DIRS if (d / name).is_file()), None)


def extension_links(folder: Path) -> Path:
    """Links named as DuckDB expects to the extension files the pip packages hold.

    The packages install nothing into ~/.duckdb: the files are loaded from
    there, and nothing is downloaded at run time.
    """
    import importlib

    folder.mkdir(parents=True, exist_ok=True)
    for canonical, (package, stem) in EXTENSIONS.items():
        module = importlib.import_module(package)
        source = (Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
                  / f"{stem}.duckdb_extension")
        link = folder / f"{canonical}.duckdb_extension"
        if not link.exists():
            link.symlink_to(source)
    return folder


def attach_lake(extensions: Path, dsn: str, data_path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `lake`: what each writer opens."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    for canonical in EXTENSIONS:
        con.execute(f"LOAD '{extensions / canonical}.duckdb_extension'")
    con.execute(f"ATTACH 'ducklake:postgres:{dsn}' AS lake (DATA_PATH '{data_path}/')")
    # Commits that race for the next snapshot id retry; DuckLake's own hint for many writers.
    con.execute("SET ducklake_max_retry_count = 100")
    return con


def article_rows(writer: str, start: int, count: int) -> pa.Table:
    """`count` articles of `writer` with every declared column (unset ones NULL)."""
    schema = pa.schema([(c.name, arrow_type(c.type)) for c in ARTICLES.columns])
    rows = [{"article_id": f"{writer}-{n:05d}", "source": writer,
             "url": f"https://{writer}.example/news/{n}", "title": f"Story {n} from {writer}",
             "body": f"Body of story {n}.", "word_count": 4, "paragraph_count": 1,
             "content_hash": f"{writer}{n}", "extractor_version": "test", "version": 1,
             "authors": ["A. Writer"], "provenance": [("title", "meta")],
             "minhash": [n, n + 1]}
            for n in range(start, start + count)]
    return pa.Table.from_pylist(rows, schema=schema)


def insert(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    con.register("incoming", table)
    try:
        cols = ", ".join(ARTICLES.names)
        con.execute(f"INSERT INTO lake.articles ({cols}) SELECT {cols} FROM incoming")
    finally:
        con.unregister("incoming")


def rendezvous(folder: Path, me: str, name: str, writers: list[str]) -> None:
    """Say `me` reached `name`, then wait until every writer has."""
    (folder / f"{name}.{me}").touch()
    deadline = time.monotonic() + BARRIER_TIMEOUT
    while not all((folder / f"{name}.{w}").exists() for w in writers):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{me}: the other writer never reached {name}")
        time.sleep(0.02)


def writer_main(me: str, writers: list[str], dsn: str, data_path: Path, extensions: Path,
                barriers: Path) -> dict:
    """One writer process: rounds with both transactions open at once, then free commits."""
    con = attach_lake(extensions, dsn, data_path)
    rendezvous(barriers, me, "attached", writers)
    written = 0
    for r in range(OPEN_ROUNDS):
        con.execute("BEGIN")
        insert(con, article_rows(me, written, OPEN_ROWS))
        # Both have uncommitted rows in the same table now; then both commit.
        rendezvous(barriers, me, f"open-{r}", writers)
        con.execute("COMMIT")
        written += OPEN_ROWS
    for _ in range(FREE_ROUNDS):
        insert(con, article_rows(me, written, FREE_ROWS))
        written += FREE_ROWS
    con.close()
    return {"writer": me, "written": written}


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A PostgreSQL 15 cluster of this test's own, on 127.0.0.1 only; its DSN."""
    initdb, pg_ctl = pg_binary("initdb"), pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None or pg_binary("postgres") is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl, postgres) not found: "
                    "DuckLake's multi-writer catalog needs a PostgreSQL server")
    pytest.importorskip("duckdb_extension_ducklake",
                        reason="duckdb-extension-ducklake is not installed (dev extra)")
    pytest.importorskip("duckdb_extension_postgres",
                        reason="duckdb-extension-postgres is not installed (dev extra)")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="newsetl-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam(PG_USER)
        except KeyError:
            shutil.rmtree(base)
            pytest.skip(f"running as root, and PostgreSQL refuses root: no {PG_USER!r} "
                        "user to run it as")
        runuser = shutil.which("runuser")
        if runuser is None:
            shutil.rmtree(base)
            pytest.skip("running as root, and PostgreSQL refuses root: no runuser")
        os.chown(base, user.pw_uid, user.pw_gid)
        as_user = [runuser, "-u", PG_USER, "--"]
    data = base / "data"
    try:
        subprocess.run([*as_user, str(initdb), "-D", str(data), "-U", "newsetl",
                        "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                       check=True, capture_output=True)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        options = (f"-c listen_addresses=127.0.0.1 -p {port} "
                   "-c unix_socket_directories='' -c fsync=off")
        started = subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-l",
                                  str(base / "server.log"), "-w", "-t", "60", "-o", options,
                                  "start"], capture_output=True, text=True)
        if started.returncode:
            log = (base / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log}")
        try:
            yield f"dbname=postgres host=127.0.0.1 port={port} user=newsetl"
        finally:
            subprocess.run([*as_user, str(pg_ctl), "-D", str(data), "-m", "fast", "-w",
                            "stop"], capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_two_processes_commit_to_one_lake(postgres_dsn: str, tmp_path: Path) -> None:
    extensions = extension_links(tmp_path / "extensions")
    data_path, barriers = tmp_path / "lake", tmp_path / "barriers"
    barriers.mkdir()
    columns = ", ".join(f"{c.name} {c.type}" for c in ARTICLES.columns)
    with attach_lake(extensions, postgres_dsn, data_path) as con:
        con.execute(f"CREATE TABLE lake.articles ({columns})")

    writers = ["alpha", "beta"]
    procs = [subprocess.Popen(
        [sys.executable, "-m", "tests.test_ducklake", me, ",".join(writers), postgres_dsn,
         str(data_path), str(extensions), str(barriers)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for me in writers]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"a writer failed:\n{err[-3000:]}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    each = OPEN_ROUNDS * OPEN_ROWS + FREE_ROUNDS * FREE_ROWS
    assert [r["written"] for r in results] == [each, each]

    # A reader that did not write sees both writers' commits, every row once.
    with attach_lake(extensions, postgres_dsn, data_path) as con:
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT article_id) FROM lake.articles").fetchone()
        by_writer = dict(con.execute(
            "SELECT source, count(*) FROM lake.articles GROUP BY source").fetchall())
        snapshots = con.execute("SELECT count(*) FROM ducklake_snapshots('lake')").fetchone()[0]
        provenance = con.execute("SELECT provenance['title'] FROM lake.articles "
                                 "WHERE article_id = 'beta-00003'").fetchone()[0]
    assert (total, distinct) == (2 * each, 2 * each)
    assert by_writer == {"alpha": each, "beta": each}
    # One snapshot per commit of each writer, besides the lake's first and the CREATE TABLE.
    assert snapshots >= 2 * (OPEN_ROUNDS + FREE_ROUNDS) + 1
    assert provenance == "meta"
    assert list(data_path.rglob("*.parquet")), "rows went to Parquet files under DATA_PATH"


if __name__ == "__main__":
    me, names, dsn, data_path, extensions, barriers = sys.argv[1:7]
    print(json.dumps(writer_main(me, names.split(","), dsn, Path(data_path), Path(extensions),
                                 Path(barriers))))
