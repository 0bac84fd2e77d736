"""A one-page HTML report of the warehouse: self-contained, charts as inline SVG.

No plotting library and no JavaScript: a stacked column chart on a calendar
axis and a few bar lists are a few lines of SVG and CSS, and the file opens
in any browser without network access. It must read well on a laptop and on
a phone, so every time chart is drawn twice (a wide and a narrow geometry,
one shown by a CSS media query), bar lists are HTML that wraps, and tables
scroll sideways inside their own box instead of widening the page.

Every value that comes from the warehouse (titles, names, reasons, paths) is
escaped: the warehouse holds whatever the pages said.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

import duckdb

_PALETTE = ("#3367d6", "#e8710a", "#1e8e3e", "#d93025", "#9334e6", "#12b5cb", "#f9ab00")
_OTHER_COLOUR = "#9aa0a6"
STATUS_COLOURS = {"ok": "#1e8e3e", "failed": "#d93025", "interrupted": "#e8710a",
                   "running": "#3367d6"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS = ("hour", "day", "week", "month", "year")
_MAX_GROUPS = 6  # coloured groups in a time chart; the rest is "other"
_MIN_BINS = 7  # a time chart spans at least this many bins, so one busy day is not one slab


def _floor(t: datetime, unit: str) -> datetime:
    """The start of the calendar bin (`unit`) holding `t`; weeks start on Monday."""
    t = t.replace(minute=0, second=0, microsecond=0)
    if unit == "hour":
        return t
    t = t.replace(hour=0)
    if unit == "day":
        return t
    if unit == "week":
        return t - timedelta(days=t.weekday())
    t = t.replace(day=1)
    return t if unit == "month" else t.replace(month=1)


def _step(t: datetime, unit: str, n: int = 1) -> datetime:
    """`t` moved by `n` calendar units (t is a bin start, so day 1 for months)."""
    if unit == "hour":
        return t + timedelta(hours=n)
    if unit == "day":
        return t + timedelta(days=n)
    if unit == "week":
        return t + timedelta(weeks=n)
    if unit == "month":
        months = t.year * 12 + t.month - 1 + n
        return t.replace(year=months // 12, month=months % 12 + 1)
    return t.replace(year=t.year + n)


def _count_bins(start: datetime, end: datetime, unit: str) -> int:
    """How many `unit` bins cover [start, end] (both inclusive)."""
    a, b = _floor(start, unit), _floor(end, unit)
    if unit == "month":
        return (b.year - a.year) * 12 + b.month - a.month + 1
    if unit == "year":
        return b.year - a.year + 1
    size = {"hour": 3600, "day": 86400, "week": 7 * 86400}[unit]
    return int((b - a).total_seconds() // size) + 1


@dataclass(frozen=True)
class Axis:
    """A calendar axis: the bins drawn (gaps included) and the span they cover."""

    unit: str
    bins: list[datetime]

    @property
    def start(self) -> datetime:
        return self.bins[0]

    @property
    def end(self) -> datetime:
        return _step(self.bins[-1], self.unit)

    def x(self, t: datetime, left: float, width: float) -> float:
        """Where time `t` falls, in plot coordinates: a true time scale."""
        span = (self.end - self.start).total_seconds()
        return left + width * (t - self.start).total_seconds() / span


def calendar_axis(first: datetime, last: datetime, max_bins: int,
                  finest: str = "day") -> Axis:
    """The finest calendar unit (from `finest` up) giving at most `max_bins` bins.

    Every bin between the first and the last is kept, empty ones too: a gap in
    the data is a gap on the axis. A short span is widened to `_MIN_BINS` bins,
    centred, so a single busy day reads as a day and not as the whole chart.
    """
    units = _UNITS[_UNITS.index(finest):]
    unit = next((u for u in units if _count_bins(first, last, u) <= max_bins), units[-1])
    start, end = _floor(first, unit), _floor(last, unit)
    missing = _MIN_BINS - _count_bins(first, last, unit)
    if missing > 0:
        start, end = _step(start, unit, -(missing // 2)), _step(end, unit, missing - missing // 2)
    bins = [start]
    while bins[-1] < end:
        bins.append(_step(bins[-1], unit))
    return Axis(unit, bins)


# Tick steps from fine to coarse: the first one giving few enough ticks is used.
_TICK_STEPS = (("hour", 1), ("hour", 3), ("hour", 6), ("hour", 12), ("day", 1), ("day", 2),
               ("day", 3), ("day", 4), ("week", 1), ("week", 2), ("month", 1), ("month", 2),
               ("month", 3), ("month", 6), ("year", 1), ("year", 2), ("year", 5), ("year", 10),
               ("year", 20), ("year", 50), ("year", 100))


def _on_step(t: datetime, unit: str, n: int) -> bool:
    """Whether bin start `t` is a round multiple of the step (a tick falls on it)."""
    if unit == "hour":
        return t.hour % n == 0
    if unit == "day":  # days of the month 1, 1+n, ...; none too close to the next 1st
        days_in_month = (_step(t.replace(day=1), "month") - t.replace(day=1)).days
        return (t.day - 1) % n == 0 and (n == 1 or t.day + n // 2 <= days_in_month)
    if unit == "week":
        return (t.toordinal() // 7) % n == 0
    if unit == "month":
        return (t.month - 1) % n == 0
    return t.year % n == 0


def calendar_ticks(axis: Axis, max_ticks: int) -> list[tuple[datetime, str]]:
    """Round calendar times inside the axis, with labels that name the year once."""
    for unit, n in _TICK_STEPS:
        if _UNITS.index(unit) < _UNITS.index(axis.unit):
            continue
        t, ticks = _floor(axis.start, unit), []
        if t < axis.start:
            t = _step(t, unit)
        while t <= axis.end and len(ticks) <= max_ticks:
            if _on_step(t, unit, n):
                ticks.append(t)
            t = _step(t, unit)
        if 0 < len(ticks) <= max_ticks:
            break
    labels, previous = [], None
    for t in ticks:
        if unit == "hour":
            day = f"{t.day} {_MONTHS[t.month - 1]}"
            text = f"{t:%H}:00" if previous and previous.date() == t.date() else f"{day} {t:%H}:00"
        elif unit in ("day", "week"):
            text = f"{t.day} {_MONTHS[t.month - 1]}"
            if previous is None or previous.year != t.year:
                text += f" {t.year}"
        elif unit == "month":
            text = _MONTHS[t.month - 1]
            if previous is None or previous.year != t.year:
                text += f" {t.year}"
        else:
            text = str(t.year)
        labels.append((t, text))
        previous = t
    return labels


def nice_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round top for a count axis and its step: 1, 2, 2.5 or 5 times a power of ten,
    whole numbers only, at most `ticks` steps, the top the first step at or above `value`."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10.0 ** (len(str(int(raw))) - 1) if raw >= 1 else 1.0
    for m in (1, 2, 2.5, 5, 10):
        step = m * power
        if step != int(step):
            continue
        if step * ticks >= value:
            return step * -(-value // step), step
    return value, value / ticks


def _bin_label(t: datetime, unit: str) -> str:
    """A bin written out for a tooltip: the week of 7 Oct 2014, Oct 2014, ..."""
    if unit == "hour":
        return f"{t:%Y-%m-%d %H}:00 UTC"
    if unit == "day":
        return f"{t:%Y-%m-%d}"
    if unit == "week":
        return f"week of {t:%Y-%m-%d}"
    if unit == "month":
        return f"{_MONTHS[t.month - 1]} {t.year}"
    return str(t.year)


@dataclass(frozen=True)
class Geometry:
    """One drawing of a time chart: the SVG's coordinate size and how busy it may be."""

    name: str
    width: int
    height: int
    max_bins: int
    max_ticks: int
    font: int


