import json
from datetime import UTC, datetime, timedelta, timezone

import lxml.html
import pytest

from newsetl.page.authors import citation_name, page_bylines, pick_authors, split_byline
from newsetl.page.dates import parse_datetime, pick_modified, pick_published
from newsetl.page.metadata import (
    declared_language,
    main_article,
    parse_json_ld,
    pick_canonical,
    pick_paywalled,
    pick_title,
    pick_topics,
    read_head,
    shared_headline,
    site_names,
    strip_site_suffix,
)


def page(head: str = "", body: str = "", lang: str = "") -> lxml.html.HtmlElement:
    lang_attr = f' lang="{lang}"' if lang else ""
    return lxml.html.document_fromstring(
        f"<html{lang_attr}><head>{head}</head><body>{body}</body></html>")


def ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


GRAPH = {"@context": "https://schema.org", "@graph": [
    {"@type": "WebSite", "name": "Coast Gazette", "url": "https://gazette.example/"},
    {"@type": "Person", "@id": "#ann", "name": "Ann Smith"},
    {"@type": "NewsArticle", "headline": "Harbour reopens &amp; ferries return",
     "author": [{"@id": "#ann"}, {"@type": "Person", "name": "Bo Chan"}],
     "datePublished": "2024-05-03T07:30:00+0200", "dateModified": "2024-05-03 09:00:00 +02:00",
     "keywords": "harbour, storms, Harbour", "isAccessibleForFree": "False",
     "inLanguage": "en-GB"},
]}


def test_json_ld_graph_yields_the_news_article():
    head = read_head(page(ld(GRAPH)))
    assert head.article["@type"] == "NewsArticle"
    assert len(head.ld) == 4  # the graph container and its three members


def test_malformed_and_commented_json_ld_are_tolerated():
    objects = parse_json_ld(["{not json", '<!--{"@type": "Article", "headline": "x"}-->', "[1, 2]"])
    assert objects == [{"@type": "Article", "headline": "x"}]


def test_article_with_headline_beats_an_earlier_bare_article():
    objects = [{"@type": "WebPage", "name": "p"}, {"@type": "Article"},
               {"@type": ["NewsArticle"], "headline": "h"}]
    assert main_article(objects)["headline"] == "h"


@pytest.mark.parametrize(("title", "expected"), [
    ("Storm hits coast | Coast Gazette", "Storm hits coast"),
    ("Storm hits coast | News | Coast Gazette", "Storm hits coast"),
    ("Storm hits coast - gazette.example", "Storm hits coast"),
    ("Storm hits coast | 28.04.2023", "Storm hits coast"),
    ("Storm - and floods - hit the coast", "Storm - and floods - hit the coast"),
    ("Q&A: what the storm means", "Q&A: what the storm means"),
])
def test_site_suffix_is_stripped_only_when_it_names_the_site(title, expected):
    assert strip_site_suffix(title, {"coast gazette"}) == expected


def test_title_prefers_og_title_and_decodes_entities():
    head = read_head(page('<meta property="og:title" content="Harbour reopens | Coast Gazette">'
                          '<meta property="og:site_name" content="Coast Gazette">' + ld(GRAPH),
                          "<h1>Harbour reopens</h1>"))
    assert pick_title(head) == ("Harbour reopens", "opengraph")
    head = read_head(page(ld(GRAPH)))
    assert pick_title(head) == ("Harbour reopens & ferries return", "json-ld")


def test_title_tail_is_cut_where_another_source_ends():
    head = read_head(page('<meta property="og:title" content="Harbour reopens - Daily Gazette">',
                          "<h1>Harbour reopens</h1>"))
    assert pick_title(head) == ("Harbour reopens", "opengraph")


def test_meta_headline_shows_where_a_section_tail_starts():
    head = read_head(page('<meta property="og:title" content="Harbour reopens-Local">'
                          '<meta name="headline" content="Harbour reopens">'))
    assert pick_title(head) == ("Harbour reopens", "opengraph")


def test_headline_shared_after_different_kickers_loses_the_kicker():
    others = ["Storm damage - Harbour reopens after three days"]
    assert shared_headline("Port Ellen: Harbour reopens after three days",
                           others) == "Harbour reopens after three days"
    # Kickers sharing a word are one kicker written two ways: the headline keeps it.
    assert shared_headline("Coach Ott: We have little to lose",
                           ["Club coach Ott: We have little to lose"]) == \
        "Coach Ott: We have little to lose"


