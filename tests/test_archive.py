import gzip
from datetime import UTC, datetime
from pathlib import Path

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
