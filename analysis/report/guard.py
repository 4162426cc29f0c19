"""Every number a publication build prints passes the one lineage rule on its way out.

:meth:`analysis.method.disclosure.Disclosure.shows` decides, from a number's lineage (the base
cells it is computed from), whether it may be shown; :meth:`Policy.digits` gives the precision
it prints at. This module applies that decision to every number of every block, once, where an
:class:`~analysis.report.exhibit.Exhibit` is made: a chapter of the package, a group's or the
aggregate's, and a researcher's own chapter go through the same gate, whatever constructor made
their numbers. A chart that draws a number the rule hides is left out (its caption stays): its
picture and alternative text would show the value.

The disclosure in force is the one the notebook's context loaded
(:func:`publish_with`, called by the chapters' contexts); outside publication mode nothing
changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from typing import TYPE_CHECKING

from .model import (
    Block,
    Chart,
    Definitions,
    ItemList,
    Number,
    Paragraph,
    Role,
    Section,
    Segment,
    Strong,
    Table,
    TableCell,
    Text,
)

if TYPE_CHECKING:
    from ..method.disclosure import Disclosure

# A module global, not a context variable: a notebook kernel may run each cell in a context
# of its own, and the disclosure a context loaded in one cell must hold in the next.
_ACTIVE: list[Disclosure | None] = [None]


def publish_with(d: Disclosure | None) -> None:
    """Make ``d`` the disclosure every exhibit made from now on is printed under (None: none;
    a warm kernel's reset between notebooks sets none)."""
    _ACTIVE[0] = d if d is not None and d.policy.publish else None


def active() -> Disclosure | None:
    return _ACTIVE[0]


@contextmanager
def publishing(d: Disclosure | None) -> Iterator[None]:
    """``d`` in force for the block of a ``with`` statement only (tests, one-off exhibits)."""
    before = _ACTIVE[0]
    publish_with(d)
    try:
        yield
    finally:
        _ACTIVE[0] = before


def number(n: Number, d: Disclosure) -> Number:
    """A number as the rule lets it print: hidden when any of its cells is, and at the release
    precision when it is computed from the case data."""
    cells = n.cells()
    if not cells:
        return n
    shown = n.shown and d.shows(cells)
    digits = d.policy.digits(n.digits)
    if shown == n.shown and digits == n.digits:
        return n
    return replace(n, shown=shown, digits=digits)


def values(named: dict[str, object]) -> dict[str, object]:
    """The values a wording macro is filled with, every number in them (also inside a
    record of numbers, such as a gap with its interval, or a list) as the rule lets it print:
    a macro that chooses its words by a number ("point" or "points", "fewer" or "more") sees
    a hidden number as hidden, so its words cannot give the value away."""
    d = active()
    if d is None:
        return named
    return {k: _value(v, d) for k, v in named.items()}


def _value(v: object, d: Disclosure) -> object:
    if isinstance(v, Number):
        return number(v, d)
    if isinstance(v, list | tuple) and any(isinstance(x, Number) or is_dataclass(x)
                                            for x in v):
        return type(v)(_value(x, d) for x in v)
    if is_dataclass(v) and not isinstance(v, type):
        changed = {f.name: new for f in fields(v)
                   if (new := _value(old := getattr(v, f.name), d)) is not old}
        return replace(v, **changed) if changed else v
    return v


def text(t: Text, d: Disclosure) -> Text:
    parts = tuple(_segment(p, d) for p in t.parts)
    return t if parts == t.parts else Text(parts)


def _segment(p: Segment, d: Disclosure) -> Segment:
    if isinstance(p, Number):
        return number(p, d)
    if isinstance(p, Strong):
        return Strong(tuple(_segment(x, d) for x in p.parts))
    if isinstance(p, Role):
        return Role(p.name, tuple(_segment(x, d) for x in p.parts))
    return p


def _cell(c: TableCell, d: Disclosure) -> TableCell:
    if isinstance(c, Number):
        return number(c, d)
    if isinstance(c, Text):
        return text(c, d)
    return c


def block(b: Block, d: Disclosure) -> Block:
    """One block with every number it prints passed through the rule."""
    if isinstance(b, Paragraph):
        return replace(b, text=text(b.text, d))
    if isinstance(b, ItemList):
        return replace(b, items=tuple(text(i, d) for i in b.items))
    if isinstance(b, Definitions):
        return replace(b, items=tuple((text(t, d), text(m, d)) for t, m in b.items))
    if isinstance(b, Table):
        return replace(b, caption=text(b.caption, d),
                       rows=tuple(tuple(_cell(c, d) for c in row) for row in b.rows),
                       notes=tuple(text(x, d) for x in b.notes))
    if isinstance(b, Chart):
        drawn = tuple(number(x, d) for x in b.numbers)
        if any(x.shown != y.shown for x, y in zip(drawn, b.numbers, strict=True)):
            return Paragraph(text(b.caption, d), "note")
        return replace(b, caption=text(b.caption, d), numbers=drawn)
    if isinstance(b, Section):
        return replace(b, blocks=blocks(b.blocks, d))
    return b


def blocks(bs: tuple[Block, ...], d: Disclosure | None = None) -> tuple[Block, ...]:
    """Blocks as the disclosure in force (or ``d``) lets them print; unchanged outside
    publication mode."""
    d = d if d is not None else active()
    if d is None or not d.policy.publish:
        return bs
    return tuple(block(b, d) for b in bs)
