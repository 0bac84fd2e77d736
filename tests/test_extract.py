import pytest

from newsetl.models import Item, Rejected
from newsetl.page.item import is_html, looks_binary, parse_plain_text
from newsetl.pipeline.extract import extract_item
from tests.conftest import SEED, SEED_TITLE


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
