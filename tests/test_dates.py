"""Publication day when the declared stamp is later than the page's own evidence."""

import lxml.html
import pytest

from newsetl.page.dates import pick_published
from newsetl.page.metadata import read_head


def page(head: str, body: str = "<p>Text.</p>") -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def published(head: str, body: str = "<p>Text.</p>", url: str | None = None):
    tree = page(head, body)
    found, source = pick_published(read_head(tree), tree, url)
    return found.date().isoformat(), source


STAMP = '<meta property="article:published_time" content="{}">'
CANONICAL = '<link rel="canonical" href="https://news.example/{}/story-slug/">'


@pytest.mark.parametrize(("stamp", "path", "expected"), [
    # a UTC stamp one day after the address day: the publisher's evening, written in UTC
    ("2020-02-25T02:25:54+00:00", "2020/02/24", ("2020-02-24", "url")),
    # re-stamped more than a year after the address day
    ("2019-06-17T18:28:00+02:00", "2017/7/12", ("2017-07-12", "url")),
    # a local-offset stamp days after the address day is the real publication
    ("2022-05-07T13:43:46-05:00", "2022/05/06", ("2022-05-07", "meta")),
    ("2020-02-19T18:37:32+01:00", "2020/02/18", ("2020-02-19", "meta")),
    # the same day, or a UTC stamp two days later, keeps the declared stamp
    ("2020-02-24T10:00:00Z", "2020/02/24", ("2020-02-24", "meta")),
    ("2020-02-26T01:00:00Z", "2020/02/24", ("2020-02-26", "meta")),
])
def test_the_address_day_wins_only_over_a_utc_shift_or_a_restamp(stamp, path, expected):
    assert published(STAMP.format(stamp) + CANONICAL.format(path)) == expected


def test_an_address_given_as_the_page_url_counts_too():
    url = "https://news.example/2023/11/08/story-slug/"
    assert published(STAMP.format("2023-11-09T05:30:59Z"), url=url) == ("2023-11-08", "url")


LD = '<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{}"}}</script>'
# A second stamp on the page that htmldate reads as the evening before.
EVENING = '<meta property="article:modified_time" content="2022-05-03T23:39:14Z">'


def test_an_early_utc_stamp_takes_the_day_before_when_htmldate_reads_it_on_the_page():
    assert published(LD.format("2022-05-04T00:44:52Z") + EVENING) == ("2022-05-03", "htmldate")
    assert published(LD.format("2022-05-04T00:44:52Z")) == ("2022-05-04", "json-ld")


@pytest.mark.parametrize("stamp", [
    "2022-05-04T05:49:28Z",        # later in the UTC day: the same day in Europe
    "2022-05-04T00:44:52+02:00",   # a local offset is the publisher's own day
])
def test_other_stamps_keep_their_day_whatever_the_page_shows(stamp):
    assert published(LD.format(stamp) + EVENING) == ("2022-05-04", "json-ld")