def test_og_title_padded_around_the_headline_of_h1_and_json_ld_is_cut():
    head = read_head(page('<meta property="og:title" '
                          'content="Storm news: Harbour reopens after three days | Local">'
                          + ld({"@type": "NewsArticle",
                                "headline": "Harbour reopens after three days"}),
                          "<h1>Harbour reopens after three days</h1>"))
    assert pick_title(head) == ("Harbour reopens after three days", "h1")


OG_LD = ('<meta property="og:title" content="Ferries are back, and so are the queues">'
         + ld({"@type": "NewsArticle", "headline": "Coast Gazette harbour reopening: ferries, "
               "timetable and queues"}))


def test_h1_is_the_headline_when_og_title_and_json_ld_disagree():
    head = read_head(page(OG_LD, "<h1>Harbour reopens, and the ferries bring queues</h1>"))
    assert pick_title(head) == ("Harbour reopens, and the ferries bring queues", "h1")


@pytest.mark.parametrize("h1", [
    "Ferries are back, and so are the queues!",  # agrees with og:title: og:title stands
    "Most read",  # shares no word with either: a box heading, not the headline
])
def test_h1_stays_out_when_it_agrees_with_og_title_or_is_about_something_else(h1):
    head = read_head(page(OG_LD, f"<h1>{h1}</h1>"))
    assert pick_title(head) == ("Ferries are back, and so are the queues", "opengraph")


def test_a_site_name_that_is_the_headline_is_ignored():
    head = read_head(page('<meta name="application-name" content="Harbour reopens - Ferries '
                          'return"><meta property="og:site_name" content="Coast Gazette">',
                          "<h1>Harbour reopens - Ferries return</h1>"))
    assert site_names(head) == {"coast gazette"}
    assert pick_title(head) == ("Harbour reopens - Ferries return", "h1")


def test_title_falls_back_to_h1_then_none():
    assert pick_title(read_head(page(body="<h1> Only  the h1 </h1>"))) == ("Only the h1", "h1")
    assert pick_title(read_head(page())) == (None, None)


def test_authors_resolve_graph_references():
    head = read_head(page(ld(GRAPH)))
    assert pick_authors(head, page()) == (["Ann Smith", "Bo Chan"], "json-ld")


@pytest.mark.parametrize(("byline", "names"), [
    ("By Ann Smith and Bo Chan", ["Ann Smith", "Bo Chan"]),
    ("Von Felix Roth und Jo Pohl, dpa", ["Felix Roth", "Jo Pohl", "dpa"]),
    ("Elena Ober (obe)", ["Elena Ober"]),
    ("\ud64d\uae38\ub3d9 \uae30\uc790", ["\ud64d\uae38\ub3d9"]),  # Korean: "<name> reporter"
    ("\u5c71\u7530\u592a\u90ce\u8a18\u8005", ["\u5c71\u7530\u592a\u90ce"]),  # Japanese
    ("https://example.com/author/ann", []),
])
def test_bylines_are_split_into_names(byline, names):
    assert split_byline(byline) == names


def test_citation_authors_are_reordered():
    assert citation_name("Lenharo, Mariana") == "Mariana Lenharo"
    head = read_head(page('<meta name="citation_author" content="You, Xiaoying">'
                          '<meta name="citation_author" content="Basu, Mohana">'))
    assert pick_authors(head, page()) == (["Xiaoying You", "Mohana Basu"], "meta")


def test_meta_author_that_is_the_site_is_not_a_name():
    head = read_head(page('<meta name="author" content="Coast Gazette">'
                          '<meta property="og:site_name" content="Coast Gazette">'))
    assert pick_authors(head, page())[0] == []


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-03T07:30:00+0200", datetime(2024, 5, 3, 7, 30, tzinfo=timezone(timedelta(hours=2)))),
    ("2024-05-03T07:30:00.000Z", datetime(2024, 5, 3, 7, 30, tzinfo=UTC)),
    ("2024-04-30 16:17:29 +02:00", datetime(2024, 4, 30, 16, 17, 29,
                                            tzinfo=timezone(timedelta(hours=2)))),
    ("1750680000000", datetime(2025, 6, 23, 12, 0, tzinfo=UTC)),
    ("2025-10-20", datetime(2025, 10, 20)),
    ("next Tuesday", None),
    ("0001-01-01", None),
])
def test_timestamps_keep_the_offset_as_written(text, expected):
    assert parse_datetime(text) == expected


