"""A guard for `EXTRACTOR_VERSION`: extraction output may not change under the same version.

The ledger re-extracts an item only when its bytes or the extractor version
change, so a change to extraction or enrichment without a version bump
leaves every stored article as the old code made it. This test extracts a
fixed sample (the seed and, where `../shared/eval` is present, 40 pages
spread over each dev set), hashes every field of the output, and compares the
hash with the one recorded for the current version in
`tests/extractor_fingerprints.json`.

After an intended change: bump `EXTRACTOR_VERSION` in
`src/newsetl/pipeline/extract.py`, then record the new fingerprint with

    .venv/bin/python tests/test_extractor_version.py --record
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from newsetl.models import Article, Reject
from newsetl.pipeline.extract import EXTRACTOR_VERSION, extract_path

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
RECORD = Path(__file__).with_name("extractor_fingerprints.json")
PAGES_PER_SET = 40
SETS = ("zyte-dev", "fundus-dev", "trafilatura-dev")


def sample() -> list[Path]:
    """The seed, plus pages spread evenly over each dev set present (every k-th by folder
    name), so that a change to any kind of page is likely to touch one of them."""
    pages = sorted((REPO / "seeds").glob("*.txt"))
    for name in SETS:
        folders = sorted(p for p in (EVAL / name).glob("*") if (p / "page.html.gz").is_file())
        step = max(1, len(folders) // PAGES_PER_SET)
        pages += [p / "page.html.gz" for p in folders[::step][:PAGES_PER_SET]]
    return pages


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def fingerprint(pages: list[Path],
                extract: Callable[[Path], Article | Reject] = extract_path) -> str:
    """SHA-256 over every field `extract` gives for `pages` (rejects by their reason)."""
    digest = hashlib.sha256()
    for page in pages:
        result = extract(page)
        fields = dataclasses.asdict(result)
        if isinstance(result, Reject):
            fields = {"reason": result.reason}
        name = str(page.relative_to(EVAL if EVAL in page.parents else REPO))
        digest.update(json.dumps([name, fields], sort_keys=True, ensure_ascii=False,
                                 default=_plain).encode("utf-8"))
    return digest.hexdigest()[:16]


def _key(pages: list[Path]) -> str:
    """Fingerprints are recorded per sample: with and without the dev sets present."""
    return "with-dev-sets" if len(pages) > 1 else "seed-only"


def test_extraction_output_matches_the_recorded_version() -> None:
    pages = sample()
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    got = fingerprint(pages)
    expected = recorded.get(EXTRACTOR_VERSION, {}).get(_key(pages))
    if expected is None:
        pytest.fail(f"no fingerprint recorded for EXTRACTOR_VERSION {EXTRACTOR_VERSION} "
                    f"({_key(pages)}): run `.venv/bin/python tests/test_extractor_version.py "
                    "--record`")
    assert got == expected, ("extraction output changed: bump EXTRACTOR_VERSION and record "
                             "the new fingerprint (.venv/bin/python "
                             "tests/test_extractor_version.py --record)")


def test_the_fingerprint_sees_a_changed_field() -> None:
    """The hash covers the fields: the same sample with one title changed hashes apart."""
    seed = sample()[:1]
    article = extract_path(seed[0])
    assert isinstance(article, Article)

    def retitled(path: Path) -> Article | Reject:
        result = extract_path(path)
        if isinstance(result, Article):
            result.title = (result.title or "") + "!"
        return result

    assert fingerprint(seed, retitled) != fingerprint(seed)
    assert fingerprint(seed) == fingerprint(seed)  # and it is stable


def record() -> None:
    """Record the fingerprints of the current version (both samples)."""
    recorded = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
    pages = sample()
    entry = {_key(pages): fingerprint(pages), "seed-only": fingerprint(pages[:1])}
    recorded[EXTRACTOR_VERSION] = entry
    RECORD.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"EXTRACTOR_VERSION {EXTRACTOR_VERSION}: {entry}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__)
    record()
