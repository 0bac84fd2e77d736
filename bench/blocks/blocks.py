"""Which text blocks of a page are its main text: a small learned classifier (an experiment).

Hand rules about boilerplate (related-story boxes, captions, bylines, menus)
fit the pages they were written on; a gradient-boosted classifier over
general block features generalises better across sites, and is checked that
way: `train.py` beside it trains it on two gold sets and measures it on the
third. In that cross-set table it never beat the rules on a held-out set, so
it stays here in bench/, out of the package, until it does.

A *block* is the text a browser would lay out as one box: the text of one
block-level element (p, div, li, td, h1-h6, ...) with its inline content
(links, emphasis, spans), nested blocks being blocks of their own. Each block
is described by numbers that mean the same on any site: its length, link
density, punctuation, tag, the generic words in its own and its ancestors'
class/id (comment, related, share, caption, article, body, ...), position,
depth, its neighbours, how much of it trafilatura's precision pass kept, and
how much of it is in the page's JSON-LD `articleBody` or its title. The
model (LightGBM, a text file `train.py` writes beside this module) scores every block of a page in
one call; the kept blocks, in page order, are the main text.
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
from lxml.html import HtmlElement

from newsetl.page.clean import match_key, normalise_paragraph

MODEL_FILE = Path(__file__).with_name("blocks_model.txt")
# trafilatura's verdict stands unless the model is confident: a block it kept (at least
# half of the block's trigrams) is dropped below DROP_BELOW, one it left out is added from
# ADD_FROM (both chosen on the cross-set folds of train.py).
KEPT_COVER = 0.5
DROP_BELOW = 0.1
ADD_FROM = 0.9

# Elements whose text is never shown as page text.
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "title", "meta",
                   "link", "iframe", "button", "select", "option", "textarea", "object", "embed",
                   "canvas", "math", "input"})
# Tags laid out as boxes: each starts a block; everything else is inline.
_TAG_CODE = {"p": 1, "div": 2, "li": 3, "td": 4, "th": 4, "h1": 5, "h2": 6, "h3": 7, "h4": 8,
             "h5": 9, "h6": 9, "blockquote": 10, "pre": 11, "dd": 12, "dt": 12, "section": 13,
             "article": 14, "figcaption": 15, "caption": 15, "body": 16, "header": 17,
             "footer": 17, "nav": 17, "aside": 17, "main": 18, "ul": 19, "ol": 19, "dl": 19,
             "table": 20, "tr": 20, "tbody": 20, "figure": 21, "form": 22, "center": 2,
             "address": 23, "details": 2, "summary": 2, "html": 16, "legend": 22,
             "fieldset": 22}
# Generic words of class/id names, the same on any site. Long ones match inside a token
# ("related-posts", "articlebody"); short ones only as a whole token ("ad", not "head").
_CLASS_WORDS = ("comment", "related", "footer", "share", "social", "caption", "byline", "author",
                "teaser", "promo", "sidebar", "widget", "article", "content", "body", "story",
                "post", "entry", "text", "main", "header", "title", "date", "breadcrumb",
                "newsletter", "subscri", "cookie", "recommend", "popular", "card", "hidden",
                "copyright", "login", "menu", "banner", "advert", "sponsor", "credit", "lead",
                "summary", "intro", "quote", "list", "more", "read", "foot", "caption", "photo",
                "image", "video", "gallery", "modal", "tool", "print", "rating", "review",
                "paywall", "premium", "description")
_SHORT_WORDS = ("ad", "ads", "nav", "tag", "tags", "meta", "top", "info", "bio", "cta", "rel")
_CLASS_BITS = {w: i for i, w in enumerate(dict.fromkeys(_CLASS_WORDS + _SHORT_WORDS))}
_LONG_RE = re.compile("|".join(sorted(dict.fromkeys(_CLASS_WORDS), key=len, reverse=True)))
_TOKEN = re.compile(r"[a-z]+")
_SHORT = frozenset(_SHORT_WORDS)
N_CLASS = len(_CLASS_BITS)
# Ancestor tags that say what a block is part of.
_ANCESTOR_BITS = {"a": 0, "nav": 1, "header": 2, "footer": 3, "aside": 4, "form": 5,
                  "article": 6, "main": 7, "figure": 8, "li": 9, "ul": 9, "ol": 9, "table": 10,
                  "h1": 11, "h2": 11, "h3": 11, "h4": 11, "blockquote": 12, "section": 13,
                  "time": 14, "strong": 15, "b": 15, "em": 16, "i": 16}
N_ANCESTOR = 17
_PUNCT = re.compile(r"[.,;:!?\u3002\uff0c\u060c\u061f]")
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f\"\u201d\u00bb)]$")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_WINDOW = 3

FEATURES = (
    ["log_chars", "words", "link_density", "punct_per_word", "sentence_end", "digit_share",
     "mean_word_len", "tag", "parent_tag", "depth", "rel_index", "rel_chars_before",
     "page_share", "traf_cover", "ld_cover", "title_cover", "traf_prev", "traf_next",
     "traf_window", "link_prev", "link_next", "log_chars_prev", "log_chars_next",
     "group_traf", "group_log_chars", "group_blocks", "page_log_traf", "page_traf_share",
     "page_has_ld", "page_blocks"]
    + [f"near_{w}" for w in _CLASS_BITS] + [f"anc_{w}" for w in _CLASS_BITS]
    + [f"in_{t}" for t in ("a", "nav", "header", "footer", "aside", "form", "article", "main",
                            "figure", "list", "table", "heading", "blockquote", "section", "time",
                            "bold", "italic")])
CATEGORICAL = [FEATURES.index("tag"), FEATURES.index("parent_tag")]


def _class_mask(el: HtmlElement) -> int:
    """Bits of the generic class/id words on this element."""
    cls, ident = el.get("class"), el.get("id")
    return _words_mask(f"{cls} {ident}".lower()) if cls or ident else 0


@lru_cache(maxsize=4096)
def _words_mask(raw: str) -> int:
    """Bits of the generic words in a (lower-cased) class/id string; templates repeat them."""
    mask = 0
    for m in _LONG_RE.finditer(raw):
        mask |= 1 << _CLASS_BITS[m.group()]
    for tok in _TOKEN.findall(raw):
        if tok in _SHORT:
            mask |= 1 << _CLASS_BITS[tok]
    return mask


def segment(tree: HtmlElement) -> list[dict]:
    """The page's text blocks in document order (blocks with no letters left out).

    Each block: `text` (normalised), `tag`, `parent` (index of the enclosing
    block or -1), `depth`, `near`/`anc` (class-word bits of the element and
    its parent / of all ancestors), `tags` (ancestor-tag bits), `link_chars`.
    """
    body = tree.find("body")
    root = body if body is not None else tree
    parts: list[list[str]] = []
    links: list[int] = []
    meta: list[tuple] = []

    def visit(el: HtmlElement, cur: int, near_parent: int, anc: int, tags: int, depth: int,
              link: bool) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return
        own = _class_mask(el)
        anc |= own
        if tag in _TAG_CODE:
            parent_tag = meta[cur][0] if cur >= 0 else 0
            meta.append((_TAG_CODE[tag], parent_tag, cur, depth, own | near_parent, anc, tags))
            parts.append([])
            links.append(0)
            cur = len(parts) - 1
        bit = _ANCESTOR_BITS.get(tag)
        if bit is not None:
            tags |= 1 << bit
        if tag == "a":
            link = True
        elif tag == "br":
            parts[cur].append(" ")
        if el.text:
            parts[cur].append(el.text)
            if link:
                links[cur] += len(el.text)
        for child in el:
            visit(child, cur, own, anc, tags, depth + 1, link)
            if child.tail:
                parts[cur].append(child.tail)
                if link:
                    links[cur] += len(child.tail)

    meta.append((_TAG_CODE.get(root.tag, 16), 0, -1, 0, 0, 0, 0))
    parts.append([])
    links.append(0)
    try:
        visit_children = list(root)
        if root.text:
            parts[0].append(root.text)
        for child in visit_children:
            visit(child, 0, 0, 0, 0, 1, False)
            if child.tail:
                parts[0].append(child.tail)
    except RecursionError:
        return []
    out: list[dict] = []
    for i, (pieces, (tag, ptag, parent, depth, near, anc, tags)) in enumerate(
            zip(parts, meta, strict=True)):
        raw = "".join(pieces)
        if not _LETTER.search(raw):
            continue
        text = normalise_paragraph(raw)
        out.append({"text": text, "key": match_key(text), "tag": tag, "parent_tag": ptag,
                    "parent": parent, "depth": depth, "near": near, "anc": anc, "tags": tags,
                    "link_chars": min(links[i], len(text))})
    return out


def trigrams(key: str) -> set[tuple[str, str, str]]:
    words = key.split()
    return set(zip(words, words[1:], words[2:], strict=False))


def coverage(key: str, grams: set, joined: str) -> float:
    """Share of a folded block's word trigrams found in a reference (whole-word match if short)."""
    words = key.split()
    if len(words) < 3:
        return 1.0 if key and f" {key} " in joined else 0.0
    mine = list(zip(words, words[1:], words[2:], strict=False))
    return sum(g in grams for g in mine) / len(mine)


