"""What an incremental run costs as the warehouse grows: 10k, 100k, 1M articles.

    make bench-growth     # or: .venv/bin/python bench/growth.py --sizes 10000 100000 1000000

Grows one warehouse to each size in turn with synthesised articles (realistic
length, an English-like vocabulary with Zipf frequencies, people, places and
organisations, quotes with speakers, dates, 3% syndicated near-copies), loaded
through the real load path (`load_batch`: tables, ledger, near-duplicate bands)
and the incremental search index update (`update_index`). Rows are built here
rather than extracted from HTML, which is what makes a million articles take
minutes; the signatures are the real ones (`rows.minhash`, checked).

At each size, in one run:

1. incremental backfills of 1,000 new HTML pages (`--rounds`, 3 by default),
   through the real run (`writing` + `backfill_files`, extraction processes
   and all), each in a child process: wall time, peak memory (RSS of the
   process and its extraction processes, and of the process alone) and each
   phase (ledger lookups, extraction, dedup/bands, the rest of the load, the
   end-of-run checkpoint, index update). Each run sits beside a run of the
   same kind on the reference warehouse (grown to the smallest size once,
   and copied afresh for each of its runs), in alternating order: the
   machine's speed drifts over the hour a million articles take to grow, so
   the ratios compare medians measured side by side, not with a run made
   long before;
2. the no-op rerun of the last of those archives (child process: wall, peak memory);
3. `newsetl search` latency (open the warehouse, search, snippets) over a fixed
   query set: p50 and p95;
4. view queries: `person_mentions` for one person, `daily_counts` for a month,
   `quotes_with_speakers` for one speaker (median of 3);
5. the size on disk (DuckDB file and search index).

Figures go to a JSON file (every run, and the medians) and a table; `x ref`
is a size's median against its reference runs' median. Everything is
deterministic for a `--seed`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from functools import cache
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newsetl.pipeline.extract import EXTRACTOR_VERSION  # noqa: E402
from newsetl.store import rows as rows_mod  # noqa: E402
from newsetl.store.schema import (  # noqa: E402
    ARTICLES,
    DATE_MENTIONS,
    ENTITIES,
    FILES,
    ITEMS,
    QUOTES,
    REJECTS,
    arrow_table,
)
from newsetl.store.warehouse import Batch, Warehouse  # noqa: E402

START = datetime(2021, 1, 1, 6, tzinfo=UTC)
PER_DAY = 700  # articles a day: 1M articles span about four years
SOURCES = ["wire", "gazette", "courier", "herald", "post", "tribune", "chronicle", "times"]
INCREMENT = 1_000

# -- an English-like vocabulary ------------------------------------------------------

_ROOTS = [
    "port", "form", "vote", "tax", "trade", "law", "court", "bank", "price", "market", "energy",
    "water", "school", "health", "police", "border", "budget", "union", "strike", "storm",
    "harbour", "ferry", "minister", "council", "election", "party", "army", "oil", "gas", "power",
    "rail", "bridge", "road", "farm", "crop", "food", "fish", "coal", "steel", "wage", "rent",
    "loan", "debt", "bond", "fund", "share", "stock", "rate", "plan", "deal", "talk", "treaty",
    "summit", "crisis", "reform", "protest", "judge", "trial", "jail", "crime", "fire", "flood",
    "drought", "heat", "wind", "rain", "snow", "quake", "virus", "vaccine", "doctor", "nurse",
    "hospital", "patient", "drug", "data", "chip", "phone", "network", "film", "music", "book",
    "art", "game", "team", "match", "goal", "cup", "league", "coach", "player", "fan", "ticket",
    "city", "town", "village", "coast", "river", "island", "mountain", "desert", "forest", "park",
    "street", "house", "home", "family", "child", "student", "teacher", "worker", "farmer",
    "driver", "pilot", "ship", "plane", "train", "car", "bus", "truck", "factory", "mine", "plant",
    "office", "store", "shop", "hotel", "tourist", "visa", "migrant", "refugee", "wall", "fence",
    "camp", "press", "paper", "radio", "station", "church", "temple", "museum", "library",
    "garden", "field", "harvest", "export", "import", "contract", "sanction", "embargo", "pension",
    "salary", "inflation", "growth", "deficit", "surplus", "credit", "audit", "report", "inquiry",
    "hearing", "ruling", "appeal", "verdict", "sentence", "prison", "officer", "soldier",
    "general", "admiral", "mayor", "governor", "senator", "president", "premier", "cabinet",
    "ministry", "agency", "bureau", "commission", "committee", "panel", "board"
]
_PREFIXES = ["", "", "", "re", "un", "over", "pre", "inter", "counter", "under", "out", "co"]
_SUFFIXES = ["", "", "s", "ing", "ed", "er", "ers", "ment", "al", "ly", "ity", "ation", "ist"]
_FIRST = [
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "James", "Karin",
    "Luis", "Maria", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Samuel", "Tara", "Umar", "Vera",
    "Walter", "Xenia", "Yusuf", "Zora", "Alice", "Bruno", "Chloe", "Daniel", "Emma", "Felix",
    "Greta", "Henry", "Irene", "Jonas", "Laura", "Marco", "Nina", "Oscar", "Petra", "Rafael",
    "Sofia", "Thomas", "Ursula", "Victor", "Wendy", "Adam", "Bianca", "Conrad", "Diana", "Erik",
    "Fiona", "George", "Helen", "Ivan", "Julia", "Kevin", "Lena"
]
_LAST = [
    "Abbott", "Baker", "Castillo", "Dorsey", "Eriksen", "Fontaine", "Garcia", "Haddad", "Ibsen",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Ulrich", "Varga", "Weber", "Xu", "Yilmaz", "Zeller", "Almeida",
    "Brennan", "Costa", "Dubois", "Esposito", "Fischer", "Gomez", "Hughes", "Ivanova", "Jovanovic",
    "Keller", "Lopez", "Morales", "Novak", "Olsen", "Popescu", "Quiroga", "Romero", "Santos",
    "Torres", "Urban", "Vogel", "Walsh", "Young", "Ziegler", "Adler", "Barros", "Chen", "Dias",
    "Evans", "Ferreira", "Gallo", "Horvat", "Ito", "Jensen", "Kim", "Larsen", "Meyer", "Nowak",
    "Ortiz", "Park", "Reyes", "Silva", "Tran", "Ueda", "Vidal", "Wong", "Yamamoto", "Zhou",
    "Arslan", "Bauer", "Conti"
]
_PLACE_END = ["ton", "ville", "bury", "ford", "mouth", "field", "haven", " Bay", " Falls"]
_ORG_KIND = ["Ministry", "Bank", "Union", "Council", "Agency", "Party", "Institute", "Group"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _stopwords() -> list[str]:
    """English function words (jusText's list, shipped with trafilatura's dependencies)."""
    import justext

    path = Path(justext.__file__).parent / "stoplists" / "English.txt"
    seen: dict[str, None] = {}
    for word in path.read_text(encoding="utf-8").split():
        if word.isalpha():
            seen.setdefault(word.lower(), None)
    return list(seen)


@cache
def vocabulary(seed: int) -> dict:
    """Words, names and their Zipf weights: the same for a seed, whatever the size."""
    rng = random.Random(seed)
    content = sorted({p + r + s for p in _PREFIXES for r in _ROOTS for s in _SUFFIXES})
    rng.shuffle(content)
    stop = _stopwords()
    people = [f"{f} {last}" for f in _FIRST for last in _LAST]
    rng.shuffle(people)
    places = sorted({r.capitalize() + e for r in _ROOTS for e in _PLACE_END})
    rng.shuffle(places)
    orgs = [f"{r.capitalize()} {k}" for r in _ROOTS for k in _ORG_KIND]
    rng.shuffle(orgs)

    def zipf(n: int, s: float = 1.05) -> np.ndarray:
        return np.cumsum(1.0 / np.arange(1, n + 1) ** s)

    return {"content": content, "content_w": zipf(len(content)), "stop": stop,
            "content_a": np.array(content, dtype=object), "stop_a": np.array(stop, dtype=object),
            "stop_w": zipf(len(stop), 0.9), "people": people, "people_w": zipf(len(people)),
            "places": places[:400], "places_w": zipf(400), "orgs": orgs[:600],
            "orgs_w": zipf(600)}


class _Words:
    """An article's words, drawn all at once from the Zipf lists (numpy, not per word)."""

    def __init__(self, rng: np.random.Generator, v: dict, n: int = 1600) -> None:
        stop = np.searchsorted(v["stop_w"], rng.random(n) * v["stop_w"][-1])
        content = np.searchsorted(v["content_w"], rng.random(n) * v["content_w"][-1])
        pick = rng.random(n) < 0.5
        self.words = np.where(pick, v["stop_a"][np.minimum(stop, len(v["stop"]) - 1)],
                              v["content_a"][np.minimum(content, len(v["content"]) - 1)]
                              ).tolist()
        self.lengths = rng.integers(8, 23, n // 8).tolist()
        self.at = 0
        self.sentences = 0

    def sentence(self, rng: random.Random, extra: str | None = None) -> str:
        n = self.lengths[self.sentences % len(self.lengths)]
        self.sentences += 1
        if self.at + n > len(self.words):
            self.at = 0
        picked = self.words[self.at:self.at + n]
        self.at += n
        if extra:
            picked = [*picked]
            picked.insert(rng.randint(0, len(picked)), extra)
        text = " ".join(picked)
        return text[0].upper() + text[1:] + "."


def synthesise(i: int, seed: int) -> dict:
    """Article number `i`: title, body and the rows an extractor would have found in it.

    About 3% are syndicated copies of an earlier article (another source, a
    changed last paragraph): the near-duplicate bands have real work to do.
    """
    v = vocabulary(seed)
    rng = random.Random(seed * 1_000_003 + i)
    words = _Words(np.random.default_rng(seed * 1_000_003 + i), v)
    copy_of = i - rng.randint(1, 400) if i > 500 and rng.random() < 0.03 else None
    base = synthesise(copy_of, seed) if copy_of is not None else None
    source = SOURCES[rng.randrange(len(SOURCES))]
    published = START + timedelta(seconds=i * 86400 / PER_DAY + rng.randint(0, 3600))
    if base is not None:
        paragraphs = [*base["paragraphs"][:-1], " ".join(words.sentence(rng) for _ in range(3))]
        people, places, orgs, title = base["people"], base["places"], base["orgs"], base["title"]
    else:
        people = list(dict.fromkeys(rng.choices(v["people"], cum_weights=v["people_w"],
                                                k=rng.randint(1, 4))))
        places = list(dict.fromkeys(rng.choices(v["places"], cum_weights=v["places_w"],
                                                k=rng.randint(0, 2))))
        orgs = list(dict.fromkeys(rng.choices(v["orgs"], cum_weights=v["orgs_w"],
                                              k=rng.randint(0, 2))))
        names = people + places + orgs
        paragraphs = []
        for p in range(rng.randint(6, 13)):
            sentences = []
            for s in range(rng.randint(2, 5)):
                extra = names[rng.randrange(len(names))] if names and rng.random() < 0.35 else None
                if p == 0 and s == 0 and people:
                    extra = people[0]
                sentences.append(words.sentence(rng, extra))
            if people and rng.random() < 0.22:  # a quotation with its speaker
                speaker = people[rng.randrange(len(people))]
                sentences.append(f"\u201c{words.sentence(rng)} {words.sentence(rng)}\u201d "
                                 f"said {speaker}.")
            if rng.random() < 0.15:
                when = published.date() - timedelta(days=rng.randint(0, 30))
                clause = words.sentence(rng)
                sentences.append(f"On {_MONTHS[when.month - 1]} {when.day}, {when.year}, "
                                 + clause[0].lower() + clause[1:])
            paragraphs.append(" ".join(sentences))
        title = words.sentence(rng, people[0] if people else None)[:-1]
        title = " ".join(title.split()[:12])
    return {"i": i, "source": source, "published": published, "title": title,
            "paragraphs": paragraphs, "people": people, "places": places, "orgs": orgs,
            "url": f"https://{source}.example/{published:%Y/%m/%d}/story-{i}"}


# -- rows, as the extractor and `rows.article_rows` would make them ----------------------

_WORD_HASH: dict[str, int] = {}
_QUOTE = re.compile("\u201c([^\u201d]+)\u201d said ([^.]+)\\.")
_DATE = re.compile(r"On (\w+ \d+, \d{4}),")


def fast_minhash(text: str) -> list[int] | None:
    """`rows.minhash` with the word hashes cached across articles: the same values."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < 8:
        return None
    for w in words:
        if w not in _WORD_HASH:
            _WORD_HASH[w] = int.from_bytes(
                hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "big")
    h = np.fromiter((_WORD_HASH[w] for w in words), dtype=np.uint64, count=len(words))
    gram = rows_mod._GRAM
    shingles = np.unique(h[:-2] * gram[0] + h[1:-1] * gram[1] + h[2:] * gram[2])
    return _permuted_min(shingles).astype(np.int64).tolist()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _article_row(a: dict, body: str, aid: str, signature: list[int] | None
                 ) -> tuple[dict, dict, dict]:
    """The `articles`, `items` and `files` rows of a synthesised article."""
    path = f"synthetic/{a['source']}/{a['i'] // 1000:05d}/{a['i']:07d}.html.gz"
    digest = _sha(a["url"] + body)
    version = EXTRACTOR_VERSION
    row = {
        "article_id": aid, "source": a["source"], "url": a["url"], "canonical_url": a["url"],
        "title": a["title"], "authors": a["people"][:1], "published_at": a["published"],
        "modified_at": None, "language": "en", "body": body, "notes": [],
        "word_count": len(body.split()), "paragraph_count": len(a["paragraphs"]),
        "description": a["paragraphs"][0][:200], "site_name": a["source"].capitalize(),
        "section": "news", "topics": [], "top_image": None, "image_captions": [],
        "is_paywalled": None, "encoding": "utf-8", "encoding_source": "meta",
        "provenance": [("title", "json-ld"), ("body", "trafilatura")],
        "content_hash": _sha(a["title"] + body),
        "minhash": signature,
        "extractor_version": version, "archive_path": path, "item_key": path,
        "item_hash": digest, "enrichment": "full",
    }
    item = {"source": a["source"], "item_key": path, "item_hash": digest, "archive_path": path,
            "status": "loaded", "article_id": aid, "extractor_version": version}
    file = {"path": path, "size": len(body) // 3, "mtime_ns": int(a["published"].timestamp()
                                                                  * 1e9),
            "items": 1, "extractor_version": version, "manifest_mtime_ns": None}
    return row, item, file


def article_rows(a: dict, minhash: bool = True
                 ) -> tuple[dict, list[dict], list[dict], list[dict], dict, dict]:
    """What the extractor and `rows.article_rows` would make of a synthesised article."""
    body = "\n\n".join(a["paragraphs"])
    aid = _sha("url:" + a["url"])[:16]
    version = EXTRACTOR_VERSION
    entities = []
    for kind, names in (("person", a["people"]), ("place", a["places"]),
                        ("organisation", a["orgs"])):
        for name in names:
            offsets = [m.start() for m in re.finditer(re.escape(name), body)]
            if offsets:
                entities.append({"article_id": aid, "name": name, "kind": kind,
                                 "mentions": len(offsets), "first_offset": offsets[0],
                                 "offsets": offsets, "extractor_version": version})
    quotes = [{"article_id": aid, "ordinal": n, "text": m.group(1), "speaker": m.group(2),
               "speaker_kind": "person", "verb": "said", "start_offset": m.start(1),
               "end_offset": m.end(1), "extractor_version": version}
              for n, m in enumerate(_QUOTE.finditer(body), start=1)]
    dates = []
    for m in _DATE.finditer(body):
        when = datetime.strptime(m.group(1), "%B %d, %Y").date()
        end = body.find(".", m.end())
        dates.append({"article_id": aid, "text": m.group(1),
                      "context": body[m.start():end + 1], "start_offset": m.start(1),
                      "date": when, "year_known": True, "extractor_version": version})
    row, item, file = _article_row(a, body, aid, fast_minhash(body) if minhash else None)
    return row, entities, quotes, dates, item, file


# -- the bulk: articles made of pooled paragraphs ----------------------------------------
#
# Generating and hashing 600 words costs milliseconds, an hour for a million articles on
# this machine. The bulk therefore draws each article's paragraphs from a pool generated
# once (100,000 paragraphs, each with its names, quotes and dates found and its MinHash
# part computed): an article's signature is then the element-wise minimum of its
# paragraphs' parts and of the 3-grams across paragraph boundaries, which is exactly
# `rows.minhash` of the joined body (checked at start-up). Each paragraph recurs in about
# 90 of a million articles; two articles rarely share more than one, so they are not
# near-duplicates by accident, and the 3% syndicated copies are.

POOL = 100_000
_pool: dict = {}


def _hashes(words: list[str]) -> np.ndarray:
    for w in words:
        if w not in _WORD_HASH:
            _WORD_HASH[w] = int.from_bytes(
                hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "big")
    return np.fromiter((_WORD_HASH[w] for w in words), dtype=np.uint64, count=len(words))


def _permuted_min(shingles: np.ndarray) -> np.ndarray:
    return ((shingles[:, None] * rows_mod._MUL[None, :] + rows_mod._ADD[None, :])
            >> np.uint64(32)).min(axis=0)


def _shingles(h: np.ndarray) -> np.ndarray:
    g = rows_mod._GRAM
    return h[:-2] * g[0] + h[1:-1] * g[1] + h[2:] * g[2]


def paragraph_pool(seed: int) -> dict:
    """The pool the bulk articles are made of (built once per process, or before forking)."""
    if _pool.get("seed") == seed:
        return _pool
    began = time.perf_counter()
    texts, mins, heads, tails, ents, quotes, dates = [], [], [], [], [], [], []
    n = 0
    while len(texts) < POOL:
        a = synthesise(n, seed)
        n += 1
        rows = article_rows(a, minhash=False)
        starts = [0]
        for para in a["paragraphs"][:-1]:
            starts.append(starts[-1] + len(para) + 2)
        for k, para in enumerate(a["paragraphs"]):
            lo, hi = starts[k], starts[k] + len(para)
            words = re.findall(r"\w+", para.lower())
            if len(words) < 4:
                continue
            h = _hashes(words)
            texts.append(para)
            mins.append(_permuted_min(_shingles(h)))
            heads.append(h[:2])
            tails.append(h[-2:])
            ents.append([(e["name"], e["kind"], o - lo) for e in rows[1]
                         for o in e["offsets"] if lo <= o < hi])
            quotes.append([(q["text"], q["speaker"], q["start_offset"] - lo, q["end_offset"] - lo)
                           for q in rows[2] if lo <= q["start_offset"] < hi])
            dates.append([(d["text"], d["context"], d["start_offset"] - lo, d["date"])
                          for d in rows[3] if lo <= d["start_offset"] < hi])
    _pool.clear()
    _pool.update(seed=seed, texts=texts[:POOL], mins=np.stack(mins[:POOL]),
                 heads=np.stack(heads[:POOL]), tails=np.stack(tails[:POOL]),
                 ents=ents[:POOL], quotes=quotes[:POOL], dates=dates[:POOL])
    print(f"  paragraph pool: {POOL:,} paragraphs in {time.perf_counter() - began:.0f} s",
          flush=True)
    return _pool


def pooled_article(i: int, seed: int) -> dict:
    """Article `i` of the bulk: its own title, source, date and URL, pooled paragraphs."""
    pool = paragraph_pool(seed)
    rng = np.random.default_rng(seed * 7_000_003 + i)
    picks = rng.integers(0, POOL, int(rng.integers(6, 14))).tolist()
    if i > 500 and rng.random() < 0.03:  # a syndicated copy of a recent article
        base = pooled_article(i - int(rng.integers(1, 400)), seed)
        picks = base["picks"][:-1] + picks[-1:]
    source = SOURCES[int(rng.integers(len(SOURCES)))]
    published = START + timedelta(seconds=i * 86400 / PER_DAY + int(rng.integers(3600)))
    first = pool["texts"][picks[0]]
    title = " ".join(first.split()[:int(rng.integers(6, 12))]).rstrip(".,")
    return {"i": i, "picks": picks, "source": source, "published": published, "title": title,
            "url": f"https://{source}.example/{published:%Y/%m/%d}/story-{i}"}


def pooled_rows(a: dict) -> tuple[dict, list[dict], list[dict], list[dict], dict, dict]:
    """The rows of a pooled article, as `article_rows` makes them for a synthesised one."""
    pool, picks = _pool, a["picks"]
    paragraphs = [pool["texts"][k] for k in picks]
    version = EXTRACTOR_VERSION
    aid = _sha("url:" + a["url"])[:16]
    starts = [0]
    for para in paragraphs[:-1]:
        starts.append(starts[-1] + len(para) + 2)
    found: dict[tuple[str, str], list[int]] = {}
    quotes, dates = [], []
    for k, at in zip(picks, starts, strict=True):
        for name, kind, offset in pool["ents"][k]:
            found.setdefault((name, kind), []).append(at + offset)
        for text, speaker, lo, hi in pool["quotes"][k]:
            quotes.append({"article_id": aid, "ordinal": len(quotes) + 1, "text": text,
                           "speaker": speaker, "speaker_kind": "person", "verb": "said",
                           "start_offset": at + lo, "end_offset": at + hi,
                           "extractor_version": version})
        for text, context, lo, when in pool["dates"][k]:
            dates.append({"article_id": aid, "text": text, "context": context,
                          "start_offset": at + lo, "date": when, "year_known": True,
                          "extractor_version": version})
    entities = [{"article_id": aid, "name": name, "kind": kind, "mentions": len(offsets),
                 "first_offset": min(offsets), "offsets": sorted(offsets),
                 "extractor_version": version} for (name, kind), offsets in found.items()]
    # The signature: paragraph parts, and the 3-grams that span each paragraph boundary.
    across = [np.concatenate([pool["tails"][x], pool["heads"][y]])
              for x, y in itertools.pairwise(picks)]
    parts = [pool["mins"][picks]]
    if across:
        parts.append(_permuted_min(np.concatenate([_shingles(h) for h in across]))[None, :])
    signature = np.concatenate(parts).min(axis=0).astype(np.int64).tolist()
    a = {**a, "paragraphs": paragraphs, "people": sorted({n for n, k in found if k == "person"})}
    row, item, file = _article_row(a, "\n\n".join(paragraphs), aid, signature)
    return row, entities, quotes, dates, item, file


def synthetic_batch(span: tuple[int, int, int]) -> Batch:
    """Articles start..end-1 as one load's Arrow tables (runs in a worker process)."""
    start, end, seed = span
    arts, ents, quotes, dates, items, files = [], [], [], [], [], []
    for i in range(start, end):
        row, e, q, d, item, file = pooled_rows(pooled_article(i, seed))
        arts.append(row)
        ents += e
        quotes += q
        dates += d
        items.append(item)
        files.append(file)
    return Batch(articles=arrow_table(arts, ARTICLES), entities=arrow_table(ents, ENTITIES),
                 quotes=arrow_table(quotes, QUOTES), dates=arrow_table(dates, DATE_MENTIONS),
                 items=arrow_table(items, ITEMS), rejects=arrow_table([], REJECTS),
                 files=arrow_table(files, FILES))


def grow(warehouse: Warehouse, start: int, end: int, seed: int, chunk: int = 10_000,
         workers: int = 2) -> float:
    """Load articles start..end-1 through `load_batch`, updating the index after each load."""
    from newsetl.store.search import update_index
    from newsetl.store.warehouse import load_batch

    paragraph_pool(seed)  # built before the workers fork, shared with them
    for i in (7, 1234, 99_999):
        row = pooled_rows(pooled_article(i, seed))[0]
        assert row["minhash"] == rows_mod.minhash(row["body"]), "pooled signature drifted"
    began = time.perf_counter()
    spans = [(s, min(s + chunk, end), seed) for s in range(start, end, chunk)]
    with get_context("fork").Pool(workers) as pool:
        for n, batch in enumerate(pool.imap(synthetic_batch, spans), start=1):
            with warehouse.connect() as con:
                load_batch(con, batch, f"grow-{spans[n - 1][0]}")
                update_index(con)
            if n % 10 == 0 or n == len(spans):
                done = spans[n - 1][1]
                rate = (done - start) / (time.perf_counter() - began)
                print(f"  grown to {done:,} articles ({rate:,.0f}/s)", flush=True)
    return time.perf_counter() - began


# -- the incremental run's archive: HTML pages the real extractor reads -------------------

def html_page(a: dict) -> str:
    from html import escape

    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in a["paragraphs"])
    author = a["people"][0] if a["people"] else "Staff"
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(a['title'])} | {a['source'].capitalize()}</title>"
            f"<link rel=\"canonical\" href=\"{a['url']}\">"
            f"<meta property=\"og:title\" content=\"{escape(a['title'])}\">"
            f"<meta property=\"article:published_time\" content=\"{a['published'].isoformat()}\">"
            f"<meta name=\"author\" content=\"{escape(author)}\"></head><body>"
            f"<header><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></header>"
            f"<main><article><h1>{escape(a['title'])}</h1><p class=\"byline\">By "
            f"{escape(author)}</p>\n{paragraphs}\n</article></main>"
            f"<footer><p>Copyright {a['source'].capitalize()}</p></footer></body></html>")


