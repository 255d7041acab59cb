"""PDF of a report: the HTML printed by headless Chromium when it is installed, otherwise a PDF drawn with
matplotlib from the same sections, charts and tables (it says so on its first page)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from clustermap.reports.model import Report

log = logging.getLogger(__name__)

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "html_to_pdf", "matplotlib_pdf", "write_pdf"]

#: flags for printing without a display, sandbox, GPU, network chatter or first-run UI
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=20000",
    "--no-pdf-header-footer",
    # the screen layout's content (760 - 2 x 32 px of padding = 696 px) fits the A4 portrait print width (186 mm =
    # 703 px): charts drawn at screen width print at 100 %. A wider window made Chromium shrink every page to fit
    # the charts (to 68 % at 1,200 px: 11 px text printed at 5.6 pt)
    "--window-size=760,1600",
)
_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: ``CLUSTERMAP_CHROMIUM`` if set (empty = none), else
    ``/usr/bin/chromium`` and the usual names; None when there is none."""
    from clustermap.settings import Settings

    env = Settings().chromium  # read afresh: a test or a caller may set CLUSTERMAP_CHROMIUM meanwhile
    if env is not None:
        return env if env and Path(env).exists() else None
    for c in _CANDIDATES:
        if Path(c).exists():
            return c
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str | Path, pdf: str | Path, *, chromium: str | None = None, timeout: float = 180) -> bool:
    """Print an HTML file to PDF with headless Chromium. Returns False (and logs why) when it fails."""
    exe = chromium or find_chromium()
    if exe is None:
        return False
    html = Path(html).resolve()
    pdf = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="clustermap-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", html.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("chromium could not print %s: %s", html, exc)
            return False
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        log.warning("chromium failed (exit %s): %s", done.returncode, done.stderr[-500:])
        return False
    return True