def test_published_and_modified_come_from_json_ld_first():
    tree = page('<meta property="article:published_time" content="2020-01-01">' + ld(GRAPH))
    head = read_head(tree)
    published, source = pick_published(head, tree, None)
    assert (published.date().isoformat(), source) == ("2024-05-03", "json-ld")
    assert published.utcoffset() == timedelta(hours=2)
    assert pick_modified(head)[0].hour == 9


def test_published_falls_back_to_meta():
    tree = page('<meta property="article:published_time" content="2020-01-02T10:00:00Z">')
    published, source = pick_published(read_head(tree), tree, None)
    assert (published.day, source) == (2, "meta")


def test_topics_paywall_language_and_canonical():
    tree = page('<link rel="canonical" href="https://gazette.example/a">' + ld(GRAPH), lang="de")
    head = read_head(tree)
    assert pick_topics(head) == (["harbour", "storms"], "json-ld")
    assert pick_paywalled(head) == (True, "json-ld")
    assert declared_language(head) == ("en", "json-ld")
    assert pick_canonical(head, None) == ("https://gazette.example/a", "link")
    assert pick_paywalled(read_head(page())) == (None, None)


def test_a_date_closing_the_page_title_is_used_when_nothing_is_declared():
    tree = page("<title>Storm hits coast | Europe | Gazette | 28.04.2023</title>",
                "<p>Earlier: 24.04.2023</p>")
    published, source = pick_published(read_head(tree), tree, None)
    assert (published, source) == (datetime(2023, 4, 28), "title")


def test_a_site_name_glued_to_the_headline_is_cut():
    sites = {"ultima hora mallorca"}
    assert strip_site_suffix("Storm closes the harbour at PalmaUltima Hora Mallorca", sites) == \
        "Storm closes the harbour at Palma"
    # A headline that merely ends in a word of the site's name keeps it.
    assert strip_site_suffix("Storm hits Mallorca", {"mallorca"}) == "Storm hits Mallorca"


@pytest.mark.parametrize(("title", "expected"), [
    ("Coast Gazette | Storm hits coast", "Storm hits coast"),
    ("gazette.example - News - Storm hits coast", "Storm hits coast"),
    # A segment that holds the site's name among more words is headline, not site.
    ("Snow maps now on Coast Gazette online | Coast Gazette",
     "Snow maps now on Coast Gazette online"),
])
def test_site_name_is_cut_at_either_end(title, expected):
    assert strip_site_suffix(title, {"coast gazette"}) == expected


@pytest.mark.parametrize(("title", "h1", "expected"), [
    # a blog engine's "Site » Blog Archive » Post", the site's name as the page's <h1>
    ("Four Years » Blog Archive » Small integers in Python", "Four Years",
     "Small integers in Python"),
    # the site's name as a short last segment and as the <h1>
    ("Basic muffin recipe : Muffin Recipes", "Muffin Recipes", "Basic muffin recipe"),
])
def test_an_h1_that_is_the_sites_part_of_the_title_is_not_the_headline(title, h1, expected):
    head = read_head(page(f"<title>{title}</title>", f"<h1>{h1}</h1>"))
    assert pick_title(head)[0] == expected


def test_an_h1_that_is_the_longer_last_segment_is_the_headline():
    head = read_head(page("<title>News - Storm closes the harbour for two days</title>",
                          "<h1>Storm closes the harbour for two days</h1>"))
    assert pick_title(head) == ("Storm closes the harbour for two days", "h1")


def test_the_h1_the_title_confirms_wins_over_a_logo_h1():
    head = read_head(page("<title>Storm closes the harbour | Coast Blog</title>",
                          "<h1>Menu</h1><h1>Storm closes the harbour</h1>"))
    assert pick_title(head) == ("Storm closes the harbour", "h1")


def test_without_json_ld_the_visible_h1_beats_template_metadata():
    meta = ('<meta property="og:title" content="Harbour news: ferries back after the storm">'
            "<title>Harbour news: ferries back after the storm</title>")
    head = read_head(page(meta, "<h1>Ferries are back after the storm</h1>"))
    assert pick_title(head) == ("Ferries are back after the storm", "h1")
    # ... but not an <h1> that adds a subtitle or topic line to it,
    head = read_head(page(meta, "<h1>Harbour news: ferries back after the storm Queues "
                                "expected all week</h1>"))
    assert pick_title(head) == ("Harbour news: ferries back after the storm", "opengraph")
    # ... nor one about something else.
    head = read_head(page(meta, "<h1>Weather warnings</h1>"))
    assert pick_title(head) == ("Harbour news: ferries back after the storm", "opengraph")


