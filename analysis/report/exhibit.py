"""Exhibits: what every chapter building block returns.

An exhibit is the HTML a report shows, the data it was made from and its charts. A notebook
displays it (``display(exhibit)``, or as the last expression of a cell): Jupyter renders
:meth:`Exhibit._repr_html_`, the same bytes the report shows. ``exhibit.data`` is a pandas
DataFrame of the figures behind it, ``exhibit.figure`` its matplotlib chart (None when it has
none; ``exhibit.figures`` when it has several).

The text form (``repr``) names the exhibit and the shape of its data, never its values: it is
stored in every executed notebook, including publication builds, where small counts must not
appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_HEADING = re.compile(r"<h[1-6][^>]*>(.*?)</h[1-6]>", re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, eq=False)
class Exhibit:
    """One exhibit: its HTML, the DataFrame behind it and its matplotlib figures."""

    html: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    figures: Sequence[Figure] = ()

    @property
    def figure(self) -> Figure | None:
        """The exhibit's chart (the first, if it has several), or None."""
        return self.figures[0] if self.figures else None

    @property
    def title(self) -> str:
        """The exhibit's first heading, as plain text ("" when it has none)."""
        match = _HEADING.search(self.html)
        return _TAG.sub("", match.group(1)).strip() if match else ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        rows, cols = self.data.shape
        charts = f", {len(self.figures)} figure{'s' if len(self.figures) != 1 else ''}"
        return f"<Exhibit {self.title!r}: data {rows} × {cols}{charts}>"


class DrawnOnDemand(Sequence["Figure"]):
    """An exhibit's figures, each drawn the first time it is asked for.

    A report embeds dozens of charts drawn in one reused figure (see
    :class:`analysis.chapters.charts.FunnelCanvas`); making each a figure of its own up front
    would double the cost of the notebook for figures most runs never look at. ``draw(i)``
    makes the i-th figure from the same inputs as the chart the report shows.
    """

    def __init__(self, count: int, draw: Callable[[int], Figure]) -> None:
        self._count = count
        self._draw = draw
        self._drawn: dict[int, Figure] = {}

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Figure: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Figure]: ...

    def __getitem__(self, index: int | slice) -> Figure | Sequence[Figure]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError(index)
        index %= self._count
        if index not in self._drawn:
            self._drawn[index] = self._draw(index)
        return self._drawn[index]


def combine(parts: Sequence[Exhibit | str], data: pd.DataFrame | None = None,
            figures: Sequence[Figure] = ()) -> Exhibit:
    """One exhibit from HTML fragments and other exhibits, in order.

    ``data`` defaults to the parts' data stacked (their columns aligned); the figures are
    ``figures`` followed by the parts' own.
    """
    html = "".join(p.html if isinstance(p, Exhibit) else p for p in parts)
    inner = [p for p in parts if isinstance(p, Exhibit)]
    if data is None:
        frames = [p.data for p in inner if not p.data.empty]
        data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    figs = (*figures, *(f for p in inner for f in p.figures))
    return Exhibit(html, data, tuple(figs))
