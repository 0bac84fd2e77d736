import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsetl.models import Article, Rejected
from newsetl.page.webpage import parse_html

PARAGRAPHS = [
    "The harbour of Port Ellen reopened on Monday after a storm closed it for three days, "
    "the harbour master said in a statement to fishermen and ferry operators.",
    "\u201cWe are glad to welcome the ferries back,\u201d said Ann Smith, who runs the harbour "
    "office. Fishing boats left at dawn and most had returned by noon with their catch.",
    "Repairs to the eastern pier will take another two weeks, according to the council, "
    "which has set aside money for the work and hired a contractor from the mainland.",
]
LD = {"@context": "https://schema.org", "@type": "NewsArticle",
      "headline": "Harbour reopens after storm", "datePublished": "2024-05-03T07:30:00+01:00",
      "author": {"@type": "Person", "name": "Ann Smith"}, "inLanguage": "en",
      "publisher": {"@type": "Organization", "name": "Coast Gazette"}}


def news_page(ld: dict | None = LD, paragraphs: list[str] = PARAGRAPHS, lang: str = "en",
              charset: str = "utf-8") -> str:
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script>' if ld else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="{charset}">
<title>Harbour reopens after storm | Coast Gazette</title>
<meta property="og:title" content="Harbour reopens after storm | Coast Gazette">
<meta property="og:site_name" content="Coast Gazette">
<link rel="canonical" href="https://gazette.example/news/harbour">{script}</head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour reopens after storm</h1><p class="byline">By Ann Smith</p>{body}
<figure><img src="pier.jpg"><figcaption>The eastern pier, damaged by the storm.</figcaption>
</figure></article>
<footer>Copyright Coast Gazette. All rights reserved.</footer></body></html>"""


def test_fields_of_a_news_page():
    article = parse_html(news_page().encode("utf-8"), url="https://gazette.example/x")
    assert article.title == "Harbour reopens after storm"
    assert article.authors == ["Ann Smith"]
    assert article.published_at.isoformat() == "2024-05-03T07:30:00+01:00"
    assert article.language == "en"
    assert article.site_name == "Coast Gazette"
    assert article.canonical_url == "https://gazette.example/news/harbour"
    assert article.paragraphs == PARAGRAPHS
    assert article.image_captions == ["The eastern pier, damaged by the storm."]
    assert article.provenance["title"] == "opengraph"
    assert article.provenance["authors"] == "json-ld"
    assert (article.encoding, article.encoding_source) == ("utf-8", "meta")


def test_body_leaves_out_headline_byline_navigation_and_footer():
    body = parse_html(news_page().encode("utf-8")).body
    assert "Home" not in body and "Copyright" not in body
    assert "Harbour reopens after storm" not in body and "By Ann Smith" not in body


def test_link_only_paragraphs_and_data_lines_are_dropped():
    teaser = '<p><a href="/other">Council votes to rebuild the old lighthouse next year</a></p>'
    html = news_page().replace("<figure>", teaser + "<p>2024-05-03T07:30:00+01:00</p><figure>")
    body = parse_html(html.encode("utf-8")).body
    assert "lighthouse" not in body and "2024-05-03" not in body
    assert body.endswith(PARAGRAPHS[-1])


def test_windows_1252_page_decodes_without_mojibake():
    paragraphs = [p + " Caf\u00e9 na\u00efve fa\u00e7ade." for p in PARAGRAPHS]
    html = news_page(paragraphs=paragraphs, charset="windows-1252")
    article = parse_html(html.encode("cp1252"))
    assert "Caf\u00e9 na\u00efve fa\u00e7ade." in article.body
    assert article.encoding == "cp1252"


def test_text_language_wins_over_a_wrong_template_declaration():
    german = [
        "Der Hafen von Port Ellen wurde am Montag wieder ge\u00f6ffnet, nachdem ein Sturm ihn "
        "drei Tage lang geschlossen hatte, teilte der Hafenmeister mit.",
        "Die Reparaturen an der \u00f6stlichen Mole werden nach Angaben der Gemeinde noch zwei "
        "Wochen dauern; sie hat daf\u00fcr Geld bereitgestellt und eine Firma beauftragt.",
    ]
    ld = {**LD, "inLanguage": None}
    article = parse_html(news_page(ld=ld, paragraphs=german, lang="en").encode("utf-8"))
    assert (article.language, article.provenance["language"]) == ("de", "text")


def test_published_date_falls_back_to_the_page_text():
    html = news_page(ld=None).replace("<h1>", "<p>Published 12 March 2021</p><h1>")
    article = parse_html(html.encode("utf-8"))
    assert article.published_at is not None and article.published_at.year == 2021
    assert article.provenance["published_at"] == "htmldate"


def test_json_ld_article_body_rescues_text_the_extractor_missed():
    hidden = [f"Paragraph {i} of the story continues with more details about the harbour "
              f"works and the people who depend on the ferry every single day." for i in range(12)]
    ld = {**LD, "articleBody": " ".join(PARAGRAPHS + hidden)}
    html = news_page(ld=ld).replace("</article>", "</article><aside class='related'>" + "".join(
        f"<div><p>{h}</p></div>" for h in hidden) + "</aside>")
    article = parse_html(html.encode("utf-8"))
    assert all(h in article.body for h in hidden)


@pytest.mark.parametrize("data", [b"<html><head><title>x</title></head><body></body></html>",
                                  b"<html><body><nav>Home</nav></body></html>",
                                  b"   ", b"\x00\x01\x02", b"<?xml version='1.0'?><a/>"])
def test_pages_without_text_are_rejected(data):
    with pytest.raises(Rejected) as caught:
        parse_html(data)
    assert caught.value.reason == "no-text"


def test_ten_thousand_deep_nesting_does_not_crash():
    html = ("<html><body>" + "<div>" * 10_000 + "<p>" + PARAGRAPHS[0] + "</p>"
            + "</div>" * 10_000 + "</body></html>")
    try:
        article = parse_html(html.encode("utf-8"))
    except Rejected:
        return
    assert isinstance(article, Article)


def test_hostile_json_ld_is_ignored():
    nested = {**LD, "author": [[[[[{"name": "Deep"}]]]]] * 3, "headline": ["x", 1]}
    deep = "[" * 50_000 + "]" * 50_000
    html = news_page(ld=nested).replace("</head>", f'<script type="application/ld+json">{deep}'
                                        "</script></head>")
    article = parse_html(html.encode("utf-8"))
    assert article.paragraphs == PARAGRAPHS


def test_large_page_is_extracted():
    html = news_page(paragraphs=PARAGRAPHS * 2000)
    assert len(parse_html(html.encode("utf-8")).paragraphs) >= 3


def _returns_article_or_rejects(data: bytes) -> None:
    with contextlib.suppress(Rejected):
        assert isinstance(parse_html(data), Article)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_anything_but_rejected(data):
    _returns_article_or_rejects(data)


TAGS = st.sampled_from(["p", "div", "h1", "script", "article", "li", "figure", "meta", "title",
                        "span", "table", "td", "br", "html", "body", "head", "nav"])
HTML = st.recursive(
    st.text(max_size=80),
    lambda inner: st.builds(lambda tag, attrs, kids: f"<{tag}{attrs}>{''.join(kids)}</{tag}>",
                            TAGS, st.sampled_from(["", ' lang="xx"', ' class="byline"',
                                                   ' property="og:title" content="a | b"',
                                                   ' type="application/ld+json"']),
                            st.lists(inner, max_size=4)),
    max_leaves=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HTML, st.sampled_from(["utf-8", "cp1252", "shift_jis", "utf-16"]))
def test_random_html_never_raises_anything_but_rejected(html, codec):
    _returns_article_or_rejects(html.encode(codec, "replace"))


def test_script_rendered_page_is_read_from_the_html_in_its_state():
    state = {"detail": {"sectionName": "Local",
                        "contentHtml": "".join(f"<p>{p}</p>" for p in PARAGRAPHS)}}
    html = ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta property="og:title" content="Harbour reopens after storm-Local">'
            '<meta name="headline" content="Harbour reopens after storm"></head>'
            f'<body><div id="root"></div><script>self.__STATE__={json.dumps(state)}</script>'
            '</body></html>')
    article = parse_html(html.encode("utf-8"))
    assert article.paragraphs == PARAGRAPHS
    assert article.provenance["body"] == "script"
    assert article.title == "Harbour reopens after storm"