def _bits(masks: list[int], width: int) -> np.ndarray:
    """The low `width` bits of each mask, one row per mask (0/1)."""
    size = (width + 7) // 8
    raw = np.frombuffer(b"".join(m.to_bytes(size, "little") for m in masks), dtype=np.uint8)
    return np.unpackbits(raw.reshape(len(masks), size), axis=1, bitorder="little")[:, :width]


def features(blocks: list[dict], kept: list[str], ld_body: str | None,
             title: str | None) -> np.ndarray:
    """One row of FEATURES per block (float32), computed for the whole page at once."""
    n = len(blocks)
    x = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if not n:
        return x
    refs = []
    for ref in (" ".join(kept), ld_body or "", title or ""):
        key = match_key(ref)
        refs.append((trigrams(key), f" {key} "))
    total = sum(len(b["text"]) for b in blocks) or 1
    kept_chars = sum(map(len, kept))
    before = 0
    traf = np.zeros(n, dtype=np.float32)
    group_chars: dict[int, float] = {}
    group_traf: dict[int, float] = {}
    group_n: dict[int, int] = {}
    n_fixed = FEATURES.index("near_" + next(iter(_CLASS_BITS)))
    for i, b in enumerate(blocks):
        text = b["text"]
        chars = len(text)
        words = text.split()
        nw = len(words) or 1
        key = b["key"]
        row = x[i]
        row[0] = math.log1p(chars)
        row[1] = nw
        row[2] = b["link_chars"] / chars
        row[3] = len(_PUNCT.findall(text)) / nw
        row[4] = 1.0 if _SENTENCE_END.search(text) else 0.0
        row[5] = len(_DIGIT.findall(text)) / chars
        row[6] = chars / nw
        row[7] = b["tag"]
        row[8] = b["parent_tag"]
        row[9] = b["depth"]
        row[10] = i / n
        row[11] = before / total
        row[12] = chars / total
        row[13] = traf[i] = coverage(key, *refs[0])
        row[14] = coverage(key, *refs[1]) if ld_body else -1.0
        row[15] = coverage(key, *refs[2]) if title else -1.0
        before += chars
        parent = b["parent"]
        group_chars[parent] = group_chars.get(parent, 0.0) + chars
        group_traf[parent] = group_traf.get(parent, 0.0) + chars * traf[i]
        group_n[parent] = group_n.get(parent, 0) + 1
    x[:, n_fixed:n_fixed + N_CLASS] = _bits([b["near"] for b in blocks], N_CLASS)
    x[:, n_fixed + N_CLASS:n_fixed + 2 * N_CLASS] = _bits([b["anc"] for b in blocks], N_CLASS)
    x[:, n_fixed + 2 * N_CLASS:] = _bits([b["tags"] for b in blocks], N_ANCESTOR)
    link = x[:, 2]
    logc = x[:, 0]
    x[1:, 16] = traf[:-1]
    x[0, 16] = -1
    x[:-1, 17] = traf[1:]
    x[-1, 17] = -1
    sums = np.concatenate([[0.0], np.cumsum(traf)])
    at = np.arange(n)
    lo, hi = np.maximum(at - _WINDOW, 0), np.minimum(at + _WINDOW + 1, n)
    x[:, 18] = (sums[hi] - sums[lo] - traf) / np.maximum(hi - lo - 1, 1)
    x[1:, 19] = link[:-1]
    x[:-1, 20] = link[1:]
    x[1:, 21] = logc[:-1]
    x[:-1, 22] = logc[1:]
    for i, b in enumerate(blocks):
        parent = b["parent"]
        x[i, 23] = group_traf[parent] / (group_chars[parent] or 1)
        x[i, 24] = math.log1p(group_chars[parent])
        x[i, 25] = group_n[parent]
    x[:, 26] = math.log1p(kept_chars)
    x[:, 27] = kept_chars / total
    x[:, 28] = 1.0 if ld_body else 0.0
    x[:, 29] = n
    return x