_WIDE = Geometry("wide", 960, 300, 400, 9, 12)
_NARROW = Geometry("narrow", 360, 240, 60, 4, 11)


def _time_svg(title: str, counts: dict[tuple[datetime, str], int], groups: Sequence[str],
              colours: dict[str, str], what: str, finest: str, g: Geometry) -> str:
    """Stacked columns on a calendar axis, with labelled axes, in one geometry."""
    times = [t for t, _ in counts]
    axis = calendar_axis(min(times), max(times), g.max_bins, finest)
    binned: dict[datetime, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (t, group), n in counts.items():
        binned[_floor(t, axis.unit)][group] += n
    top, step = nice_ceiling(max(sum(v.values()) for v in binned.values()))
    left, right, upper = 8 + g.font * 3, 12, 10
    plot_w, plot_h = g.width - left - right, g.height - upper - 2 * g.font - 30
    base = upper + plot_h
    per = "hour" if axis.unit == "hour" else axis.unit
    parts = [f'<svg class="chart {g.name}" viewBox="0 0 {g.width} {g.height}" '
             f'preserveAspectRatio="xMinYMin meet" role="img" '
             f'aria-label="{escape(title)}, per {per}" font-size="{g.font}">']
    value = 0.0
    while value <= top + 1e-9:  # y grid and labels
        y = base - plot_h * value / top
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="grid"/><text x="{left - 4}" y="{y + g.font / 3:.1f}" '
                     f'text-anchor="end">{value:g}</text>')
        value += step
    for t in axis.bins:
        x0 = axis.x(t, left, plot_w)
        x1 = axis.x(_step(t, axis.unit), left, plot_w)
        w = max(0.6, (x1 - x0) * (0.85 if x1 - x0 > 3 else 1.0))
        y = float(base)
        for group in groups:
            n = binned.get(t, {}).get(group, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            parts.append(f'<rect x="{x0:.2f}" y="{y:.2f}" width="{w:.2f}" height="{h:.2f}" '
                         f'fill="{colours[group]}"><title>{escape(_bin_label(t, axis.unit))}'
                         f' · {escape(group)}: {n}</title></rect>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" '
                 f'class="axis"/>')
    for t, label in calendar_ticks(axis, g.max_ticks):
        x = axis.x(t, left, plot_w)
        anchor = "start" if x < left + 30 else "end" if x > left + plot_w - 30 else "middle"
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 5}" '
                     f'class="axis"/><text x="{x:.1f}" y="{base + 6 + g.font}" '
                     f'text-anchor="{anchor}">{escape(label)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{g.height - 6}" text-anchor="middle" '
                 f'class="axis-title">{escape(what)} per {per} (UTC)</text></svg>')
    return "".join(parts)


