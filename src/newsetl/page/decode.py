"""Bytes to text, in the order a browser decides.

A browser trusts, in turn: a byte-order mark, the HTTP `Content-Type`
charset, a `<meta charset>` in the first 1024 bytes (HTML only; a meta tag
that says UTF-16 means UTF-8, since it could be read as ASCII). We add one
safety net browsers do not have: a declared charset is only used when the
bytes really decode with it, and when nothing is declared (or the
declaration is wrong) valid UTF-8 wins, then charset-normalizer guesses.

"Really decode" allows for a few bad bytes, as browsers do: a page that
declares UTF-8 and is UTF-8 but for one stray byte deep inside is decoded as
UTF-8 with that byte replaced (U+FFFD), not handed to the detector, whose
single-byte guess would turn every accented letter of the page into
mojibake ("atakÃ³w"). The same evidence -- more well-formed multi-byte
UTF-8 sequences than broken ones -- overrides a declared single-byte
charset, and the source then says which declaration the bytes overrode.
The decision is returned so it can be stored with the article.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
# WHATWG: these labels are decoded as their supersets by every browser.
_SUPERSETS = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
              "shift_jis": "cp932", "euc-kr": "cp949", "gb2312": "gb18030", "gbk": "gb18030"}


_UTF16 = frozenset({"utf-16", "utf-16-le", "utf-16-be"})


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # Python codec name actually used
    # bom | http | meta | utf-8 | detector | fallback; "utf-8 over http" / "utf-8 over meta"
    # (the bytes are UTF-8 although that declaration says another charset), "detector over
    # http" / "detector over meta" (the declared charset cannot decode the bytes).
    source: str


def _codec(label: str | None) -> str | None:
    """Normalise a declared charset label to a Python codec, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> str | None:
    """charset-normalizer's guess, with ties broken toward Windows-1252.

    Short Western text fits several single-byte code pages equally well and
    the detector's first pick among equals is arbitrary (often cp1250, which
    turns "naïve" into "naďve"); browsers default undeclared Western pages to
    Windows-1252, so among equally good guesses that one wins.
    """
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return None
    best = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= best + 1e-6]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252"
    return _codec(tied[0].encoding)


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its first 1024 bytes."""
    match = _META_CHARSET.search(data[:1024])
    return match.group(1).decode("ascii", "replace") if match else None


def utf8_evidence(data: bytes) -> tuple[str, int, int]:
    """(text decoded as UTF-8 with bad bytes replaced, well-formed multi-byte characters, bad runs).

    A single-byte text (Windows-1252, Latin-2, KOI8-R) almost never forms a
    well-formed multi-byte UTF-8 sequence by chance, so many good sequences
    and few bad ones mean UTF-8 with a few damaged bytes.
    """
    text = data.decode("utf-8", "replace")
    if data.isascii():
        return text, 0, 0
    replacements = text.count("\ufffd")
    bad = replacements - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    return text, non_ascii - replacements, bad


def _mostly_utf8(multibyte: int, bad: int) -> bool:
    """UTF-8 with a few damaged bytes: good multi-byte characters outnumber the bad runs."""
    return multibyte > bad


def decode(data: bytes, http_charset: str | None = None, html: bool = False) -> Decoded:
    """Decode `data`; never raises (the last resort replaces undecodable bytes)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(codec, "replace"), codec, "bom")
    declared = [(http_charset, "http")]
    if html:
        declared.append((meta_charset(data), "meta"))
    evidence: tuple[str, int, int] | None = None
    refused: str | None = None  # the first declaration whose charset could not decode the bytes
    for label, source in declared:
        codec = _codec(label)
        if codec is None:
            continue
        if source == "meta" and codec in _UTF16:
            codec = "utf-8"  # WHATWG: bytes that could be read to find a <meta> are not UTF-16
        if evidence is None:
            evidence = utf8_evidence(data)
        utf8_text, multibyte, bad = evidence
        if codec == "utf-8":
            # Declared and (nearly) true: keep it, replacing the odd bad byte like a browser.
            if bad == 0 or _mostly_utf8(multibyte, bad):
                return Decoded(utf8_text, "utf-8", source)
            refused = refused or source
            continue
        # A declared single-byte charset "decodes" anything, so a page that
        # says latin-1 but is really UTF-8 is caught by trying UTF-8 first.
        if multibyte and (bad == 0 or _mostly_utf8(multibyte, bad)):
            return Decoded(utf8_text, "utf-8", f"utf-8 over {source}")
        text = _try(data, codec)
        if text is not None:
            return Decoded(text, codec, source)
        refused = refused or source
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    codec = _detect(data)
    if codec is not None and (text := _try(data, codec)) is not None:
        return Decoded(text, codec, f"detector over {refused}" if refused else "detector")
    return Decoded(data.decode("cp1252", "replace"), "cp1252", "fallback")
