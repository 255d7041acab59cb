"""Drawing :class:`~clustermap.reports.model.Chart` objects: plotly figures for the HTML report, matplotlib
figures for the PDF made without a browser. Both read the same data and options."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.reports.model import Chart

__all__ = ["matplotlib_figure", "plotly_figure", "plotly_html"]

#: the smallest text of a chart, CSS px: 11 px prints at 8.25 pt (1 px = 0.75 pt), the reports' minimum of 8 pt
MIN_FONT_PX = 11
#: the smallest text of a chart drawn with matplotlib, pt
MIN_FONT_PT = 8
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6b4c9a", "#7f7f7f"]
STAR_COLOURS = {0: "#c8c8c8", 1: "#9ecae1", 2: "#4292c6", 3: "#08306b"}
#: longitude / latitude window of the EU map (leaves out the outermost regions, which are still in the tables)
EUROPE_WINDOW = {"lon": (-25.0, 45.0), "lat": (34.0, 71.5)}


def _series(chart: Chart) -> list[tuple[str, pd.DataFrame]]:
    col = chart.options.get("series")
    if not col:
        return [("", chart.data)]
    return [(str(k), g) for k, g in chart.data.groupby(col, sort=False)]


def _axis_format(fig: Any, chart: Chart) -> None:
    o = chart.options
    fig.update_layout(
        xaxis_title=o.get("xlabel", chart.x if chart.kind != "barh" else o.get("xlabel", "")),
        yaxis_title=o.get("ylabel", chart.y if chart.kind != "barh" else ""),
    )
    if o.get("percent_x"):
        fig.update_xaxes(tickformat=".0%")
    if o.get("percent_y"):
        fig.update_yaxes(tickformat=".0%")
    if o.get("log_y"):  # a tick a decade: plotly's labels between decades (2, 5) are drawn at 6 pt
        fig.update_yaxes(type="log", dtick=1)


def plotly_figure(chart: Chart) -> Any:
    """A plotly figure for ``chart``."""
    import plotly.graph_objects as go

    o = chart.options
    d = chart.data
    fig = go.Figure()
    if chart.kind in ("bar", "barh"):
        horizontal = chart.kind == "barh"
        for i, (name, g) in enumerate(_series(chart)):
            colour = g[o["color"]].tolist() if o.get("color") in g.columns else PALETTE[i % len(PALETTE)]
            text = g[o["text"]].tolist() if o.get("text") in g.columns else None
            kw = {"x": g[chart.x], "y": g[chart.y]}
            fig.add_trace(
                go.Bar(
                    **kw,
                    name=name or chart.title,
                    orientation="h" if horizontal else "v",
                    marker_color=colour,
                    text=text,
                    textposition="auto" if text else None,
                    hovertext=g[o["hover"]] if o.get("hover") in g.columns else None,
                    showlegend=bool(name),
                )
            )
        labels = list(dict.fromkeys(d[chart.y if horizontal else chart.x]))
        if horizontal:
            fig.update_yaxes(autorange="reversed", automargin=True, categoryorder="array", categoryarray=labels)
        else:
            fig.update_xaxes(categoryorder="array", categoryarray=labels)
        fig.update_layout(barmode="stack" if o.get("stack") else "group")
    elif chart.kind == "hist":
        for i, (name, g) in enumerate(_series(chart)):
            mid = (g["bin_low"] + g["bin_high"]) / 2
            fig.add_trace(
                go.Bar(
                    x=mid,
                    y=g[chart.y or "count"],
                    width=(g["bin_high"] - g["bin_low"]) * 0.9,
                    name=name,
                    marker_color=PALETTE[i % len(PALETTE)],
                    opacity=0.85,
                    showlegend=bool(name),
                    hovertext=[
                        f"{lo:.0%}–{hi:.0%}" if o.get("percent_x") else f"{lo:g}–{hi:g}"
                        for lo, hi in zip(g["bin_low"], g["bin_high"], strict=True)
                    ],
                )
            )
        fig.update_layout(barmode="group", bargap=0.05)
    elif chart.kind == "scatter":
        label = o.get("label")
        for i, (name, g) in enumerate(_series(chart)):
            fig.add_trace(
                go.Scatter(
                    x=g[chart.x],
                    y=g[chart.y],
                    mode="markers",
                    name=name or "regions",
                    marker={"color": PALETTE[i % len(PALETTE)], "size": 7, "opacity": 0.75},
                    hovertext=g[o["hover"]] if o.get("hover") in g.columns else (g[label] if label else None),
                    showlegend=bool(name),
                )
            )
        hl = o.get("highlight")
        if hl and hl in d.columns and label:
            h = d[d[hl]]
            fig.add_trace(
                go.Scatter(
                    x=h[chart.x],
                    y=h[chart.y],
                    mode="text",
                    text=h[label],
                    textposition="top center",
                    textfont={"size": MIN_FONT_PX},
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        fit = o.get("fit")
        if fit and np.isfinite(fit.get("slope", np.nan)):
            xs = np.linspace(float(d[chart.x].min()), float(d[chart.x].max()), 50)
            ys = fit["intercept"] + fit["slope"] * xs
            if fit.get("log_y"):
                ys = 10**ys
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="OLS fit", line={"color": "#444", "dash": "dash"}))
    elif chart.kind == "heatmap":
        fig.add_trace(
            go.Heatmap(
                z=d.to_numpy(),
                x=[str(c) for c in d.columns],
                y=[str(i) for i in d.index],
                colorscale=o.get("colorscale", "Blues"),
                text=d.to_numpy(),
                texttemplate="%{text}",
                showscale=False,
            )
        )
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(type="category", side="top")
    elif chart.kind == "choropleth":
        value = o.get("value", chart.y)
        geo = o["geojson"]
        fig.add_trace(
            go.Choropleth(
                geojson=geo,
                featureidkey="id",
                locations=d[chart.x],
                z=d[value],
                colorscale=o.get("colorscale", "Blues"),
                marker_line_width=0.3,
                marker_line_color="#666",
                colorbar={"title": o.get("colorbar", value), "tickformat": ".0%" if o.get("percent") else None},
                hovertext=d[o["hover"]] if o.get("hover") in d.columns else d[chart.x],
                zmin=o.get("zmin"),
                zmax=o.get("zmax"),
            )
        )
        if o.get("scope") == "usa":
            fig.update_geos(visible=False, projection_type="albers usa")
        else:
            w = EUROPE_WINDOW
            fig.update_geos(
                visible=False, projection_type="mercator", lonaxis_range=list(w["lon"]), lataxis_range=list(w["lat"])
            )
        fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0})
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    if chart.kind not in ("heatmap", "choropleth"):
        _axis_format(fig, chart)
        for value, text in o.get("hlines", []):
            fig.add_hline(y=value, line_dash="dot", line_color="#b03a48", annotation_text=text)
        for value, text in o.get("vlines", []):
            fig.add_vline(x=value, line_dash="dot", line_color="#b03a48", annotation_text=text)
    elif chart.kind == "heatmap":
        fig.update_layout(xaxis_title=o.get("xlabel", ""), yaxis_title=o.get("ylabel", ""))
    fig.update_layout(
        title={"text": chart.title, "font": {"size": 14}},
        height=o.get("height", 420),
        template="plotly_white",
        margin=fig.layout.margin if chart.kind == "choropleth" else {"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": MIN_FONT_PX},
        # text inside bars keeps its size (plotly shrinks it to fit the bar by default, down to 6 pt)
        uniformtext={"minsize": MIN_FONT_PX, "mode": "show"},
    )
    return fig


def plotly_html(chart: Chart, div_id: str) -> str:
    """The chart as an HTML ``<div>`` plus the script that draws it (plotly.js is included once elsewhere)."""
    fig = plotly_figure(chart)
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False, "responsive": True}
    )


def matplotlib_figure(chart: Chart) -> Any:
    """A matplotlib figure for ``chart`` (the PDF without a browser)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter, PercentFormatter

    o = chart.options
    d = chart.data
    height = 6.5 if chart.kind in ("choropleth", "barh") else 4.2
    if chart.kind == "barh":  # room for every label at 8 pt
        height = max(height, 1.5 + 0.16 * d[chart.y].nunique())
    fig, ax = plt.subplots(figsize=(8.0, height))
    series = _series(chart)
    if chart.kind in ("bar", "barh"):
        stack = bool(o.get("stack"))
        n = 1 if stack else len(series)
        width = 0.8 / n
        labels = list(dict.fromkeys(d[chart.y if chart.kind == "barh" else chart.x].astype(str)))
        pos = {lab: i for i, lab in enumerate(labels)}
        base = np.zeros(len(labels))
        for i, (name, g) in enumerate(series):
            cats = g[chart.y if chart.kind == "barh" else chart.x].astype(str)
            vals = g[chart.x if chart.kind == "barh" else chart.y].astype("float64").to_numpy()
            idx = np.array([pos[c] for c in cats])
            at = idx + (0 if stack else (i - (n - 1) / 2) * width)
            start = base[idx] if stack else 0
            colour = g[o["color"]].tolist() if o.get("color") in g.columns else PALETTE[i % len(PALETTE)]
            if chart.kind == "barh":
                bars = ax.barh(at, vals, height=width, left=start, color=colour, label=name or None)
            else:
                bars = ax.bar(at, vals, width=width, bottom=start, color=colour, label=name or None)
            if o.get("text") in g.columns:
                ax.bar_label(bars, labels=g[o["text"]].astype(str).tolist(), fontsize=MIN_FONT_PT, padding=2)
            if stack:
                np.add.at(base, idx, vals)
        if chart.kind == "barh":
            ax.set_yticks(range(len(labels)), labels, fontsize=MIN_FONT_PT)
            ax.invert_yaxis()
        else:
            ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=MIN_FONT_PT)
    elif chart.kind == "hist":
        n = len(series)
        for i, (name, g) in enumerate(series):
            w = (g["bin_high"] - g["bin_low"]).to_numpy() / max(n, 1) * 0.9
            left = g["bin_low"].to_numpy() + i * w
            ax.bar(
                left,
                g[chart.y or "count"],
                width=w,
                align="edge",
                color=PALETTE[i % len(PALETTE)],
                label=name or None,
                alpha=0.85,
            )
    elif chart.kind == "scatter":
        for i, (name, g) in enumerate(series):
            ax.scatter(g[chart.x], g[chart.y], s=12, alpha=0.7, color=PALETTE[i % len(PALETTE)], label=name or None)
        hl, label = o.get("highlight"), o.get("label")
        if hl and label and hl in d.columns:
            for _, r in d[d[hl]].iterrows():
                ax.annotate(
                    str(r[label]),
                    (r[chart.x], r[chart.y]),
                    fontsize=MIN_FONT_PT,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        fit = o.get("fit")
        if fit and np.isfinite(fit.get("slope", np.nan)):
            xs = np.linspace(float(d[chart.x].min()), float(d[chart.x].max()), 50)
            ys = fit["intercept"] + fit["slope"] * xs
            ax.plot(xs, 10**ys if fit.get("log_y") else ys, "--", color="#444", label="OLS fit")
        if o.get("log_y"):  # plain numbers: the 10^n labels' exponents would print below 8 pt
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,g}"))
            ax.yaxis.set_minor_formatter(NullFormatter())
    elif chart.kind == "heatmap":
        m = d.to_numpy(dtype="float64")
        ax.imshow(m, cmap="Blues")
        ax.set_xticks(range(m.shape[1]), [str(c) for c in d.columns])
        ax.set_yticks(range(m.shape[0]), [str(i) for i in d.index])
        for (i, j), v in np.ndenumerate(m):
            ax.text(
                j, i, f"{v:,.0f}", ha="center", va="center", fontsize=8, color="white" if v > m.max() / 2 else "black"
            )
    elif chart.kind == "choropleth":
        _mpl_choropleth(ax, chart)
    if chart.kind not in ("heatmap", "choropleth"):
        if o.get("percent_x"):
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        if o.get("percent_y"):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        for value, text in o.get("hlines", []):
            ax.axhline(value, ls=":", color="#b03a48")
            ax.annotate(text, (0.99, value), xycoords=("axes fraction", "data"), ha="right", fontsize=MIN_FONT_PT)
        for value, text in o.get("vlines", []):
            ax.axvline(value, ls=":", color="#b03a48")
            ax.annotate(text, (value, 0.98), xycoords=("data", "axes fraction"), fontsize=MIN_FONT_PT, va="top")
        ax.set_xlabel(o.get("xlabel", "" if chart.kind == "barh" else (chart.x or "")))
        ax.set_ylabel(o.get("ylabel", "" if chart.kind == "barh" else (chart.y or "")))
        if any(name for name, _ in series) or o.get("fit"):
            ax.legend(fontsize=8)
    else:
        ax.set_xlabel(o.get("xlabel", ""))
        ax.set_ylabel(o.get("ylabel", ""))
    ax.set_title(chart.title, fontsize=10)
    fig.tight_layout()
    return fig


