"""Shared fixtures: real files in temp dirs, a real DuckDB file, real Prefect (ephemeral)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import duckdb
import pytest

# Offline machines: no telemetry; Prefect's state stays out of the user's home.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# A first start of Prefect's temporary server builds its database: past Prefect's 20 s
# (and the test harness's 30 s) on a busy machine. Also used by the CLI's subprocesses.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_23bec2932da9a753.txt"
SEED_TITLE = "Lavrov to unnamed foe: Don\u2019t try to destabilize socialist nations"

HTML_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | Coast Gazette</title>
<meta property="og:title" content="Harbour reopens after storm">
<script>var tracking = "do not keep";</script><style>p {color: red}</style></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour reopens after storm</h1>
<p>The harbour of Port Ellen reopened on Monday after a storm closed it for three days,
the harbour master said.</p>
<p>\u201cWe are glad to welcome the ferries back,\u201d said Ann Smith, who runs the
harbour office. Fishing boats left at dawn and most had returned by noon.</p>
<p>Repairs to the eastern pier will take another two weeks, according to the council,
which has set aside money for the work.</p></article>
<footer>Copyright Coast Gazette. All rights reserved.</footer></body></html>"""


def make_seed_archive(root: Path, n: int) -> Path:
    """`n` distinct plain-text articles made from the seed's paragraphs."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    root.mkdir(parents=True)
    for i in range(n):
        body = lines[1:10]
        rotated = body[i % 9:] + body[: i % 9]
        (root / f"{i:04d}.txt").write_text(
            "\n".join([f"{lines[0]} ({i})", *rotated, *lines[10:]]), encoding="utf-8")
    return root


# What must be equal between two warehouses built from the same archive:
# everything but run ids and wall-clock timestamps.
_COMPARE = {
    "articles": "SELECT * EXCLUDE (run_id, first_seen_at, last_seen_at) FROM articles",
    "article_versions": "SELECT * EXCLUDE (run_id, first_seen_at, last_seen_at) "
                        "FROM article_versions",
    "entities": "SELECT * FROM entities",
    "quotes": "SELECT * FROM quotes",
    "date_mentions": "SELECT * FROM date_mentions",
    "items": "SELECT * EXCLUDE (run_id, processed_at) FROM items",
}


def warehouse_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: sorted(con.execute(q).fetchall(), key=repr) for name, q in _COMPARE.items()}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """An archive folder with a manifest, the seed and an HTML page (gzipped)."""
    root = tmp_path / "archive"
    (root / "2014").mkdir(parents=True)
    (root / "manifest.toml").write_text(
        'source = "test-archive"\n\n[[items]]\npath = "2014/page.html.gz"\n'
        'source = "coast-gazette"\nurl = "https://gazette.example/news/harbour"\n'
        'fetched_at = "2014-10-09T08:00:00+00:00"\n', encoding="utf-8")
    shutil.copy(SEED, root / "2014" / SEED.name)
    with gzip.open(root / "2014" / "page.html.gz", "wb") as fh:
        fh.write(HTML_PAGE.encode("utf-8"))
    return root


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for the few end-to-end flow tests (~10 s once)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):  # None: the setting above
        yield


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "test.duckdb"
