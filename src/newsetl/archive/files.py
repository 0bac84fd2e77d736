"""Reading the archive: folders of saved articles into `Item`s.

An archive is a folder tree of plain-text (`.txt`), HTML (`.html`, `.htm`)
and gzipped (`.gz`) files, and WARC files written by the ingest flow. Its
root is the nearest folder holding a `manifest.toml`, which records what the
files themselves do not say (source name, URL, fetch time); an item's key is
its path relative to that root, so keys (and the article ids derived from
them) do not depend on where the archive is mounted or which sub-folder a
backfill is pointed at.

Reading never raises for a bad file: it yields a `Reject` with the reason
and goes on with the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
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


def list_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every archive file under `paths`, recursively, in a stable order.

    Paths are made absolute, so the ledger names a file the same way from
    any working directory, and a file named twice (or under two of `paths`)
    is listed once. Manifests and hidden files are not inputs. A path that
    does not exist is returned as well, so reading it yields a `Reject`
    rather than vanishing.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw).absolute()
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.name != MANIFEST
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


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


def read_file(path: Path) -> Item | Reject:
    """One archive file as an `Item`, or a `Reject` saying why it can't be read."""
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


def iter_items(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Item | Reject]:
    """Stream every item under `paths`; memory holds one file at a time."""
    for path in list_inputs(paths):
        if path.name.endswith(_WARC_SUFFIXES):
            from newsetl.archive.warc import iter_warc_items

            root = _archive_root(path) or path.parent
            try:
                manifest = load_manifest(root)
            except ValueError as exc:
                yield Reject(input=str(path), reason="bad-manifest", detail=str(exc),
                             source=root.name)
                continue
            yield from iter_warc_items(path, source=manifest.source)
        else:
            yield read_file(path)
