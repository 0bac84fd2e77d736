"""The DuckDB warehouse: schema, migrations, bulk loads and run records.

The schema is a list of migrations applied in order at connect time and
recorded in `schema_version`, so a warehouse made by an older release is
brought up to date without a manual step; every table is also declared once
in `newsetl.store.schema`, which the Arrow schemas and the loader's column
lists derive from and a test holds the migrations to. Loads go through Arrow tables
(`INSERT ... SELECT`), tens of thousands of rows a second, one transaction
per batch: a batch is all in or all out.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from newsetl.store.lookup import articles_table, rows_by_rowid
from newsetl.store.schema import (
    ARTICLE_BANDS,
    ARTICLE_VERSIONS,
    ARTICLES,
    DATE_MENTIONS,
    ENTITIES,
    FETCHES,
    FILES,
    ITEMS,
    QUOTES,
    REJECTS,
    insert_select,
)
from newsetl.store.search import mark_index_dirty

DEFAULT_WAREHOUSE = "warehouse/newsetl.duckdb"

# One statement list per schema version; never edit a released one, append.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE articles (
            article_id VARCHAR PRIMARY KEY, source VARCHAR, url VARCHAR, canonical_url VARCHAR,
            title VARCHAR, authors VARCHAR[], published_at TIMESTAMPTZ, modified_at TIMESTAMPTZ,
            language VARCHAR, body VARCHAR, notes VARCHAR[], word_count INTEGER,
            paragraph_count INTEGER, description VARCHAR, site_name VARCHAR, section VARCHAR,
            topics VARCHAR[], top_image VARCHAR, image_captions VARCHAR[], is_paywalled BOOLEAN,
            encoding VARCHAR, encoding_source VARCHAR, provenance MAP(VARCHAR, VARCHAR),
            content_hash VARCHAR, minhash BIGINT[], cluster_id VARCHAR, extractor_version VARCHAR,
            version INTEGER, first_seen_at TIMESTAMPTZ, last_seen_at TIMESTAMPTZ,
            archive_path VARCHAR, item_key VARCHAR, item_hash VARCHAR, run_id VARCHAR)""",
        # Every version ever loaded, the current one included: diff old against new in SQL.
        """CREATE TABLE article_versions AS SELECT * FROM articles WITH NO DATA""",
        # LSH index of the MinHash signatures: one row per article and band.
        """CREATE TABLE article_bands (article_id VARCHAR, band INTEGER, hash UBIGINT)""",
        """CREATE TABLE entities (
            article_id VARCHAR, name VARCHAR, kind VARCHAR, mentions INTEGER,
            first_offset INTEGER, offsets INTEGER[], extractor_version VARCHAR)""",
        """CREATE TABLE quotes (
            article_id VARCHAR, ordinal INTEGER, text VARCHAR, speaker VARCHAR,
            speaker_kind VARCHAR, verb VARCHAR, start_offset INTEGER, end_offset INTEGER,
            extractor_version VARCHAR)""",
        """CREATE TABLE date_mentions (
            article_id VARCHAR, text VARCHAR, context VARCHAR, start_offset INTEGER,
            date DATE, year_known BOOLEAN, extractor_version VARCHAR)""",
        """CREATE TABLE items (
            source VARCHAR, item_key VARCHAR, item_hash VARCHAR, archive_path VARCHAR,
            status VARCHAR, article_id VARCHAR, extractor_version VARCHAR, run_id VARCHAR,
            processed_at TIMESTAMPTZ, PRIMARY KEY (source, item_key))""",
        """CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY, flow VARCHAR, source VARCHAR, parameters JSON,
            started_at TIMESTAMPTZ,
            finished_at TIMESTAMPTZ, status VARCHAR, seen INTEGER, loaded INTEGER,
            updated INTEGER, unchanged INTEGER, skipped INTEGER, out_of_window INTEGER,
            rejected INTEGER,
            extractor_version VARCHAR)""",
        """CREATE TABLE rejects (
            run_id VARCHAR, input VARCHAR, reason VARCHAR, detail VARCHAR,
            item_hash VARCHAR, rejected_at TIMESTAMPTZ)""",
        """CREATE TABLE fetches (
            run_id VARCHAR, source VARCHAR, kind VARCHAR, url VARCHAR, final_url VARCHAR,
            status INTEGER, outcome VARCHAR, detail VARCHAR, content_type VARCHAR,
            bytes INTEGER, elapsed_ms DOUBLE, redirects VARCHAR[], etag VARCHAR,
            last_modified VARCHAR, headers MAP(VARCHAR, VARCHAR), warc_path VARCHAR,
            warc_offset BIGINT, warc_length BIGINT, fetched_at TIMESTAMPTZ)""",
    ],
    # Views: stable names for the common questions (README: "Views").
    [
        """CREATE VIEW latest_articles AS SELECT article_id, source, url, title, authors,
            published_at, CAST(coalesce(published_at, first_seen_at) AS DATE) AS day, language,
            site_name, section, topics, word_count, description, body, version,
            extractor_version, first_seen_at, last_seen_at FROM articles""",
        """CREATE VIEW article_entities AS SELECT a.article_id, a.title, a.source,
            a.published_at, e.name, e.kind, e.mentions, e.first_offset
            FROM articles a JOIN entities e USING (article_id)""",
        """CREATE VIEW quotes_with_speakers AS SELECT a.article_id, a.title, a.source,
            a.published_at, q.ordinal, q.speaker, q.speaker_kind, q.verb, q.text
            FROM articles a JOIN quotes q USING (article_id)""",
        """CREATE VIEW daily_counts AS SELECT CAST(coalesce(published_at, first_seen_at) AS DATE)
            AS day, source, count(*) AS articles, sum(word_count) AS words
            FROM articles GROUP BY ALL""",
        """CREATE VIEW person_mentions AS SELECT e.name AS person,
            CAST(coalesce(a.published_at, a.first_seen_at) AS DATE) AS day,
            count(DISTINCT a.article_id) AS articles, sum(e.mentions) AS mentions
            FROM entities e JOIN articles a USING (article_id)
            WHERE e.kind = 'person' GROUP BY ALL""",
        """CREATE VIEW article_changes AS SELECT article_id, version, extractor_version,
            lag(extractor_version) OVER w AS previous_extractor_version,
            title, lag(title) OVER w AS previous_title,
            word_count, lag(word_count) OVER w AS previous_word_count,
            content_hash <> lag(content_hash) OVER w AS content_changed, last_seen_at
            FROM article_versions WINDOW w AS (PARTITION BY article_id ORDER BY version)""",
    ],
    # The file ledger: an unchanged file whose items are all done is not read again.
    [
        """CREATE TABLE files (
            path VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT, items INTEGER,
            extractor_version VARCHAR, run_id VARCHAR, processed_at TIMESTAMPTZ)""",
    ],
    # The search index's dirty mark, set by every load that changes an article and
    # cleared by the rebuild; dirty at first, so an older warehouse's index is rebuilt
    # once. And the manifest a file quarantined as `bad-manifest` waits on.
    [
        """CREATE TABLE index_state (
            dirty BOOLEAN, changed_at TIMESTAMPTZ, run_id VARCHAR, rebuilt_at TIMESTAMPTZ)""",
        """INSERT INTO index_state (dirty, changed_at) VALUES (true, now())""",
        """ALTER TABLE files ADD COLUMN manifest_mtime_ns BIGINT""",
    ],
    # Which enrichment method ran for each article (issue 17): the language chooses it, and
    # a language without a good enough method gets none, said here rather than left silent.
    [
        """ALTER TABLE articles ADD COLUMN enrichment VARCHAR""",
        """ALTER TABLE article_versions ADD COLUMN enrichment VARCHAR""",
    ],
    # The search index moved to tantivy beside the file (issue 19), updated with the articles
    # each load queues here, in the load's transaction; the old DuckDB `fts` index goes.
    [
        """CREATE TABLE index_pending (
            article_id VARCHAR, queued_at TIMESTAMPTZ, run_id VARCHAR)""",
        """DROP SCHEMA IF EXISTS fts_main_articles CASCADE""",
    ],
    # The tables that grow with the archive lose their PRIMARY KEY (DuckDB rewrites its
    # whole index at every checkpoint: 16.4 s a run at 320,000 articles, growing); the load
    # keeps them unique (`load_batch`). DuckDB cannot drop a constraint, so each table is
    # copied; the views name tables, so they follow. `items.file` lets the ledger look
    # items up by file without splitting every `archive_path` (README, "Growth").
    [
        *(statement for table in ("articles", "files") for statement in (
            f"CREATE TABLE {table}_unkeyed AS SELECT * FROM {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {table}_unkeyed RENAME TO {table}")),
        """CREATE TABLE items_unkeyed AS
            SELECT *, split_part(archive_path, '#', 1) AS file FROM items""",
        """DROP TABLE items""",
        """ALTER TABLE items_unkeyed RENAME TO items""",
    ],
]

