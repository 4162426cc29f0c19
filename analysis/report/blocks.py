"""Short constructors of report-model blocks, for a chapter of one's own.

A researcher's chapter (``notebooks/extra/``) builds its exhibit from these::

    from analysis.report.blocks import exhibit, heading, paragraph, table

    shown = exhibit(
        heading("Further offending", 2, "extra-further-offending"),
        paragraph("In ", ctx.count(k), " of ", ctx.count(n), " cases there was none."),
        table("Further offending", ["Answer", "Cases", "Share"], rows, numeric=(1, 2)),
        data=frame)

Numbers are the context's (``ctx.count``, ``ctx.share``): they carry the publication rules and
their lineage, so a figure a chapter prints is hidden as every other chapter hides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from .exhibit import Exhibit
from .model import (
    Block,
    Column,
    Heading,
    Number,
    Paragraph,
    Segment,
    Table,
    TableCell,
    Text,
)


def text(*parts: Segment | Text) -> Text:
    """Words and numbers, in order: ``text("In ", ctx.count(k), " cases")``."""
    return Text.of(*parts)


def heading(words: str, level: int, anchor: str) -> Heading:
    """A heading; level 2 starts a chapter and goes into the table of contents."""
    return Heading(words, level, anchor)


def paragraph(*parts: Segment | Text, role: str = "") -> Paragraph:
    """A paragraph of words and numbers (``role="note"`` for a note)."""
    return Paragraph(Text.of(*parts), role)


def _cell(value: object) -> TableCell:
    if isinstance(value, Number | Text | str):
        return value
    return str(value)


def table(caption: str | Text | Sequence[Segment], columns: Sequence[str],
          rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()) -> Table:
    """A table: its caption, column titles, rows (first cell heads the row) and which
    columns hold numbers (right-aligned)."""
    title = caption if isinstance(caption, Text) else (
        Text.of(caption) if isinstance(caption, str) else Text.of(*caption))
    return Table(title, tuple(Column(c, i in numeric) for i, c in enumerate(columns)),
                 tuple(tuple(_cell(v) for v in row) for row in rows))


def exhibit(*blocks: Block, data: pd.DataFrame | None = None) -> Exhibit:
    """An exhibit of these blocks, with the data behind it."""
    return Exhibit(tuple(blocks), pd.DataFrame() if data is None else data)
