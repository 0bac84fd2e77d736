from newsetl.page.clean import match_key, normalise_paragraph, paragraphs, split_plain_text
from tests.conftest import SEED, SEED_TITLE


def test_seed_splits_into_headline_body_and_notes():
    title, body, notes = split_plain_text(SEED.read_text(encoding="utf-8"))
    assert title == SEED_TITLE
    assert len(body) == 9
    assert body[0].startswith("While not mentioning the United States")
    assert body[-1].endswith("imperial policies of sanctions of any kind.\u201d")
    assert notes == [
        "[For background information in Progreso Weekly about the close cooperation between "
        "Russia and Latin American countries, click here, here and here.]",
        "[Photo on top is of Russian Foreign Minister Sergei Lavrov.]",
    ]
    assert not any(p.startswith("[") for p in body)


def test_bracketed_paragraph_inside_body_stays_body():
    title, body, notes = split_plain_text("Head\n[Updated] First.\nSecond.\n[Note.]\n")
    assert (title, body, notes) == ("Head", ["[Updated] First.", "Second."], ["[Note.]"])


def test_normalise_is_nfc_and_collapses_whitespace_but_keeps_typography():
    decomposed = "Nicola\u0301s  Maduro\t said \u201cno\u201d\u00a0today"
    assert normalise_paragraph(decomposed) == "Nicol\u00e1s Maduro said \u201cno\u201d today"


def test_paragraphs_drop_blank_lines():
    assert paragraphs("  one \n\n\n two\r\nthree  ") == ["one", "two", "three"]


def test_empty_text_has_no_headline():
    assert split_plain_text(" \n \n") == (None, [], [])


def test_match_key_ignores_case_punctuation_and_soft_hyphens():
    assert match_key("\u201cHarbour\u201d re\u00adopens \u2013 AGAIN!") == "harbour reopens again"
