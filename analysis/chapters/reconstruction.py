"""About this reconstruction: what an area rebuilt from its published report rests on.

Only an area with a published-figures file has this appendix. Everything in it is generated from
that file and the area's tables: the sensitivity of the headline scores to the readings of the
method the report allows, how the contested questions are classified and why, the within-case
correlation of the reconstruction, and every reading taken of the report's figures with its
place. The README's sensitivity table is the same rendering, as Markdown.
"""

from __future__ import annotations

import re

import pandas as pd

from ..method.bank import QuestionBank
from ..method.disclosure import CASES
from ..method.published import Published, published_for
from ..method.readings import READING_LABEL
from ..method.sensitivity import AS_CLASSIFIED, SensitivityRow, published_scores, sensitivity_rows
from ..report.exhibit import Exhibit
from ..report.model import (
    Column,
    External,
    Heading,
    ItemList,
    Kind,
    Number,
    Paragraph,
    Table,
    TableCell,
)
from . import numbers
from .context import AreaContext
from .say import plain, say

IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
PUBLISHED = "published report"
SENSITIVITY = "sensitivity readings"


def plain_words(text: str, bank: QuestionBank, published: Published) -> str:
    """The text with internal names (question, field, level and figure ids) in words."""
    places = {f.id: f.cite for f in published.figures}
    labels = {q.id: q.label for q in bank.questions} | {f.id: f.label for f in bank.fields}
    levels = {lv: s.label(lv) for s in bank.scales.values() for lv in s.levels}

    def word(m: re.Match[str]) -> str:
        name = m.group(0)
        if name in labels:
            return f"'{labels[name].lower()}'"
        if name in places:
            return f"the figure at {places[name]}"
        return levels.get(name, name.replace("_", " ")).lower()

    return IDENTIFIER.sub(word, text)


def _in_use(ctx: AreaContext) -> str:
    return str(ctx.tables["outcome_scores"]["reading"].iloc[0])


def _row_label(row: SensitivityRow, reading_in_use: str, marker: str) -> list[str]:
    used = row.variant == AS_CLASSIFIED and row.reading == reading_in_use
    variant = plain("appendices.as_classified") if row.variant == AS_CLASSIFIED else row.variant
    reading = READING_LABEL.get(row.reading, row.reading) + (f" ({marker})" if used else "")
    return [variant[0].upper() + variant[1:], reading]


def sensitivity_body(frame: pd.DataFrame, reading_in_use: str, marker: str = "this report",
                     ) -> tuple[list[str], list[list[TableCell]]]:
    """Columns and rows of the sensitivity table: published first, then each reading, the one
    in use marked."""
    published = published_scores(frame)
    outcomes = sorted(published)
    columns = ["Contested questions", "Scoring reading", *[f"Outcome {o}" for o in outcomes],
               "Typical gap (points)"]
    rows: list[list[TableCell]] = [[plain("appendices.published_row"), "",
                                    *[numbers.external(published[o], Kind.PERCENT, PUBLISHED)
                                      for o in outcomes], ""]]
    for r in sensitivity_rows(frame):
        rows.append([*_row_label(r, reading_in_use, marker),
                     *[Number(r.scores[o], Kind.SCORE, External(SENSITIVITY), digits=1)
                       for o in outcomes],
                     Number(r.rms_gap, Kind.NUMBER, External(SENSITIVITY), digits=1)])
    return columns, rows


def _cell_text(cell: TableCell) -> str:
    return cell.text if isinstance(cell, Number) else str(cell)


def sensitivity_markdown(frame: pd.DataFrame, reading_in_use: str) -> str:
    """The sensitivity table as Markdown (the README shows it, the bank's reading marked)."""
    columns, rows = sensitivity_body(frame, reading_in_use, "default")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell_text(c) or "–" for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _contested(ctx: AreaContext) -> tuple[Paragraph | ItemList, ...]:
    contested = ctx.bank.contested()
    if not contested:
        return ()
    items = tuple(say("appendices.contested_item", label=q.label, place=q.place,
                      reason=ctx.bank.reason_text(q.id)) for q in contested)
    count = numbers.constant(len(contested), "question bank")
    return (Paragraph(say("appendices.contested", count=count)), ItemList(items))


def _readings(bank: QuestionBank, pub: Published, quotes: bool) -> tuple[Paragraph | Table, ...]:
    if not quotes:
        return (Paragraph(say("appendices.readings_withheld")),)
    general = tuple((a.place, plain_words(a.reading, bank, pub)) for a in pub.assumptions)
    figures = tuple((f.cite, f.quote, plain_words(f.assumption, bank, pub))
                    for f in pub.figures if f.assumption)
    return (Table(say("appendices.general_readings_caption"),
                  (Column("Place in the report"), Column("Reading taken")), general),
            Table(say("appendices.figure_readings_caption"),
                  (Column("Place in the report"), Column("The report says"),
                   Column("Reading taken")), figures))


def about_reconstruction(ctx: AreaContext) -> Exhibit:
    """About this reconstruction (in the technical annex), for an area reconstructed from its
    published report (empty otherwise).

    Its data: the sensitivity table (variant, reading, outcome, score, published)."""
    pub = published_for(ctx.data_dir, ctx.area.id)
    frame = ctx.tables["sensitivity"]
    if pub is None or frame.empty:
        return Exhibit()
    columns, rows = sensitivity_body(frame, _in_use(ctx))
    return Exhibit((
        Heading(plain("appendices.reconstruction_heading"), 2, "appendix-reconstruction"),
        Paragraph(say("appendices.reconstruction",
                      outcomes=numbers.constant(len(ctx.tables["outcome_scores"]), "design"),
                      cases=ctx.count(CASES),
                      source=pub.source,
                      figures=numbers.external(len(pub.figures), Kind.NUMBER, PUBLISHED),
                      correlation=numbers.external(pub.within_case_correlation, Kind.NUMBER,
                                                   "reconstruction", digits=2))),
        Heading(plain("appendices.sensitivity_heading"), 3,
                "appendix-reconstruction-sensitivity"),
        Paragraph(say("appendices.sensitivity")),
        Table(say("appendices.sensitivity_caption"),
              tuple(Column(c, i >= 2) for i, c in enumerate(columns)),
              tuple(tuple(row) for row in rows)),
        *_contested(ctx),
        Heading(plain("appendices.readings_heading"), 3, "appendix-reconstruction-readings"),
        *_readings(ctx.bank, pub, ctx.disclosure.policy.quotes_counts),
    ), frame)
