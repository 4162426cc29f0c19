"""Accessible, deterministic HTML fragments for notebook outputs: tables, figures, notes.

Written by hand rather than with pandas' Styler because Styler adds random ids (which break
byte-identical reruns) and no caption/scope markup; every text from data is escaped here.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from ..report.format import NOT_APPLICABLE, interval, pct
from .style import FIXED_LAYOUT

__all__ = ["NOT_APPLICABLE", "escape", "figure", "heading", "interval", "note", "paragraph",
           "pct", "slug", "table"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure



def slug(text: str) -> str:
    """A stable anchor id from heading text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def heading(text: str, level: int, anchor: str) -> str:
    return f'<h{level} id="{escape(anchor)}">{escape(text)}</h{level}>'


def paragraph(text: str, cls: str | None = None) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def table(
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    row_headers: bool = True,
    notes: Sequence[str] = (),
    numeric: Sequence[int] = (),
) -> str:
    """A table with a caption, column header cells and (by default) row header cells.

    Numeric columns are right-aligned, header included. An empty top-left header (the corner
    above row headers) is written as an empty data cell: an empty header cell names nothing.
    """
    head_cells = []
    for i, c in enumerate(columns):
        if not str(c).strip():
            head_cells.append("<td></td>")
            continue
        cls = ' class="num"' if i in numeric else ""
        head_cells.append(f'<th scope="col"{cls}>{escape(str(c))}</th>')
    head = "".join(head_cells)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = escape(str(value))
            cls = ' class="num"' if i in numeric else ""
            if i == 0 and row_headers:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    foot = "".join(f"<p class=\"note\">{escape(n)}</p>" for n in notes)
    return (f'<table class="data"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}")


def figure_svg(fig: Figure) -> bytes:
    """SVG bytes with fixed metadata, so that reruns are byte-identical.

    SVG rather than PNG: sharp at any zoom and in print, searchable text, a third of the bytes,
    and no rasterising (drawing a chart became about a quarter cheaper). Ids inside the SVG
    are salted by ``svg.hashsalt`` and text is kept as text by ``svg.fonttype`` (both set in
    :mod:`analysis.chapters.style`).
    """
    buffer = io.BytesIO()
    # A tight bounding box costs a second drawing pass: every chart of the package sets its
    # margins itself and says so in the figure's label; a figure of a researcher's own (an
    # extra chapter's) is cropped to its content.
    tight = None if fig.get_label() == FIXED_LAYOUT else "tight"
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches=tight)
    return buffer.getvalue()


def hatched(fig: Figure) -> bool:
    """True when any bar of the figure is hatched (drawn so because it rests on few cases)."""
    return any(p.get_hatch() for ax in fig.axes for p in ax.patches)


def figure(fig: Figure, alt: str, caption: str, combined: Sequence[str] = ()) -> str:
    """An inline figure with alternative text stating what it shows, and a caption.

    The caption then says what the chart's drawing means where it needs saying, in the words
    of ``templates/figure_notes.html.j2``: hatched bars (found in the figure itself, so no
    hatched chart goes unexplained) and the answers ``combined`` into one "Other" bar.
    """
    data = base64.b64encode(figure_svg(fig)).decode("ascii")
    notes = ""
    has_hatching = hatched(fig)
    if combined or has_hatching:
        from .style import MAX_COLOURS, SMALL_N
        from .templating import render  # Jinja2 only for a figure that needs a note
        notes = " " + render("figure_notes.html.j2", hatched=has_hatching, small_n=SMALL_N,
                             combined=list(combined), max_colours=MAX_COLOURS)
    return (f'<figure class="chart"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{escape(alt)}"><figcaption>{escape(caption)}{notes}</figcaption></figure>')