# Arrow schemas of the batches, derived from the one declaration (`newsetl.store.schema`):
# each is the table's columns minus those the loader fills itself.
ARTICLE_SCHEMA = ARTICLES.arrow_schema
ENTITY_SCHEMA = ENTITIES.arrow_schema
QUOTE_SCHEMA = QUOTES.arrow_schema
DATE_SCHEMA = DATE_MENTIONS.arrow_schema
ITEM_SCHEMA = ITEMS.arrow_schema
REJECT_SCHEMA = REJECTS.arrow_schema
FILE_SCHEMA = FILES.arrow_schema
FETCH_SCHEMA = FETCHES.arrow_schema


def warehouse_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: the argument, else $NEWSETL_WAREHOUSE, else the default."""
    return Path(path or os.environ.get("NEWSETL_WAREHOUSE") or DEFAULT_WAREHOUSE)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations this warehouse lacks; returns the schema version."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMPTZ)"
    )
    current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
        with transaction(con):
            for statement in statements:
                con.execute(statement)
            con.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, now())",
                        [version])
    return len(MIGRATIONS)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN, then COMMIT when the block ends, ROLLBACK when it raises.

    A COMMIT that fails (a full disk) has already ended the transaction, so
    the ROLLBACK after it fails too, with "no transaction is active": that
    second error would hide the one that says what went wrong, so a failing
    ROLLBACK is ignored and the original error raised.
    """
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


