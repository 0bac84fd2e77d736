"""A one-page HTML report of the warehouse: self-contained, charts as inline SVG.

No plotting library: a handful of bar charts are a few lines of SVG, and the
file opens in any browser without network access.
"""

from __future__ import annotations

from html import escape

import duckdb

_PALETTE = ("#3367d6", "#e8710a", "#1e8e3e", "#d93025", "#9334e6", "#12b5cb", "#f9ab00")


def bar_chart(title: str, rows: list[tuple[str, float]], width: int = 640) -> str:
    """A horizontal bar chart as an SVG element (one bar per (label, value))."""
    if not rows:
        return f"<h2>{escape(title)}</h2><p class=empty>no data yet</p>"
    bar, gap, label_w = 18, 6, 200
    top = max(v for _, v in rows) or 1
    height = len(rows) * (bar + gap)
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(title)}">']
    for i, (label, value) in enumerate(rows):
        y = i * (bar + gap)
        w = max(1, int((width - label_w - 60) * value / top))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(str(label))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar}" fill="{_PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 13}">{value:g}</text>')
    parts.append("</svg>")
    return f"<h2>{escape(title)}</h2>" + "".join(parts)


def stacked_days(title: str, rows: list[tuple[str, str, int]], width: int = 900) -> str:
    """Articles per day, one colour per source, as stacked columns."""
    if not rows:
        return f"<h2>{escape(title)}</h2><p class=empty>no data yet</p>"
    days = sorted({d for d, _, _ in rows})
    sources = sorted({s for _, s, _ in rows})
    totals = {d: sum(n for dd, _, n in rows if dd == d) for d in days}
    plot_h, col = 220, max(2, min(40, (width - 60) // len(days)))
    top = max(totals.values())
    parts = [f'<svg width="{width}" height="{plot_h + 60}" role="img" '
             f'aria-label="{escape(title)}">']
    for i, day in enumerate(days):
        y = plot_h
        for j, source in enumerate(sources):
            n = sum(c for d, s, c in rows if d == day and s == source)
            h = int(plot_h * n / top)
            y -= h
            parts.append(f'<rect x="{40 + i * col}" y="{y}" width="{col - 1}" height="{h}" '
                         f'fill="{_PALETTE[j % len(_PALETTE)]}"><title>{escape(day)} '
                         f'{escape(source)}: {n}</title></rect>')
    parts.append(f'<text x="0" y="12">{top}</text><text x="40" y="{plot_h + 16}">'
                 f'{escape(days[0])}</text><text x="{width - 90}" y="{plot_h + 16}">'
                 f'{escape(days[-1])}</text>')
    for j, source in enumerate(sources):
        parts.append(f'<rect x="{40 + j * 150}" y="{plot_h + 30}" width="12" height="12" '
                     f'fill="{_PALETTE[j % len(_PALETTE)]}"/><text x="{56 + j * 150}" '
                     f'y="{plot_h + 41}">{escape(source)}</text>')
    parts.append("</svg>")
    return f"<h2>{escape(title)}</h2>" + "".join(parts)


def render_report(con: duckdb.DuckDBPyConnection) -> str:
    """The report as one HTML document."""
    articles, sources = con.execute(
        "SELECT count(*), count(DISTINCT source) FROM articles").fetchone()
    days = [(str(d), s, n) for d, s, n in con.execute(
        "SELECT day, source, articles FROM daily_counts ORDER BY day, source").fetchall()]

    def top(kind: str) -> list[tuple[str, float]]:
        return con.execute(
            "SELECT name, count(DISTINCT article_id) AS n FROM entities WHERE kind = ? "
            "GROUP BY name ORDER BY n DESC, name LIMIT 15", [kind]).fetchall()

    failures = con.execute(
        "SELECT reason, count(*) FROM rejects GROUP BY reason ORDER BY 2 DESC, 1").fetchall()
    body = "".join([
        f"<p>{articles} articles from {sources} sources.</p>",
        stacked_days("Articles per day per source", days),
        bar_chart("Top people (articles mentioning them)", top("person")),
        bar_chart("Top places", top("place")),
        bar_chart("Extraction failures by reason", failures),
    ])
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>newsetl report"
            "</title><style>body{font:14px sans-serif;margin:2em}svg text{font:12px sans-serif}"
            ".empty{color:#888}</style></head><body><h1>newsetl warehouse</h1>"
            f"{body}</body></html>")
