import json

import lxml.html

from newsetl.maintext import (
    blocks_in,
    drop_furniture,
    is_byline,
    is_link_paragraph,
    match_key,
    rescue_with_ld,
)
from newsetl.metadata import read_head

STORY = ("The council agreed on Tuesday to rebuild the eastern pier before winter, after "
         "months of arguments about the cost and who should carry it.")


def tree_of(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_match_key_ignores_case_punctuation_and_soft_hyphens():
    assert match_key("\u201cHarbour\u201d re\u00adopens \u2013 AGAIN!") == "harbour reopens again"


def test_byline_needs_the_name_up_front():
    assert is_byline("by ann smith reuters", "ann smith")
    assert not is_byline("the mayor thanked the harbour staff and ann smith", "ann smith")


def test_link_paragraph_allows_a_little_extra_text():
    links = {"council votes to rebuild the old lighthouse"}
    assert is_link_paragraph("council votes to rebuild the old lighthouse", links)
    assert is_link_paragraph("19 03 2024 council votes to rebuild the old lighthouse", links)
    assert not is_link_paragraph(match_key(STORY), links)


def test_furniture_is_dropped_but_story_kept():
    head = read_head(tree_of("<h1>Pier to be rebuilt</h1>"))
    paras = ["Pier to be rebuilt", "By Ann Smith | 3 May 2024", STORY, "Photo: AFP",
             "https://gazette.example/pier", "The eastern pier in March.",
             "Read more: Lighthouse plans"]
    kept = drop_furniture(paras, head, ["Ann Smith"], {"read more lighthouse plans"},
                          ["The eastern pier in March."])
    assert kept == [STORY]


def test_blocks_in_takes_outermost_matching_blocks_in_order():
    tree = tree_of(f"<blockquote><p>{STORY}</p></blockquote><p>Unrelated footer text here.</p>")
    assert blocks_in(tree, "Intro. " + STORY + " Outro.") == [STORY]


def test_article_body_lines_are_used_when_the_page_shows_little_of_it():
    lines = [STORY] + [f"Line {i} of the story, which the page loads later by script, "
                       "goes on about the harbour and its ferries." for i in range(8)]
    ld = {"@type": "NewsArticle", "headline": "h", "articleBody": "\n".join(lines)}
    head_html = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    tree = tree_of(f"<p>{STORY}</p>", head_html)
    paras, source = rescue_with_ld(tree, [STORY], read_head(tree))
    assert (paras, source) == (lines, "json-ld")


def test_article_body_is_ignored_when_not_longer_than_the_extraction():
    ld = {"@type": "NewsArticle", "headline": "h", "articleBody": STORY}
    tree = tree_of(f"<p>{STORY}</p>", f'<script type="application/ld+json">{json.dumps(ld)}'
                                      "</script>")
    assert rescue_with_ld(tree, [STORY], read_head(tree)) == ([STORY], "trafilatura")
