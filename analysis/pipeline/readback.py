"""What a reader sees in a release folder, as small contexts of numbers beside their labels.

Each HTML table row, sentence, figure alt-text item and text of a chart's drawing, CSV or
Parquet row and PDF sentence (wrapped lines joined) becomes a :class:`Context`: the labels it
is about, the whole numbers and shares it shows, how many ``[c]`` it hides. The disclosure
scanner looks for hidden counts in these.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

SUPPRESSED = "[c]"
SVG_URI = "data:image/svg+xml;base64,"
_INT = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")
_NUMBER = re.compile(r"(?<![\d.,:])(\d{1,3}(?:,\d{3})+|\d+)(?![\d.]|,\d|%)")
_PERCENT = re.compile(r"(?<![\d.–-])(\d{1,3})%")
_TOTAL = re.compile(r"(?:denominator: |of |, )(\d[\d,]*) cases")
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[A-Z0-9])")
_NOT_A_SHARE = re.compile(  # confidence levels and limits, not shares of people
    r"(?:above|below|within|outside(?: the)?) \d+(?:\.\d+)?%|\d+(?:\.\d+)?%"
    r" (?:bootstrap |Wilson |funnel |control |score )?(?:interval|limit|confidence)",
    re.IGNORECASE)
_OTHERS = re.compile(r"pooled|all areas|mean of|national", re.IGNORECASE)  # not this area's
LONG_LABEL = 12  # shorter labels ("No", "White") are too common to place a sentence
WHOLE_PERCENT = 0.005  # a share printed as a whole percent is known to within half a point


@dataclass(frozen=True)
class Share:
    value: float
    tolerance: float


@dataclass(frozen=True)
class Context:
    """Numbers a reader sees together, and what they are about."""

    file: str
    place: str
    labels: frozenset[str]   # lower-case names the numbers belong to (row header, cells)
    text: str                # the whole text (sentences are matched by substring)
    ints: tuple[int, ...]
    shares: tuple[Share, ...] = ()
    caption_ints: tuple[int, ...] = ()  # the surrounding caption's numbers (denominators)
    hidden: int = 0
    is_row: bool = False

    @cached_property
    def lowered(self) -> str:
        return self.text.lower()

    def about(self, label: str) -> bool:
        """Whether the numbers here are about ``label`` (a row's cell, a sentence's words)."""
        label = label.lower()
        if self.is_row:
            return label in self.labels
        return (len(label) >= LONG_LABEL and label in self.lowered
                and _as_word(label).search(self.lowered) is not None)


@cache
def _as_word(label: str) -> re.Pattern[str]:
    """The label as a whole word or phrase (compiled once: a scan asks about each label in
    thousands of places, more patterns than the ``re`` module keeps compiled)."""
    return re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")


@dataclass
class Table:
    """An HTML table's count columns, for totals that a reader can subtract from."""

    file: str
    caption: str
    total: int | None
    row_labels: list[str]
    columns: list[str]
    cells: list[list[int | str]] = field(default_factory=list)  # whole numbers, else text


def read_file(path: Path, root: Path) -> tuple[list[Context], list[Table]]:
    """The contexts (and HTML tables) of one release file; other kinds of file give none."""
    name = str(path.relative_to(root))
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return _html(path.read_text(encoding="utf-8"), name)
    if suffix == ".csv":
        import pandas as pd

        return list(_frame(pd.read_csv(path, dtype=str, keep_default_na=False), name)), []
    if suffix == ".parquet":
        import pandas as pd

        return list(_frame(pd.read_parquet(path), name)), []
    if suffix == ".pdf":
        return list(_pdf(path, name)), []
    return [], []


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(m.group(1).replace(",", "")) for m in _NUMBER.finditer(text))


def _shares(text: str) -> tuple[Share, ...]:
    text = _NOT_A_SHARE.sub(" ", text)
    return tuple(Share(int(m.group(1)) / 100, WHOLE_PERCENT) for m in _PERCENT.finditer(text))


def text_context(file: str, place: str, text: str) -> Context:
    return Context(file, place, frozenset(), text, _numbers(text), _shares(text),
                   hidden=text.count(SUPPRESSED))


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(" ".join(text.split())) if s]


