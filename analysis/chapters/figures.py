"""Charts as blocks of the report model: the drawing as SVG, its alternative text, its caption
and the numbers it draws.

SVG rather than PNG: sharp at any zoom and in print, searchable text, a third of the bytes, and
no rasterising. The caption says what the drawing means where it needs saying (hatched bars,
answers combined as "Other"), found in the figure itself so that no hatched chart goes
unexplained.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..report.model import Chart, Number, Text
from .numbers import constant
from .say import say
from .style import FIXED_LAYOUT, MAX_COLOURS, SMALL_N

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_svg(fig: Figure) -> bytes:
    """SVG bytes with fixed metadata, so that reruns are byte-identical.

    Ids inside the SVG are salted by ``svg.hashsalt`` and text is kept as text by
    ``svg.fonttype`` (both set in :mod:`analysis.chapters.style`). A tight bounding box costs a
    second drawing pass: every chart of the package sets its margins itself and says so in the
    figure's label; a figure of a researcher's own (an extra chapter's) is cropped to its
    content.
    """
    buffer = io.BytesIO()
    tight = None if fig.get_label() == FIXED_LAYOUT else "tight"
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches=tight)
    return buffer.getvalue()


def hatched(fig: Figure) -> bool:
    """True when any bar of the figure is hatched (drawn so because it rests on few cases)."""
    return any(p.get_hatch() for ax in fig.axes for p in ax.patches)


def chart(fig: Figure, alt: str, caption: Text, numbers: Sequence[Number] = (),
          combined: Sequence[str] = ()) -> Chart:
    """A chart block: ``caption`` followed by what the drawing means where it needs saying;
    ``numbers`` are the figures the chart draws (its bars' shares and bases)."""
    notes = []
    if hatched(fig):
        notes.append(say("common.hatched_bars", small_n=constant(SMALL_N)))
    if combined:
        notes.append(say("common.combined_answers", max_colours=constant(MAX_COLOURS),
                         count=constant(len(combined), "chart"), names=list(combined)))
    full = Text.of(caption, *(Text.of(" ", n) for n in notes))
    return Chart(figure_svg(fig), alt, full, tuple(numbers))