class WarehouseError(RuntimeError):
    """The warehouse cannot be used as asked; the message says why and what to do."""


class WarehouseBusy(WarehouseError):
    """Another process held the warehouse for longer than we were willing to wait."""


class WarehouseMissing(WarehouseError, FileNotFoundError):
    """A reader asked for a warehouse that no run has created yet."""


class WarehouseCorrupt(WarehouseError):
    """The file is not a readable DuckDB database: waiting would not help."""


# WAL size past which DuckDB checkpoints during a run's batch loads (`keep_wal`): big
# backfills fold their WAL every ~10,000 articles. Opening a file replays its WAL, about
# 3 ms per MB here, so this also bounds what each batch's (and each reader's) open costs.
CHECKPOINT_THRESHOLD = "256MB"

# How long to wait for another process's lock before giving up (seconds).
LOCK_WAIT = float(os.environ.get("NEWSETL_LOCK_WAIT", "120"))

_LOCK_HOLDER = re.compile(r"\(PID (\d+)\)")
# DuckDB's words (1.x) when another process holds the file: the only error worth waiting on.
_LOCK_CONFLICT = "Could not set lock on file"
# ... and when the file is damaged (bad header or metadata blocks, cut short, not DuckDB).
_CORRUPT = ("Corrupt database file", "not a valid DuckDB database file",
            "Could not read enough bytes from file")


class _Patience:
    """Waiting for another process to let go of the warehouse: says so once on
    stderr, backs off up to a second between tries, gives up after `wait` s."""

    def __init__(self, held: str, wait: float, first_delay: float) -> None:
        self.held, self.seconds = held, wait  # held: "<path> is in use by"
        self.deadline, self.delay, self.told = time.monotonic() + wait, first_delay, False

    def wait(self, who: str) -> None:
        """Sleep before the next try, or raise `WarehouseBusy` once the time is up."""
        if time.monotonic() >= self.deadline:
            raise WarehouseBusy(f"{self.held} {who}: gave up after {self.seconds:.0f} s "
                                "(set NEWSETL_LOCK_WAIT to wait longer)")
        if not self.told:
            print(f"newsetl: {self.held} {who}; waiting up to {self.seconds:.0f} s ...",
                  file=sys.stderr)
            self.told = True
        time.sleep(self.delay)
        self.delay = min(self.delay * 2, 1.0)


