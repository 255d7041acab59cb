"""Charts of the web pages as inline SVG, drawn on the server (no chart library, no JavaScript needed).

Every chart has ``role="img"``, a ``<title>`` and a ``<desc>`` that says in words what it shows; the page puts the
same numbers in a table next to it (the text alternative), and each table can be downloaded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

from clustermap.web.api.tables import STAR_COLOURS
from clustermap.web.stars import star_colours

__all__ = ["bar_chart", "change_chart", "format_value", "line_chart", "lq_chart", "multi_line_chart"]

_FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'
_INK = "#1b1b1b"
_GRID = "#d0d0d0"


def _axis(vmax: float, n: int = 5) -> tuple[float, list[float]]:
    """A round top and ticks for values up to ``vmax``: at most ``n`` steps of 1, 2, 2.5 or 5 × 10^k."""
    if not vmax > 0:
        return 1.0, [0.0, 0.5, 1.0]
    raw = vmax / n
    k = 10 ** math.floor(math.log10(raw))
    step = next(m * k for m in (1, 2, 2.5, 5, 10) if m * k >= raw - 1e-12)
    count = math.ceil(vmax / step - 1e-9)
    return count * step, [round(i * step, 10) for i in range(count + 1)]


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" class="chart" id="{ident}" {_FONT} font-size="12">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def lq_chart(
    rows: Sequence[dict[str, Any]], *, title: str, ident: str = "lq-chart", threshold: float = 2.0, of: int = 3
) -> Markup:
    """Horizontal bars of the location quotient per category, coloured by stars (0 … ``of``: 3, or 5 for a
    panorama run), with the specialisation threshold (LQ = 2) and the national-average line (LQ = 1) marked.

    ``rows``: dicts with ``category_name``, ``lq`` and optionally ``stars``, sorted as they should appear.
    """
    rows = [r for r in rows if r.get("lq") is not None and math.isfinite(float(r["lq"]))]
    label_w, value_w, bar_w, row_h, top_pad = 290, 48, 400, 18, 34
    width = label_w + bar_w + value_w + 20
    height = top_pad + row_h * max(1, len(rows)) + 34
    vmax = max([threshold * 1.25, *[float(r["lq"]) for r in rows]])
    top, ticks = _axis(vmax)

    def x(v: float) -> float:
        return label_w + bar_w * min(v, top) / top

    body = []
    for tick in ticks:
        body.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top_pad - 6}" y2="{height - 28}" stroke="{_GRID}"/>'
        )
        body.append(f'<text x="{x(tick):.1f}" y="{height - 14}" text-anchor="middle" fill="{_INK}">{tick:g}</text>')
    for i, r in enumerate(rows):
        y = top_pad + i * row_h
        lq = float(r["lq"])
        stars = int(r.get("stars") or 0)
        fill = star_colours(of)[min(max(stars, 0), of)]
        full = str(r.get("category_name") or r.get("category"))
        name = escape(full)
        short = escape(full if len(full) <= 44 else full[:42] + "…")
        body.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{_INK}">{short}</text>')
        body.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(0.5, x(lq) - label_w):.1f}" height="{row_h - 6}" '
            f'fill="{fill}" stroke="#555" stroke-width="0.6"><title>{name}: LQ {lq:.2f}, {stars} star(s)</title></rect>'
        )
        body.append(f'<text x="{x(lq) + 4:.1f}" y="{y + 13}" fill="{_INK}">{lq:.2f}</text>')
    for v, label, dash in (
        (1.0, "average of all regions (LQ 1)", "2 3"),
        (threshold, f"specialisation (LQ {threshold:g})", "6 3"),
    ):
        body.append(
            f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top_pad - 8}" y2="{height - 28}" stroke="{_INK}" '
            f'stroke-width="1.2" stroke-dasharray="{dash}"/>'
        )
        ty = top_pad - 12 if v == threshold else top_pad - 22
        body.append(f'<text x="{x(v) + 3:.1f}" y="{ty}" fill="{_INK}" font-size="11">{label}</text>')
    above = [r for r in rows if float(r["lq"]) >= threshold]
    desc = (
        f"Location quotients of {len(rows)} categories; {len(above)} at or above {threshold:g} (specialisation star)"
        + (
            f"; highest: {max(rows, key=lambda r: float(r['lq']))['category_name']} "
            f"({max(float(r['lq']) for r in rows):.2f})."
            if rows
            else "."
        )
    )
    return _svg(width, height, title, desc, body, ident)


def change_chart(rows: Sequence[dict[str, Any]], *, title: str, ident: str = "change-chart") -> Markup:
    """Stacked bars per year: clusters with 1, 2 and 3 stars (1 … 5 for a panorama run; or strong clusters for
    the US rule)."""
    keys = [k for k in (f"clusters_{s}_star" for s in range(1, 6)) if rows and k in rows[0]]
    colours = star_colours(len(keys))[1:]
    if not keys:
        keys, colours = ["strong_clusters"], (STAR_COLOURS[2],)
    width, height, left, bottom, top_pad = 560, 230, 40, 40, 30
    n = max(1, len(rows))
    slot = (width - left - 10) / n
    vmax = max([1, *[sum(int(r.get(k) or 0) for k in keys) for r in rows]])
    top, ticks = _axis(vmax)

    def y(v: float) -> float:
        return height - bottom - (height - bottom - top_pad) * v / top

    body = []
    for tick in ticks:
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{_GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{_INK}">{tick:g}</text>')
    for i, r in enumerate(rows):
        x0 = left + i * slot + slot * 0.18
        w = slot * 0.64
        base = 0.0
        for k, c in zip(keys, colours, strict=False):
            v = int(r.get(k) or 0)
            if v:
                body.append(
                    f'<rect x="{x0:.1f}" y="{y(base + v):.1f}" width="{w:.1f}" height="{y(base) - y(base + v):.1f}" '
                    f'fill="{c}" stroke="#555" stroke-width="0.5"/>'
                )
            base += v
        cx = x0 + w / 2
        body.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{_INK}">{r["year"]}</text>'
        )
        ty = y(base) - 4
        body.append(
            f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle" fill="{_INK}" font-size="11">{int(base)}</text>'
        )
    lx = left
    for k, c in zip(keys, colours, strict=False):
        label = k.replace("clusters_", "").replace("_", " ").replace("strong clusters", "strong")
        body.append(f'<rect x="{lx}" y="8" width="12" height="12" fill="{c}" stroke="#555" stroke-width="0.5"/>')
        body.append(f'<text x="{lx + 16}" y="18" fill="{_INK}">{escape(label)}</text>')
        lx += 90
    desc = "Clusters per year: " + "; ".join(
        f"{r['year']}: "
        + ", ".join(f"{int(r.get(k) or 0)} {k.replace('clusters_', '').replace('_', ' ')}" for k in keys)
        for r in rows
    )
    return _svg(width, height, title, desc, body, ident)


def line_chart(
    rows: Sequence[dict[str, Any]], key: str, *, title: str, label: str, ident: str, percent: bool = False
) -> Markup:
    """A line of ``key`` over ``year`` (e.g. a category's share of employment in strong clusters)."""
    pts = [(int(r["year"]), float(r[key])) for r in rows if r.get(key) is not None and math.isfinite(float(r[key]))]
    width, height, left, bottom, top_pad = 560, 200, 56, 36, 20
    body: list[str] = []
    if not pts:
        return _svg(width, height, title, f"No values of {label}.", body, ident)
    scale = 100.0 if percent else 1.0
    vmax = max(v for _, v in pts) * scale
    top, ticks = _axis(vmax * 1.05 if vmax > 0 else 1)
    years = [p[0] for p in pts]
    x0, x1 = min(years), max(years)

    def x(year: int) -> float:
        return left + 24 + (width - left - 48) * ((year - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def y(v: float) -> float:
        return height - bottom - (height - bottom - top_pad) * v * scale / top

    for tick in ticks:
        yy = height - bottom - (height - bottom - top_pad) * tick / top
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{_GRID}"/>')
        tl = f"{tick:g} %" if percent else f"{tick:,.0f}" if tick >= 100 else f"{tick:g}"
        body.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="{_INK}">{tl}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(yr):.1f},{y(v):.1f}" for i, (yr, v) in enumerate(pts))
    body.append(f'<path d="{path}" fill="none" stroke="#31688e" stroke-width="2.5"/>')
    for yr, v in pts:
        shown = f"{v * 100:.1f} %" if percent else f"{v:,.0f}"
        body.append(
            f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3.5" fill="#31688e"><title>{yr}: {shown}</title></circle>'
        )
        body.append(f'<text x="{x(yr):.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="{_INK}">{yr}</text>')
    desc = f"{label} by year: " + "; ".join(f"{yr}: {v * 100:.1f} %" if percent else f"{yr}: {v:,.0f}" for yr, v in pts)
    return _svg(width, height, title, desc, body, ident)


#: colours of the series of a multi-line chart (viridis-like, distinguishable, 10 regions at most)
SERIES_COLOURS = (
    "#31688e",
    "#e66101",
    "#1b7837",
    "#762a83",
    "#b2182b",
    "#35978f",
    "#8c510a",
    "#4d4d4d",
    "#c51b7d",
    "#2166ac",
)


def format_value(value: float | None, kind: str) -> str:
    """A number formatted by kind: ``persons`` (thousands separated), ``percent`` (a growth fraction shown as
    signed %), ``share`` (a fraction 0–1 shown as %), ``index`` (two decimals), ``eur`` (EUR, thousands
    separated), ``count``; ``None`` → "not available" (never 0)."""
    if value is None or not math.isfinite(value):
        return "not available"
    if kind == "percent":
        return f"{value * 100:+.1f} %"
    if kind == "share":
        return f"{value * 100:.0f} %"
    if kind == "index":
        return f"{value:.2f}"
    if kind == "eur":
        return f"EUR {value:,.0f}"
    return f"{value:,.0f}"


def _tick_label(v: float, kind: str) -> str:
    if kind in ("percent", "share"):
        return f"{v * 100:g} %"
    if kind == "index":
        return f"{v:g}"
    if abs(v) >= 1e6:
        return f"{v / 1e6:g} M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:g} k"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}"


def _range_axis(lo: float, hi: float) -> tuple[float, float, list[float]]:
    """Round bounds and ticks for values in [lo, hi] (including 0)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = hi - lo if hi > lo else 1.0
    _, ticks = _axis(span)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else span
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step if hi > 0 else 0.0
    if end <= start:
        end = start + step
    n = round((end - start) / step)
    return start, end, [round(start + i * step, 10) for i in range(n + 1)]


def multi_line_chart(
    series: dict[str, Sequence[tuple[int, float | None]]], *, title: str, label: str, ident: str, kind: str = "persons"
) -> Markup:
    """One line per series over the years; a missing value (``None``) breaks the line and is named in the
    description (never drawn as 0). ``kind``: ``persons``, ``percent``, ``eur`` or ``count``."""
    width, left, bottom, top_pad = 640, 64, 36, 16
    legend_rows = math.ceil(len(series) / 3) if len(series) > 1 else 0
    height = 230 + 18 * legend_rows + (10 if legend_rows else 0)
    plot_bottom = height - bottom - 18 * legend_rows - (10 if legend_rows else 0)
    body: list[str] = []
    values = [v for pts in series.values() for _, v in pts if v is not None and math.isfinite(v)]
    years = sorted({yr for pts in series.values() for yr, _ in pts})
    if not values or not years:
        return _svg(width, height, title, f"No values of {label}: not available.", body, ident)
    lo, hi, ticks = _range_axis(min(values), max(values))
    x0, x1 = years[0], years[-1]

    def x(year: int) -> float:
        return left + 24 + (width - left - 48) * ((year - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def y(v: float) -> float:
        return plot_bottom - (plot_bottom - top_pad) * (v - lo) / (hi - lo)

    for tick in ticks:
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="{_GRID}"/>')
        tl = _tick_label(tick, kind)
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{_INK}">{tl}</text>')
    if lo < 0 < hi:
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="{_INK}"/>')
    for yr in years:
        body.append(f'<text x="{x(yr):.1f}" y="{plot_bottom + 16}" text-anchor="middle" fill="{_INK}">{yr}</text>')
    desc_parts = []
    for i, (name, pts) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        segments: list[list[tuple[int, float]]] = [[]]
        for yr, v in pts:
            if v is None or not math.isfinite(v):
                segments.append([])
            else:
                segments[-1].append((yr, v))
        for seg in segments:
            if len(seg) > 1:
                d = " ".join(f"{'M' if j == 0 else 'L'}{x(yr):.1f},{y(v):.1f}" for j, (yr, v) in enumerate(seg))
                body.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.2"/>')
            for yr, v in seg:
                body.append(
                    f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3.2" fill="{colour}">'
                    f"<title>{escape(name)}, {yr}: {escape(format_value(v, kind))}</title></circle>"
                )
        if len(series) > 1:
            lx = left + (i % 3) * 190
            ly = plot_bottom + 40 + 18 * (i // 3)
            short = name if len(name) <= 26 else name[:25] + "…"
            body.append(f'<rect x="{lx}" y="{ly - 10}" width="14" height="4" fill="{colour}"/>')
            body.append(f'<text x="{lx + 18}" y="{ly - 5}" fill="{_INK}">{escape(short)}</text>')
        desc_parts.append(f"{name}: " + ", ".join(f"{yr} {format_value(v, kind)}" for yr, v in pts))
    desc = f"{label} by year. " + "; ".join(desc_parts) + "."
    return _svg(width, height, title, desc, body, ident)


def bar_chart(
    rows: Sequence[tuple[str, float | None]], *, title: str, label: str, ident: str, kind: str = "persons"
) -> Markup:
    """Horizontal bars, one per label; a missing value is written "not available" instead of a bar (never 0)."""
    label_w, bar_w, value_w, row_h, top_pad = 230, 300, 110, 20, 10
    width = label_w + bar_w + value_w
    height = top_pad + row_h * max(1, len(rows)) + 30
    known = [v for _, v in rows if v is not None and math.isfinite(v)]
    lo, hi, ticks = _range_axis(min(known, default=0.0), max(known, default=1.0))
    body: list[str] = []

    def x(v: float) -> float:
        return label_w + bar_w * (v - lo) / (hi - lo)

    for tick in ticks:
        body.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{top_pad}" y2="{height - 26}" stroke="{_GRID}"/>')
        tl = _tick_label(tick, kind)
        body.append(f'<text x="{x(tick):.1f}" y="{height - 12}" text-anchor="middle" fill="{_INK}">{tl}</text>')
    for i, (name, v) in enumerate(rows):
        yy = top_pad + i * row_h
        short = name if len(name) <= 30 else name[:29] + "…"
        body.append(f'<text x="{label_w - 6}" y="{yy + 14}" text-anchor="end" fill="{_INK}">{escape(short)}</text>')
        if v is None or not math.isfinite(v):
            body.append(f'<text x="{x(0) + 4:.1f}" y="{yy + 14}" fill="#555" font-style="italic">not available</text>')
            continue
        a, b = sorted((x(0), x(v)))
        body.append(
            f'<rect x="{a:.1f}" y="{yy + 4}" width="{max(0.5, b - a):.1f}" height="{row_h - 8}" fill="#31688e">'
            f"<title>{escape(name)}: {escape(format_value(v, kind))}</title></rect>"
        )
        body.append(f'<text x="{b + 4:.1f}" y="{yy + 14}" fill="{_INK}">{escape(format_value(v, kind))}</text>')
    desc = f"{label}: " + "; ".join(f"{n} {format_value(v, kind)}" for n, v in rows) + "."
    return _svg(width, height, title, desc, body, ident)