def write_archive(root: Path, start: int, n: int, seed: int) -> Path:
    """`n` new articles (numbers start..) as .html.gz files with a manifest of their URLs."""
    shutil.rmtree(root, ignore_errors=True)  # no pages left over from an earlier, killed run
    root.mkdir(parents=True)
    manifest = ['source = "growth"', ""]
    for i in range(start, start + n):
        a = synthesise(i, seed)
        name = f"{i:07d}.html.gz"
        (root / name).write_bytes(gzip.compress(html_page(a).encode("utf-8"), 1))
        manifest += ["[[items]]", f'path = "{name}"', f"url = {json.dumps(a['url'])}", ""]
    (root / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    return root


@contextmanager
def peak_rss() -> Iterator[Callable[[], tuple[int, int]]]:
    """Peak RSS of this process and its children together, and of this process alone
    (what the warehouse and index work hold, beside the extraction processes), sampled
    every 50 ms."""
    me, peak, stop = psutil.Process(), [0, 0], threading.Event()

    def sample_once() -> None:
        own = 0
        with suppress(psutil.Error):
            own = me.memory_info().rss
        n = own
        for p in me.children(recursive=True):
            with suppress(psutil.Error):
                n += p.memory_info().rss
        peak[0], peak[1] = max(peak[0], n), max(peak[1], own)

    def sample() -> None:
        while not stop.wait(0.05):
            sample_once()

    def peaks() -> tuple[int, int]:
        sample_once()
        return peak[0], peak[1]

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peaks
    finally:
        stop.set()
        thread.join()


def incremental_run(warehouse: str, archive: str, workers: int) -> dict:
    """One real backfill run (what `newsetl backfill` does), timed by phase.

    Phases are summed wall times of the functions the run calls; extraction
    runs in threads beside the loads, so the phases may add up to more than
    the wall time.
    """
    import newsetl.pipeline.backfill as backfill_mod
    import newsetl.pipeline.run as run_mod
    import newsetl.store.warehouse as warehouse_mod
    from newsetl.pipeline.backfill import ExtractOptions, backfill_files, stop_extraction_pool

    phases = {"ledger": 0.0, "extraction": 0.0, "dedup_bands": 0.0, "load": 0.0,
              "checkpoint": 0.0, "index": 0.0}
    lock = threading.Lock()

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with lock:
                    phases[name] += time.perf_counter() - t
        return wrapper

    backfill_mod.ledger_for = timed("ledger", backfill_mod.ledger_for)
    backfill_mod.extract_group = timed("extraction", backfill_mod.extract_group)
    backfill_mod.load_batch = timed("load", backfill_mod.load_batch)
    warehouse_mod._cluster_near_duplicates = timed("dedup_bands",
                                                   warehouse_mod._cluster_near_duplicates)
    backfill_mod.checkpoint = timed("checkpoint", backfill_mod.checkpoint)
    run_mod.update_index = timed("index", run_mod.update_index)
    with peak_rss() as peak:
        began = time.perf_counter()
        with run_mod.writing(warehouse) as session, \
                session.run("backfill", {"paths": [archive]}) as run:
            backfill_files(session.warehouse, [archive], run.run_id,
                           ExtractOptions(workers=workers), counts=run.counts)
        wall = time.perf_counter() - began
        stop_extraction_pool()
        memory, own = peak()
    phases["load"] -= phases["dedup_bands"]  # the bands are timed inside the load
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(memory / 2**20),
            "peak_rss_main_mb": round(own / 2**20),
            "loaded": run.counts.loaded, "skipped": run.counts.skipped,
            "rejected": run.counts.rejected,
            **{f"{k}_s": round(v, 2) for k, v in phases.items()}}