class Warehouse:
    """The one door to a warehouse: its DuckDB file and what lives beside it.

    Everything that touches the warehouse gets its connections, its run
    lock and its neighbouring paths from here; the SQL itself lives in the
    `store` modules as functions over a connection. A second backend is a
    subclass: a DuckLake catalog or a MotherDuck database overrides
    `_connect` (ATTACH the catalog and USE it; or connect to `md:name`) and
    `exclusive_run` if its own transactions make the run lock unnecessary
    (README, "Past one file").
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = warehouse_path(path).absolute()

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"

    # -- paths beside the database -------------------------------------------------

    @property
    def lock_file(self) -> Path:
        """Held by a writing run for its whole length (`exclusive_run`)."""
        return self.path.with_name(self.path.name + ".lock")

    @property
    def archive_dir(self) -> Path:
        """Raw WARC files of web ingestion: `<folder>/<warehouse name>.archive/<source>/`.

        Named after the warehouse file (`/x/y.duckdb` -> `/x/y.archive/`), so that two
        warehouses in one folder never share, or mix, their archives.
        """
        return self.path.with_name(self.path.stem + ".archive")

    @property
    def search_dir(self) -> Path:
        """The full-text search index (tantivy): `<folder>/<warehouse name>.search/`.

        Beside the file like `archive_dir`; `newsetl.store.search` finds it from a
        connection too (`search_dir_of`), so both must name the same folder.
        """
        return self.path.with_name(self.path.stem + ".search")

    @property
    def report_file(self) -> Path:
        """Where `newsetl report` writes by default."""
        return self.path.parent / "report.html"

    @property
    def log_file(self) -> Path:
        """Where the CLI appends the traceback of a command that failed (its error line
        says so), so that the console shows one line."""
        return self.path.parent / "newsetl.log"

    def exists(self) -> bool:
        return self.path.exists()

    # -- connections -----------------------------------------------------------------

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=read_only)

    def _open(self, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
        """Connect, waiting while another process holds the file's lock.

        DuckDB lets one process write a file, or several read it, never both:
        writers therefore hold the file for one batch at a time, and whoever
        finds it locked retries here (saying so once on stderr) instead of
        failing at the first try.
        """
        patience = _Patience(f"{self.path} is in use by", wait, first_delay=0.05)
        while True:
            try:
                return self._connect(read_only)
            except duckdb.IOException as exc:
                message = str(exc)
                if any(words in message for words in _CORRUPT):
                    raise WarehouseCorrupt(
                        f"corrupt warehouse file {self.path}: {message}; restore it from a "
                        "backup, or move it aside and rebuild it from the archive with "
                        "`newsetl backfill --force <archive>`") from None
                if _LOCK_CONFLICT not in message:  # "block" in a checksum error is no lock
                    raise
                holder = _LOCK_HOLDER.search(str(exc))
                patience.wait(f"process {holder.group(1)}" if holder else "another process")

    @contextmanager
    def connect(self, read_only: bool = False, wait: float | None = None,
                keep_wal: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse (creating and migrating it when writing) and close it after.

        Keep the `with` block short when writing: readers cannot open the file
        until it ends. Closing a writing connection checkpoints the file
        (DuckDB's default), so the file alone is the whole warehouse, except with
        `keep_wal`: for the batch loads of a run, which end with one `checkpoint`.
        """
        wait = LOCK_WAIT if wait is None else wait
        if read_only and not self.exists():
            raise WarehouseMissing(f"no warehouse at {self.path}: run `newsetl backfill` first")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._open(read_only, wait)
        try:
            if not read_only:
                if keep_wal:
                    # A checkpoint rewrites the file's indexes: seconds per batch at
                    # 100,000 articles, growing with the warehouse. The WAL stays instead
                    # (durable all the same, replayed by the next open) until
                    # CHECKPOINT_THRESHOLD or the run's one `checkpoint` at its end.
                    con.execute("PRAGMA disable_checkpoint_on_shutdown")
                    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
                migrate(con)
            yield con
        finally:
            con.close()

    @contextmanager
    def query_connection(self, writable_dir: str | os.PathLike[str] | None = None,
                         wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection fit for SQL that newsetl did not write (`newsetl sql`).

        Read-only alone still lets SQL write files (COPY TO, EXPORT DATABASE),
        read any file (read_text, read_csv, ATTACH) and download extensions
        (INSTALL, autoloading). Here DuckDB may touch no file but the open
        warehouse (`enable_external_access` off, and its local file system
        disabled, which also stops spilling big sorts to disk), nor load or
        install extensions, and the configuration is locked so that SET or
        PRAGMA cannot undo it. (Search reads its own index beside the file:
        nothing to load here.) `writable_dir`: the one folder
        COPY TO may write into (the export's staging folder); the local file
        system stays on then, for the COPY.
        """
        with self.connect(read_only=True, wait=wait) as con:
            con.execute("SET autoinstall_known_extensions = false")
            con.execute("SET autoload_known_extensions = false")
            con.execute("SET allow_community_extensions = false")
            con.execute("SET python_enable_replacements = false")  # no Python variables as tables
            if writable_dir is not None:  # must precede enable_external_access = false
                con.execute("SET allowed_directories = [?]",
                            [os.path.join(os.path.abspath(writable_dir), "")])
            con.execute("SET enable_external_access = false")
            if writable_dir is None:
                con.execute("SET disabled_filesystems = 'LocalFileSystem'")
            con.execute("SET lock_configuration = true")
            yield con

    def owns(self, path: str | os.PathLike[str]) -> bool:
        """Whether `path` is the database file, its WAL or its run lock (by name, through
        symbolic links, or as another hard link to one of them): no output may go there."""
        target = Path(path)
        for own in (self.path, self.path.with_name(self.path.name + ".wal"), self.lock_file):
            if target.resolve() == own.resolve():
                return True
            with suppress(OSError):
                if os.path.samefile(target, own):
                    return True
        return False

    @contextmanager
    def exclusive_run(self, wait: float | None = None) -> Iterator[None]:
        """Hold the warehouse's run lock (`lock_file`) for a whole writing run.

        Batches keep the DuckDB file itself free for readers between loads, so
        this lock is what stops two backfills or ingests from interleaving: the
        second waits (saying so once) and then fails with a clear message.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        patience = _Patience(f"{self.path} is being written by",
                             LOCK_WAIT if wait is None else wait, first_delay=0.5)
        with open(self.lock_file, "a+") as fh:
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    fh.seek(0)
                    patience.wait(fh.read().strip() or "another run")
            fh.seek(0)
            fh.truncate()
            fh.write(f"process {os.getpid()}")
            fh.flush()
            try:
                yield
            finally:
                fh.truncate(0)
                fcntl.flock(fh, fcntl.LOCK_UN)


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the WAL into the file: once at the end of a run's batch loads (`keep_wal`),
    so that the file alone is the whole warehouse again and readers replay nothing."""
    con.execute("CHECKPOINT")


def connect(path: str | os.PathLike[str] | Warehouse | None = None, read_only: bool = False,
            wait: float | None = None, keep_wal: bool = False
            ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """`Warehouse(path).connect(...)`: a connection to the warehouse at `path`."""
    warehouse = path if isinstance(path, Warehouse) else Warehouse(path)
    return warehouse.connect(read_only=read_only, wait=wait, keep_wal=keep_wal)


def new_run_id() -> str:
    """A sortable, unique run id: UTC time plus process id."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"


# The `runs` columns a run's `Counts` fill.
_COUNTED = ("seen", "loaded", "updated", "unchanged", "skipped", "out_of_window", "rejected")


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict,
              extractor_version: str, source: str | None = None) -> None:
    """Record a run as started; call under `exclusive_run`.

    Holding the run lock means no other run is alive, so any run still
    marked running was killed: it is marked interrupted. The counts start
    at 0 and grow as batches commit (`load_batch`).
    """
    con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
    con.execute(
        "INSERT INTO runs (run_id, flow, source, parameters, started_at, status, "
        f"extractor_version, {', '.join(_COUNTED)}) VALUES (?, ?, ?, ?, now(), 'running', ?"
        f"{', 0' * len(_COUNTED)})",
        [run_id, flow, source, json.dumps(parameters, default=str, sort_keys=True),
         extractor_version],
    )


@dataclass
class Counts:
    """What a run (or one batch of it) did to the items it saw."""

    seen: int = 0
    loaded: int = 0  # new articles
    updated: int = 0  # existing articles whose content changed
    unchanged: int = 0  # re-read, same content: only last_seen_at moves
    skipped: int = 0  # same bytes and extractor version as last time: not re-extracted
    out_of_window: int = 0  # outside --since/--until/--source: not loaded
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        for name in _COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n


def record_counts(con: duckdb.DuckDBPyConnection, run_id: str, counts: Counts) -> None:
    """Write a run's counts so far into its `runs` row, leaving its status alone.

    `load_batch` calls it inside each batch's transaction, so a run killed
    later (even with kill -9) still says what its committed batches did.
    """
    con.execute(f"UPDATE runs SET {', '.join(f'{name} = ?' for name in _COUNTED)} "
                "WHERE run_id = ?", [*(getattr(counts, name) for name in _COUNTED), run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: Counts, status: str) -> None:
    """Record how a run ended, with its final counts, in one transaction."""
    with transaction(con):
        record_counts(con, run_id, counts)
        con.execute("UPDATE runs SET finished_at = now(), status = ? WHERE run_id = ?",
                    [status, run_id])


@dataclass
class Ledger:
    """What earlier runs recorded about a group of files, handed to whatever extracts them.

    `files`: path -> (size, mtime_ns, items, extractor_version,
    manifest_mtime_ns) of files whose every item was done: such a file,
    unchanged on disk (and, when it was quarantined as `bad-manifest`, under
    the same manifest), is not even read.
    `items`: (source, item_key) -> (item_hash, extractor_version): an item read
    again with the same bytes is not extracted again.
    """

    files: dict[str, tuple[int, int, int, str, int | None]] = field(default_factory=dict)
    items: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def ledger_for(con: duckdb.DuckDBPyConnection, files: list[str]) -> Ledger:
    """The ledger's entries for `files` (WARC records folded into their file).

    Looked up by file, not by item key, so that the caller can hand them to
    whatever extracts the files without reading the files first.
    """
    if not files:
        return Ledger()
    # One scan of each key column, the other columns read where it matched.
    items = con.execute("SELECT source, item_key, item_hash, extractor_version FROM items "
                        "WHERE file IN (SELECT unnest(?::VARCHAR[]))", [files]).fetchall()
    done = con.execute("SELECT path, size, mtime_ns, items, extractor_version, "
                       "manifest_mtime_ns FROM files WHERE path IN "
                       "(SELECT unnest(?::VARCHAR[]))", [files]).fetchall()
    return Ledger(files={path: tuple(row) for path, *row in done},
                  items={(s, k): (h, v) for s, k, h, v in items})


# Near-duplicates: articles whose MinHash signatures agree on at least this
# share of values (estimated Jaccard similarity of their word 3-grams).
NEAR_DUPLICATE_SIMILARITY = 0.7
_BANDS, _BAND_ROWS = 16, 4


def _stored_bands_matching(con: duckdb.DuckDBPyConnection) -> None:
    """The stored band rows whose hash is one of the batch's (`b_bands`), in `b_matched`.

    Two steps, as in `newsetl.store.lookup`: a scan of the `hash` column alone for
    the row ids, then those rows. Joining `article_bands` (16 rows an article) whole
    made DuckDB read its article ids and band numbers too: at 1,000,000 articles
    328 -> 211 ms a batch, and +198 -> +137 MB of DuckDB's buffers (README, "Growth").
    """
    rowids = sorted(row[0] for row in con.execute(
        "SELECT rowid FROM article_bands WHERE hash IN (SELECT hash FROM b_bands)").fetchall())
    con.execute("CREATE OR REPLACE TEMP TABLE b_matched "
                "(article_id VARCHAR, band INTEGER, hash UBIGINT)")
    for rows in rows_by_rowid(con, ARTICLE_BANDS.name, "article_id, band, hash", rowids):
        con.register("b_found", rows)
        try:
            con.execute("INSERT INTO b_matched (article_id, band, hash) "
                        "SELECT article_id, band, hash FROM b_found")
        finally:
            con.unregister("b_found")


def _cluster_near_duplicates(con: duckdb.DuckDBPyConnection, replaced: bool) -> None:
    """Cluster ids for the batch's new and changed articles, in `b_cluster`; stored
    near-duplicates whose cluster a newcomer joins get its smaller id.

    Candidates come from the band index (`article_bands`: equal hashes of 4
    signature values, so no pair-by-pair scan of the warehouse) and are kept
    when their signatures agree enough. A cluster id is the smallest article
    id in the group, and stored members join the group when a newcomer
    links them, so the outcome does not depend on load order. The batch's
    bands and signatures come from the batch itself; of the band index only its
    hash column is scanned (`_stored_bands_matching`), and stored candidates are
    read by key (`articles_table`), so the cost follows the batch and its
    candidates, apart from that one column's scan.
    `replaced`: some articles changed, so their old bands go first.
    """
    if replaced:
        con.execute("DELETE FROM article_bands WHERE article_id IN "
                    "(SELECT article_id FROM b_class WHERE change = 'changed')")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE b_bands AS SELECT b.article_id, t.b AS band, "
        f"hash(list_slice(b.minhash, t.b * {_BAND_ROWS} + 1, (t.b + 1) * {_BAND_ROWS})) AS hash "
        f"FROM b_articles b JOIN b_class c USING (article_id), range({_BANDS}) t(b) "
        "WHERE c.change <> 'unchanged' AND b.minhash IS NOT NULL")
    _stored_bands_matching(con)
    # Pairs with stored articles (their bands) and within the batch (its own bands).
    con.execute(
        "CREATE OR REPLACE TEMP TABLE b_pairs AS SELECT DISTINCT f.article_id AS a, "
        "o.article_id AS b FROM b_bands f JOIN (SELECT * FROM b_matched UNION ALL "
        "SELECT * FROM b_bands) o USING (band, hash) WHERE o.article_id <> f.article_id")
    con.execute(f"INSERT INTO {ARTICLE_BANDS.name} ({', '.join(ARTICLE_BANDS.names)}) "
                "SELECT article_id, band, hash FROM b_bands")
    stored = [row[0] for row in con.execute(
        "SELECT DISTINCT b FROM b_pairs WHERE b NOT IN (SELECT article_id FROM b_bands)"
    ).fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE b_others (article_id VARCHAR, minhash BIGINT[], "
                "cluster_id VARCHAR)")
    if stored:
        con.register("b_stored", articles_table(con, "article_id, minhash, cluster_id",
                                                stored))
        try:
            con.execute("INSERT INTO b_others (article_id, minhash, cluster_id) "
                        "SELECT article_id, minhash, cluster_id FROM b_stored")
        finally:
            con.unregister("b_stored")
    con.execute("INSERT INTO b_others (article_id, minhash, cluster_id) "
                "SELECT b.article_id, b.minhash, NULL FROM b_articles b "
                "WHERE b.article_id IN (SELECT article_id FROM b_bands)")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE b_near AS "
        "SELECT p.a, p.b, coalesce(y.cluster_id, y.article_id) AS cid FROM b_pairs p "
        "JOIN b_articles x ON x.article_id = p.a JOIN b_others y ON y.article_id = p.b "
        "WHERE len(list_filter(list_zip(x.minhash, y.minhash), lambda v: v[1] = v[2])) "
        f">= {NEAR_DUPLICATE_SIMILARITY} * len(x.minhash)")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE b_cluster AS SELECT c.article_id, "
        "coalesce(n.cid, c.article_id) AS cluster_id FROM b_class c LEFT JOIN "
        "(SELECT a, least(min(cid), min(b), a) AS cid FROM b_near GROUP BY a) n "
        "ON n.a = c.article_id WHERE c.change <> 'unchanged'")
    # One more step of the group, for members in this batch and stored ones alike.
    con.execute(
        "UPDATE b_cluster SET cluster_id = k.cluster_id FROM b_near n JOIN b_cluster k "
        "ON k.article_id = n.a WHERE b_cluster.article_id = n.b "
        "AND b_cluster.cluster_id > k.cluster_id")
    if stored:
        con.execute(
            "UPDATE articles SET cluster_id = k.cluster_id FROM b_near n JOIN b_cluster k "
            "ON k.article_id = n.a WHERE articles.article_id = n.b "
            "AND articles.cluster_id > k.cluster_id")