def _mpl_choropleth(ax: Any, chart: Chart) -> None:
    import matplotlib as mpl
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    o = chart.options
    d = chart.data
    values = dict(zip(d[chart.x].astype(str), d[o.get("value", chart.y)].astype("float64"), strict=False))
    finite = [v for v in values.values() if np.isfinite(v)]
    vmin = o.get("zmin", min(finite) if finite else 0.0)
    vmax = o.get("zmax", max(finite) if finite else 1.0)
    cmap = mpl.colormaps.get_cmap("Blues")
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1)
    patches, colours = [], []
    for f in o["geojson"]["features"]:
        geom = f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        v = values.get(str(f["id"]))
        colour = cmap(norm(v)) if v is not None and np.isfinite(v) else (0.92, 0.92, 0.92, 1.0)
        for poly in polys:
            patches.append(Polygon(np.asarray(poly[0]), closed=True))
            colours.append(colour)
    ax.add_collection(PatchCollection(patches, facecolor=colours, edgecolor="#666", linewidth=0.2))
    if o.get("scope") == "usa":
        ax.set_xlim(-125, -66)
        ax.set_ylim(24, 50)
    else:
        ax.set_xlim(*EUROPE_WINDOW["lon"])
        ax.set_ylim(*EUROPE_WINDOW["lat"])
    ax.set_aspect(1.5)
    ax.set_axis_off()
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(sm, ax=ax, shrink=0.6, label=o.get("colorbar", ""))
