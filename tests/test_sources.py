"""The sources config: the example file, defaults, and errors that say where."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsetl.web.sources import (
    FetchSettings,
    Schedule,
    SourcesError,
    bad_url_reason,
    check_sources,
    load_sources,
    parse_schedule,
    parse_sources,
)

FEED = '[sources.a]\nkind = "feed"\nurl = "https://a.example/"\nschedule = "1h"'
EXAMPLE = Path(__file__).resolve().parents[1] / "sources.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_and_documents_every_key() -> None:
    config = load_sources(EXAMPLE)
    assert [s.name for s in config.sources] == ["coast-gazette", "harbour-news", "backfill"]
    assert {s.kind for s in config.sources} == {"feed", "sitemap", "urls"}
    text = EXAMPLE.read_text(encoding="utf-8")
    for name in [f.name for f in dataclasses.fields(FetchSettings)]:
        assert f"{name} =" in text, f"[fetch] {name} is not documented"
    for key in ("kind", "url", "urls", "schedule", "rate_limit", "enabled", "refresh", "max_items"):
        assert f"#   {key}" in text, f"source key {key} is not documented"


def test_minimal_source_gets_defaults(tmp_path: Path) -> None:
    config = load_sources(
        write(
            tmp_path,
            """
[sources.gazette]
kind = "feed"
url = "https://gazette.example/rss.xml"
schedule = "15m"
""",
        )
    )
    assert config.fetch == FetchSettings()
    (source,) = config.sources
    assert source.urls == ("https://gazette.example/rss.xml",)
    assert source.schedule == Schedule(interval_seconds=900)
    assert (source.enabled, source.refresh, source.rate_limit, source.max_items) == (
        True,
        False,
        None,
        None,
    )


def test_fetch_settings_are_read(tmp_path: Path) -> None:
    config = load_sources(
        write(
            tmp_path,
            """