def ledger_paths(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every archive file the ledger has seen (WARC records folded into their file)."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT file FROM items ORDER BY file"
    ).fetchall()]


@dataclass
class Batch:
    """Rows for one atomic load, as Arrow tables built by `newsetl.store.rows`."""

    articles: pa.Table
    entities: pa.Table
    quotes: pa.Table
    dates: pa.Table
    items: pa.Table
    rejects: pa.Table
    files: pa.Table  # files all of whose items this batch completes

    def is_empty(self) -> bool:
        return not (self.items.num_rows or self.rejects.num_rows or self.files.num_rows)


def _last_per_key(table: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """`table` with one row per `key`: the last, as a replace would leave it."""
    keys = list(zip(*(table.column(k).to_pylist() for k in key), strict=True))
    if len(set(keys)) == len(keys):
        return table
    last = {k: i for i, k in enumerate(keys)}
    return table.take(sorted(last.values()))


def _one_row_per_key(batch: Batch) -> Batch:
    """The batch with its keyed tables unique by key (the tables have no PRIMARY KEY to
    refuse a second row: `newsetl.store.schema.Table.key_constraint`)."""
    return replace(batch, articles=_last_per_key(batch.articles, ARTICLES.key),
                   items=_last_per_key(batch.items, ITEMS.key),
                   files=_last_per_key(batch.files, FILES.key))


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch, run_id: str,
               run_counts: Counts | None = None) -> Counts:
    """Load one batch in one transaction and return what it changed.

    An article whose `content_hash` and `extractor_version` match the stored
    row is `unchanged` (only `last_seen_at` moves); otherwise the row is
    replaced, `version` goes up, the new version is appended to
    `article_versions` and its child rows are replaced. A batch that changes
    an article queues it for the search index in the same transaction
    (`newsetl.store.search`), so a run killed before its index update cannot
    leave the index silently stale. Stored rows are never read back by a join
    (that reads the column for every stored article): new rows come from the
    batch, stored ones by key (`newsetl.store.lookup`), so a load's cost follows the batch
    rather than the warehouse (README, "Growth"). `run_counts`, the run's counts before
    this load, go into its `runs` row with this load's added, in the same
    transaction too.
    """
    counts = Counts(rejected=batch.rejects.num_rows)
    for reason in batch.rejects.column("reason").to_pylist():
        counts.reasons[reason] = counts.reasons.get(reason, 0) + 1

    def record_run() -> None:
        if run_counts is not None:
            total = Counts()
            total.add(run_counts)
            total.add(counts)
            record_counts(con, run_id, total)

    if batch.is_empty():
        with transaction(con):
            record_run()
        return counts
    batch = _one_row_per_key(batch)
    staged = {"b_articles": batch.articles, "b_entities": batch.entities,
              "b_quotes": batch.quotes, "b_dates": batch.dates, "b_items": batch.items,
              "b_rejects": batch.rejects, "b_files": batch.files}
    for name, table in staged.items():
        con.register(name, table)
    try:
        with transaction(con):
            # Classify each incoming article against the stored one, read by key.
            con.register("b_before", articles_table(
                con, "article_id, content_hash, extractor_version, version, first_seen_at",
                batch.articles.column("article_id").to_pylist()))
            con.execute(
                "CREATE OR REPLACE TEMP TABLE b_class AS SELECT b.article_id, "
                "CASE WHEN a.article_id IS NULL THEN 'new' "
                "WHEN a.content_hash = b.content_hash "
                "AND a.extractor_version = b.extractor_version "
                "THEN 'unchanged' ELSE 'changed' END AS change, "
                "coalesce(a.version, 0) AS old_version, a.first_seen_at "
                "FROM b_articles b LEFT JOIN b_before a USING (article_id)"
            )
            con.unregister("b_before")
            for change, n in con.execute(
                "SELECT change, count(*) FROM b_class GROUP BY change"
            ).fetchall():
                if change == "new":
                    counts.loaded = n
                elif change == "changed":
                    counts.updated = n
                else:
                    counts.unchanged = n
            if counts.loaded or counts.updated:
                mark_index_dirty(con, run_id, "SELECT article_id FROM b_class "
                                 "WHERE change <> 'unchanged'")
            if counts.unchanged:
                con.execute(
                    "UPDATE articles SET last_seen_at = now(), run_id = ? WHERE article_id IN "
                    "(SELECT article_id FROM b_class WHERE change = 'unchanged')", [run_id])
            if counts.updated:
                con.execute("DELETE FROM articles WHERE article_id IN "
                            "(SELECT article_id FROM b_class WHERE change = 'changed')")
            if counts.loaded or counts.updated:
                _cluster_near_duplicates(con, replaced=bool(counts.updated))
                # The new rows, and their copy in `article_versions`, come from the batch:
                # reading them back from `articles` would read every stored article.
                insert = insert_select(
                    ARTICLES, "b_articles b JOIN b_class c USING (article_id) "
                    "JOIN b_cluster k USING (article_id) WHERE c.change <> 'unchanged'",
                    alias="b",
                    fill={"cluster_id": "k.cluster_id", "version": "c.old_version + 1",
                          "first_seen_at": "coalesce(c.first_seen_at, now())",
                          "last_seen_at": "now()", "run_id": "?"})
                con.execute(insert, [run_id])
                assert ARTICLE_VERSIONS.names == ARTICLES.names  # the same columns, in order
                con.execute(insert.replace(f"INTO {ARTICLES.name} ",
                                           f"INTO {ARTICLE_VERSIONS.name} ", 1), [run_id])
            for table, batch_table in ((ENTITIES, "b_entities"), (QUOTES, "b_quotes"),
                                       (DATE_MENTIONS, "b_dates")):
                if counts.updated:  # a new article has no rows to replace
                    con.execute(f"DELETE FROM {table.name} WHERE article_id IN "
                                "(SELECT article_id FROM b_class WHERE change = 'changed')")
                con.execute(insert_select(table, f"{batch_table} t JOIN b_class c "
                                          "USING (article_id) WHERE c.change <> 'unchanged'",
                                          alias="t"))
            # A keyed row read again replaces the stored one (no PRIMARY KEY: see `ITEMS`).
            con.execute("DELETE FROM items USING b_items n WHERE items.source = n.source "
                        "AND items.item_key = n.item_key")
            con.execute(insert_select(ITEMS, "b_items", fill={
                "run_id": "?", "processed_at": "now()",
                "file": "split_part(archive_path, '#', 1)"}), [run_id])
            con.execute(insert_select(REJECTS, "b_rejects",
                                      fill={"run_id": "?", "rejected_at": "now()"}), [run_id])
            con.execute("DELETE FROM files WHERE path IN (SELECT path FROM b_files)")
            con.execute(insert_select(FILES, "b_files",
                                      fill={"run_id": "?", "processed_at": "now()"}), [run_id])
            record_run()
    finally:
        for name in staged:
            con.unregister(name)
    return counts


def last_runs_by_source(con: duckdb.DuckDBPyConnection, flow: str
                        ) -> dict[str, tuple[datetime, str, int | None, int | None]]:
    """Each source's latest run of `flow`: (started_at, status, loaded, rejected)."""
    return {row[0]: row[1:] for row in con.execute(
        "SELECT source, started_at, status, loaded, rejected FROM runs WHERE flow = ? "
        "QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1",
        [flow]).fetchall()}
