"""Reading the archive: folders of saved articles into `Item`s.

An archive is a folder tree of plain-text (`.txt`), HTML (`.html`, `.htm`)
and gzipped (`.gz`) files, and WARC files written by the ingest flow. Its
root is the nearest folder holding a `manifest.toml`, which records what the
files themselves do not say (source name, URL, fetch time); an item's key is
its path relative to that root, so keys (and the article ids derived from
them) do not depend on where the archive is mounted or which sub-folder a
backfill is pointed at.

Reading never raises for a bad file: it yields a `Reject` with the reason
and goes on with the next one. Three kinds of path are refused before any
byte is read (see README, "The archive"):

* a name that is not valid UTF-8 (`bad-filename`): it could not be stored
  in the warehouse, and one such name used to fail every backfill. It is
  listed in a rendering that is valid UTF-8 (`\\xNN` for each bad byte,
  `\\\\` for a backslash), which `read_file` and `iter_items` recognise, so
  the reject travels as a plain string through the ledger;
* a path whose real location (symlinks resolved) is outside its archive
  root (`outside-archive`): an archive holding `leak.txt -> /etc/passwd`
  must not load that file. Without a manifest the boundary is the folder
  holding the path. `allow_outside_links=True` lifts this;
* a zero-byte WARC (`empty`).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import tomllib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from newsetl.models import Item, Reject

MANIFEST = "manifest.toml"
# Larger inputs are quarantined: no news page is this big, and reading one
# would make memory grow with the archive's worst file.
MAX_ITEM_BYTES = 20 * 1024 * 1024
_CONTENT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".html": "text/html",
                  ".htm": "text/html", ".xhtml": "text/html"}
_WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class Manifest:
    """What `manifest.toml` says: a default source, and per-item facts by key."""

    root: Path
    source: str
    items: dict[str, dict] = field(default_factory=dict)


def item_hash(data: bytes) -> str:
    """The content hash of an input's raw bytes (the ledger's change detector)."""
    return hashlib.sha256(data).hexdigest()


def _archive_root(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds a manifest."""
    for folder in [path, *path.parents] if path.is_dir() else path.parents:
        if (folder / MANIFEST).is_file():
            return folder
    return None


@lru_cache(maxsize=64)
def load_manifest(root: Path) -> Manifest:
    """Parse `root/manifest.toml` (see README: "The archive"); ValueError when malformed."""
    file = root / MANIFEST
    if not file.is_file():
        return Manifest(root=root, source=root.name)
    with file.open("rb") as fh:
        try:
            doc = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{file}: {exc}") from None
    entries = doc.get("items", [])
    if not (isinstance(entries, list) and all(
            isinstance(e, dict) and isinstance(e.get("path"), str) for e in entries)):
        raise ValueError(f"{file}: `items` must be an array of tables, each with a `path` "
                         '(`[[items]]` then `path = "..."`)')
    if not isinstance(doc.get("source", ""), str):
        raise ValueError(f"{file}: `source` must be a string")
    items = {entry["path"]: entry for entry in entries}
    return Manifest(root=root, source=doc.get("source", root.name), items=items)


