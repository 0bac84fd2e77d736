"""Bytes to text, in the order a browser decides.

A browser trusts, in turn: a byte-order mark, the HTTP `Content-Type`
charset, a `<meta charset>` in the first 1024 bytes (HTML only; a meta tag
that says UTF-16 means UTF-8, since it could be read as ASCII). We add one
safety net browsers do not have: a declared charset is only used when the
bytes really decode with it, and when nothing is declared (or the
declaration is wrong) valid UTF-8 wins, then charset-normalizer guesses.
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
    source: str  # bom | http | meta | utf-8 | detector | fallback


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


def decode(data: bytes, http_charset: str | None = None, html: bool = False) -> Decoded:
    """Decode `data`; never raises (the last resort replaces undecodable bytes)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(codec, "replace"), codec, "bom")
    declared = [(http_charset, "http")]
    if html:
        declared.append((meta_charset(data), "meta"))
    for label, source in declared:
        codec = _codec(label)
        if source == "meta" and codec in _UTF16:
            codec = "utf-8"  # WHATWG: bytes that could be read to find a <meta> are not UTF-16
        # A declared single-byte charset "decodes" anything, so a page that
        # says latin-1 but is really UTF-8 is caught by trying UTF-8 first.
        if codec and codec != "utf-8" and _try(data, "utf-8") is not None and not data.isascii():
            return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
        text = _try(data, codec)
        if text is not None:
            return Decoded(text, codec, source)
    text = _try(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    codec = _detect(data)
    if codec is not None and (text := _try(data, codec)) is not None:
        return Decoded(text, codec, "detector")
    return Decoded(data.decode("cp1252", "replace"), "cp1252", "fallback")
