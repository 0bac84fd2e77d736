"""The backfill, as plain functions: archive files in, warehouse rows out.

Work is split in two so that extraction can run anywhere and loading in
one place:

* `extract_files` reads a group of files and turns their items into
  `Extracted` batches (Arrow rows plus counts). It needs no warehouse: the
  ledger entries it needs to skip work (`Ledger`) are handed to it. With
  `workers > 1` it spreads the items of each batch over a pool of
  processes, so one call uses every core. This is what a Prefect task runs, in this process or on
  a Dask worker.
* `backfill_files` is the loop around it: it hands groups of files to
  `submit` (threads here, or Prefect tasks on any task runner) and loads
  each finished batch itself, one transaction each. The warehouse has one
  writer, whatever runs the extraction.

Memory holds at most `in_flight` groups of files, however large the archive.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, TypeVar

from newsetl.archive.files import MANIFEST, _archive_root, item_hash, iter_items, list_inputs
from newsetl.models import Article, Item, Reject, Rejected
from newsetl.pipeline.extract import (
    EXTRACTOR_ERROR,
    EXTRACTOR_VERSION,
    error_detail,
    extract_item,
)
from newsetl.pipeline.failpoints import failpoint
from newsetl.store.rows import ArticleRows, article_rows, build_batch
from newsetl.store.warehouse import (
    Batch,
    Counts,
    Ledger,
    checkpoint,
    connect,
    ledger_for,
    load_batch,
)

T = TypeVar("T")
_log = logging.getLogger(__name__)

# What the extraction pool's fork server loads once, before it forks the workers; first,
# what makes it and them deaf to a terminal's Ctrl-C (the run's process decides).
_PRELOAD = ["newsetl.pipeline.ignore_sigint", "newsetl.page.webpage",
            "newsetl.pipeline.warmup"]


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` elements (the last may be shorter), lazily."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def default_workers() -> int:
    """Extraction processes per machine: one per core."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Window:
    """Which items a backfill takes: by source, and by date (published, else fetched)."""

    since: date | None = None
    until: date | None = None  # inclusive
    sources: frozenset[str] = frozenset()

    def wants_source(self, source: str | None) -> bool:
        return not self.sources or source in self.sources

    def contains(self, item: Item, article: Article) -> bool:
        when = article.published_at or item.fetched_at
        if when is None and (self.since or self.until):
            path = Path(item.archive_path.split("#", 1)[0])
            when = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        day = when.date() if when else None
        return not ((self.since and day and day < self.since)
                    or (self.until and day and day > self.until))


@dataclass(frozen=True)
class ExtractOptions:
    """How a group of files is extracted: the same wherever it runs."""

    batch_size: int = 200  # items per load transaction
    workers: int = 1  # processes per extraction call
    extractor_version: str = EXTRACTOR_VERSION
    window: Window = field(default_factory=Window)
    allow_outside_links: bool = False  # follow symlinks that lead out of the archive


def process_item(item: Item, options: ExtractOptions) -> ArticleRows | Reject | None:
    """One item to its warehouse rows; a `Reject` with the reason when it holds no
    article; None when its date is outside the window.

    The fault barrier of the run: any exception while extracting, enriching or
    building rows for this item becomes an "extractor-error" reject of this
    item alone, with its hash, so the ledger skips the same bytes until they or
    EXTRACTOR_VERSION change. Without it, one page that trips a bug fails the
    whole batch, and the good items loaded with it. `MemoryError` (the process
    is in trouble, not the item), `KeyboardInterrupt` and `SystemExit` pass.
    """
    try:
        article = extract_item(item)
        if not options.window.contains(item, article):
            return None
        return article_rows(item, article, options.extractor_version)
    except Rejected as exc:
        return _reject(item, exc.reason, exc.detail)
    except MemoryError:
        raise
    except Exception as exc:  # the barrier: a bug in our code costs this item only
        detail = error_detail(exc)
        _log.debug("extractor error on %s: %s", item.archive_path, detail, exc_info=True)
        return _reject(item, EXTRACTOR_ERROR, detail)


def _reject(item: Item, reason: str, detail: str) -> Reject:
    return Reject(input=item.archive_path, reason=reason, detail=detail, source=item.source,
                  key=item.key, item_hash=item_hash(item.data))