def list_inputs(paths: Iterable[str | os.PathLike[str]], *,
                allow_outside_links: bool = False) -> list[Path]:
    """Every archive file under `paths`, recursively, in a stable order.

    Paths are made absolute, so the ledger names a file the same way from
    any working directory, and a file named twice (or under two of `paths`)
    is listed once. Manifests and hidden files are not inputs. A path that
    does not exist is returned as well, so reading it yields a `Reject`
    rather than vanishing.

    Symlinked folders are walked when they lead to a folder inside the
    archive and outside the folder being walked (one inside it is listed
    there already); one leading outside the archive is listed as itself, not
    walked, so that reading it yields one `outside-archive` reject. A name
    that is not valid UTF-8 is listed in its escaped rendering (see the
    module docstring): every list this returns can be stored as text.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).absolute()
        if not _utf8(str(path)):
            found.append(Path(_render(str(path))))  # one reject, even for a whole folder
        elif path.is_dir() and (allow_outside_links or _escapes(path) is None):
            found.extend(sorted(_walk(path, allow_outside_links)))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _walk(top: Path, allow_outside_links: bool) -> Iterator[Path]:
    """The inputs below `top` (unsorted), following folder links as `list_inputs` says."""
    top_real = Path(os.path.realpath(top))
    walked = {top_real}
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # unreadable folder: nothing to list (its files cannot be read either)
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if not _utf8(entry.path):
                yield Path(_render(entry.path))
            elif entry.is_dir():
                real = Path(os.path.realpath(path))
                if entry.is_symlink():
                    if not allow_outside_links and _escapes(path) is not None:
                        yield path  # rejected as outside-archive when read
                        continue
                    if real.is_relative_to(top_real):
                        continue  # listed under its own path (or a cycle)
                if real not in walked:  # each real folder once, whatever links lead to it
                    walked.add(real)
                    folders.append(path)
            elif entry.name != MANIFEST and (entry.is_file() or entry.is_symlink()):
                yield path  # a dangling link too: reading it says why it cannot be read


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utf8_bytes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _render(text: str) -> str:
    """A path that is not valid UTF-8 as text that is.

    `\\xNN` per bad byte and `\\\\` per backslash, so `_bad_name` can undo it.
    """
    out = []
    for char in os.fsencode(text).decode("utf-8", "surrogateescape"):
        if "\udc80" <= char <= "\udcff":
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            out.append("\\\\" if char == "\\" else char)
    return "".join(out)


_ESCAPE = re.compile(rb"\\(\\|x[0-9a-f]{2})")


def _bad_name(path: Path) -> Reject | None:
    """A `bad-filename` reject when `path` is, or renders, a name that is not UTF-8."""
    text = str(path)
    if _utf8(text):
        if "\\" not in text or os.path.lexists(text):
            return None
        raw = _ESCAPE.sub(lambda m: b"\\" if m[1] == b"\\" else bytes([int(m[1][1:], 16)]),
                          text.encode("utf-8"))
        if _utf8_bytes(raw) or not os.path.lexists(raw):
            return None  # not a rendering of an existing non-UTF-8 name
    else:
        text = _render(text)
    return Reject(input=text, reason="bad-filename",
                  detail="the path is not valid UTF-8 (bad bytes shown as \\xNN): rename it")


def _escapes(path: Path) -> tuple[Path, Path] | None:
    """(real location, archive root) when `path` resolves outside its archive root, else None.

    The root is the manifest folder at or above `path` (a folder with its own
    manifest is its own root), else the folder holding `path`.
    """
    root = _archive_root(path) or path.parent
    real, real_root = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return None if real.is_relative_to(real_root) else (real, root)


def _refused(path: Path, allow_outside_links: bool) -> Reject | None:
    """The reject for a path that must not be read at all: a bad name, or a link outside."""
    if (bad := _bad_name(path)) is not None:
        return bad
    if allow_outside_links or (escape := _escapes(path)) is None:
        return None
    real, root = escape
    try:
        source = load_manifest(_archive_root(path) or path.parent).source
    except ValueError:
        source = root.name
    key = path.relative_to(root).as_posix()
    return Reject(input=str(path), reason="outside-archive", source=source, key=key,
                  detail=f"a link to {real}, outside the archive at {root} "
                         "(allow outside links to read it)")


def _content_type(name: str) -> str | None:
    base = name[:-3] if name.endswith(".gz") else name
    return _CONTENT_TYPES.get(Path(base).suffix.lower())


def _read(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is a `.gz`; raises ValueError when too big."""
    if path.stat().st_size > MAX_ITEM_BYTES:
        raise ValueError(f"{path.stat().st_size} bytes on disk, over the {MAX_ITEM_BYTES} limit")
    if not path.name.endswith(".gz"):
        return path.read_bytes()
    with gzip.open(path) as fh:
        data = fh.read(MAX_ITEM_BYTES + 1)  # bounded: a gzip bomb stops here
    if len(data) > MAX_ITEM_BYTES:
        raise ValueError(f"over {MAX_ITEM_BYTES} bytes once gunzipped")
    return data


def read_file(path: Path, *, allow_outside_links: bool = False) -> Item | Reject:
    """One archive file as an `Item`, or a `Reject` saying why it can't be read."""
    if (refused := _refused(path, allow_outside_links)) is not None:
        return refused
    root = _archive_root(path) or path.parent
    key = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    try:
        manifest = load_manifest(root)
    except ValueError as exc:  # includes TOML syntax errors
        return Reject(input=str(path), reason="bad-manifest", detail=str(exc),
                      source=root.name, key=key)
    facts = manifest.items.get(key, {})
    source = facts.get("source", manifest.source)
    content_type = _content_type(path.name)

    def reject(reason: str, detail: str, raw: bytes | None = None) -> Reject:
        return Reject(input=str(path), reason=reason, detail=detail, source=source, key=key,
                      item_hash=item_hash(raw) if raw is not None else None)

    if not path.is_file():
        return reject("missing", "no such file")
    if content_type is None:
        return reject("unsupported-type", f"not a .txt, .html, .htm or .gz file: {path.name}")
    try:
        data = _read(path)
    except ValueError as exc:
        return reject("too-large", str(exc))
    except (OSError, EOFError, zlib.error) as exc:
        raw = path.read_bytes() if path.is_file() else None
        reason = "bad-gzip" if path.name.endswith(".gz") else "unreadable"
        return reject(reason, f"{type(exc).__name__}: {exc}", raw)
    fetched_at = facts.get("fetched_at")
    if isinstance(fetched_at, str):
        try:
            fetched_at = datetime.fromisoformat(fetched_at)
        except ValueError:
            return reject("bad-manifest", f"fetched_at is not an ISO 8601 time: {fetched_at!r}")
    return Item(key=key, data=data, archive_path=str(path), source=source,
                url=facts.get("url"), fetched_at=fetched_at, content_type=content_type)


def iter_items(paths: Iterable[str | os.PathLike[str]], *,
               allow_outside_links: bool = False) -> Iterator[Item | Reject]:
    """Stream every item under `paths`; memory holds one file at a time."""
    for path in list_inputs(paths, allow_outside_links=allow_outside_links):
        if not path.name.endswith(_WARC_SUFFIXES):
            yield read_file(path, allow_outside_links=allow_outside_links)
            continue
        from newsetl.archive.warc import iter_warc_items

        if (refused := _refused(path, allow_outside_links)) is not None:
            yield refused
            continue
        root = _archive_root(path) or path.parent
        try:
            manifest = load_manifest(root)
        except ValueError as exc:
            yield Reject(input=str(path), reason="bad-manifest", detail=str(exc),
                         source=root.name)
            continue
        if path.is_file() and path.stat().st_size == 0:
            yield Reject(input=str(path), reason="empty", detail="a WARC file of 0 bytes",
                         source=manifest.source)
            continue
        yield from iter_warc_items(path, source=manifest.source)
