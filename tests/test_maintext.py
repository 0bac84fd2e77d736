import json

import lxml.html
import pytest

import newsetl.page.maintext as maintext
from newsetl.page.clean import match_key
from newsetl.page.maintext import (
    blocks_in,
    drop_furniture,
    inside_link,
    is_byline,
    is_link_paragraph,
    link_texts,
    precise_paragraphs,
    rescue_with_ld,
    script_paragraphs,
    visible_lede,
    with_ld_lede,
)
from newsetl.page.metadata import read_head

STORY = ("The council agreed on Tuesday to rebuild the eastern pier before winter, after "
         "months of arguments about the cost and who should carry it.")


def tree_of(body: str, head: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_byline_needs_the_name_up_front():
    assert is_byline("by ann smith reuters", "ann smith")
    assert not is_byline("the mayor thanked the harbour staff and ann smith", "ann smith")


def test_link_paragraph_allows_a_little_extra_text():
    links = {"council votes to rebuild the old lighthouse"}
    assert is_link_paragraph("council votes to rebuild the old lighthouse", links)
    assert is_link_paragraph("19 03 2024 council votes to rebuild the old lighthouse", links)
    assert not is_link_paragraph(match_key(STORY), links)


def test_a_sentence_inside_a_longer_link_is_a_teaser_but_a_label_is_not():
    card = match_key("Harbour news 12 May 2024 Ferry fares rise again The operator blames fuel "
                     "costs and says the winter timetable will be shorter")
    links = {card}
    assert inside_link(match_key("The operator blames fuel costs and says the winter timetable "
                                 "will be shorter"), links)
    assert not inside_link(match_key("Ferry fares"), links)  # a label, found by chance
    assert not inside_link(match_key(STORY), links)
    # A link around a whole article is no teaser card: its paragraphs stay.
    assert not inside_link(match_key(STORY), {match_key(STORY * 20)})


TEASER = ("The operator blames fuel costs and says the winter timetable will be shorter than "
          "last year, with two crossings a day instead of four.")


def test_the_summary_of_a_related_story_card_is_dropped():
    card = ('<a href="/news/9"><h3>Ferry fares rise again</h3><div>12 May 2024</div>'
            f"<p>{TEASER}</p><h6>By Ann Lee</h6></a>")
    tree = tree_of(f"<p>{STORY}</p><div class='more'>{card}</div>")
    head = read_head(tree)
    assert drop_furniture([STORY, TEASER], head, [], link_texts(tree), []) == [STORY]


def test_furniture_is_dropped_but_story_kept():
    head = read_head(tree_of("<h1>Pier to be rebuilt</h1>"))
    paras = ["Pier to be rebuilt", "By Ann Smith | 3 May 2024", STORY, "Photo: AFP",
             "12:30 | 03.05.2024", "The eastern pier in March.", "Read more: Lighthouse plans",
             "© Harbour Archive / Getty Images", "Fot. Jan Nowak / Agencja", "Mehr zum Thema:",
             "Related Posts", "The pier at dusk. © AFP / Jan Nowak",
             "Figure 2: Repair costs by year."]
    kept = drop_furniture(paras, head, ["Ann Smith"], {"read more lighthouse plans"},
                          ["The eastern pier in March."])
    assert kept == [STORY]


def test_a_reference_url_and_a_table_row_are_kept():
    # A bare address in the text is a source the article gives, not data; a link whose
    # text is an address is no teaser; a table row that names the author's firm is no byline.
    url = "[1] https://gazette.example/report.pdf"
    row = "| 1 Pck. | Harbour Mills Vanilla Sugar |"
    links = link_texts(tree_of('<a href="https://gazette.example/report.pdf">'
                               'https://gazette.example/report.pdf</a>'
                               '<a href="/shop/sugar">Harbour Mills Vanilla Sugar</a>'))
    head = read_head(tree_of(""))
    assert drop_furniture([STORY, url, row], head, ["Harbour Mills"], links, []) == [
        STORY, url, row]


@pytest.mark.parametrize(("line", "dropped"), [
    ("Last updated: 13 July 2020", True),
    ("Publicado el 03/05/2022 a las 22h03", True),
    ("April 21, 2022", True),
    ("19.10.2019 07:49 Uhr", True),
    ("Release Date:", True),
    ("04.11.2022 - Sam Ryder - Flex", False),  # an event listing, not the page's date
    ("Published in 2020, the report found the pier unsafe.", False),
    ("Published in 2020, it sold well.", False),
])
def test_a_line_that_only_dates_the_page_is_dropped(line, dropped):
    assert maintext.is_dateline(line) is dropped


def test_byline_compares_words_not_letters():
    # A one-letter handle as author must not make every sentence with an "r" a byline.
    assert not is_byline("von georg greve freie software", "r")
    assert is_byline("von r", "r")
    assert not is_byline("the redaktion met", "red")



def test_an_interview_question_by_the_author_is_kept():
    head = read_head(tree_of(""))
    question = "Ann Smith: Where did you enter the European Union?"
    assert drop_furniture([question, STORY], head, ["Ann Smith"], set(), []) == [question, STORY]
    assert drop_furniture(["Ann Smith, Reuters", STORY], head, ["Ann Smith"], set(), []) == [STORY]


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


LEDE = "The eastern pier will be rebuilt before winter, the council decided."


def ld_head(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def test_lede_is_put_first_when_article_body_opens_with_it():
    ld = {"@type": "NewsArticle", "headline": "h", "description": LEDE,
          "articleBody": LEDE + " " + STORY}
    head = read_head(tree_of(f"<p>{STORY}</p>", ld_head(ld)))
    assert with_ld_lede([STORY], head) == [LEDE, STORY]
    assert with_ld_lede([LEDE, STORY], head) == [LEDE, STORY]  # already there


def test_lede_stays_out_when_article_body_does_not_open_with_it():
    ld = {"@type": "NewsArticle", "headline": "h", "description": LEDE, "articleBody": STORY}
    head = read_head(tree_of(f"<p>{STORY}</p>", ld_head(ld)))
    assert with_ld_lede([STORY], head) == [STORY]


def test_the_description_shown_above_the_text_is_the_standfirst():
    meta = f'<meta property="og:description" content="{LEDE[:62]}...">'
    tree = tree_of(f"<h1>Pier</h1><div class='intro'>{LEDE}</div><article><p>{STORY}</p></article>")
    assert visible_lede(tree, [STORY], read_head(tree_of("", meta))) == [LEDE, STORY]
    full = read_head(tree_of("", f'<meta name="description" content="{LEDE}">'))
    assert visible_lede(tree, [LEDE, STORY], full) == [LEDE, STORY]  # already there


def test_the_description_shown_after_the_text_starts_is_no_standfirst():
    head = read_head(tree_of("", f'<meta name="description" content="{LEDE}">'))
    below = tree_of(f"<article><p>{STORY}</p></article><aside><p>{LEDE}</p></aside>")
    assert visible_lede(below, [STORY], head) == [STORY]
    assert visible_lede(tree_of(f"<p>{STORY}</p>"), [STORY], head) == [STORY]  # not shown
    caption = tree_of(f"<figure><img><figcaption><span>{LEDE}</span></figcaption></figure>"
                      f"<p>{STORY}</p>")
    assert visible_lede(caption, [STORY], head) == [STORY]


def test_script_rendered_article_is_read_from_its_json_state():
    state = {"article": {"title": "Pier", "contentHtml":
                         f'<figure><p class="caption">The pier in March.</p></figure>'
                         f'<p class="editor-p">{STORY}</p><p>{LEDE}</p>'},
             "teaser": "<p>Short one.</p>"}
    script = f"<script>window.__STATE__ = {json.dumps(state)};</script>"
    assert script_paragraphs(tree_of(f"<div id='app'></div>{script}")) == [STORY, LEDE]
    assert script_paragraphs(tree_of("<script>var a = '<p>' + x;</script>")) == []


def fake_trafilatura(results: dict[str, list[str]], calls: list[str]):
    """A stand-in for trafilatura giving `results[mode]` for each mode it is run in."""
    def run(tree, url, **options):
        mode = ("fast" if options.get("fast") else
                "precision" if options.get("favor_precision") else "balanced")
        calls.append(mode)
        return results[mode]
    return run


@pytest.mark.parametrize(("fast_result", "page_paragraphs", "expected_calls"), [
    # long, and the page holds no more <p> text: fast is kept
    ([STORY * 8], 1, ["fast"]),
    # short: the full comparison decides, and (still short) balanced mode is asked too
    ([STORY], 1, ["fast", "precision", "balanced"]),
    # the page's <p> text is over twice the extraction, but not three times the full pass's
    ([STORY * 8], 20, ["fast", "precision"]),
])
def test_second_opinions_run_only_when_the_pass_before_looks_incomplete(
        monkeypatch, fast_result, page_paragraphs, expected_calls):
    calls: list[str] = []
    results = {"fast": fast_result, "precision": [*fast_result, LEDE],
               "balanced": [*fast_result, LEDE]}
    monkeypatch.setattr(maintext, "_trafilatura", fake_trafilatura(results, calls))
    precise_paragraphs(tree_of(f"<p>{STORY}</p>" * page_paragraphs), None)
    assert calls == expected_calls


def test_a_precision_fragment_gives_way_to_the_whole_article(monkeypatch):
    whole = [STORY, LEDE, TEASER, STORY.upper(), LEDE.upper()]
    calls: list[str] = []
    fragment = {"fast": [LEDE[:60]], "precision": [LEDE[:60]], "balanced": whole}
    monkeypatch.setattr(maintext, "_trafilatura", fake_trafilatura(fragment, calls))
    assert precise_paragraphs(tree_of(f"<p>{STORY}</p>"), None) == whole
    # Balanced text that is not several times longer is no evidence: precision stands.
    close = {"fast": [STORY], "precision": [STORY], "balanced": [STORY, LEDE]}
    monkeypatch.setattr(maintext, "_trafilatura", fake_trafilatura(close, calls))
    assert precise_paragraphs(tree_of(f"<p>{STORY}</p>"), None) == [STORY]


def test_a_notice_alone_is_no_article(monkeypatch):
    calls: list[str] = []
    notice = "You are using an outdated browser. Please upgrade it to improve your experience."
    results = {"fast": [notice], "precision": [notice], "balanced": [notice, STORY, LEDE]}
    monkeypatch.setattr(maintext, "_trafilatura", fake_trafilatura(results, calls))
    assert precise_paragraphs(tree_of(f"<p>{STORY}</p>"), None) == [STORY, LEDE]


@pytest.mark.parametrize("text", [
    "You are using an outdated browser. Please update your browser.",
    "Diese Website verwendet Cookies. Mit der Nutzung stimmen Sie zu.",
    "Sie verwenden einen veralteten Browser.",
    "Nous utilisons des cookies pour améliorer votre expérience.",
    "Los comentarios son moderados antes de publicarse.",
    "Kommentare werden vor der Veröffentlichung moderiert.",
    "Please enable JavaScript to view the comments.",
    "Bitte deaktivieren Sie Ihren Werbeblocker.",
])
def test_site_notices_are_recognised_in_several_languages(text):
    assert maintext.is_notice(text)


def test_prose_about_browsers_or_cookies_is_not_a_notice():
    assert not maintext.is_notice("The browser wars ended when the last rival shut down in 2008.")
    assert not maintext.is_notice("She baked cookies for the harbour staff every Friday.")
    # A long paragraph is article text even when it quotes a notice.
    assert not maintext.is_notice(STORY * 2 + " The site said: we use cookies.")


def test_notice_is_left_out_of_a_real_extraction():
    notice = "This website uses cookies to ensure you get the best experience on our website."
    body = "".join(f"<p>{t}</p>" for t in (STORY, LEDE, TEASER)) * 3
    tree = tree_of(f"<article><h1>Pier</h1>{body}<p>{notice}</p></article>")
    main = maintext.extract_main_text(tree, None, read_head(tree), [])
    assert STORY in main.body and LEDE in main.body
    assert "uses cookies" not in main.body


def test_a_link_to_the_page_itself_is_no_teaser():
    # A table of contents given as full links to the page, and a carousel that teases the
    # article itself: their texts are this page's subheadings and lede.
    heading, lede = "Where can you buy it at a petrol station?", STORY
    tree = tree_of(f'<a href="/guide/adblue.html#buy">{heading}</a>'
                   f'<a href="https://www.gazette.example/guide/adblue.html">{lede}</a>'
                   '<a href="/guide/other.html">Ferry fares rise again</a>'
                   '<a href="http://[bad-host/x">Broken link text here</a>',
                   '<link rel="canonical" href="https://gazette.example/guide/adblue.html">')
    head = read_head(tree)
    links = link_texts(tree, maintext.page_addresses(None, head))
    assert match_key("Ferry fares rise again") in links
    assert match_key(heading) not in links and match_key(lede) not in links
    # Without any address of the page, only in-page anchors are known to point here.
    assert match_key(lede) in link_texts(tree)
    # The URL it was fetched from counts as well as the one it declares.
    fetched = link_texts(tree, maintext.page_addresses("https://m.gazette.example/guide/other.html",
                                                       head))
    assert match_key("Ferry fares rise again") not in fetched and match_key(lede) not in fetched


def test_a_page_that_is_not_an_article_is_read_in_balanced_mode(monkeypatch):
    calls: list[str] = []
    item = "Set of 4 espresso cups, stoneware"
    results = {"fast": [STORY * 8], "precision": [STORY * 8], "balanced": [STORY * 8, item]}
    monkeypatch.setattr(maintext, "_trafilatura", fake_trafilatura(results, calls))
    shop = tree_of(f"<p>{STORY}</p>", '<meta property="og:type" content="product">')
    assert maintext.trafilatura_paragraphs(shop, None, read_head(shop)) == [STORY * 8, item]
    assert calls == ["balanced"]
    calls.clear()
    # Declared an article (JSON-LD here): precision mode, whose fast pass is enough.
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Pier"}</script>'
    article = tree_of(f"<p>{STORY}</p>", ld)
    assert maintext.trafilatura_paragraphs(article, None, read_head(article)) == [STORY * 8]
    assert calls == ["fast"]


@pytest.mark.parametrize("text", [
    "Sign up for our weekly politics newsletter to get it in your inbox.",
    "Abonnieren Sie unseren Newsletter!",
    "Follow us on Twitter and Instagram @harbourgazette",
    "¡Mira lo que tiene nuestro canal de YouTube!",
    "For the latest stories download the Gazette apps for iOS and Android.",
    "Dieser Artikel enthält Affiliate-Links. Wir erhalten eine Provision.",
    "This post contains references to products from one or more of our advertisers.",
    "*Werbung. Dieser Beitrag entstand mit einem Partner.",
    "© 2022, Harbour Gazette. Written permission must be obtained before reprint.",
    "Copyright 2023 Gazette Corp. All rights reserved.",
])
def test_calls_to_subscribe_or_follow_are_notices(text):
    assert maintext.is_notice(text)


def test_signing_up_for_a_service_in_an_article_is_not_a_notice():
    assert not maintext.is_notice("You can sign up for a free seven-day trial of the service.")
    assert not maintext.is_notice("More than 2,000 residents signed up for the ferry pass.")
    assert not maintext.is_notice("Critics asked whether he was running Werbung für sich selbst.")


def test_an_extraction_that_is_all_furniture_gives_way_to_the_page_paragraphs(monkeypatch):
    caption = "The pier at dusk, seen from the harbour wall. © AFP / Jan Nowak"
    monkeypatch.setattr(maintext, "_trafilatura", lambda tree, url, **options: [caption])
    tree = tree_of(f"<figure><figcaption>{caption}</figcaption></figure><p>{STORY}</p>")
    main = maintext.extract_main_text(tree, None, read_head(tree), [])
    assert main.body == STORY and main.source == "paragraphs"


def test_a_table_of_contents_link_does_not_make_its_subheading_a_teaser():
    heading = "Where can you buy it at a petrol station?"
    tree = tree_of(f'<nav><a href="#buy">{heading}</a>'
                   '<a href="/other">Ferry fares rise again</a></nav>'
                   f'<h2 id="buy">{heading}</h2><p>{STORY}</p>')
    links = link_texts(tree)
    assert match_key("Ferry fares rise again") in links
    assert match_key(heading) not in links
    assert drop_furniture([heading, STORY], read_head(tree), [], links, []) == [heading, STORY]