def matplotlib_pdf(report: Report, pdf: str | Path) -> Path:
    """A PDF of the report drawn with matplotlib: text, comparisons, every chart and the first rows of every
    table (all rows are in the CSV/XLSX files)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from clustermap.analyses import DEFINITIONS
    from clustermap.reports.charts import matplotlib_figure
    from clustermap.reports.render import format_table

    pdf = Path(pdf)
    pages = PdfPages(pdf)

    def text_page(lines: list[tuple[str, str]]) -> None:
        fig = plt.figure(figsize=(8.27, 11.69))
        y = 0.96
        for style, text in lines:
            size, weight, width = {
                "h1": (16, "bold", 70),
                "h2": (13, "bold", 85),
                "p": (9, "normal", 110),
                "small": (8, "normal", 120),
            }[style]
            for line in textwrap.wrap(text, width) or [""]:
                if y < 0.04:
                    pages.savefig(fig)
                    plt.close(fig)
                    fig = plt.figure(figsize=(8.27, 11.69))
                    y = 0.96
                fig.text(0.06, y, line, fontsize=size, weight=weight, va="top")
                y -= size / 11.69 / 72 * 1.5
            y -= 0.008
        pages.savefig(fig)
        plt.close(fig)

    head = [
        ("h1", report.title),
        ("p", report.subtitle),
        (
            "small",
            "This PDF was drawn with matplotlib because no Chromium browser was found to print the HTML "
            "report; it holds the same text, charts and tables (tables shortened; all rows are in the CSV "
            "and XLSX files). Set CLUSTERMAP_CHROMIUM or install chromium for the printed HTML.",
        ),
    ]
    head += [("small", f"Note: {n}") for n in report.notes]
    for c in report.meta.get("headline", []):
        head.append(("small", f"{c.statistic}: {c.ours} — reference: “{c.reference}” ({c.where})"))
    text_page(head)
    for s in report.sections:
        lines = [("h2", s.title)] + [("p", p) for p in s.paragraphs]
        for k in s.definitions:
            if k in DEFINITIONS:
                d = DEFINITIONS[k]
                lines.append(("small", f"{d.term}: {d.text}"))
        for c in s.comparisons:
            lines.append(("small", f"{c.statistic}: {c.ours}. Reference: “{c.reference}” ({c.where}). {c.why}"))
        lines += [("small", n) for n in s.notes]
        text_page(lines)
        for chart in s.charts:
            fig = matplotlib_figure(chart)
            pages.savefig(fig)
            plt.close(fig)
        for t in s.tables:
            for fig in _table_pages(format_table(t)):
                pages.savefig(fig)
                plt.close(fig)
    src = [("h2", "Data sources and provenance")]
    for s in report.sources:
        src.append(
            (
                "small",
                f"{s.get('name')}: {s.get('dataset')} — {s.get('file')} (sha256 {str(s.get('sha256'))[:16]}) "
                f"{s.get('detail', '')} {s.get('licence', '')}",
            )
        )
    text_page(src)
    pages.close()
    return pdf


#: the text of a table page drawn with matplotlib, pt (the reports' minimum), and the landscape A4 page, inches
TABLE_FONT_PT = 8
_LANDSCAPE = (11.69, 8.27)


def _wrap_cells(row: list[str], widths: list[int]) -> list[str]:
    return [
        "\n".join(textwrap.wrap(str(v), w, break_long_words=True) or [""]) for v, w in zip(row, widths, strict=True)
    ]


def _table_pages(ft: dict[str, Any]) -> list[Any]:
    """Landscape A4 pages drawing a formatted table (:func:`~clustermap.reports.render.format_table`) at
    :data:`TABLE_FONT_PT`: cells wrapped, the columns split over pages (the first column repeated) when they do
    not fit across, and the rows over pages when they do not fit down; no text is shrunk or cut at the edge."""
    import matplotlib.pyplot as plt

    headers, rows = ft["headers"], ft["rows"][:30]
    char_pt, line_pt = 0.6 * TABLE_FONT_PT, 1.35 * TABLE_FONT_PT  # a DejaVu Sans character's width, a line
    usable_w, usable_h = (_LANDSCAPE[0] - 0.8) * 72, (_LANDSCAPE[1] - 1.2) * 72
    # a column's width in characters: its longest cell, at most 40 (then wrapped), at least its header's longest word
    width = [
        max(min(40, max([len(str(r[i])) for r in rows] + [len(headers[i])])), *(len(w) for w in headers[i].split()), 4)
        for i in range(len(headers))
    ]
    groups: list[list[int]] = []
    for i in range(1, len(headers)) if len(headers) > 1 else [0]:
        if groups and sum(width[j] + 2 for j in [0, *groups[-1], i]) * char_pt <= usable_w:
            groups[-1].append(i)
        else:
            groups.append([i])
    figures = []
    for g, group in enumerate(groups):
        cols = [0, *group] if group != [0] else [0]
        w = [width[i] for i in cols]
        head = _wrap_cells([headers[i] for i in cols], w)
        body = [_wrap_cells([r[i] for i in cols], w) for r in rows]
        lines = [max(c.count("\n") + 1 for c in row) for row in [head, *body]]
        start = 1
        while start <= len(body) or (not body and start == 1):
            stop, used = start, lines[0]
            while stop <= len(body) and (used + lines[stop]) * line_pt * 1.1 <= usable_h - 2 * line_pt:
                used += lines[stop]
                stop += 1
            stop = max(stop, start + 1)
            fig = plt.figure(figsize=_LANDSCAPE)
            ax = fig.add_axes((0.4 / _LANDSCAPE[0], 0.4 / _LANDSCAPE[1], usable_w / 72 / _LANDSCAPE[0], 0.85))
            ax.set_axis_off()
            part = f" (columns {g + 1} of {len(groups)})" if len(groups) > 1 else ""
            ax.set_title(ft["title"] + part, fontsize=TABLE_FONT_PT + 1, loc="left")
            chunk = body[start - 1 : stop - 1]
            if chunk:
                tab = ax.table(
                    cellText=chunk,
                    colLabels=head,
                    loc="upper left",
                    cellLoc="left",
                    colWidths=[(x + 2) * char_pt / usable_w for x in w],
                )
                tab.auto_set_font_size(False)
                tab.set_fontsize(TABLE_FONT_PT)
                row_lines = [lines[0], *lines[start:stop]]
                for (r, _c), cell in tab.get_celld().items():
                    cell.set_height(row_lines[r] * line_pt * 1.1 / (0.85 * _LANDSCAPE[1] * 72))
            figures.append(fig)
            start = stop
            if not body:
                break
    return figures


def write_pdf(report: Report, html_path: str | Path, pdf_path: str | Path, *, chromium: Any = "auto") -> str:
    """Write the report's PDF: Chromium printing ``html_path`` when available (``chromium="auto"`` or a path),
    else matplotlib (``chromium=None`` forces it). Returns the method used: ``chromium`` or ``matplotlib``."""
    exe = find_chromium() if chromium == "auto" else chromium
    if exe and html_to_pdf(html_path, pdf_path, chromium=exe):
        return "chromium"
    log.warning("no Chromium to print the HTML report: drawing the PDF with matplotlib instead")
    matplotlib_pdf(report, pdf_path)
    return "matplotlib"