[fetch]
user_agent = "bot/2"
max_bytes = 1000
rate_limit = 2
allow_hosts = ["127.0.0.1", "LocalHost", "10.0.0.0/8"]
allow_private = true
""",
        )
    )
    assert config.fetch.user_agent == "bot/2"
    assert config.fetch.max_bytes == 1000
    assert config.fetch.rate_limit == 2.0
    assert config.fetch.allow_hosts == ("127.0.0.1/32", "localhost", "10.0.0.0/8")
    assert config.fetch.allow_private is True
    assert config.sources == ()


@pytest.mark.parametrize(
    ("text", "source", "field", "message"),
    [
        ("[fetch]\nmax_byte = 5", "[fetch]", "max_byte", "unknown key"),
        ("[fetch]\nmax_bytes = 0", "[fetch]", "max_bytes", "integer >= 1"),
        ("[fetch]\nconnect_timeout = 0", "[fetch]", "connect_timeout", "> 0"),
        ('[fetch]\nallow_private = "yes"', "[fetch]", "allow_private", "true or false"),
        ('[fetch]\nallow_hosts = ["not a host!"]', "[fetch]", "allow_hosts", "not a host name"),
        (
            '[sources.a]\nkind = "rss"\nurl = "https://a.example/"\nschedule = "1h"',
            "a",
            "kind",
            "one of",
        ),
        (  # not a string: still a one-line config error, never a TypeError
            '[sources.a]\nkind = ["feed"]\nurl = "https://a.example/"\nschedule = "1h"',
            "a",
            "kind",
            "one of feed, sitemap, urls",
        ),
        ('[sources.a]\nkind = "feed"\nschedule = "1h"', "a", "url", "required"),
        (
            '[sources.a]\nkind = "urls"\nurls = ["https://a.example/", 3]\nschedule = "1h"',
            "a",
            "urls",
            "list of non-empty strings",
        ),
        (
            '[sources.a]\nkind = "urls"\nurl = "https://a.example/"\nschedule = "1h"',
            "a",
            "url",
            "use 'urls'",
        ),
        ('[sources.a]\nkind = "urls"\nurls = []\nschedule = "1h"', "a", "urls", "at least one"),
        ('[sources.a]\nkind = "feed"\nurl = "https://a.example/"', "a", "schedule", "required"),
        (
            '[sources.a]\nkind = "feed"\nurl = "https://a.example/"\nschedule = "61 * * * *"',
            "a",
            "schedule",
            "0-59",
        ),
        (
            FEED + "\nrate_limit = -1",
            "a",
            "rate_limit",
            ">= 0",
        ),
        (
            FEED + "\nmax_items = 0",
            "a",
            "max_items",
            ">= 1",
        ),
        (
            FEED + "\nenabled = 1",
            "a",
            "enabled",
            "true or false",
        ),
        (
            FEED + "\nmax_item = 3",
            "a",
            "max_item",
            "unknown key",
        ),
        (
            '[sources.A]\nkind = "feed"\nurl = "https://a.example/"\nschedule = "1h"',
            "A",
            None,
            "lowercase",
        ),
    ],
)
def test_errors_name_file_source_and_field(
    tmp_path: Path, text: str, source: str, field: str | None, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert err.value.file == str(path)
    assert err.value.source == source
    assert err.value.field == field
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(SourcesError) as err:
        load_sources(missing)
    assert str(err.value) == f"{missing}: not found: cp sources.example.toml {missing}"
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path)  # a folder: exists, but is not a readable file
    with pytest.raises(SourcesError, match="invalid TOML"):
        load_sources(write(tmp_path, "[sources.a\n"))
    with pytest.raises(SourcesError, match="unknown top-level key"):
        parse_sources({"source": {}}, "inline")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("*/30 * * * *", Schedule(cron="*/30 * * * *")),
        ("0  6,18 * * 1-5", Schedule(cron="0 6,18 * * 1-5")),
        ("90s", Schedule(interval_seconds=90)),
        ("2h", Schedule(interval_seconds=7200)),
        ("1d", Schedule(interval_seconds=86400)),
        (600, Schedule(interval_seconds=600)),
    ],
)
def test_parse_schedule(value: str | int, expected: Schedule) -> None:
    assert parse_schedule(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0m",
        "every hour",
        "* * * *",
        "0 24 * * *",
        "0 0 * JAN *",
        "5-1 * * * *",
        "*/0 * * * *",
        0,
        -5,
        True,
        1.5,
    ],
)
def test_bad_schedules(value: object) -> None:
    with pytest.raises(ValueError):
        parse_schedule(value)  # type: ignore[arg-type]


BAD_URLS = [
    "file:///etc/passwd",
    "ftp://a.example/news",
    "javascript:alert(1)",
    "https://",
    "/news/relative",
    "not a url at all",
    "http://[::1",
    "http://a.example:notaport/",
]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_a_bad_url_is_an_entry_not_a_config_error(tmp_path: Path, bad: str) -> None:
    """One bad entry must not break the other sources: the config loads and keeps it."""
    config = load_sources(
        write(
            tmp_path,
            f"""
[sources.pages]
kind = "urls"
urls = ["https://a.example/one", {bad!r}, "https://a.example/two"]
schedule = "1h"

[sources.feed]
kind = "feed"
url = {bad!r}
schedule = "1h"

[sources.other]
kind = "sitemap"
url = "https://b.example/sitemap.xml"
schedule = "1h"
""",
        )
    )
    pages, feed, other = config.sources
    assert pages.urls == ("https://a.example/one", bad, "https://a.example/two")
    assert feed.urls == (bad,)
    assert other.urls == ("https://b.example/sitemap.xml",)
    assert bad_url_reason(bad) is not None
    assert bad_url_reason("https://a.example/one") is None


def test_a_host_that_is_not_a_domain_name_is_a_bad_url() -> None:
    reason = bad_url_reason("https://exa\u200dmple.com/")  # joiner: not a valid IDNA label
    assert reason is not None and "host" in reason


def test_check_sources_refuses_what_cannot_run(tmp_path: Path) -> None:
    path = write(tmp_path, FEED + "\nenabled = false")
    assert [s.name for s in check_sources(path, "a").sources] == ["a"]
    with pytest.raises(SourcesError) as err:
        check_sources(path, "b")
    assert str(err.value) == f"{path}: no source named 'b' (known: a)"
    with pytest.raises(SourcesError, match="no enabled source"):
        check_sources(path, need_enabled=True)
    with pytest.raises(SourcesError, match="not found"):
        check_sources(tmp_path / "none.toml")