_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()  # two tasks' threads may ask for the pool at once
# Pools given up by a run that stopped (Ctrl-C, SIGTERM, a failure): extraction still
# running on one ends at once instead of redoing its batch item by item on new pools.
_ABANDONED: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()
# Set by the CLI's Ctrl-C handler: the run should stop at the next batch.
_INTERRUPTED = threading.Event()


class RunStopping(RuntimeError):
    """Raised to extraction that is still running when its run has stopped."""


def interrupt() -> None:
    """Ask this process's run to stop (Ctrl-C), besides the KeyboardInterrupt itself.

    The KeyboardInterrupt can be swallowed by C code it lands in (DuckDB, while
    it imported pyarrow.dataset, went on as if nothing had happened, and the
    run with it); this mark is not: the run stops before its next load, its
    extraction stops (`RunStopping`), and its `runs` row says `interrupted`.
    Only the CLI sets it, in a process that ends with the run.
    """
    _INTERRUPTED.set()


def interrupted() -> bool:
    """Whether Ctrl-C asked this process's run to stop."""
    return _INTERRUPTED.is_set()


def retry_unless_stopping(task: object, task_run: object, state: Any) -> bool:
    """A Prefect task's `retry_condition_fn`: retry a failed extraction unless its run
    has stopped (then the failure is the stop itself, and a retry would redo the group)."""
    if _INTERRUPTED.is_set():
        return False
    try:
        state.result()
    except RunStopping:
        return False
    except Exception:  # any other failure: Prefect's retry policy
        return True
    return True


def _stop_if_interrupted() -> None:
    if _INTERRUPTED.is_set():
        raise KeyboardInterrupt


