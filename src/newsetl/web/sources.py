"""The sources config: what to crawl, how often, and how politely.

A TOML file (see `sources.example.toml`, which documents every key) with one
`[fetch]` table of settings shared by the whole run and one
`[sources.NAME]` table per source. Loading validates everything up front and
fails with a `SourcesError` naming the file, the source and the field, so a
typo is caught when the config is loaded rather than in the middle of a run.
Unknown keys are errors too: a misspelt `max_item` silently ignored would be
worse than a refusal. Which `kind` values exist, and whether a kind takes one
`url` or a list of `urls`, is not decided here but by the registered kind
objects (`newsetl.web.kinds`), so a new kind needs no change to this file.

One kind of mistake is *not* fatal: a listed URL that is a string but not an
absolute http(s) URL (`file://`, `ftp://`, `javascript:`, no host, garbage).
It is one bad entry, not a broken config, so it is kept in `Source.urls` and
reported at ingest time as a `bad-url` fetch and reject for that entry
(`newsetl.web.discover.discover_source`); the rest of the source and the
other sources still run. `check_sources` adds the checks that only make sense
for a run (a named source must exist, something must be enabled), so the
command line can refuse a run before it starts Prefect.

`rate_limit` is always *seconds between two requests to the same host*
(a minimum interval, not requests per second): it composes directly with a
robots.txt `Crawl-delay`, which is also in seconds, and the larger wins.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsetl.urls import canonical_url, is_http_url
from newsetl.web.kinds import SourceKind, kind_named

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_INTERVAL = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# (low, high) for the five cron fields: minute hour day-of-month month day-of-week
_CRON_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")
_INT_MINIMUM = {"max_bytes": 1, "max_requests": 1}
_CRON_PART = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


class SourcesError(ValueError):
    """A sources config that cannot be used, with where the problem is."""

    def __init__(self, file: str, source: str | None, field: str | None, message: str) -> None:
        where = [file]
        if source is not None:
            where.append(f"source {source!r}" if source != "[fetch]" else "[fetch]")
        if field is not None:
            where.append(field)
        super().__init__(f"{': '.join(where)}: {message}")
        self.file = file
        self.source = source
        self.field = field


@dataclass(frozen=True)
class Schedule:
    """When a source is crawled: exactly one of a cron string or an interval."""

    cron: str | None = None  # five fields, e.g. "*/30 * * * *"
    interval_seconds: int | None = None


@dataclass(frozen=True)
class FetchSettings:
    """How the fetcher behaves for a whole run; defaults are conservative."""

    user_agent: str = "newsetl/0.1 (news archiving bot)"
    connect_timeout: float = 10.0  # seconds to establish a connection
    read_timeout: float = 30.0  # seconds of silence allowed between two reads
    body_timeout: float = 120.0  # seconds allowed for reading one whole body
    max_bytes: int = 10 * 1024 * 1024  # largest (decoded) body accepted
    max_redirects: int = 5
    max_requests: int = 10_000  # request budget per run, robots.txt and retries included
    retries: int = 3  # extra attempts after a connection error, 429 or 5xx
    backoff: float = 1.0  # first backoff in seconds; doubles per attempt, with jitter
    max_wait: float = 60.0  # cap on any single wait: backoff, Retry-After, crawl-delay
    rate_limit: float = 1.0  # default seconds between requests to one host
    allow_hosts: tuple[str, ...] = ()  # names, addresses or networks exempt from the address check
    allow_private: bool = False  # also allow RFC 1918 / unique-local / CGNAT addresses


@dataclass(frozen=True)
class Source:
    """One named place to discover articles from."""

    name: str
    # the name of a registered kind (`newsetl.web.kinds`): what the TOML says and what the
    # `fetches.kind` column stores; code that depends on it asks `kind_named(source.kind)`
    kind: str
    urls: tuple[str, ...]  # the one document (`url`), or the listed URLs (`urls`)
    schedule: Schedule
    rate_limit: float | None = None  # seconds between requests to one host; None: [fetch] default
    enabled: bool = True
    refresh: bool = False  # refetch pages that are already stored
    max_items: int | None = None  # most pages taken from one discovery; None: no limit


@dataclass(frozen=True)
class SourcesConfig:
    fetch: FetchSettings
    sources: tuple[Source, ...]


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources TOML file."""
    file = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as err:
        raise SourcesError(file, None, None, f"not found: cp sources.example.toml {file}") from err
    except OSError as err:
        raise SourcesError(file, None, None, f"cannot read: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise SourcesError(file, None, None, f"invalid TOML: {err}") from err
    return parse_sources(data, file)


def check_sources(
    path: str | Path, only: str | None = None, *, need_enabled: bool = False
) -> SourcesConfig:
    """Load `path` and check it can drive a run, raising SourcesError if not.

    On top of `load_sources`: `only` (a `--source` name) must name a
    configured source, and with `need_enabled` some source must be enabled
    (a scheduler with nothing to schedule is a config mistake). Meant to be
    called before any flow starts, so a config mistake costs a second and one
    line, not a server start-up and a traceback.
    """
    config = load_sources(path)
    names = [s.name for s in config.sources]
    if only is not None and only not in names:
        known = ", ".join(names) or "none"
        raise SourcesError(str(path), None, None, f"no source named {only!r} (known: {known})")
    if need_enabled and not any(s.enabled for s in config.sources):
        raise SourcesError(str(path), None, None, "no enabled source to schedule")
    return config


def parse_sources(data: dict[str, Any], file: str = "<config>") -> SourcesConfig:
    """Validate an already-parsed TOML document; `file` is used in errors."""
    unknown = set(data) - {"fetch", "sources"}
    if unknown:
        raise SourcesError(
            file,
            None,
            sorted(unknown)[0],
            "unknown top-level key (expected [fetch] and [sources.NAME])",
        )
    fetch = _fetch_settings(_table(data.get("fetch", {}), file, None, "fetch"), file)
    sources_table = _table(data.get("sources", {}), file, None, "sources")
    sources = tuple(
        _source(name, _table(raw, file, name, None), file) for name, raw in sources_table.items()
    )
    return SourcesConfig(fetch=fetch, sources=sources)


def parse_schedule(value: str | int) -> Schedule:
    """`"*/15 * * * *"` (cron), `"30m"` / `"2h"` / `"1d"` / `"90s"`, or an int of seconds.

    Raises ValueError with a human message.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("must be a cron string, an interval like '30m', or seconds")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("interval must be positive")
        return Schedule(interval_seconds=value)
    text = value.strip()
    interval = _INTERVAL.match(text)
    if interval:
        seconds = int(interval.group(1)) * _UNIT_SECONDS[interval.group(2)]
        if seconds <= 0:
            raise ValueError("interval must be positive")
        return Schedule(interval_seconds=seconds)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            f"{value!r} is neither an interval like '30m' nor a five-field cron string"
        )
    for field, (low, high) in zip(fields, _CRON_BOUNDS, strict=True):
        _check_cron_field(field, low, high)
    return Schedule(cron=" ".join(fields))


def _check_cron_field(field: str, low: int, high: int) -> None:
    for part in field.split(","):
        match = _CRON_PART.match(part)
        if not match:
            raise ValueError(
                f"cron field {field!r}: use numbers, '*', ranges, lists and steps (no names)"
            )
        base, step = match.groups()
        numbers = [] if base == "*" else [int(n) for n in base.split("-")]
        if any(not low <= n <= high for n in numbers):
            raise ValueError(f"cron field {field!r}: values must be within {low}-{high}")
        if len(numbers) == 2 and numbers[0] > numbers[1]:
            raise ValueError(f"cron field {field!r}: range runs backwards")
        if step is not None and int(step) == 0:
            raise ValueError(f"cron field {field!r}: step must be positive")


def _table(value: Any, file: str, source: str | None, field: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SourcesError(file, source, field, "must be a table")
    return value


def _fetch_settings(raw: dict[str, Any], file: str) -> FetchSettings:
    defaults = FetchSettings()
    allowed = set(FetchSettings.__dataclass_fields__)
    for key in raw:
        if key not in allowed:
            raise SourcesError(
                file, "[fetch]", key, f"unknown key (known: {', '.join(sorted(allowed))})"
            )
    values: dict[str, Any] = {}
    for key, value in raw.items():
        default = getattr(defaults, key)
        if key == "user_agent":
            values[key] = _nonempty_str(value, file, "[fetch]", key)
        elif key == "allow_hosts":
            values[key] = tuple(
                _allow_entry(v, file) for v in _str_list(value, file, "[fetch]", key)
            )
        elif isinstance(default, bool):
            values[key] = _bool(value, file, "[fetch]", key)
        elif isinstance(default, int):
            values[key] = _int(value, file, "[fetch]", key, minimum=_INT_MINIMUM.get(key, 0))
        else:
            values[key] = _number(value, file, "[fetch]", key, positive=key.endswith("timeout"))
    return FetchSettings(**{**defaults.__dict__, **values})


def _allow_entry(entry: str, file: str) -> str:
    try:
        return str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        pass
    if not _HOSTNAME.match(entry.lower()):
        raise SourcesError(
            file, "[fetch]", "allow_hosts", f"{entry!r} is not a host name, address or network"
        )
    return entry.lower().rstrip(".")


_SOURCE_KEYS = frozenset(
    {"kind", "url", "urls", "schedule", "rate_limit", "enabled", "refresh", "max_items"}
)


def _source(name: str, raw: dict[str, Any], file: str) -> Source:
    if not _NAME.match(name):
        raise SourcesError(file, name, None, "name must be lowercase letters, digits, '-' or '_'")
    for key in raw:
        if key not in _SOURCE_KEYS:
            raise SourcesError(
                file, name, key, f"unknown key (known: {', '.join(sorted(_SOURCE_KEYS))})"
            )
    try:
        kind = kind_named(raw.get("kind"))
    except ValueError as err:
        raise SourcesError(file, name, "kind", str(err)) from err
    urls = _source_urls(kind, raw, file, name)
    if "schedule" not in raw:
        raise SourcesError(
            file, name, "schedule", "is required (cron string or interval like '30m')"
        )
    try:
        schedule = parse_schedule(raw["schedule"])
    except ValueError as err:
        raise SourcesError(file, name, "schedule", str(err)) from err
    rate_limit = raw.get("rate_limit")
    max_items = raw.get("max_items")
    return Source(
        name=name,
        kind=kind.name,
        urls=urls,
        schedule=schedule,
        rate_limit=None
        if rate_limit is None
        else _number(rate_limit, file, name, "rate_limit", positive=False),
        enabled=_bool(raw.get("enabled", True), file, name, "enabled"),
        refresh=_bool(raw.get("refresh", False), file, name, "refresh"),
        max_items=None
        if max_items is None
        else _int(max_items, file, name, "max_items", minimum=1),
    )


def _source_urls(kind: SourceKind, raw: dict[str, Any], file: str, name: str) -> tuple[str, ...]:
    # The kind says where its URLs are: `url` (one document, e.g. a feed) or `urls` (a list).
    wanted = kind.url_key
    other = "url" if wanted == "urls" else "urls"
    if other in raw:
        raise SourcesError(file, name, other, f"not used by kind {kind.name!r}; use {wanted!r}")
    if wanted not in raw:
        raise SourcesError(file, name, wanted, f"is required for kind {kind.name!r}")
    urls = (
        _str_list(raw["urls"], file, name, "urls")
        if wanted == "urls"
        else [_nonempty_str(raw["url"], file, name, "url")]
    )
    if not urls:
        raise SourcesError(file, name, wanted, "must list at least one URL")
    # A non-http(s) entry is kept: discovery reports it as a `bad-url` entry
    # of this source (see the module docstring) instead of failing every source.
    return tuple(urls)


def bad_url_reason(url: str) -> str | None:
    """Why a configured URL cannot be fetched, or None when it is a usable http(s) URL."""
    if not is_http_url(url):
        return f"{url!r} is not an absolute http(s) URL with a host"
    try:
        canonical_url(url)
    except ValueError as err:
        return str(err)
    return None


def _bool(value: Any, file: str, source: str, field: str) -> bool:
    if not isinstance(value, bool):
        raise SourcesError(file, source, field, f"must be true or false, got {value!r}")
    return value


def _int(value: Any, file: str, source: str, field: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SourcesError(file, source, field, f"must be an integer >= {minimum}, got {value!r}")
    return value


def _number(value: Any, file: str, source: str, field: str, *, positive: bool) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value < 0
        or (positive and value == 0)
    ):
        bound = "> 0" if positive else ">= 0"
        raise SourcesError(
            file, source, field, f"must be a number {bound} (seconds), got {value!r}"
        )
    return float(value)


def _nonempty_str(value: Any, file: str, source: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourcesError(file, source, field, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _str_list(value: Any, file: str, source: str, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise SourcesError(file, source, field, "must be a list of non-empty strings")
    return [v.strip() for v in value]