def test_json_ld_siding_with_the_h1_outvotes_og_title_and_title():
    head = read_head(page('<meta property="og:title" content="Ferries back in the harbour">'
                          "<title>Ferries back in the harbour</title>"
                          + ld({"@type": "NewsArticle", "headline": "Harbour reopens to ferries"}),
                          "<h1>Harbour reopens to ferries</h1>"))
    assert pick_title(head) == ("Harbour reopens to ferries", "h1")


def test_an_authors_name_closing_the_title_is_cut():
    head = read_head(page('<meta name="author" content="Ann Lee">'
                          "<title>Storm closes the harbour - Ann Lee</title>"))
    assert pick_title(head) == ("Storm closes the harbour", "title")


@pytest.mark.parametrize(("byline", "names"), [
    ("View all posts by Ann Lee", ["Ann Lee"]),
    ("Post author By Ann Lee", ["Ann Lee"]),
    ("Capital Von Jemima Kelly", ["Jemima Kelly"]),  # a section label before the byline
    ("Ursula von der Leyen", ["Ursula von der Leyen"]),  # a name's particle stays
    ("Interview: Ann Lee", ["Ann Lee"]),
    ("Ann Lee Stand: 03.05.2024", ["Ann Lee"]),  # a date label glued after the name
    ("Ann Lee Tiempo de lectura: 4 minutos", ["Ann Lee"]),
    ("Posted", []),
])
def test_byline_labels_are_not_names(byline, names):
    assert split_byline(byline) == names


def test_an_author_that_is_the_site_gives_way_to_a_named_writer():
    site = '<meta property="og:site_name" content="Coast Gazette">' + ld(
        {"@type": "NewsArticle", "headline": "h",
         "author": {"@type": "Organization", "name": "Coast Gazette"}})
    head = read_head(page(site + '<meta name="author" content="Ann Lee">'))
    assert pick_authors(head, page()) == (["Ann Lee"], "meta")
    # With no one else named, the piece stays credited to the site.
    head = read_head(page(site))
    assert pick_authors(head, page()) == (["Coast Gazette"], "json-ld")


def test_three_wordings_go_to_the_one_the_title_repeats():
    head = read_head(page('<meta property="og:title" content="Ferries are back, and so are the '
                          'queues"><title>Harbour reopens after the storm | Coast Gazette</title>'
                          '<meta property="og:site_name" content="Coast Gazette">'
                          + ld({"@type": "NewsArticle",
                                "headline": "Harbour reopens after the storm"}),
                          "<h1>Queues at the harbour as the ferries return</h1>"))
    assert pick_title(head) == ("Harbour reopens after the storm", "json-ld")


SOCIAL = ('<meta property="og:title" content="Ferries are back, and so are the queues">'
          + ld({"@type": "NewsArticle", "headline": "Harbour reopens after three days"}))


def test_json_ld_headline_the_page_shows_beats_an_og_title_it_does_not():
    head = read_head(page(SOCIAL, "<h1>Harbour reopens after three days</h1>"))
    assert pick_title(head) == ("Harbour reopens after three days", "json-ld")
    # og:title shown as a heading of its own (the <h1> being a hidden SEO copy) stands,
    head = read_head(page(SOCIAL, "<h1>Harbour reopens after three days</h1>"
                                  '<span class="article-headline">Ferries are back, and so are '
                                  "the queues</span>"))
    assert pick_title(head) == ("Ferries are back, and so are the queues", "opengraph")
    # ... and so does og:title that is JSON-LD's headline without its topic line.
    head = read_head(page('<meta property="og:title" content="Harbour reopens after three days">'
                          + ld({"@type": "NewsArticle",
                                "headline": "Storms: Harbour reopens after three days"}),
                          "<h1>Storms: Harbour reopens after three days</h1>"))
    assert pick_title(head) == ("Harbour reopens after three days", "opengraph")


def test_an_h1_in_a_breadcrumb_trail_is_not_the_shown_headline():
    trail = ('<nav><ul><li><a href="/">Home</a></li>'
             "<li><h1>Ferries are back, and so are the queues</h1></li></ul></nav>")
    head = read_head(page(SOCIAL, trail + "<h2>Harbour reopens after three days</h2>"))
    assert head.nav_h1 == {"ferries are back and so are the queues"}
    assert pick_title(head) == ("Harbour reopens after three days", "json-ld")


