import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsetl.cli import app
from newsetl.enrich import enrich, enrichment
from newsetl.models import Article, Item, Reject, Rejected
from newsetl.page import webpage
from newsetl.page.item import is_html, looks_binary, parse_plain_text
from newsetl.pipeline.extract import error_detail, extract_item, extract_path
from tests.conftest import HTML_PAGE, SEED, SEED_TITLE


def _item(data: bytes, content_type: str | None = "text/plain") -> Item:
    return Item(key="k", data=data, archive_path="k", source="s", content_type=content_type)


def test_seed_fields():
    article = parse_plain_text(SEED.read_bytes())
    assert article.title == SEED_TITLE
    assert len(article.paragraphs) == 9
    assert "\n\n" in article.body and "[Photo" not in article.body
    assert len(article.notes) == 2
    assert article.word_count == 371  # `sed -n 2,10p seed | wc -w`


def test_seed_language_is_detected_as_english():
    article = extract_item(_item(SEED.read_bytes()), enrich_text=False)
    assert article.language == "en"
    assert article.provenance["language"] == "text"


def test_windows_1252_text_file_is_decoded_without_mojibake():
    text = SEED.read_text(encoding="utf-8")
    article = extract_item(_item(text.encode("cp1252")), enrich_text=False)
    assert article.title == SEED_TITLE
    assert "Rafael Ram\u00edrez Carre\u00f1o" in article.body
    assert article.encoding == "cp1252"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"  \n\t\n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
])
def test_unreadable_inputs_are_rejected_with_a_reason(data: bytes, reason: str):
    with pytest.raises(Rejected) as caught:
        extract_item(_item(data))
    assert caught.value.reason == reason


def test_utf16_with_bom_is_not_binary():
    data = "Head\nBody text here.\n".encode("utf-16")
    assert not looks_binary(data)
    assert parse_plain_text(data).title == "Head"


def test_html_is_sniffed_when_the_type_is_unknown():
    assert is_html(_item(b"  <!DOCTYPE html><html><body>x</body></html>", content_type=None))
    assert not is_html(_item(b"Headline\nBody", content_type=None))


def test_an_organisation_keyword_that_is_a_stopword_names_nothing_alone():
    """Issue 13: "Police" is an organisation keyword and a stopword; a run whose keywords
    were all leading stopwords crashed `_classify_org` (max() of an empty sequence)."""
    found = enrich(None, "Yesterday the Minister met Police in Kabul today. "
                         "He said Police of Kenya were there, and Those Police of the "
                         "Bank of England too.", None)
    assert {(e.name, e.kind) for e in found.entities} >= {
        ("Kabul", "place"), ("Kenya", "place"), ("Bank of England", "organisation")}
    assert "Police" not in {e.name for e in found.entities}


def test_error_detail_names_the_exception_and_the_innermost_frame_of_our_code():
    from newsetl.enrich.entities import _classify_org

    with pytest.raises(IndexError) as caught:
        _classify_org([], frozenset(), "", True)  # no parts: a caller's bug, for real
    assert re.fullmatch(r"IndexError: list index out of range "
                        r"\(enrich/entities\.py:\d+ in _classify_org\)",
                        error_detail(caught.value))
    assert error_detail(ValueError("x" * 1000)).endswith("...")  # a message is kept short
    assert error_detail(KeyError()) == "KeyError"  # no message, no frame: just the type


def _broken(*_: object) -> None:
    raise RuntimeError("a bug")


def test_enrichment_failing_alone_keeps_the_article(monkeypatch):
    monkeypatch.setattr(enrichment, "find_quotes", _broken)  # no known input does this
    article = extract_item(_item(SEED.read_bytes()))
    assert article.title == SEED_TITLE and len(article.paragraphs) == 9
    assert (article.entities, article.quotes, article.dates) == ([], [], [])
    assert article.provenance["enrichment"].startswith(
        "failed: RuntimeError: a bug (enrich/enrichment.py:")


def test_extract_path_turns_a_crash_into_a_reject(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(webpage, "pick_topics", _broken)
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    result = extract_path(page)
    assert isinstance(result, Reject)
    assert (result.input, result.reason) == (str(page), "extractor-error")
    assert result.detail.startswith("RuntimeError: a bug (page/webpage.py:")
    assert isinstance(extract_path(SEED), Article)


def test_extract_command_goes_on_after_a_failed_input_and_exits_1(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(webpage, "pick_topics", _broken)
    page, empty = tmp_path / "page.html", tmp_path / "empty.txt"
    page.write_text(HTML_PAGE, encoding="utf-8")
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["extract", str(page), str(SEED), str(empty)])
    assert result.exit_code == 1
    crashed, seed, bad = (json.loads(line) for line in result.stdout.splitlines())
    assert (crashed["source"], crashed["error"]) == (str(page), "extractor-error")
    assert crashed["detail"].startswith("RuntimeError: a bug (page/webpage.py:")
    assert seed["title"] == SEED_TITLE
    assert (bad["source"], bad["error"]) == (str(empty), "empty")
    assert CliRunner().invoke(app, ["extract", str(SEED)]).exit_code == 0
