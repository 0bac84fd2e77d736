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

from newsetl.archive.files import item_hash
from newsetl.models import Article, DateMention, Entity, Item, Quote, Reject
from newsetl.store.schema import (
    ARTICLES,
    DATE_MENTIONS,
    ENTITIES,
    FILES,
    ITEMS,
    QUOTES,
    REJECTS,
    Table,
    arrow_table,
)
from newsetl.store.warehouse import Batch

# Article fields that are not `articles` columns, and the table they go to instead.
ARTICLE_NOT_STORED = {"entities": "entities", "quotes": "quotes", "dates": "date_mentions"}
# Each child dataclass's table, and its fields stored under another column name.
CHILD_TABLES: dict[type, tuple[Table, dict[str, str]]] = {
    Entity: (ENTITIES, {}),
    Quote: (QUOTES, {"start": "start_offset", "end": "end_offset"}),
    DateMention: (DATE_MENTIONS, {"start": "start_offset"}),
}

# Article fields copied as they are into the `articles` column of the same name: the
# declared batch columns that are Article fields (a new one needs no code here).
_COPIED = tuple(name for name in ARTICLES.batch_names
                if name in {f.name for f in fields(Article)})
# What `content_hash` covers: the columns the declaration marks `content`. The hash
# serialises them with sorted keys, so their order does not matter.
_CONTENT_FIELDS = ARTICLES.content_names


def field_problems(article_type: type = Article,
                   children: dict[type, tuple[Table, dict[str, str]]] | None = None
                   ) -> list[str]:
    """Dataclass fields with no column to go to, and content columns no field feeds.

    A field that is neither a column nor listed as stored elsewhere would be
    extracted and then dropped without a word; tests/test_schema.py asserts
    this list is empty.
    """
    names = {f.name for f in fields(article_type)}
    problems = [f"{article_type.__name__}.{name} is neither an articles column nor listed in "
                "newsetl.store.rows.ARTICLE_NOT_STORED"
                for name in sorted(names - set(ARTICLES.names) - set(ARTICLE_NOT_STORED))]
    problems += [f"articles.{name} is marked content but is no {article_type.__name__} field"
                 for name in _CONTENT_FIELDS if name not in names]
    for cls, (table, renamed) in (CHILD_TABLES if children is None else children).items():
        for f in fields(cls):
            column = renamed.get(f.name, f.name)
            if column not in table.names:
                problems.append(f"{cls.__name__}.{f.name} has no column {table.name}.{column}")
    return problems


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


def _child_row(obj: Entity | Quote | DateMention, common: dict) -> dict:
    """A child dataclass as its table's row, fields renamed to their columns.

    Shallow on purpose (`asdict` deep-copies, at 10x the cost).
    """
    renamed = CHILD_TABLES[type(obj)][1]
    return {**{renamed.get(f.name, f.name): getattr(obj, f.name) for f in fields(obj)},
            **common}


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
    """The rows of every table that one extracted article goes to.

    Article fields declared as `articles` columns are copied; the columns
    computed here are the rest, and `build_batch` refuses a row whose keys
    are not exactly the declared batch columns.
    """
    aid = article_id(item, article)
    digest = item_hash(item.data)
    row = {name: getattr(article, name) for name in _COPIED}
    row.update(
        article_id=aid, source=item.source, url=item.url or article.canonical_url,
        word_count=article.word_count, paragraph_count=len(article.paragraphs),
        provenance=sorted(article.provenance.items()), content_hash=content_hash(article),
        minhash=minhash(article.body),
        extractor_version=extractor_version, archive_path=item.archive_path,
        item_key=item.key, item_hash=digest,
    )
    common = {"article_id": aid, "extractor_version": extractor_version}
    return ArticleRows(
        article=row,
        entities=[_child_row(e, common) for e in article.entities],
        quotes=[_child_row(q, common) for q in article.quotes],
        dates=[{**_child_row(d, common),
                "date": date.fromisoformat(d.date) if d.date else None}
               for d in article.dates],
        item={"source": item.source, "item_key": item.key, "item_hash": digest,
              "archive_path": item.archive_path, "status": "loaded", "article_id": aid,
              "extractor_version": extractor_version},
    )


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
        articles=arrow_table([rows.article for rows in by_id], ARTICLES),
        entities=arrow_table([e for rows in by_id for e in rows.entities], ENTITIES),
        quotes=arrow_table([q for rows in by_id for q in rows.quotes], QUOTES),
        dates=arrow_table([d for rows in by_id for d in rows.dates], DATE_MENTIONS),
        items=arrow_table(items, ITEMS),
        rejects=arrow_table([{"input": r.input, "reason": r.reason, "detail": r.detail,
                              "item_hash": r.item_hash} for r in rejects], REJECTS),
        files=arrow_table(files or [], FILES),
    )