def _child(warehouse: Path, archive: Path, workers: int) -> dict:
    """`incremental_run` in a fresh process, as a scheduled run would be."""
    out = subprocess.run([sys.executable, __file__, "--incremental", str(warehouse),
                          str(archive), "--workers", str(workers)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"incremental run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- reads ------------------------------------------------------------------------------

def query_set(seed: int) -> list[str]:
    """A fixed mix: common and rare words, names, two- and three-word queries."""
    v = vocabulary(seed)
    rng = random.Random(seed + 7)
    c, p = v["content"], v["people"]
    return ([c[k] for k in (0, 3, 10, 50, 200, 1000, 5000)]
            + [f"{c[rng.randrange(100)]} {c[rng.randrange(2000)]}" for _ in range(6)]
            + [p[k].split()[1] for k in (0, 5, 40)] + [p[k] for k in (1, 20)]
            + [f"{c[rng.randrange(50)]} {c[rng.randrange(500)]} {c[rng.randrange(5000)]}"
               for _ in range(4)])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_search(warehouse: Warehouse, seed: int) -> dict:
    """What `newsetl search` does per call, minus interpreter start-up: open, search, read."""
    from newsetl.store.search import search

    times = []
    for round_ in range(2):
        for q in query_set(seed):
            t = time.perf_counter()
            with warehouse.query_connection() as con:
                search(con, q, since=date(2022, 1, 1) if round_ and len(q) % 2 else None)
            times.append(time.perf_counter() - t)
    return {"search_p50_ms": round(percentile(times, 0.5) * 1000, 1),
            "search_p95_ms": round(percentile(times, 0.95) * 1000, 1)}


def measure_views(warehouse: Warehouse, seed: int) -> dict:
    v = vocabulary(seed)
    person, speaker = v["people"][3], v["people"][7]
    with warehouse.query_connection() as con:
        newest = con.execute("SELECT max(published_at) FROM articles").fetchone()[0]
        month = date(newest.year, newest.month, 1)
        queries = {
            "person_mentions": ("SELECT day, articles, mentions FROM person_mentions "
                                "WHERE person = ? ORDER BY day", [person]),
            "daily_counts": ("SELECT day, source, articles, words FROM daily_counts "
                             "WHERE day >= ? AND day < CAST(? AS DATE) + INTERVAL 1 MONTH "
                             "ORDER BY day, source", [month, month]),
            "quotes_with_speakers": ("SELECT article_id, title, published_at, text FROM "
                                     "quotes_with_speakers WHERE speaker = ? "
                                     "ORDER BY published_at DESC", [speaker]),
        }
        figures = {}
        for name, (sql, params) in queries.items():
            times = []
            for _ in range(3):
                t = time.perf_counter()
                con.execute(sql, params).fetchall()
                times.append(time.perf_counter() - t)
            figures[f"view_{name}_ms"] = round(statistics.median(times) * 1000, 1)
    return figures


def disk_mb(warehouse: Warehouse) -> dict:
    files = [warehouse.path, warehouse.path.with_name(warehouse.path.name + ".wal")]
    db = sum(f.stat().st_size for f in files if f.exists())
    index = sum(f.stat().st_size for f in warehouse.search_dir.rglob("*") if f.is_file())
    return {"duckdb_mb": round(db / 2**20), "search_index_mb": round(index / 2**20)}


def count_articles(warehouse: Warehouse) -> int:
    with warehouse.connect(read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


# -- the run ----------------------------------------------------------------------------

COLUMNS = [("articles", "articles"), ("wall_s", "1k run s"), ("ref_wall_s", "ref s"),
           ("wall_ratio", "x ref"), ("peak_rss_mb", "peak MB"), ("ref_peak_rss_mb", "ref MB"),
           ("peak_rss_ratio", "x ref MB"), ("peak_rss_main_mb", "of it main"),
           ("ledger_s", "ledger"), ("extraction_s", "extract"), ("dedup_bands_s", "bands"),
           ("load_s", "load"), ("checkpoint_s", "checkpoint"), ("index_s", "index"),
           ("noop_s", "no-op s"),
           ("search_p50_ms", "search p50 ms"), ("search_p95_ms", "p95 ms"),
           ("view_person_mentions_ms", "person ms"), ("view_daily_counts_ms", "daily ms"),
           ("view_quotes_with_speakers_ms", "quotes ms"), ("duckdb_mb", "duckdb MB"),
           ("search_index_mb", "index MB")]


def print_table(rows: list[dict]) -> None:
    widths = [max(len(head), *(len(str(r.get(key, ""))) for r in rows)) for key, head in COLUMNS]
    print("  ".join(head.rjust(w) for (_, head), w in zip(COLUMNS, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r.get(key, "")).rjust(w)
                        for (key, _), w in zip(COLUMNS, widths, strict=True)))


def fresh_reference(reference: Warehouse, root: Path) -> Path:
    """A copy of the reference warehouse (DuckDB file and search index) to run on, so
    that every reference run starts from the same warehouse."""
    copy = root / "reference-run"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(reference.path.parent, copy,
                    ignore=shutil.ignore_patterns("*.lock", "increment*"))
    return copy / reference.path.name


def median_row(runs: list[dict]) -> dict:
    """The median of each figure over `runs` (all from one kind of run)."""
    return {key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0]
            if isinstance(runs[0][key], int | float)}


def measure_size(warehouse: Warehouse, reference: Warehouse, root: Path, size: int,
                 first_new: int, ref_archive: Path, args: argparse.Namespace) -> dict:
    """At one size: `args.rounds` incremental runs on the warehouse, each beside a run on
    the reference warehouse (the smallest size), in alternating order; then the
    no-op rerun, search, views and disk.

    Wall time and memory are compared with the reference runs measured in between,
    not with a run made an hour earlier: the machine's speed drifts (the same 10,000-
    article run took 10.2 s, then 14.9-18.4 s on the same quiet machine 50 minutes
    later), and alternating puts the drift on both sides.
    """
    row: dict = {"articles": count_articles(warehouse)}
    print(f"{args.rounds} incremental runs of {INCREMENT:,} new pages at {row['articles']:,}, "
          f"each beside one at {count_articles(reference):,}", flush=True)
    runs, refs = [], []
    for r in range(args.rounds):
        archive = write_archive(root / f"increment-{size}-{r}", first_new + r * INCREMENT,
                                INCREMENT, args.seed)
        order = ("reference", "warehouse") if r % 2 == 0 else ("warehouse", "reference")
        for which in order:
            if which == "reference":
                refs.append(_child(fresh_reference(reference, root), ref_archive, args.workers))
            else:
                runs.append(_child(warehouse.path, archive, args.workers))
        print(f"  round {r + 1}: {runs[-1]['wall_s']} s, {runs[-1]['peak_rss_mb']} MB; "
              f"reference {refs[-1]['wall_s']} s, {refs[-1]['peak_rss_mb']} MB", flush=True)
    row.update(median_row(runs))
    ref = median_row(refs)
    row.update(ref_wall_s=ref["wall_s"], ref_peak_rss_mb=ref["peak_rss_mb"],
               wall_ratio=round(row["wall_s"] / ref["wall_s"], 2),
               peak_rss_ratio=round(row["peak_rss_mb"] / ref["peak_rss_mb"], 2),
               runs=runs, reference_runs=refs)
    noop = _child(warehouse.path, archive, args.workers)
    row.update(noop_s=noop["wall_s"], noop_peak_rss_mb=noop["peak_rss_mb"],
               noop_skipped=noop["skipped"])
    row.update(measure_search(warehouse, args.seed))
    row.update(measure_views(warehouse, args.seed))
    row.update(disk_mb(warehouse))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--dir", type=Path, help="where the warehouse grows (default: a "
                        "temporary folder); an existing warehouse there is grown further")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "growth.json")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--rounds", type=int, default=3,
                        help="incremental runs at each size, each beside a reference run")
    parser.add_argument("--workers", type=int, default=2, help="extraction processes")
    parser.add_argument("--pool", type=int, default=100_000,
                        help="paragraphs in the bulk's pool")
    parser.add_argument("--incremental", nargs=2, metavar=("WAREHOUSE", "ARCHIVE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.incremental:
        print(json.dumps(incremental_run(*args.incremental, workers=args.workers)))
        return 0
    global POOL
    POOL = args.pool
    check = synthesise(3, args.seed)
    body = "\n\n".join(check["paragraphs"])
    assert fast_minhash(body) == rows_mod.minhash(body), "fast_minhash drifted from rows.minhash"

    root = args.dir or Path(tempfile.mkdtemp(prefix="newsetl-growth-"))
    root.mkdir(parents=True, exist_ok=True)
    warehouse = Warehouse(root / "growth.duckdb")
    # The reference: a warehouse of the smallest size, copied afresh for each of its runs.
    reference = Warehouse(root / "reference" / "growth.duckdb")
    smallest = min(args.sizes)
    if not reference.exists() or count_articles(reference) != smallest:
        shutil.rmtree(reference.path.parent, ignore_errors=True)
        print(f"growing the reference warehouse to {smallest:,} articles", flush=True)
        grow(reference, 0, smallest, args.seed)
    ref_archive = write_archive(reference.path.parent / "increment", 10 * max(args.sizes),
                                INCREMENT, args.seed)
    print(f"growth: warehouse {warehouse.path}")
    results: list[dict] = []
    # Article numbers past every growth size are for the incremental runs; past those of
    # earlier runs too, when an existing warehouse is measured again.
    next_new = 10 * max(args.sizes) + (count_articles(warehouse) if warehouse.exists() else 0)
    for size in sorted(args.sizes):
        have = count_articles(warehouse) if warehouse.exists() else 0
        if have < size:
            print(f"growing {have:,} -> {size:,} articles", flush=True)
            # `have` counts the incremental runs' articles too; numbers stay below next_new.
            grow(warehouse, have, size, args.seed)
        results.append(measure_size(warehouse, reference, root, size, next_new, ref_archive,
                                    args))
        next_new += args.rounds * INCREMENT
        print_table(results)
        figures = {"seed": args.seed, "warehouse": str(warehouse.path), "rounds": args.rounds,
                   "target": "wall_ratio and peak_rss_ratio <= 1.3 (each size's median runs "
                             "against the reference runs between them); search p50 < 100 ms, "
                             "p95 < 500 ms and views < 1 s at 1M; peak memory < 2 GB",
                   "sizes": results}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    shutil.rmtree(root / "reference-run", ignore_errors=True)
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
