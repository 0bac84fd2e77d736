"""Extracted articles to warehouse rows: stable ids, content hashes, Arrow tables.

Ids and hashes are pure functions of the input and the extracted values, so
the same backfill always produces the same rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa

from newsetl.archive.files import item_hash
from newsetl.models import Article, Item, Reject
from newsetl.store.warehouse import (
    ARTICLE_SCHEMA,
    DATE_SCHEMA,
    ENTITY_SCHEMA,
    FILE_SCHEMA,
    ITEM_SCHEMA,
    QUOTE_SCHEMA,
    REJECT_SCHEMA,
    Batch,
)

# Article fields that make up its content (what `content_hash` covers).
_CONTENT_FIELDS = ("title", "authors", "published_at", "modified_at", "language", "body",
                   "notes", "description", "site_name", "canonical_url", "section", "topics",
                   "top_image", "image_captions", "is_paywalled")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _is_article_url(url: str | None) -> bool:
    """An http(s) URL with a path: a `rel=canonical` pointing at a home page is no id."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.path not in ("", "/")


def article_url(item: Item, article: Article) -> str | None:
    """The URL that names this article: the page's canonical URL, else the fetched one."""
    from newsetl.urls import canonical_url

    for url in (article.canonical_url, item.url):
        if _is_article_url(url):
            return canonical_url(url)
    return None


def article_id(item: Item, article: Article) -> str:
    """Stable id: from the canonical URL when known, else the item's source and archive key.

    The same article reached by two URLs that share a canonical URL is one
    article; an archived file without a URL keeps its id wherever the
    archive is mounted.
    """
    url = article_url(item, article)
    basis = f"url:{url}" if url else f"item:{item.source}/{item.key}"
    return _sha(basis)[:16]


def content_hash(article: Article) -> str:
    """Hash of the extracted content: equal hashes mean nothing a reader sees changed."""
    values = {name: getattr(article, name) for name in _CONTENT_FIELDS}
    return _sha(json.dumps(values, default=str, sort_keys=True, ensure_ascii=False))


# MinHash over word 3-grams, 64 hash functions in 16 bands of 4 (see warehouse's
# near-duplicate step). The seed is fixed: signatures must never change between
# runs or releases, or stored articles would stop matching new ones.
MINHASH_SIZE, BAND_ROWS = 64, 4
_rng = np.random.default_rng(20141008)
_MUL = _rng.integers(1, 2**63, MINHASH_SIZE, dtype=np.uint64) | np.uint64(1)
_ADD = _rng.integers(0, 2**63, MINHASH_SIZE, dtype=np.uint64)
# Odd multipliers that combine three word hashes into one 3-gram hash (order matters).
_GRAM = _rng.integers(1, 2**63, 3, dtype=np.uint64) | np.uint64(1)


def minhash(text: str) -> list[int] | None:
    """MinHash signature of the text's word 3-grams; None for texts too short to compare.

    Syndicated copies of one wire story differ by a dateline, a sentence, a
    dropped paragraph: their shingle sets stay over 70% alike (Jaccard),
    which the share of equal signature values estimates.
    """
    words = re.findall(r"\w+", text.lower())
    if len(words) < 8:
        return None
    # Hash each distinct word once, then each 3-gram from its words' hashes, in numpy.
    codes: dict[str, int] = {}
    positions = [codes.setdefault(w, len(codes)) for w in words]
    word_hashes = np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "big")
         for w in codes), dtype=np.uint64, count=len(codes))[positions]
    shingles = np.unique(word_hashes[:-2] * _GRAM[0] + word_hashes[1:-1] * _GRAM[1]
                         + word_hashes[2:] * _GRAM[2])
    # Multiply-shift hashing: (a*x + b) mod 2^64, top 32 bits; uint64 arithmetic wraps.
    permuted = (shingles[:, None] * _MUL[None, :] + _ADD[None, :]) >> np.uint64(32)
    return permuted.min(axis=0).astype(np.int64).tolist()


def _fields(obj: object) -> dict:
    """A dataclass's fields as a dict, shallow (`asdict` deep-copies, at 10x the cost)."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}  # type: ignore[arg-type]


@dataclass
class ArticleRows:
    """One extracted article as warehouse rows: built where it was extracted.

    Building rows (hashes, MinHash, child rows) costs a tenth of extraction,
    so it happens in the extraction process, not in the one loading process.
    """

    article: dict
    entities: list[dict]
    quotes: list[dict]
    dates: list[dict]
    item: dict


def article_rows(item: Item, article: Article, extractor_version: str) -> ArticleRows:
    """The rows of every table that one extracted article goes to."""
    aid = article_id(item, article)
    digest = item_hash(item.data)
    row = {name: getattr(article, name) for name in _CONTENT_FIELDS}
    row.update(
        article_id=aid, source=item.source, url=item.url or article.canonical_url,
        word_count=article.word_count, paragraph_count=len(article.paragraphs),
        encoding=article.encoding, encoding_source=article.encoding_source,
        provenance=sorted(article.provenance.items()), content_hash=content_hash(article),
        minhash=minhash(article.body),
        extractor_version=extractor_version, archive_path=item.archive_path,
        item_key=item.key, item_hash=digest,
    )
    common = {"article_id": aid, "extractor_version": extractor_version}
    return ArticleRows(
        article=row,
        entities=[{**_fields(e), **common} for e in article.entities],
        quotes=[{**_fields(q), "start_offset": q.start, "end_offset": q.end, **common}
                for q in article.quotes],
        dates=[{**_fields(d), "start_offset": d.start,
                "date": date.fromisoformat(d.date) if d.date else None, **common}
               for d in article.dates],
        item={"source": item.source, "item_key": item.key, "item_hash": digest,
              "archive_path": item.archive_path, "status": "loaded", "article_id": aid,
              "extractor_version": extractor_version},
    )


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def build_batch(loaded: list[ArticleRows], rejects: list[Reject], extractor_version: str,
                files: list[dict] | None = None) -> Batch:
    """Arrow tables for one atomic load of extracted articles, rejects, and the
    `files` ledger rows of the files this batch completes."""
    # One row per article id: when two items of a batch are the same article, the last wins.
    by_id = {rows.article["article_id"]: rows for rows in loaded}.values()
    items = [rows.item for rows in loaded]
    for reject in rejects:
        if reject.key is not None and reject.item_hash is not None:
            items.append({"source": reject.source, "item_key": reject.key,
                          "item_hash": reject.item_hash, "archive_path": reject.input,
                          "status": "rejected", "article_id": None,
                          "extractor_version": extractor_version})
    return Batch(
        articles=_table([rows.article for rows in by_id], ARTICLE_SCHEMA),
        entities=_table([e for rows in by_id for e in rows.entities], ENTITY_SCHEMA),
        quotes=_table([q for rows in by_id for q in rows.quotes], QUOTE_SCHEMA),
        dates=_table([d for rows in by_id for d in rows.dates], DATE_SCHEMA),
        items=_table(items, ITEM_SCHEMA),
        rejects=_table([{"input": r.input, "reason": r.reason, "detail": r.detail,
                         "item_hash": r.item_hash} for r in rejects], REJECT_SCHEMA),
        files=_table(files or [], FILE_SCHEMA),
    )
