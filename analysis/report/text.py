"""The report model written as plain text (Markdown): for reading a chapter in a terminal,
for diffs, and as proof that a chapter is not tied to HTML.

One line per heading, paragraph, list item and table row, so that a changed number shows as a
one-line difference. Charts are their caption and alternative text.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import (
    Banner,
    Block,
    Chart,
    Definitions,
    Heading,
    ItemList,
    Markup,
    Number,
    Paragraph,
    Section,
    Segment,
    Strong,
    Table,
    TableCell,
    Text,
)


def segment_text(p: Segment) -> str:
    if isinstance(p, str):
        return p
    if isinstance(p, Number):
        return p.text
    inner = "".join(segment_text(x) for x in p.parts)
    return f"**{inner}**" if isinstance(p, Strong) else inner


def words(value: Text | TableCell) -> str:
    """A text, a number or a string as plain words."""
    if isinstance(value, Text):
        return "".join(segment_text(p) for p in value.parts)
    return segment_text(value) if isinstance(value, Number) else str(value)


def block_text(b: Block) -> list[str]:
    """One block as lines of Markdown."""
    if isinstance(b, Heading):
        return [f"{'#' * b.level} {b.text} {{#{b.anchor}}}"]
    if isinstance(b, Paragraph):
        return [f"[{b.role}] {words(b.text)}" if b.role else words(b.text)]
    if isinstance(b, Banner):
        return [f"> Data: {b.label}."]
    if isinstance(b, ItemList):
        return [f"{f'{i}.' if b.ordered else '-'} {words(item)}"
                for i, item in enumerate(b.items, start=1)]
    if isinstance(b, Definitions):
        return [f"{words(t)}: {words(m)}" for t, m in b.items]
    if isinstance(b, Table):
        lines = [f"Table: {words(b.caption)}",
                 "| " + " | ".join(c.title for c in b.columns) + " |"]
        lines += ["| " + " | ".join(words(c) for c in row) + " |" for row in b.rows]
        return lines + [f"[note] {words(n)}" for n in b.notes]
    if isinstance(b, Chart):
        return [f"Chart: {words(b.caption)}", f"  alt: {b.alt}"]
    if isinstance(b, Markup):
        return b.source.splitlines()
    assert isinstance(b, Section)
    return [line for child in b.blocks for line in block_text(child)]


def render(blocks: Sequence[Block]) -> str:
    """Blocks as Markdown, one line per paragraph, item or row."""
    return "\n".join(line for b in blocks for line in block_text(b)) + "\n"
