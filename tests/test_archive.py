import gzip
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from newsetl.archive.files import MAX_ITEM_BYTES, iter_items, list_inputs, read_file
from newsetl.models import Item, Reject
from tests.conftest import SEED


def test_lists_files_recursively_in_stable_order_without_manifest_or_hidden(archive: Path):
    (archive / ".cache").mkdir()
    (archive / ".cache" / "x.txt").write_text("hidden")
    names = [p.relative_to(archive).as_posix() for p in list_inputs([archive])]
    assert names == ["2014/000_23bec2932da9a753.txt", "2014/page.html.gz"]


def test_manifest_gives_source_url_and_fetch_time(archive: Path):
    item = read_file(archive / "2014" / "page.html.gz")
    assert isinstance(item, Item)
    assert item.source == "coast-gazette"
    assert item.url == "https://gazette.example/news/harbour"
    assert item.fetched_at == datetime(2014, 10, 9, 8, tzinfo=UTC)
    assert item.content_type == "text/html"
    assert item.data.startswith(b"<!doctype html>")  # gunzipped


def test_key_is_relative_to_the_manifest_folder_whatever_path_is_given(archive: Path):
    from_root = [i.key for i in iter_items([archive])]
    from_sub = [i.key for i in iter_items([archive / "2014"])]
    from_file = [i.key for i in iter_items([archive / "2014" / SEED.name])]
    assert from_root == from_sub == ["2014/000_23bec2932da9a753.txt", "2014/page.html.gz"]
    assert from_file == ["2014/000_23bec2932da9a753.txt"]
    assert {i.source for i in iter_items([archive]) if i.key.endswith(".txt")} == {"test-archive"}


def test_without_manifest_the_folder_is_the_root_and_names_the_source(tmp_path: Path):
    folder = tmp_path / "reuters"
    folder.mkdir()
    (folder / "a.txt").write_text("Head\nBody.\n")
    (item,) = iter_items([folder])
    assert (item.key, item.source) == ("a.txt", "reuters")