def time_chart(title: str, rows: Iterable[tuple[datetime, str, int]], what: str,
               finest: str = "day", colours: dict[str, str] | None = None,
               note: str = "", group_word: str = "group", empty: str = "") -> str:
    """A titled stacked column chart of `rows` (time, group, count) on a calendar axis.

    The biggest groups get a colour each, the rest are summed as "N others";
    when even the biggest groups hold under half of the counts (one source
    per file, say), a legend of them would say nothing and one series is
    drawn instead. It is drawn in a wide and a narrow geometry; CSS shows the one that fits.
    """
    head = f"<h2>{escape(title)}</h2>"
    counts: dict[tuple[datetime, str], int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for t, group, n in rows:
        counts[(t, group)] += n
        totals[group] += n
    if not counts:
        return head + f'<p class="empty">{escape(empty or f"No {what} yet.")}</p>'
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    whole = sum(totals.values())
    if len(ranked) > _MAX_GROUPS + 1 and sum(totals[g] for g in ranked[:_MAX_GROUPS]) < whole / 2:
        # So fragmented that colours would tell nothing: one series, and say so.
        every = f"all {what}"
        merged_all: dict[tuple[datetime, str], int] = defaultdict(int)
        for (t, _), n in counts.items():
            merged_all[(t, every)] += n
        note = (f"{len(ranked):,} {group_word}s, the biggest with {totals[ranked[0]]:,}: "
                f"shown as one series. " + note).strip()
        counts, groups, totals = merged_all, [every], {every: whole}
    elif len(ranked) > _MAX_GROUPS + 1:
        kept = set(ranked[:_MAX_GROUPS])
        other = f"{len(ranked) - _MAX_GROUPS} others"
        merged: dict[tuple[datetime, str], int] = defaultdict(int)
        for (t, group), n in counts.items():
            merged[(t, group if group in kept else other)] += n
        counts, groups = merged, [*ranked[:_MAX_GROUPS], other]
        totals[other] = sum(totals[s] for s in ranked[_MAX_GROUPS:])
    else:
        groups = ranked
    given = colours or {}
    colour = {g: given.get(g) or (_PALETTE[i] if i < _MAX_GROUPS else _OTHER_COLOUR)
              for i, g in enumerate(groups)}
    legend = "".join(f'<li><span class="swatch" style="background:{colour[g]}"></span>'
                     f'{escape(g)} <span class="n">{totals[g]}</span></li>' for g in groups)
    svgs = "".join(_time_svg(title, counts, groups, colour, what, finest, g)
                   for g in (_WIDE, _NARROW))
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return f'{head}<figure>{svgs}<ul class="legend">{legend}</ul>{note_html}</figure>'


def bar_list(title: str, rows: Sequence[tuple[str, float]], empty: str = "None yet.",
             details: Sequence[str] | None = None) -> str:
    """A ranked list with proportional bars, as HTML so that long names wrap on a phone.

    `details`, when given, is one short grey line per row (escaped like the rest).
    """
    head = f"<h3>{escape(title)}</h3>"
    if not rows:
        return f'<div class="barlist">{head}<p class="empty">{escape(empty)}</p></div>'
    top = max(v for _, v in rows) or 1
    items = []
    for i, (label, value) in enumerate(rows):
        extra = f'<span class="detail">{escape(details[i])}</span>' if details else ""
        items.append(f'<li><span class="label">{escape(str(label))}</span>'
                     f'<span class="track"><span class="bar" style="width:'
                     f'{max(1.0, 100 * value / top):.1f}%"></span></span>'
                     f'<span class="n">{value:g}</span>{extra}</li>')
    return f'<div class="barlist">{head}<ol class="bars">{"".join(items)}</ol></div>'


def table(headers: Sequence[str], rows: Iterable[Sequence[object]],
          numeric: frozenset[int] = frozenset(), wrap: frozenset[int] = frozenset()) -> str:
    """An HTML table in a box that scrolls sideways, so a narrow screen never widens the page.

    Columns in `numeric` are right-aligned; those in `wrap` (long text) wrap
    instead of stretching the table.
    """
    def cls(i: int) -> str:
        return " class=num" if i in numeric else " class=wrap" if i in wrap else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(
        f"<td{cls(i)}>{escape(_text(v))}</td>"
        for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}' \
           f'</tbody></table></div>'


def _text(value: object) -> str:
    """A cell's text: times to the minute in UTC, NULL as a dash."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return f"{_utc(value):%Y-%m-%d %H:%M}"
    return str(value)


def _utc(t: datetime) -> datetime:
    """`t` as a naive UTC datetime (DuckDB hands TIMESTAMPTZ back in the session's zone)."""
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def _shorten(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _hours(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[datetime, str, int]]:
    """Rows (hour start in UTC, group, count) of a query giving (epoch hour, group, count).

    The hour is computed from the epoch in SQL, so no time zone setting or
    extension is involved, and a million articles arrive as a few thousand rows.
    """
    return [(datetime.fromtimestamp(h * 3600, UTC).replace(tzinfo=None), str(g), int(n))
            for h, g, n in con.execute(sql).fetchall()]


def _duration(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "-"
    seconds = int((end - start).total_seconds())
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else \
        f"{seconds // 60}m{seconds % 60:02d}s"


def _warehouse_file(con: duckdb.DuckDBPyConnection) -> str:
    """The file the connection has open, for a caller that did not say."""
    row = con.execute("SELECT path FROM duckdb_databases() "
                      "WHERE database_name = current_database()").fetchone()
    return str(row[0]) if row and row[0] else "(in memory)"


_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#202124;
  background:#f6f7f9;margin:0;padding:0 12px 32px;overflow-wrap:anywhere}
main{max-width:1100px;margin:0 auto}
header{padding:18px 0 6px}
h1{font-size:1.6em;margin:0 0 4px}
h2{font-size:1.2em;margin:0 0 10px}
h3{font-size:1em;margin:0 0 8px}
.meta{color:#5f6368;margin:0;font-size:.9em}
code{font:.9em ui-monospace,SFMono-Regular,Menlo,monospace;background:#eceff3;padding:1px 4px;
  border-radius:3px;word-break:break-all}
section{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:14px 16px;
  margin:14px 0;max-width:100%}
.cards{display:grid;grid-auto-flow:row dense;gap:10px;margin:0;padding:0;
  grid-template-columns:repeat(auto-fill,minmax(140px,1fr))}
.cards div{background:#f6f7f9;border-radius:6px;padding:8px 10px}
.cards .wide{grid-column:span 2}
.cards dt{color:#5f6368;font-size:.8em}
.cards dd{margin:0;font-size:1.25em;font-weight:600}
.cards dd small{font-size:.65em;font-weight:400;color:#5f6368}
figure{margin:0}
svg.chart{display:block;width:100%;height:auto;max-width:100%}
svg.narrow{display:none}
svg text{fill:#3c4043}
svg .grid{stroke:#e8eaed}
svg .axis{stroke:#5f6368}
svg .axis-title{fill:#5f6368}
.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px;
  font-size:.85em}
.swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;
  vertical-align:-1px}
.legend .n,.note,.empty,.detail{color:#5f6368}
.note{font-size:.85em;margin:6px 0 0}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:18px}
.bars{list-style:none;margin:0;padding:0}
.bars li{display:grid;grid-template-columns:minmax(0,11em) minmax(40px,1fr) auto;gap:8px;
  align-items:center;padding:2px 0;font-size:.9em}
.bars .label{line-height:1.25}
.detail{grid-column:1/-1;font-size:.85em;line-height:1.3;margin:-2px 0 4px}
.track{background:#eef1f5;border-radius:3px;height:12px}
.bar{display:block;height:12px;border-radius:3px;background:#3367d6}
.bars .n{text-align:right;font-variant-numeric:tabular-nums;min-width:2.5em}
.scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.88em;min-width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3;white-space:nowrap}
.wrap{white-space:normal;min-width:16em}
th{color:#5f6368;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
@media (max-width:640px){
  body{font-size:14px;padding:0 8px 24px}
  section{padding:12px 10px}
  svg.wide{display:none}
  svg.narrow{display:block}
  .grid3{grid-template-columns:minmax(0,1fr)}
  .bars li{grid-template-columns:minmax(0,9em) minmax(30px,1fr) auto}
}
"""


def render_report(con: duckdb.DuckDBPyConnection,
                  warehouse_path: str | os.PathLike[str] | None = None,
                  generated_at: datetime | None = None) -> str:
    """The report as one HTML document.

    `warehouse_path` is named in the header (default: the file `con` has
    open); `generated_at` is the time stamped on it (default: now), given by
    tests that compare output.
    """
    generated = _utc(generated_at or datetime.now(UTC))
    path = str(warehouse_path) if warehouse_path is not None else _warehouse_file(con)
    q = con.execute
    articles, sources, languages, dated, first, last = q(
        "SELECT count(*), count(DISTINCT source), count(DISTINCT language), "
        "count(published_at), min(published_at), max(published_at) FROM articles").fetchone()
    # One source (one archive folder): the publications inside it say more than its name.
    by_site = sources == 1 and q("SELECT count(DISTINCT site_name) FROM articles "
                                 "WHERE site_name IS NOT NULL").fetchone()[0] > 1
    group = "coalesce(site_name, '(no site name)')" if by_site else "source"
    group_name = "site" if by_site else "source"
    people, quotes = q("SELECT (SELECT count(DISTINCT name) FROM entities WHERE kind = 'person'),"
                       " (SELECT count(*) FROM quotes)").fetchone()
    runs, rejects = q("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM rejects)"
                      ).fetchone()

    span = (f"{_utc(first):%Y-%m-%d} <small>to</small> {_utc(last):%Y-%m-%d}"
            if first is not None else "-")
    cards = [("Articles", f"{articles:,}"),
             ("Sources", f"{sources:,}" + (f" <small>({group_name}s shown)</small>"
                                           if by_site else "")),
             ("Languages", f"{languages:,}"), ("Published", span),
             ("People named", f"{people:,}"), ("Quotes", f"{quotes:,}"),
             ("Runs", f"{runs:,}"), ("Rejects", f"{rejects:,}")]
    summary = '<dl class="cards">' + "".join(
        f'<div{" class=wide" if t == "Published" else ""}><dt>{t}</dt><dd>{v}</dd></div>'
        for t, v in cards) + "</dl>"

    per_hour = _hours(con, f"SELECT floor(epoch(published_at) / 3600) AS h, {group}, count(*) "
                           "FROM articles WHERE published_at IS NOT NULL GROUP BY ALL")
    undated = articles - dated
    undated_note = (f"{undated:,} article{'s' if undated != 1 else ''} without a publication "
                    "date, not shown." if undated else "")
    articles_chart = time_chart(
        f"Articles by publication date, per {group_name}", per_hour, "articles",
        group_word=group_name, note=undated_note,
        empty=f"{undated:,} article{'s' if undated != 1 else ''}, none with a publication date: "
              "nothing to draw yet." if undated else "")

    group_rows = q(f"SELECT {group}, count(*) AS n, sum(word_count), min(published_at), "
                   "max(published_at) FROM articles GROUP BY ALL ORDER BY n DESC, 1 LIMIT 20"
                   ).fetchall()
    more = (q(f"SELECT count(DISTINCT {group}) FROM articles").fetchone()[0] or 0) - \
        len(group_rows)
    groups_html = (table([group_name.capitalize(), "Articles", "Words", "First published",
                          "Last published"],
                         [(g, f"{n:,}", f"{w or 0:,}", f and f"{_utc(f):%Y-%m-%d}",
                           la and f"{_utc(la):%Y-%m-%d}") for g, n, w, f, la in group_rows],
                         numeric=frozenset({1, 2}), wrap=frozenset({0}))
                   + (f'<p class="note">and {more:,} more.</p>' if more > 0 else "")
                   if group_rows else '<p class="empty">No articles yet.</p>')
    if group_rows and group_rows[0][1] == 1 and more > 0:  # a table of ones says nothing
        groups_html = (f'<p class="note">{len(group_rows) + more:,} {group_name}s, each with '
                       "one article.</p>")

    language_rows = q("SELECT coalesce(language, 'unknown') AS l, count(*) AS n FROM articles "
                      "GROUP BY ALL ORDER BY n DESC, l LIMIT 15").fetchall()

    def top(kind: str) -> list[tuple[str, float]]:
        return q("SELECT name, count(DISTINCT article_id) AS n FROM entities WHERE kind = ? "
                 "GROUP BY name ORDER BY n DESC, name LIMIT 12", [kind]).fetchall()

    quoted = q("SELECT speaker, count(*) AS n, count(DISTINCT article_id), "
               "arg_max(text, length(text)) FROM quotes_with_speakers "
               "WHERE speaker_kind = 'person' AND speaker IS NOT NULL "
               "GROUP BY speaker ORDER BY n DESC, speaker LIMIT 12").fetchall()
    quoted_html = bar_list(
        "Most-quoted people (quotes)", [(s, n) for s, n, _, _ in quoted],
        empty="No quotes with a named person yet.",
        details=[f"in {a} article{'s' if a != 1 else ''}: “{_shorten(t or '', 90)}”"
                 for _, _, a, t in quoted])

    run_rows = _hours(con, "SELECT floor(epoch(started_at) / 3600), status, count(*) FROM runs "
                           "WHERE started_at IS NOT NULL GROUP BY ALL")
    last_runs = q("SELECT started_at, flow, source, status, seen, loaded, updated, skipped, "
                  "rejected, finished_at FROM runs ORDER BY started_at DESC LIMIT 10").fetchall()
    runs_table = table(
        ["Started (UTC)", "Flow", "Source", "Status", "Seen", "Loaded", "Updated", "Skipped",
         "Rejected", "Took"],
        [(s, f, src, st, se, lo, up, sk, rj, _duration(s, fin))
         for s, f, src, st, se, lo, up, sk, rj, fin in last_runs],
        numeric=frozenset({4, 5, 6, 7, 8, 9})) if last_runs else ""
    reject_rows = _hours(con, "SELECT floor(epoch(rejected_at) / 3600), reason, count(*) "
                              "FROM rejects WHERE rejected_at IS NOT NULL GROUP BY ALL")
    reasons = q("SELECT reason, count(*) AS n, max(rejected_at), arg_max(detail, rejected_at) "
                "FROM rejects GROUP BY reason ORDER BY n DESC, reason").fetchall()
    reasons_table = table(["Reason", "Rejects", "Last", "Latest detail"],
                          [(r, n, la, _shorten(d or "", 140)) for r, n, la, d in reasons],
                          numeric=frozenset({1}), wrap=frozenset({3})) if reasons else ""

    sections = [
        ("summary", "<h2>At a glance</h2>" + summary),
        ("articles", articles_chart),
        ("groups", f"<h2>Articles per {group_name}</h2>" + groups_html),
        ("languages", "<h2>Languages</h2>" + bar_list(
            "Articles per detected language", language_rows, empty="No articles yet.")),
        ("entities", '<h2>Who and where</h2><div class="grid3">'
                     + bar_list("People (articles naming them)", top("person"))
                     + bar_list("Places (articles)", top("place"))
                     + bar_list("Organisations (articles)", top("organisation")) + "</div>"),
        ("quoted", "<h2>Quotes</h2>" + quoted_html),
        ("runs", time_chart("Runs by start time and status", run_rows, "runs", finest="day",
                            colours=STATUS_COLOURS) + runs_table),
        ("rejects", time_chart("Rejects by reason", reject_rows, "rejects", finest="day",
                                group_word="reason")
         + reasons_table),
    ]
    body = "".join(f'<section id="{i}">{html}</section>' for i, html in sections)
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>newsetl report: {escape(os.path.basename(path))}</title>"
            f"<style>{_CSS}</style></head><body><main><header><h1>newsetl report</h1>"
            f'<p class="meta">Warehouse <code>{escape(path)}</code> · generated '
            f'<time datetime="{generated:%Y-%m-%dT%H:%M:%SZ}">{generated:%Y-%m-%d %H:%M} UTC'
            f"</time></p></header>{body}</main></body></html>")
