"""Charts as blocks of the report model: the drawing as SVG, its alternative text, its caption
and the numbers it draws.

SVG rather than PNG: sharp at any zoom and in print, searchable text, a third of the bytes, and
no rasterising. The caption says what the drawing means where it needs saying (hatched bars,
answers combined as "Other"), found in the figure itself so that no hatched chart goes
unexplained.
"""

from __future__ import annotations

import io
import re
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
    return _compact(buffer.getvalue())


def _compact(svg: bytes) -> bytes:
    """The same drawing in fewer bytes: coordinates to a hundredth of a point, no indentation,
    and a marker's style once on its definition rather than on each of its uses (a chart of
    200 areas' dots is then half the size)."""
    svg = _INDENT.sub(b"\n<", _TAG.sub(_rounded, svg))
    styles: dict[bytes, set[bytes]] = {}
    for ref, css in _USE.findall(svg):
        styles.setdefault(ref, set()).add(css)
    for ref, found in styles.items():
        uses = re.compile(rb'(<use xlink:href="#' + ref + rb'" x="[^"]*" y="[^"]*") style="[^"]*"')
        marker = re.compile(rb'(<path id="' + ref + rb'" d="[^"]*")( style="([^"]*)")?')
        match = marker.search(svg)
        if len(found) != 1 or match is None or \
                svg.count(b'"#' + ref + b'"') != len(uses.findall(svg)):
            continue  # uses of several styles, or some without: left as they are
        # the marker's own style wins over what its uses passed on: it goes last
        merged = found.pop() + (b"; " + match.group(3) if match.group(3) else b"")
        svg = svg[:match.start()] + match.group(1) + b' style="' + merged + b'"' + \
            svg[match.end():]
        svg = uses.sub(rb"\1", svg)
    return svg


_INDENT = re.compile(rb"\n +<")
_USE = re.compile(rb'<use xlink:href="#(m[0-9a-f]+)" x="[^"]*" y="[^"]*" style="([^"]*)"')


#: A tag of the SVG (its attributes: coordinates, paths, styles), never the text between tags.
_TAG = re.compile(rb"<[^>]+>")
#: A number with more than two decimals (matplotlib writes six), not part of a name or colour.
_LONG = re.compile(rb"(?<![\w#.])(-?\d+\.\d\d)\d+")


def _rounded(tag: re.Match[bytes]) -> bytes:
    """A tag's coordinates to a hundredth of a point: far finer than any screen or printer
    shows, and a fifth fewer bytes for a chart of many dots."""
    return _LONG.sub(rb"\1", tag.group(0))


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
