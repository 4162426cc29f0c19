"""Exhibits: what every chapter building block returns.

An exhibit is a piece of the report model (:mod:`analysis.report.model`: headings,
paragraphs, tables, charts with every number they print), the data it was made from and its
charts. A notebook displays it (``display(exhibit)``, or as the last expression of a cell):
Jupyter shows its HTML, rendered from the model (:mod:`analysis.report.html`), and the
executed notebook also keeps the exhibit's numbers with their lineage (:data:`NUMBERS_MIME`),
which the build gathers into the report's ``figures.json``. ``exhibit.data`` is a pandas
DataFrame of the figures behind it, ``exhibit.figure`` its matplotlib chart (None when it has
none; ``exhibit.figures`` when it has several).

The text form (``repr``) names the exhibit and the shape of its data, never its values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

import pandas as pd

from .model import (
    NUMBERS_MIME,
    Block,
    Chart,
    Heading,
    Number,
    Printed,
    block_numbers,
    numbers_text,
)

__all__ = ["NUMBERS_MIME", "DrawnOnDemand", "Exhibit", "combine"]

if TYPE_CHECKING:
    from matplotlib.figure import Figure



@dataclass(frozen=True, eq=False)
class Exhibit:
    """One exhibit: its blocks, the DataFrame behind it and its matplotlib figures."""

    blocks: tuple[Block, ...] = ()
    data: pd.DataFrame = field(default_factory=pd.DataFrame)
    figures: Sequence[Figure] = ()

    def __post_init__(self) -> None:
        """In a publication build every number passes the lineage rule here, whoever made
        it (:mod:`analysis.report.guard`)."""
        from .guard import blocks

        object.__setattr__(self, "blocks", blocks(tuple(self.blocks)))

    @property
    def figure(self) -> Figure | None:
        """The exhibit's chart (the first, if it has several), or None."""
        return self.figures[0] if self.figures else None

    @property
    def title(self) -> str:
        """The exhibit's first heading ("" when it has none)."""
        return next((b.text for b in self.blocks if isinstance(b, Heading)), "")

    @cached_property
    def html(self) -> str:
        """The exhibit as the report shows it."""
        from .html import render

        return render(self.blocks)

    def numbers(self) -> Iterator[Number]:
        """Every number the exhibit prints, in reading order."""
        for b in self.blocks:
            yield from block_numbers(b)

    def printed(self) -> list[Printed]:
        """Every number as printed, with its lineage (hidden ones without their value), in
        reading order; a chart's own numbers (drawn in its picture) come after its caption's
        and are marked as a chart's."""
        out = []
        for b in self.blocks:
            drawn = set(map(id, b.numbers)) if isinstance(b, Chart) else set()
            out += [Printed.of(self.title, n, id(n) in drawn) for n in block_numbers(b)]
        return out

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None
                          ) -> dict[str, Any]:
        return {"text/html": self.html, NUMBERS_MIME: numbers_text(
            {"exhibit": self.title, "numbers": [p.as_json() for p in self.printed()]})}

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


def combine(parts: Sequence[Exhibit | Block], data: pd.DataFrame | None = None,
            figures: Sequence[Figure] = ()) -> Exhibit:
    """One exhibit from blocks and other exhibits, in order.

    ``data`` defaults to the parts' data stacked (their columns aligned); the figures are
    ``figures`` followed by the parts' own.
    """
    blocks: list[Block] = []
    for p in parts:
        blocks.extend(p.blocks if isinstance(p, Exhibit) else (p,))
    inner = [p for p in parts if isinstance(p, Exhibit)]
    if data is None:
        frames = [p.data for p in inner if not p.data.empty]
        data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    figs = (*figures, *(f for p in inner for f in p.figures))
    return Exhibit(tuple(blocks), data, tuple(figs))
