"""Extraction does not crash on real pages, nor on real pages broken the ways the web breaks them.

`process_item` turns any crash into an "extractor-error" reject, so a bug no
longer stops a run; but a page lost to a bug is still lost. These tests find
such bugs before users do: they run `extract_item` (with enrichment) over the
shared gold pages (../shared/eval) and over mutated copies of them (elements
dropped, duplicated, reordered; bytes cut off or made invalid; text in other
scripts; deep nesting; garbled attributes and JSON-LD), and fail when anything
but `Rejected` escapes, or when enrichment failed (which `extract_item` catches
itself). Each failure names the page, the mutations and the case's seed, and
the mutated bytes are written out so `newsetl extract` reproduces it.

`make test` runs a fixed sample; `make fuzz` (NEWSETL_FUZZ_ROUNDS=N) runs
every page unmutated and N times more mutated cases, from another fixed seed
with NEWSETL_FUZZ_SEED.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from newsetl.models import Item, Rejected
from newsetl.page.decode import decode
from newsetl.pipeline.extract import error_detail, extract_item

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SETS = ("zyte-dev", "fundus-dev", "trafilatura-dev")
# Fixed, so a failure reproduces from its case's seed; `make fuzz` may try others.
SEED = int(os.environ.get("NEWSETL_FUZZ_SEED", "13") or 13)
ROUNDS = int(os.environ.get("NEWSETL_FUZZ_ROUNDS", "0") or 0)  # 0: the `make test` sample
UNMUTATED = 250  # pages run as they are, without NEWSETL_FUZZ_ROUNDS (all of them with it)
PER_MUTATION = 8  # mutated pages per mutation, without NEWSETL_FUZZ_ROUNDS (60 per round with)

Mutation = Callable[[random.Random, bytes], bytes]

# What lxml refuses in a tree (the byte-level mutations put such characters in instead).
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ------------------------------------------------------------------ the pages


def _pages() -> list[Path]:
    """Every gold page, the three sets interleaved so that any prefix samples all three."""
    if not EVAL.is_dir():
        pytest.skip(f"no gold pages at {EVAL} (../shared/eval)")
    per_set = []
    for n, name in enumerate(SETS):
        pages = sorted((EVAL / name).glob("*/page.html*"))
        random.Random(f"{SEED}/{n}").shuffle(pages)
        per_set.append(pages)
    ordered = [pages[i] for i in range(max(map(len, per_set)))
               for pages in per_set if i < len(pages)]
    if not ordered:
        pytest.skip(f"no pages under {EVAL}")
    return ordered


def _read(page: Path) -> bytes:
    data = page.read_bytes()
    return gzip.decompress(data) if page.suffix == ".gz" else data


# ------------------------------------------------------------------ mutations on the tree


def _via_tree(change: Callable[[random.Random, lxml.html.HtmlElement], None]) -> Mutation:
    """A mutation of the parsed page, written back as UTF-8 with a BOM (which beats
    the page's own charset declaration, as in a browser)."""

    def mutate(rng: random.Random, html: bytes) -> bytes:
        text = _XML_UNSAFE.sub("", decode(html).text)  # lxml would not let us edit such text
        try:
            doc = lxml.html.document_fromstring(text)
        except (etree.ParserError, ValueError):
            return html
        change(rng, doc)
        return b"\xef\xbb\xbf" + lxml.html.tostring(doc, encoding="utf-8")

    return mutate


def _elements(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [el for el in doc.iter() if isinstance(el.tag, str) and el.getparent() is not None]


def _drop(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    share = rng.uniform(0.05, 0.5)
    for el in _elements(doc):
        if rng.random() < share and el.getparent() is not None:
            el.getparent().remove(el)  # its tail text goes too: a cut, not an unwrap


def _duplicate(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    els = _elements(doc)
    for el in rng.sample(els, min(len(els), rng.randint(1, 30))):
        for _ in range(rng.choice([1, 1, 2, 10])):
            el.addnext(copy.deepcopy(el))


def _reorder(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    for el in [*_elements(doc), doc]:
        kids = list(el)
        if len(kids) > 1 and rng.random() < 0.5:
            rng.shuffle(kids)
            for kid in kids:
                el.append(kid)


_JUNK_VALUES = ["", " ", "0", "-1", "null", "None", "[]", "{}", "\"'<>&", "x" * 5000,
                "2024-13-45T99:99:99", "9999-99-99", "0000-00-00", "1e309", "NaN",
                "\u202e\u0000\ufffd\U0001f600", "javascript:alert(1)", "http://", "//", "#",
                "by ,,, ; and", "Mon, 32 Foo 2020", "\n\t\n"]


def _junk(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(_JUNK_VALUES)
    return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randint(1, 40)))


def _garble_attributes(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    share = rng.uniform(0.1, 1.0)
    for el in [*_elements(doc), doc]:
        for name in list(el.attrib):
            if rng.random() < share:
                if rng.random() < 0.2:
                    del el.attrib[name]
                else:
                    el.attrib[name] = _XML_UNSAFE.sub("", _junk(rng))


def _junk_json(rng: random.Random, value: object, depth: int = 0) -> object:
    """The same JSON-LD with some values swapped for values of other types."""
    if rng.random() < 0.25:
        return rng.choice([None, [], {}, 0, -1, 1.5, True, "", _junk(rng), [_junk(rng)],
                           {"@type": _junk(rng)}, [None, {}], value if depth > 30 else [value]])
    if isinstance(value, dict):
        return {k: _junk_json(rng, v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_junk_json(rng, v, depth + 1) for v in value]
    return value


def _garble_jsonld(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    for script in doc.iter("script"):
        if "ld+json" not in (script.get("type") or ""):
            continue
        raw = script.text or ""
        try:
            script.text = json.dumps(_junk_json(rng, json.loads(raw)))
        except ValueError:
            script.text = raw[: rng.randrange(len(raw) + 1)]


def _text_nodes(rng: random.Random, doc: lxml.html.HtmlElement,
                change: Callable[[str], str]) -> None:
    """Apply `change` to a share of the page's text (not to scripts or styles)."""
    share = rng.uniform(0.3, 1.0)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag not in ("script", "style") and el.text and rng.random() < share:
            el.text = change(el.text)
        if el.tail and rng.random() < share:
            el.tail = change(el.tail)


# Letters of other scripts (the first three without letter case, like most of the web's).
_SCRIPTS = {
    "cyrillic": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى",
    "cjk": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之",
    "devanagari": "अआइईउऊऋएऐओऔकखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहािीुूेैोौंः्",
}


def _other_script(alphabet: str) -> Callable[[random.Random, lxml.html.HtmlElement], None]:
    def change(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
        def swap(text: str) -> str:
            return "".join(rng.choice(alphabet) if c.isalpha() else c for c in text)

        _text_nodes(rng, doc, swap)

    return change


def _recase(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    """Capitalised words at random, Title Case, UPPER CASE...: words that look like names
    where names are not, in every combination with the words around them."""
    share = rng.uniform(0.1, 0.6)

    def some_capitalised(text: str) -> str:
        return re.sub(r"\w+", lambda m: m[0].capitalize() if rng.random() < share else m[0],
                      text)

    _text_nodes(rng, doc, rng.choice([some_capitalised, some_capitalised, str.title, str.upper,
                                      str.lower, str.swapcase]))


def _shuffle_words(rng: random.Random, doc: lxml.html.HtmlElement) -> None:
    def shuffle(text: str) -> str:
        words = re.split(r"(\s+)", text)
        tokens = words[::2]
        rng.shuffle(tokens)
        words[::2] = tokens
        return "".join(words)

    _text_nodes(rng, doc, shuffle)


# ------------------------------------------------------------------ mutations on the bytes


def _truncate(rng: random.Random, html: bytes) -> bytes:
    return html[: rng.randrange(len(html) + 1)]


_BAD_BYTES = [b"\x80", b"\xff", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80",
              b"\xf4\x90\x80\x80", b"\xfe\xff", b"\xff\xfe", b"\x1b$B", b"\x00", b"\x0c",
              b"\r", b"\x85", b"\xef\xbb\xbf"]


def _invalid_bytes(rng: random.Random, html: bytes) -> bytes:
    out = bytearray(html)
    for _ in range(rng.randint(1, 200)):
        at = rng.randrange(len(out) + 1)
        out[at:at] = rng.choice(_BAD_BYTES) if rng.random() < 0.8 else rng.randbytes(8)
    return bytes(out)


def _nest(rng: random.Random, html: bytes) -> bytes:
    """5000 nested elements around the body's content, closed or not."""
    tag = rng.choice([b"div", b"span", b"blockquote", b"section", b"font", b"q", b"ins",
                      b"x-box", b"li", b"table"])
    depth = rng.choice([300, 1000, 5000])
    opening, closing = b"<" + tag + b">", b"</" + tag + b">"
    body = re.search(rb"<body[^>]*>", html, re.IGNORECASE)
    at = body.end() if body else 0
    end = html.lower().rfind(b"</body>")
    end = end if end >= at else len(html)
    closers = closing * depth if rng.random() < 0.7 else b""
    return html[:at] + opening * depth + html[at:end] + closers + html[end:]


MUTATIONS: dict[str, Mutation] = {
    "drop": _via_tree(_drop),
    "duplicate": _via_tree(_duplicate),
    "reorder": _via_tree(_reorder),
    "truncate": _truncate,
    "invalid-bytes": _invalid_bytes,
    "nest": _nest,
    "garble-attributes": _via_tree(_garble_attributes),
    "garble-jsonld": _via_tree(_garble_jsonld),
    "recase": _via_tree(_recase),
    "shuffle-words": _via_tree(_shuffle_words),
    **{name: _via_tree(_other_script(alphabet)) for name, alphabet in _SCRIPTS.items()},
}


def mutate(html: bytes, names: tuple[str, ...], seed: str) -> bytes:
    """`html` after `names`, in order, each drawing from one generator seeded by `seed`."""
    rng = random.Random(seed)
    for name in names:
        html = MUTATIONS[name](rng, html)
    return html


# ------------------------------------------------------------------ the check


def _crash(page: Path, names: tuple[str, ...], seed: str, out: Path) -> str | None:
    """None when the (mutated) page gives an article or a rejection; else what went wrong."""
    data = mutate(_read(page), names, seed)
    label = f"{page.relative_to(EVAL)} mutated by {'+'.join(names) or 'nothing'} (seed {seed!r})"
    item = Item(key=str(page), data=data, archive_path=str(page), source="robustness",
                content_type="text/html")
    try:
        article = extract_item(item)
    except Rejected:
        return None
    except Exception as exc:  # what this test is for: any other exception is a bug
        problem = error_detail(exc)
    else:
        problem = article.provenance.get("enrichment")
        if problem is None:
            return None
    saved = out / f"{page.parent.parent.name}-{page.parent.name}-{'+'.join(names) or 'none'}.html"
    saved.write_bytes(data)
    return f"{label}: {problem}\n    reproduce: newsetl extract {saved}"


def _cases(pages: list[Path], n: int, key: str) -> list[tuple[Path, str]]:
    """`n` (page, seed) cases, cycling through the interleaved pages from an offset of `key`."""
    start = random.Random(f"{SEED}/{key}").randrange(len(pages))
    return [(pages[(start + i) % len(pages)], f"{SEED}/{key}/{i}") for i in range(n)]


def _run(cases: list[tuple[Path, str]], names: Callable[[str], tuple[str, ...]],
         out: Path) -> None:
    failures = [f for page, seed in cases if (f := _crash(page, names(seed), seed, out))]
    assert not failures, (f"{len(failures)} of {len(cases)} cases crashed extraction:\n"
                          + "\n".join(failures))


def test_gold_pages_extract_without_a_crash(tmp_path: Path):
    pages = _pages()
    _run(_cases(pages, len(pages) if ROUNDS else min(UNMUTATED, len(pages)), "none"),
         lambda _: (), tmp_path)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mutated_pages_extract_without_a_crash(mutation: str, tmp_path: Path):
    pages = _pages()
    n = 60 * ROUNDS if ROUNDS else PER_MUTATION
    _run(_cases(pages, n, mutation), lambda _: (mutation,), tmp_path)


def test_pages_under_several_mutations_extract_without_a_crash(tmp_path: Path):
    pages = _pages()
    n = 60 * ROUNDS if ROUNDS else PER_MUTATION * 2

    def names(seed: str) -> tuple[str, ...]:
        rng = random.Random(f"{seed}/names")
        return tuple(rng.sample(sorted(MUTATIONS), rng.randint(2, 4)))

    _run(_cases(pages, n, "stacked"), names, tmp_path)


# ------------------------------------------------------------------ enrichment on word soup


def _lexicon_words() -> list[str]:
    """Every word the enrichment rules key on, and a few names, places and number forms."""
    from newsetl.enrich import lexicon

    words: set[str] = {"of", "for", "the", "de", "van", "bin", "al-Assad", "and", "John", "Smith",
                       "Paris", "Kenya", "U.S.", "EU", "NATO", "2019", "3rd", "12", "Jr.",
                       "McDonald\u2019s", "O'Brien", "Anne-Marie", "it", "they", "we"}
    for name in ("REPORTING_VERBS", "PERSON_TITLES", "ORG_KEYWORDS", "DOCUMENT_NOUNS",
                 "ORG_NOUNS", "PRONOUNS", "MONTHS", "WEEKDAYS", "ABBREVIATIONS", "STOPWORDS",
                 "DEMONYMS"):
        words |= set(getattr(lexicon, name))
    return sorted(words)


_MARKS = [*"\u201c\u201d\"\u2018\u2019'\u00ab\u00bb\u201e,.:;\u2014\u2013-()!?\u2022\u2026",
          "\n\n", "\n", "1."]


def _soup(rng: random.Random, words: list[str]) -> str:
    """Lexicon words in random order and case, among quote marks and punctuation: every
    combination of stopword, keyword, title and quote the rules may meet, and more."""
    out = []
    for _ in range(rng.randint(1, 120)):
        if rng.random() < 0.25:
            token = rng.choice(_MARKS)
        else:
            token = rng.choice(words)
            case = rng.random()
            token = token.capitalize() if case < 0.5 else token.upper() if case < 0.55 else token
        out.append(token + rng.choice(["", " ", " ", " ", "  "]))
    return "".join(out)


def test_enrichment_survives_word_soup_from_its_own_lexicon():
    """`enrich` alone (page extraction is not what this exercises), on text built from the
    words its rules key on: the `_classify_org` crash of issue 13 showed up here within
    a few hundred cases ("... Those “Police ...")."""
    from datetime import UTC, datetime

    from newsetl.enrich import enrich

    words, rng = _lexicon_words(), random.Random(SEED)
    failures = []
    for case in range(3000 * max(ROUNDS, 1) * (10 if ROUNDS else 1)):
        text = _soup(rng, words)
        title = _soup(rng, words) if rng.random() < 0.5 else None
        published = datetime(2020, 5, 1, tzinfo=UTC) if rng.random() < 0.5 else None
        try:
            enrich(title, text, published)
        except Exception as exc:  # any exception is a bug in enrichment
            failures.append(f"case {case}: {error_detail(exc)}\n    "
                            f"enrich({title!r}, {text!r}, {published!r})")
    assert not failures, f"{len(failures)} soups crashed enrichment:\n" + "\n".join(failures[:5])
