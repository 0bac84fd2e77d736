"""Calendar dates written in the body ("Wednesday (Oct. 8)", "8 October 2014").

Only mentions with a day and a month count; "last May" and bare weekdays are
left alone. A mention gets an ISO date when its year is written, or when the
publication date pins it down: the nearest such day not after publication
(or, in a sentence about the future, not before it). When that choice is
doubtful, or a written weekday contradicts it, the date stays None: a wrong
confident date is worse than none.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from newsetl.enrich.lexicon import MONTHS, WEEKDAYS
from newsetl.enrich.sentences import sentence_spans
from newsetl.models import DateMention

_MONTH = (
    r"(?P<month>"
    + "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
    + r")\.?"
)
_WEEKDAY = (
    r"(?:(?P<weekday>" + "|".join(w.capitalize() for w in WEEKDAYS) + r"),?\s+(?P<paren>\()?)?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?:,?\s+(?P<year>(?:1[89]|20)\d\d)(?!\d))?"
# First letters of month and weekday names: a lookahead on them lets the regex
# engine skip most positions at once instead of trying every name there.
_INITIALS = "[" + "".join(sorted({w.capitalize()[0] for w in (*MONTHS, *WEEKDAYS)})) + "]"
_MONTH_DAY = re.compile(
    rf"\b(?={_INITIALS})" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r"(?P<close>\))?" + _YEAR
)
_DAY_MONTH = re.compile(
    rf"\b(?=\d|{_INITIALS})"
    + _WEEKDAY
    + _DAY
    + r"(?:\s+of)?\s+"
    + _MONTH
    + r"(?P<close>\))?"
    + _YEAR
    + r"\b"
)
# Every month name starts with one of these; a text with none can only hold ISO dates.
_MONTH_STEM = re.compile("|".join(sorted({m.capitalize()[:3] for m in MONTHS})))
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
# Every ISO date holds this; found by fast literal search, its absence (the common case)
# spares the scan of the text with _ISO, whose leading \b is tried at every offset.
_ISO_MONTH = re.compile(r"-[01]\d-")
_FUTURE = re.compile(
    r"\b(?:will|next|upcoming|scheduled|plans? to|due to|expected to|set to|is to|are to)\b", re.I
)
_PAST_SPAN_DAYS = 270  # further back than this, while a future reading is close,
_FUTURE_SPAN_DAYS = 90  # means the year is a guess: leave the date unresolved


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def infer_date(
    month: int, day: int, weekday: int | None, published: date, future: bool
) -> date | None:
    """The year-less day `month`/`day` as read by an article published on `published`."""
    past = next(
        (
            d
            for y in (published.year, published.year - 1)
            if (d := _safe_date(y, month, day)) and d <= published
        ),
        None,
    )
    ahead = next(
        (
            d
            for y in (published.year, published.year + 1)
            if (d := _safe_date(y, month, day)) and d >= published
        ),
        None,
    )
    if weekday is not None:
        matching = [d for d in (past, ahead) if d and d.weekday() == weekday]
        if len(matching) == 1:
            return matching[0]
        if not matching:
            return None
    if future:
        return ahead
    if (
        past
        and ahead
        and (published - past).days > _PAST_SPAN_DAYS
        and (ahead - published).days < _FUTURE_SPAN_DAYS
    ):
        return None
    return past


def _mention(
    m: re.Match[str], text: str, sentence: tuple[int, int], published: date | None
) -> DateMention | None:
    g = m.groupdict()
    month = int(g["month"]) if g["month"].isdigit() else MONTHS[g["month"].lower().rstrip(".")]
    day = int(g["day"])
    if not 1 <= day <= 31:
        return None
    end = m.end()
    if g.get("paren") and not g.get("close"):
        return None  # "Wednesday (Oct. 8, a holiday)": keep it simple, skip
    weekday = WEEKDAYS[g["weekday"].lower()] if g.get("weekday") else None
    context = text[sentence[0] : sentence[1]]
    resolved: date | None = None
    if g.get("year"):
        resolved = _safe_date(int(g["year"]), month, day)
    elif published is not None:
        resolved = infer_date(month, day, weekday, published, bool(_FUTURE.search(context)))
    return DateMention(
        text[m.start() : end],
        context,
        m.start(),
        resolved.isoformat() if resolved else None,
        resolved is not None,
    )


def find_dates(text: str, published_at: datetime | None) -> list[DateMention]:
    """Day-and-month dates in `text`, in order, resolved where the year is known."""
    published = published_at.date() if published_at else None
    sentences: list[tuple[int, int]] = []  # split only once a date turns up: most texts have none
    found: dict[int, DateMention] = {}
    taken: list[tuple[int, int]] = []
    patterns: tuple[re.Pattern[str], ...] = (
        (_MONTH_DAY, _DAY_MONTH) if _MONTH_STEM.search(text) else ())
    if _ISO_MONTH.search(text):
        patterns += (_ISO,)
    for pattern in patterns:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            sentences = sentences or sentence_spans(text)
            sentence = next(
                (s for s in sentences if s[0] <= m.start() < s[1]), (m.start(), m.end())
            )
            dm = _mention(m, text, sentence, published)
            if dm:
                found[m.start()] = dm
                taken.append((m.start(), m.end()))
    return [found[k] for k in sorted(found)]