def _html(source: str, file: str) -> tuple[list[Context], list[Table]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(source, "html.parser")
    contexts: list[Context] = []
    tables = []
    for i, t in enumerate(soup.find_all("table")):
        table, rows = _table(t, file, i + 1)
        tables.append(table)
        contexts.extend(rows)
        t.decompose()
    for i, img in enumerate(soup.find_all("img")):
        alt = str(img.get("alt", ""))
        for j, item in enumerate(re.split(r";\s+|\.\s+", alt)):
            contexts.append(text_context(file, f"figure {i + 1} alt text, item {j + 1}", item))
        src = str(img.get("src", ""))
        if src.startswith(SVG_URI):
            for j, s in enumerate(svg_text(base64.b64decode(src[len(SVG_URI):]))):
                contexts.append(text_context(file, f"figure {i + 1} drawing, text {j + 1}", s))
    for i, el in enumerate(soup.find_all(["p", "li", "figcaption", "h1", "h2", "h3", "h4",
                                          "title"])):
        for j, s in enumerate(sentences(el.get_text(" "))):
            contexts.append(text_context(file, f"text block {i + 1} <{el.name}>, sentence {j + 1}",
                                         s))
    return contexts, tables


def _cell_int(text: str) -> int | None:
    text = text.strip()
    return int(text.replace(",", "")) if _INT.match(text) else None


def _number_or_text(text: str) -> int | str:
    value = _cell_int(text)
    return text if value is None else value


def _table(t: Any, file: str, number: int) -> tuple[Table, list[Context]]:
    """A table's rows as contexts (label, cells, caption numbers) and its count columns."""
    caption_el = t.find("caption")
    caption = " ".join(caption_el.get_text(" ").split()) if caption_el else ""
    head = t.find("thead")
    columns = [c.get_text(" ").strip() for c in head.find_all(["th", "td"])] if head else []
    m = _TOTAL.search(caption)
    table = Table(file, caption, int(m.group(1).replace(",", "")) if m else None, [], columns)
    rows = []
    body = t.find("tbody") or t
    for r, tr in enumerate(body.find_all("tr")):
        texts = [c.get_text(" ").strip() for c in tr.find_all(["th", "td"])]
        if not texts:
            continue
        label = texts[0]
        table.row_labels.append(label)
        table.cells.append([_number_or_text(x) for x in texts[1:]])
        ints = tuple(v for v in (_cell_int(x) for x in texts[1:]) if v is not None)
        shares = tuple(s for x, col in zip(texts[1:], columns[1:] + [""] * len(texts),
                                           strict=False)
                       if "–" not in x and not _OTHERS.search(col) for s in _shares(x))
        place = f"table {number} ({caption[:70]}), row {r + 1} '{label}'"
        labels = frozenset(x.lower() for x in texts if x and _cell_int(x) is None)
        rows.append(Context(file, place, labels, " | ".join(texts), ints,
                            shares, _numbers(caption), texts.count(SUPPRESSED), is_row=True))
    return table, rows


COUNT_COLUMNS = {"n", "k", "count", "identified", "n_cases", "interventions_n",
                 "interventions_k", "progress_n", "progress_k"}
SHARE_COLUMNS = {"share", "interventions_share", "progress_share"}
LEVELS = (("variable", "level"), ("row_field", "row_level"), ("col_field", "col_level"))


def _frame(frame: object, file: str) -> Iterator[Context]:
    """Rows of a table file: the counts and shares of people in it, and what they are about
    (text cells, and 'variable=level' for a level: a level alone, such as 'yes', names
    nothing)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    levels = {lv for _, lv in LEVELS}
    for i, row in enumerate(frame.astype(str).to_dict("records")):
        labels = {v.strip().lower() for c, v in row.items()
                  if c not in levels | COUNT_COLUMNS | SHARE_COLUMNS and not _INT.match(v)}
        labels |= {f"{row[f]}={row[lv]}".lower() for f, lv in LEVELS if f in row and lv in row}
        ints = [int(v.replace(",", "")) for c, v in row.items()
                if c in COUNT_COLUMNS and _INT.match(v.strip())]
        shares = [Share(float(v), 1e-6) for c, v in row.items()
                  if c in SHARE_COLUMNS and re.fullmatch(r"\d*\.?\d+", v.strip())]
        hidden = sum(v.strip() == SUPPRESSED for v in row.values())
        yield Context(file, f"row {i + 2}", frozenset(labels), ",".join(row.values()),
                      tuple(ints), tuple(shares), (), hidden, is_row=True)


#: The page number every printed page carries ("Page 3 of 49", report.css's ``@page``
#: footer): a place in the document, not a count of people.
PAGE_NUMBER = re.compile(r"\bPage \d+ of \d+(?!\d)")


def _pdf(path: Path, file: str) -> Iterator[Context]:
    from pypdf import PdfReader

    for p, page in enumerate(PdfReader(path).pages):
        lines = PAGE_NUMBER.sub("", page.extract_text() or "").splitlines()
        for j, s in enumerate(pdf_sentences(lines)):
            yield text_context(file, f"page {p + 1}, sentence {j + 1}", s)


#: A PDF line this long that does not end a sentence is prose wrapped onto the next line.
WRAPPED = 50
_ENDS = re.compile(r"[.;:!?)]\s*$")


def pdf_sentences(lines: list[str]) -> list[str]:
    """A page's text as a reader reads it: wrapped lines of prose joined, then cut into
    sentences (a line never joins the end of one sentence to the start of the next); short
    lines (table rows, headings) stay apart."""
    runs: list[str] = []
    joining = False
    for line in lines:
        if joining and runs:
            runs[-1] = f"{runs[-1]} {line.strip()}"
        else:
            runs.append(line.strip())
        joining = len(line.strip()) >= WRAPPED and not _ENDS.search(line)
    return [s for run in runs for s in sentences(run)]


def svg_text(data: bytes) -> list[str]:
    """The words of an SVG chart, one per text element, each cut into sentences."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return []
    out = []
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "text":
            words = " ".join("".join(el.itertext()).split())
            out += sentences(words) if words else []
    return out