def test_truncated_gzip_is_rejected_with_its_hash(tmp_path: Path):
    data = gzip.compress(b"<html><body><p>" + b"word " * 2000 + b"</p></body></html>")
    bad = tmp_path / "bad.html.gz"
    bad.write_bytes(data[: len(data) // 2])
    result = read_file(bad)
    assert isinstance(result, Reject)
    assert result.reason == "bad-gzip"
    assert "EOFError" in result.detail
    assert result.item_hash is not None and result.key == "bad.html.gz"


def test_oversized_and_unsupported_and_missing_files_are_rejected(tmp_path: Path):
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.truncate(MAX_ITEM_BYTES + 1)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    reasons = {Path(r.input).name: r.reason for r in iter_items(
        [big, tmp_path / "photo.jpg", tmp_path / "gone.txt"])}
    assert reasons == {"big.html": "too-large", "photo.jpg": "unsupported-type",
                       "gone.txt": "missing"}


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path):
    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb") as fh:
        for _ in range(MAX_ITEM_BYTES // (1 << 20) + 2):
            fh.write(b" " * (1 << 20))
    result = read_file(bomb)
    assert isinstance(result, Reject) and result.reason == "too-large"


def test_a_malformed_manifest_rejects_its_items_with_the_reason(tmp_path: Path):
    cases = {
        "syntax": "source = \n",
        "items-not-tables": '[items."a.txt"]\nurl = "https://x.example/a"\n',
        "bad-time": '[[items]]\npath = "a.txt"\nfetched_at = "yesterday"\n',
    }
    for name, manifest in cases.items():
        root = tmp_path / name
        root.mkdir()
        (root / "manifest.toml").write_text(manifest, encoding="utf-8")
        (root / "a.txt").write_text("Headline\n\nBody.\n", encoding="utf-8")
        (entry,) = iter_items([root])
        assert isinstance(entry, Reject) and entry.reason == "bad-manifest", name
        assert "manifest.toml" in entry.detail or "fetched_at" in entry.detail


def test_a_file_named_twice_is_listed_once(archive: Path, monkeypatch):
    monkeypatch.chdir(archive)
    listed = list_inputs([archive, Path("2014") / SEED.name, archive / "2014" / SEED.name])
    assert listed == [archive / "2014" / SEED.name, archive / "2014" / "page.html.gz"]


# Hostile names and links.

def _bad_name_archive(tmp_path: Path) -> tuple[Path, Path]:
    """An archive with one good article, and one whose name is not UTF-8 (Latin-1 `é`)."""
    root = tmp_path / "archive"
    root.mkdir()
    shutil.copy(SEED, root / "good.txt")
    bad = Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9\\x.txt"))
    bad.write_text("Headline\n\nBody of the article.\n", encoding="utf-8")
    return root, bad


def test_a_name_that_is_not_utf8_is_rejected_and_the_rest_read(tmp_path: Path):
    root, bad = _bad_name_archive(tmp_path)
    listed = list_inputs([root])
    for path in listed:
        str(path).encode("utf-8")  # every listed path can be stored as text
    entries = list(iter_items(listed))  # as the backfill does: the listed strings go back in
    (reject,) = [e for e in entries if isinstance(e, Reject)]
    assert reject.reason == "bad-filename"
    assert reject.input == str(root) + "/caf\\xe9\\\\x.txt"
    reject.input.encode("utf-8")
    assert [e.key for e in entries if isinstance(e, Item)] == ["good.txt"]
    (direct,) = iter_items([bad])  # the path itself (as from a command line) says the same
    assert (direct.reason, direct.input) == ("bad-filename", reject.input)
    assert read_file(bad).reason == "bad-filename"


def test_backfill_with_a_bad_name_loads_the_rest_and_reruns(tmp_path: Path):
    from newsetl.pipeline.backfill import backfill_files

    root, _ = _bad_name_archive(tmp_path)
    warehouse = tmp_path / "wh" / "test.duckdb"
    first = backfill_files(warehouse, [str(root)], "run-1")
    second = backfill_files(warehouse, [str(root)], "run-2")
    assert (first.loaded, first.rejected) == (1, 1)
    assert (second.skipped, second.rejected) == (1, 1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rejects = con.execute("SELECT DISTINCT input, reason FROM rejects").fetchall()
        paths = [p for (p,) in con.execute("SELECT path FROM files").fetchall()]
        items = [p for (p,) in con.execute("SELECT archive_path FROM items").fetchall()]
    assert rejects == [(str(root) + "/caf\\xe9\\\\x.txt", "bad-filename")]
    assert paths == [str(root / "good.txt")] and items == [str(root / "good.txt")]


def test_file_link_outside_the_archive_is_rejected_unless_allowed(archive: Path, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Private\n\nNot part of any archive.\n", encoding="utf-8")
    (archive / "leak.txt").symlink_to(secret)
    (archive / "2014" / "alias.txt").symlink_to(archive / "2014" / SEED.name)  # inside: fine
    entries = {e.key: e for e in iter_items([archive])}
    leak = entries["leak.txt"]
    assert isinstance(leak, Reject) and leak.reason == "outside-archive"
    assert str(secret) in leak.detail and leak.source == "test-archive"
    assert isinstance(entries["2014/alias.txt"], Item)
    assert read_file(archive / "leak.txt").reason == "outside-archive"
    allowed = {e.key: e for e in iter_items([archive], allow_outside_links=True)}
    assert isinstance(allowed["leak.txt"], Item) and allowed["leak.txt"].data == secret.read_bytes()


def test_folder_links_inside_are_walked_outside_rejected_once(archive: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.txt").write_text("Outside\n\nText.\n", encoding="utf-8")
    (archive / "out").symlink_to(outside)
    (archive / "again").symlink_to(archive / "2014")  # inside the walked folder: listed once
    (archive / "2014" / "loop").symlink_to(archive)  # a cycle: not walked again
    listed = [p.relative_to(archive).as_posix() for p in list_inputs([archive])]
    assert listed == ["2014/000_23bec2932da9a753.txt", "2014/page.html.gz", "out"]
    entries = list(iter_items(list_inputs([archive])))  # the listed strings, as a backfill does
    assert [(e.input, e.reason) for e in entries if isinstance(e, Reject)] == [
        (str(archive / "out"), "outside-archive")]
    # A sub-folder given directly walks a link to a sibling folder of the same archive.
    (archive / "2014" / "loop").unlink()
    (archive / "2015").mkdir()
    (archive / "2015" / "older").symlink_to(archive / "2014")
    keys = [e.key for e in iter_items([archive / "2015"])]
    assert keys == ["2015/older/000_23bec2932da9a753.txt", "2015/older/page.html.gz"]
    allowed = [p.name for p in list_inputs([archive], allow_outside_links=True)]
    assert "x.txt" in allowed


def test_empty_warc_files_are_rejected(tmp_path: Path):
    (tmp_path / "a.warc").write_bytes(b"")
    (tmp_path / "b.warc.gz").write_bytes(b"")
    reasons = [(Path(r.input).name, r.reason) for r in iter_items([tmp_path])]
    assert reasons == [("a.warc", "empty"), ("b.warc.gz", "empty")]