@cache
def default_model():
    """The shipped booster, loaded once per process from the package (None when absent)."""
    if not MODEL_FILE.is_file():
        return None
    import lightgbm

    return lightgbm.Booster(model_file=str(MODEL_FILE))


# train.py sets this to measure a fold's model end to end.
override = None


def active_model():
    return override if override is not None else default_model()


def para_blocks(paras: list[str], keys: list[str]) -> list[int | None]:
    """For each extracted paragraph, the block it came from (most shared trigrams; None if none)."""
    owner: dict[tuple, int] = {}
    whole: dict[str, int] = {}
    for i, key in enumerate(keys):
        whole.setdefault(key, i)
        for gram in trigrams(key):
            owner.setdefault(gram, i)
    out: list[int | None] = []
    for para in paras:
        key = match_key(para)
        words = key.split()
        votes: dict[int, int] = {}
        for gram in zip(words, words[1:], words[2:], strict=False):
            i = owner.get(gram)
            if i is not None:
                votes[i] = votes.get(i, 0) + 1
        out.append(max(votes, key=votes.__getitem__) if votes else whole.get(key))
    return out


def merge(paras: list[str], page_blocks: list[dict], scores: np.ndarray,
          cover: np.ndarray) -> list[str]:
    """trafilatura's paragraphs, less those whose block the model rejects, plus the blocks it
    missed that the model is sure of, each put after the paragraphs that precede it on the page.

    trafilatura's own paragraphs are kept as the unit where it found the
    text (its handling of lists, tables and line breaks is worth keeping);
    the model only overrules it when confident.
    """
    owners = para_blocks(paras, [b["key"] for b in page_blocks])
    kept: list[tuple[int, str]] = []
    pos, used = -1, set()
    for para, owner in zip(paras, owners, strict=True):
        if owner is not None:
            used.add(owner)
            if scores[owner] < DROP_BELOW:
                continue
            pos = max(pos, owner)
        kept.append((pos, para))
    added = [i for i in range(len(page_blocks)) if i not in used
             and cover[i] < KEPT_COVER and scores[i] >= ADD_FROM]
    for i in added:
        at = next((k for k, (p, _) in enumerate(kept) if p > i), len(kept))
        kept.insert(at, (i, page_blocks[i]["text"]))
    return [text for _, text in kept]


def main_blocks(tree: HtmlElement, kept: list[str], ld_body: str | None,
                title: str | None) -> list[str] | None:
    """The main text's paragraphs as the model corrects `kept` (trafilatura's); None: no model."""
    model = active_model()
    if model is None:
        return None
    page_blocks = segment(tree)
    if not page_blocks:
        return kept
    x = features(page_blocks, kept, ld_body, title)
    scores = model.predict(x, num_threads=1)
    return merge(kept, page_blocks, scores, x[:, FEATURES.index("traf_cover")])