@pytest.mark.parametrize(("h1", "expected"), [
    ('<span class="kicker">Storms</span>Harbour reopens after three days',
     "Harbour reopens after three days"),
    ("<span><small>Storms</small><br>Harbour reopens after three days</span>",
     "Harbour reopens after three days"),
    ('<span class="kicker">Storms</span><span class="hidden">: </span>'
     "<span>Harbour reopens after three days</span>", "Harbour reopens after three days"),
    # a drop capital is part of the first word, not a kicker
    ('<span class="initial">H</span>arbour reopens after three days',
     "Harbour reopens after three days"),
    ("Harbour reopens <span>after three days</span>", "Harbour reopens after three days"),
])
def test_a_winning_h1_loses_the_kicker_it_sets_apart(h1, expected):
    head = read_head(page(body=f"<h1>{h1}</h1>"))
    assert pick_title(head) == (expected, "h1")


def test_a_kicker_the_json_ld_headline_includes_stays():
    meta = ('<meta property="og:title" content="Ferries are back"><title>Ferries are back</title>'
            + ld({"@type": "NewsArticle", "headline": "Storms: Harbour reopens after three days"}))
    head = read_head(page(meta, '<h1><span class="kicker">Storms</span> Harbour reopens after '
                                "three days</h1>"))
    assert pick_title(head) == ("Storms Harbour reopens after three days", "h1")


def test_a_logo_h1_linking_home_names_the_site():
    head = read_head(page("<title>Harbour reopens » Coast Blog</title>",
                          '<h1 id="logo"><a href="/">Coast Blog</a></h1>'))
    assert head.logos == {"coast blog"}
    assert pick_title(head) == ("Harbour reopens", "title")


def test_the_site_name_inside_the_title_starts_its_tail():
    assert strip_site_suffix("Harbour reopens : Coast Blog | Notes from the coast | Since 2005",
                             {"coast blog"}) == "Harbour reopens"


def test_an_og_title_with_words_left_out_gives_way_to_the_full_h1():
    head = read_head(page('<meta property="og:title" content="Change font size in R | Axis, '
                          'title">', "<h1>Change font size in R (5 Examples) | Axis, title</h1>"))
    assert pick_title(head) == ("Change font size in R (5 Examples) | Axis, title", "h1")
    # A shorter og:title that only cuts a tail is the search title and stands.
    head = read_head(page('<meta property="og:title" content="Harbour reopens">',
                          "<h1>Harbour reopens after three days</h1>"))
    assert pick_title(head) == ("Harbour reopens", "opengraph")


@pytest.mark.parametrize("body", [
    '<p class="meta">By <span class="author vcard"><a rel="author" href="/a/ann">Ann Lee</a>'
    "</span></p>",
    "<ul><li><strong>Datum</strong> 03.05.2024</li><li><strong>Autorin/Autor</strong> Ann Lee"
    "</li></ul>",
    '<div class="meta">Ein Artikel von <strong>Ann Lee</strong> | 03.05.2024 - 12:45</div>',
    "<p><i>von Ann Lee</i></p>",
    "<p><strong>Autorin: Ann Lee, Projektleiterin in Tunis</strong></p>",
    "<p>Von Ann Lee, Washington</p>",  # the dateline's place is not a second author
])
def test_bylines_on_the_page_name_the_author(body):
    assert page_bylines(page(body=body)) == ["Ann Lee"]
    assert pick_authors(read_head(page()), page(body=body))[0] == ["Ann Lee"]


@pytest.mark.parametrize("body", [
    '<div class="comments"><span class="author">Bo Chan</span></div>',  # a reader's comment
    '<span class="author">Bild: APA/Keystone</span>',  # a picture credit
    "<p>By clicking accept you agree to our terms and conditions.</p>",
])
def test_names_outside_the_byline_are_not_authors(body):
    assert page_bylines(page(body=body)) == []


@pytest.mark.parametrize("author", ["Harbour Media GmbH", "CG", "Coast Gazette Redaktion"])
def test_an_organisation_credited_as_author_gives_way_to_the_byline(author):
    head = read_head(page(f'<meta name="author" content="{author}">'
                          '<meta property="og:site_name" content="Coast Gazette">'))
    body = '<p class="meta">von Ann Lee | 03.05.2024</p>'
    assert pick_authors(head, page(body=body)) == (["Ann Lee"], "byline")
    assert pick_authors(head, page())[0] == [author]  # no byline: the credit stands


def test_soft_hyphens_of_a_heading_stay_out_of_the_title():
    head = read_head(page(body="<h1>Mes&shy;sen&shy;ger services are no lawless space</h1>"))
    assert pick_title(head) == ("Messenger services are no lawless space", "h1")