def _stopped(pool: ProcessPoolExecutor | None = None) -> RunStopping | None:
    """The error for extraction whose run stopped (interrupted, or `pool` abandoned)."""
    if _INTERRUPTED.is_set() or (pool is not None and pool in _ABANDONED):
        return RunStopping("the run has stopped: no more extraction")
    return None


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, reused by every batch and every task.

    `forkserver` because the parent runs threads (Prefect's, ours), which
    `fork` does not copy safely; the server preloads the extractor and its
    models (`newsetl.pipeline.warmup`), so each worker starts warm and shares them.
    The processes die with this one, even on kill -9 (`newsetl.pipeline.orphans`).
    """
    from newsetl.pipeline.orphans import die_with_parent, start_orphan_guard

    with _POOLS_LOCK:
        if (stopped := _stopped()) is not None:
            raise stopped
        if workers not in _POOLS:
            start_orphan_guard()
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _POOLS[workers] = ProcessPoolExecutor(workers, mp_context=context,
                                                  initializer=die_with_parent)
        return _POOLS[workers]


def _drop_pool(workers: int, kill: bool = False) -> None:
    with _POOLS_LOCK:
        pool = _POOLS.pop(workers, None)
    if pool is None:
        return
    if kill:  # the work they hold is abandoned: no need to let it finish
        _ABANDONED.add(pool)
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            with suppress(OSError, ValueError):
                process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def stop_extraction_pool(abandon: bool = False) -> None:
    """End this process's extraction processes (a later batch starts new ones).

    A flow calls it once its loads are done: the search index rebuild that
    follows needs memory in proportion to the warehouse, and the idle
    extraction processes should not hold theirs meanwhile. With `abandon`
    (the run stopped: Ctrl-C, SIGTERM, a failure) the processes are killed
    mid-item, and extraction still running on them raises `RunStopping`
    instead of redoing its batch item by item on new pools: Prefect waits
    for its running tasks before a flow ends, and a group of files took
    seconds more, retries included, before the command could exit.
    """
    for workers in list(_POOLS):
        _drop_pool(workers, kill=abandon)


def process_items(items: list[Item], options: ExtractOptions
                  ) -> list[ArticleRows | Reject | None]:
    """`process_item` over `items`, on `options.workers` processes when more than one.

    A page that kills its worker process (a crash in a C parser) breaks the
    pool; the batch is then redone one item at a time on fresh pools, and
    an item that breaks it again is rejected as "extractor-crash" instead of
    failing the run. When every item does, the processes themselves cannot
    run, and that is raised.
    """
    workers, work = options.workers, partial(process_item, options=options)
    if workers <= 1 or len(items) < 2:
        results = []
        for item in items:
            if (stopped := _stopped()) is not None:
                raise stopped
            results.append(work(item))
        return results
    chunksize = max(1, len(items) // (workers * 4))
    pool = _pool(workers)
    try:
        return list(pool.map(work, items, chunksize=chunksize))
    except (BrokenProcessPool, CancelledError):
        if (stopped := _stopped(pool)) is not None:
            raise stopped from None
        _drop_pool(workers)
    results: list[ArticleRows | Reject | None] = []
    for item in items:
        pool = _pool(workers)
        try:
            results.append(pool.submit(work, item).result())
        except (BrokenProcessPool, CancelledError):
            if (stopped := _stopped(pool)) is not None:
                raise stopped from None
            _drop_pool(workers)
            results.append(_reject(item, "extractor-crash",
                                   "the extraction process died on this input"))
    if all(isinstance(r, Reject) and r.reason == "extractor-crash" for r in results):
        raise RuntimeError(f"the extraction processes died on all {len(items)} items: "
                           "they cannot run here (try workers=1)")
    return results


@dataclass
class Extracted:
    """One batch, extracted and turned into rows, ready for the warehouse's one writer."""

    batch: Batch
    counts: Counts  # seen, skipped and out of window; loading adds what it changed


def _file_of(entry: Item | Reject) -> str:
    """The archive file an item came from (a WARC record's path ends in `#offset`)."""
    return (entry.archive_path if isinstance(entry, Item) else entry.input).split("#", 1)[0]


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# Rejects without a hash that only a change of the file (for `bad-manifest`, of its
# manifest) or of the extractor can undo. Hashing is no way to recognise them: a
# too-large file would be read whole each run to hash it, a broken WARC record has no
# key of its own, and a bad manifest is not in the file's bytes at all. So the file
# ledger records the file by size and modification time, and the next run neither
# reads nor rejects it again. Other hashless rejects (`missing`, a read error) may
# pass by themselves: their files are read again.
SETTLED_WITHOUT_HASH = frozenset({"too-large", "bad-warc-record", "bad-manifest",
                                  "unsupported-type"})


def _manifest_mtime(path: str) -> int | None:
    """Modification time (ns) of the manifest that governs `path`, if there is one."""
    root = _archive_root(Path(path))
    found = _stat(str(root / MANIFEST)) if root is not None else None
    return found[1] if found else None


def _settled(path: str, stat: tuple[int, int] | None,
             done: tuple[int, int, int, str, int | None], extractor_version: str) -> bool:
    """Whether the file ledger's entry `done` still covers `path`: same size and
    modification time, same extractor version, and (for a file quarantined as
    `bad-manifest`) the same manifest. Such a file is not read again."""
    return (stat == done[:2] and done[3] == extractor_version
            and (done[4] is None or done[4] == _manifest_mtime(path)))


def plan_backfill(warehouse: str | os.PathLike[str] | None, paths: Iterable[str],
                  reprocess: bool = False, allow_outside_links: bool = False,
                  extractor_version: str = EXTRACTOR_VERSION) -> Counts | None:
    """What a backfill of `paths` would do when it has nothing to do; None when it has.

    Read-only and without Prefect (whose import alone costs 1-3 s): every
    input is listed and compared with the file ledger by size and
    modification time, as `extract_files` would, but nothing is read. When
    every input is settled there (and the search index is up to date, which a
    run would otherwise rebuild), the counts a run would report come back: all
    seen, all skipped. Any doubt (no warehouse yet, an older schema, a file
    not in the ledger or changed, a stale index) gives None: run the flow.
    """
    import duckdb

    from newsetl.store.search import index_is_stale
    from newsetl.store.warehouse import Warehouse, WarehouseError, ledger_paths

    door = Warehouse(warehouse)
    if not door.exists():
        return None
    try:
        with door.connect(read_only=True) as con:
            wanted = [*paths, *(ledger_paths(con) if reprocess else [])]
            files = [str(p) for p in list_inputs(wanted,
                                                 allow_outside_links=allow_outside_links)]
            # The file ledger only, and as a list parameter: `ledger_for` registers an
            # Arrow table, whose first use imports pyarrow.dataset (0.3-0.7 s).
            ledger = {path: tuple(row) for path, *row in con.execute(
                "SELECT path, size, mtime_ns, items, extractor_version, manifest_mtime_ns "
                "FROM files WHERE path IN (SELECT unnest(?::VARCHAR[]))", [files]).fetchall()}
            if len(ledger) < len(files):
                return None  # some file never finished: no need to look at the index
            if index_is_stale(con):
                return None
    except (duckdb.Error, WarehouseError, OSError):
        return None
    counts = Counts()
    for path in files:
        done = ledger.get(path)
        if done is None or not _settled(path, _stat(path), done, extractor_version):
            return None
        counts.seen += done[2]
        counts.skipped += done[2]
    return counts


def extract_files(files: list[str], ledger: Ledger, options: ExtractOptions = ExtractOptions()
                  ) -> Iterator[Extracted]:
    """Read and extract every item of `files`, a batch at a time.

    A file the ledger lists as done, with the same size and modification
    time and by the same extractor version, is not read: its items count as
    skipped. An item read again with the same bytes and extractor version is
    not extracted. A file whose every item ends up done (loaded, quarantined
    with its hash or for a reason in `SETTLED_WITHOUT_HASH`, or skipped)
    goes into the batch that completes it, for the file ledger; one with an
    item outside the window does not. A file quarantined as `bad-manifest`
    is recorded with its manifest's modification time, and read again once
    the manifest changes.
    """
    stats = {path: _stat(path) for path in files}
    unread, counts = [], Counts()
    for path in files:
        done = ledger.files.get(path)  # (size, mtime_ns, items, extractor_version, manifest)
        if done and _settled(path, stats[path], done, options.extractor_version):
            counts.seen += done[2]
            counts.skipped += done[2]
        else:
            unread.append(path)
    if counts.seen:
        yield Extracted(build_batch([], [], options.extractor_version), counts)

    tally: dict[str, int] = {}  # items per file read so far, in reading order
    incomplete: set[str] = set()  # files with an item not done
    manifests: dict[str, int | None] = {}  # files quarantined for their manifest: its mtime
    batches = chunks(iter_items(unread, allow_outside_links=options.allow_outside_links),
                     options.batch_size)
    chunk = next(batches, None)
    while chunk is not None:
        following = next(batches, None)
        counts = Counts(seen=len(chunk))
        todo: list[Item] = []
        rejects: list[Reject] = []
        for entry in chunk:
            path = _file_of(entry)
            tally[path] = tally.get(path, 0) + 1
            digest = item_hash(entry.data) if isinstance(entry, Item) else entry.item_hash
            if not options.window.wants_source(entry.source):
                counts.out_of_window += 1
                incomplete.add(path)
            elif ledger.items.get((entry.source, entry.key)) == (digest,
                                                                  options.extractor_version):
                counts.skipped += 1
            elif isinstance(entry, Reject):
                rejects.append(entry)
                if entry.reason == "bad-manifest":
                    manifests[path] = _manifest_mtime(path)
                if ((entry.key is None or entry.item_hash is None)
                        and entry.reason not in SETTLED_WITHOUT_HASH):
                    incomplete.add(path)  # in no ledger: read it again next time
            else:
                todo.append(entry)
        loaded: list[ArticleRows] = []
        for item, result in zip(todo, process_items(todo, options), strict=True):
            if isinstance(result, Reject):
                rejects.append(result)
            elif result is None:
                counts.out_of_window += 1
                incomplete.add(_file_of(item))
            else:
                loaded.append(result)
        # Every file read so far is complete, unless the next batch goes on with the last one.
        still_open = _file_of(chunk[-1])
        if following is None or _file_of(following[0]) != still_open:
            still_open = None
        finished = [p for p in tally if p != still_open]
        file_rows = [{"path": p, "size": stats[p][0], "mtime_ns": stats[p][1], "items": tally[p],
                      "extractor_version": options.extractor_version,
                      "manifest_mtime_ns": manifests.get(p)}
                     for p in finished if p not in incomplete and stats.get(p)]
        for p in finished:
            del tally[p]
            manifests.pop(p, None)
        yield Extracted(build_batch(loaded, rejects, options.extractor_version, file_rows),
                        counts)
        chunk = following


def extract_group(files: list[str], ledger: Ledger, options: ExtractOptions
                  ) -> list[Extracted]:
    """Every batch of a group of files: the unit of work one task does."""
    return list(extract_files(files, ledger, options))


class Pending(Protocol):
    """A submitted group: a `concurrent.futures.Future` or a Prefect future."""

    def result(self) -> list[Extracted]: ...


Submit = Callable[[list[str], Ledger, ExtractOptions], Pending]


def backfill_files(warehouse: str | os.PathLike[str] | None, paths: Iterable[str],
                   run_id: str, options: ExtractOptions = ExtractOptions(),
                   force: bool = False, files_per_task: int = 200, in_flight: int = 2,
                   submit: Submit | None = None,
                   on_batch: Callable[[Counts, int], None] | None = None,
                   counts: Counts | None = None) -> Counts:
    """Extract and load every item under `paths`; returns what was done.

    Groups of `files_per_task` files go to `submit` (default: a thread
    here), at most `in_flight` at a time, so loading one group overlaps
    extracting the next. Unless `force`, the ledger entries of a group's
    files go with it so that unchanged items are skipped. The warehouse is
    opened only to look up and to load, never while extracting, so readers
    get in between batches. `on_batch(counts, files)` follows each load;
    `files` is the number of files it completed (0 until a group's last batch).
    Each load's counts are added to `counts` (a run's) as soon as it commits,
    and written to the run's `runs` row in the load's transaction, so a run
    that fails or is killed half-way still records what it did.

    A group's ledger is looked up in the connection of the load before it
    is submitted, not in one of its own: a reader that takes the file
    between two connections makes the run wait each time, so one connection
    per batch means one wait at most.
    """
    files = [str(p) for p in
             list_inputs(paths, allow_outside_links=options.allow_outside_links)]
    total = Counts() if counts is None else counts
    groups = list(chunks(files, files_per_task))
    pending: deque[tuple[int, Pending]] = deque()
    ahead: dict[int, Ledger] = {}  # ledgers looked up during a load, by group number

    def load_next(next_group: int) -> None:
        """Load the oldest pending group; look up group `next_group`'s ledger on the way."""
        group_size, submitted = pending.popleft()
        batches = submitted.result()
        for i, extracted in enumerate(batches, start=1):
            _stop_if_interrupted()
            counts = Counts()
            counts.add(extracted.counts)
            so_far = Counts()
            so_far.add(total)
            so_far.add(counts)
            with connect(warehouse, keep_wal=True) as con:  # one checkpoint, at the end
                counts.add(load_batch(con, extracted.batch, run_id, run_counts=so_far))
                if (i == len(batches) and not force and next_group < len(groups)
                        and next_group not in ahead):
                    ahead[next_group] = ledger_for(con, groups[next_group])
            if not extracted.batch.is_empty():
                failpoint("batch-loaded")
            total.add(counts)
            if on_batch is not None:
                on_batch(counts, group_size if i == len(batches) else 0)

    with ThreadPoolExecutor(in_flight, thread_name_prefix="extract") as threads:
        def in_thread(group: list[str], ledger: Ledger, opts: ExtractOptions) -> Future:
            return threads.submit(extract_group, group, ledger, opts)

        for n, group in enumerate(groups):
            _stop_if_interrupted()
            ledger = Ledger() if force else ahead.pop(n, None)
            if ledger is None:  # the first groups: look up all that go in flight at once
                with connect(warehouse, keep_wal=True) as con:
                    ledger = ledger_for(con, group)
                    for m in range(n + 1, min(n + in_flight, len(groups))):
                        ahead[m] = ledger_for(con, groups[m])
            pending.append((len(group), (submit or in_thread)(group, ledger, options)))
            while len(pending) >= in_flight:
                load_next(n + 1)
        while pending:
            load_next(len(groups))
    with connect(warehouse) as con:
        checkpoint(con)  # the batches kept their WAL (`keep_wal`): fold it in once
    return total
