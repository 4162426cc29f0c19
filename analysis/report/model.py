"""The report model: what a chapter says, as typed immutable objects, whatever it is printed in.

A chapter returns an :class:`~analysis.report.exhibit.Exhibit` made of **blocks** (headings,
paragraphs, lists, tables, charts, notes). Their words are :class:`Text`: plain strings,
emphasis, and **numbers**. Every number a reader sees is a :class:`Number`: its value, what
kind of figure it is (a count of people, a share, a score, an interval...), how it is rounded,
whether the disclosure policy shows it, and its :class:`Lineage`: the base cells (counts of
cases, named by the keys of :mod:`analysis.method.disclosure`) it is computed from, and how.

Renderers (:mod:`analysis.report.html`) turn blocks into a format; nothing here knows HTML.
The pipeline reads a report's numbers and their lineage (``figures.json``) without importing
the chapters: that is how a release is audited and how a chapter's printed figures are known.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from typing import Any, TypeAlias

#: The MIME type of an exhibit's printed numbers in an executed notebook (not shown by any
#: front end; read by the build). Its value is the records' JSON text, not the records: the
#: process executing a notebook then holds one string an exhibit instead of a parsed tree of
#: every record (an aggregate of 200 areas prints 14 MiB of records, hundreds of MiB parsed).
NUMBERS_MIME = "application/vnd.iaow.numbers+json"


def _json_number(value: object) -> object:
    """A numpy number as the JSON a kernel's messages would make of it."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def numbers_text(record: Mapping[str, Any]) -> str:
    """One exhibit's numbers as the text :data:`NUMBERS_MIME` carries: the JSON the build
    writes for it (keys sorted, as a notebook written and read back has them; a list of them
    joined by ", " is the chapter's records file)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, default=_json_number)


# lineage --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """A base cell: one count of cases (``key`` as :mod:`analysis.method.disclosure` names
    it, e.g. ``rmp:k``; ``<area>/rmp:k`` or ``all/rmp:k`` in a report of several areas)."""

    key: str

    def cells(self) -> frozenset[str]:
        return frozenset({self.key})

    def as_json(self) -> dict[str, Any]:
        return {"cell": self.key}


@dataclass(frozen=True)
class Ratio:
    """A share: ``part`` over ``whole`` (k / n)."""

    part: Lineage
    whole: Lineage

    def cells(self) -> frozenset[str]:
        return self.part.cells() | self.whole.cells()

    def as_json(self) -> dict[str, Any]:
        return self.json

    @cached_property
    def json(self) -> dict[str, Any]:
        """Worked out once: a report prints the same score many times."""
        if isinstance(self.part, Cell) and isinstance(self.whole, Cell):
            return {"ratio": [self.part.key, self.whole.key]}
        return {"ratio_of": [self.part.as_json(), self.whole.as_json()]}


@dataclass(frozen=True)
class Mean:
    """The mean of other figures (a score: the mean of its questions' shares)."""

    parts: tuple[Lineage, ...]

    def cells(self) -> frozenset[str]:
        return frozenset().union(*(p.cells() for p in self.parts))

    def as_json(self) -> dict[str, Any]:
        return self.json

    @cached_property
    def json(self) -> dict[str, Any]:
        """Worked out once: a report prints the same score many times."""
        return {"mean": [p.as_json() for p in self.parts]}


@dataclass(frozen=True)
class Sum:
    """The sum of other figures (a group's count: its areas' counts added)."""

    parts: tuple[Lineage, ...]

    def cells(self) -> frozenset[str]:
        return frozenset().union(*(p.cells() for p in self.parts))

    def as_json(self) -> dict[str, Any]:
        return self.json

    @cached_property
    def json(self) -> dict[str, Any]:
        """Worked out once: a report prints the same score many times."""
        return {"sum": [p.as_json() for p in self.parts]}


@dataclass(frozen=True)
class Difference:
    """``first`` minus ``second`` (a gap in points)."""

    first: Lineage
    second: Lineage

    def cells(self) -> frozenset[str]:
        return self.first.cells() | self.second.cells()

    def as_json(self) -> dict[str, Any]:
        return self.json

    @cached_property
    def json(self) -> dict[str, Any]:
        """Worked out once: a report prints the same score many times."""
        return {"difference": [self.first.as_json(), self.second.as_json()]}


@dataclass(frozen=True)
class Wilson:
    """One limit of the Wilson 95% interval of k / n: a function of k for a known n."""

    part: str
    whole: str
    bound: str  # "lower" | "upper"

    def cells(self) -> frozenset[str]:
        return frozenset({self.part, self.whole})

    def as_json(self) -> dict[str, Any]:
        return {"wilson": [self.part, self.whole], "bound": self.bound}


@dataclass(frozen=True)
class Opaque:
    """Any other function of these cells (a bootstrap limit, a p-value, a count of questions
    that applied): it depends on them, but not by a relation a reader can invert simply."""

    keys: frozenset[str]

    def cells(self) -> frozenset[str]:
        return self.keys

    def as_json(self) -> dict[str, Any]:
        return self.json

    @cached_property
    def json(self) -> dict[str, Any]:
        """Worked out once: a report prints the same score many times."""
        return {"opaque": sorted(self.keys)}


@dataclass(frozen=True)
class External:
    """Not computed from the case data: a published figure, context statistics, a constant
    of the design (the number of resamples, of areas)."""

    source: str

    def cells(self) -> frozenset[str]:
        return frozenset()

    def as_json(self) -> dict[str, Any]:
        return {"external": self.source}


Lineage: TypeAlias = Cell | Ratio | Mean | Sum | Difference | Wilson | Opaque | External


@cache
def share_of(part: str, whole: str) -> Ratio:
    """The lineage of k / n from the keys of its two counts (one object per pair: a report
    names the same share in many places)."""
    return Ratio(Cell(part), Cell(whole))


def depends_on(*lineages: Lineage) -> Opaque:
    """An opaque function of every cell of these lineages."""
    return Opaque(frozenset().union(*(x.cells() for x in lineages)))


# numbers --------------------------------------------------------------------------------------
class Kind(StrEnum):
    """What a number is, which decides how it is printed (:mod:`analysis.report.format`)."""

    COUNT = "count"          # people or cases: 87
    SHARE = "share"          # k / n, as a percent: 74%
    SCORE = "score"          # a mean of shares, as a percent: 79%
    INTERVAL = "interval"    # a pair of shares: 61–83%
    POINTS = "points"        # a difference of shares in percentage points: +11, −3.2
    PERCENT = "percent"      # a value already in percent (published, context): 89%, 10.5%
    NUMBER = "number"        # anything else: 0.62, 1.3, 12 areas, 2,000 resamples
    P_VALUE = "p_value"      # a p-value with its relation: < 0.001, = 0.034


Value: TypeAlias = float | tuple[float, float] | None


@dataclass(frozen=True)
class Number:
    """A number a reader sees: value, kind, rounding, whether it is shown, and its lineage.

    ``value`` None means not applicable (a question that applied to no case); a hidden
    number (``shown`` False) prints as [c] whatever its value. ``small`` marks a share on so
    few cases that its interval must be read with it (*). ``grouped`` prints thousands
    separators (2,000).
    """

    value: Value
    kind: Kind
    lineage: Lineage
    shown: bool = True
    digits: int = 0
    small: bool = False
    grouped: bool = False

    def cells(self) -> frozenset[str]:
        return self.lineage.cells()

    @property
    def text(self) -> str:
        """The number as printed (the one formatting rule of :mod:`analysis.report.format`)."""
        from .format import number_text

        return number_text(self)


# text -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Strong:
    """Words a reader's eye should find first (a term being defined, a list item's lead)."""

    parts: tuple[Segment, ...]


@dataclass(frozen=True)
class Role:
    """A number or words with a role a renderer may show (the headline score)."""

    name: str
    parts: tuple[Segment, ...]


@dataclass(frozen=True)
class Link:
    """Words that link to another place: in the same report (``#anchor``: the evidence of a
    recommendation, a priority's finding) or another page of the build (a relative address:
    an area's report from the aggregate)."""

    href: str
    parts: tuple[Segment, ...]


Segment: TypeAlias = str | Number | Strong | Role | Link


@dataclass(frozen=True)
class Text:
    """Words with numbers in them, as a sequence of segments."""

    parts: tuple[Segment, ...] = ()

    @classmethod
    def of(cls, *parts: Segment | Text) -> Text:
        """Text from strings, numbers and other texts, in order."""
        flat: list[Segment] = []
        for p in parts:
            flat.extend(p.parts if isinstance(p, Text) else (p,))
        return cls(tuple(x for x in flat if x != ""))

    def numbers(self) -> Iterator[Number]:
        yield from _numbers(self.parts)

    def plain(self) -> str:
        """The text as a reader reads it, without markup."""
        return "".join(_plain(p) for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


def _numbers(parts: Sequence[Segment]) -> Iterator[Number]:
    for p in parts:
        if isinstance(p, Number):
            yield p
        elif isinstance(p, Strong | Role | Link):
            yield from _numbers(p.parts)


def _plain(p: Segment) -> str:
    if isinstance(p, str):
        return p
    if isinstance(p, Number):
        return p.text
    return "".join(_plain(x) for x in p.parts)


Words: TypeAlias = str | Text


def as_text(words: Words) -> Text:
    return words if isinstance(words, Text) else Text.of(words)


# blocks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    """A heading: ``level`` 2 starts a chapter (it goes into the contents), 3 a section."""

    text: str
    level: int
    anchor: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``role`` names its kind for the renderer (note, method, headline...)."""

    text: Text
    role: str = ""


@dataclass(frozen=True)
class Banner:
    """The data label every chapter opens with (synthetic, reconstructed or real data)."""

    label: str


@dataclass(frozen=True)
class ItemList:
    """A list of items, numbered or not."""

    items: tuple[Text, ...]
    ordered: bool = False
    role: str = ""


@dataclass(frozen=True)
class Definitions:
    """Terms and what they mean (a glossary, the formulas of a methods appendix)."""

    items: tuple[tuple[Text, Text], ...]
    role: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: its header, and whether it holds numbers (right-aligned)."""

    title: str
    numeric: bool = False


TableCell: TypeAlias = str | Number | Text


@dataclass(frozen=True)
class Table:
    """A table with a caption; the first cell of each row heads the row. A ``sortable``
    table is complete as it stands; a page may let the reader sort and filter its rows."""

    caption: Text
    columns: tuple[Column, ...]
    rows: tuple[tuple[TableCell, ...], ...]
    notes: tuple[Text, ...] = ()
    row_headers: bool = True
    sortable: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart: the drawing (SVG), its alternative text from its data, its caption, and the
    numbers it draws (their lineage travels with the report's other numbers)."""

    svg: bytes
    alt: str
    caption: Text
    numbers: tuple[Number, ...] = ()


@dataclass(frozen=True)
class Markup:
    """A fragment already rendered from a user's Markdown (commentary), escaped on the way:
    raw HTML in the source is shown as text, never run."""

    html: str
    source: str


@dataclass(frozen=True)
class Section:
    """Blocks set apart as one passage (``role`` names it: the inspectors' commentary)."""

    role: str
    blocks: tuple[Block, ...]


Block: TypeAlias = (Heading | Paragraph | Banner | ItemList | Definitions | Table | Chart
                    | Markup | Section)


def block_numbers(block: Block) -> Iterator[Number]:
    """Every number a block prints, in reading order."""
    if isinstance(block, Paragraph):
        yield from block.text.numbers()
    elif isinstance(block, ItemList):
        for item in block.items:
            yield from item.numbers()
    elif isinstance(block, Definitions):
        for term, meaning in block.items:
            yield from term.numbers()
            yield from meaning.numbers()
    elif isinstance(block, Table):
        yield from block.caption.numbers()
        for row in block.rows:
            for cell in row:
                if isinstance(cell, Number):
                    yield cell
                elif isinstance(cell, Text):
                    yield from cell.numbers()
        for n in block.notes:
            yield from n.numbers()
    elif isinstance(block, Chart):
        yield from block.caption.numbers()
        yield from block.numbers
    elif isinstance(block, Section):
        for child in block.blocks:
            yield from block_numbers(child)


@dataclass(frozen=True)
class Printed:
    """One number as a report printed it: what the pipeline reads back (``figures.json``)."""

    exhibit: str
    text: str
    kind: str
    value: Value
    digits: int
    shown: bool
    lineage: Mapping[str, Any] = field(default_factory=dict)
    chart: bool = False  # drawn in a chart (its picture and alternative text), not in words

    @classmethod
    def of(cls, exhibit: str, n: Number, chart: bool = False) -> Printed:
        """A hidden number keeps no value: the working file must not hold what it hides."""
        return cls(exhibit, n.text, str(n.kind), n.value if n.shown else None, n.digits,
                   n.shown, n.lineage.as_json(), chart)

    def as_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"exhibit": self.exhibit, "text": self.text, "kind": self.kind,
                "value": value, "digits": self.digits, "shown": self.shown,
                "lineage": dict(self.lineage), "chart": self.chart}
