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
from .context import AreaContext
from .html import escape, heading, paragraph, pct, table

IDENTIFIER = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def plain(text: str, bank: QuestionBank, published: Published) -> str:
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
    variant = "as the bank classifies them" if row.variant == AS_CLASSIFIED else row.variant
    reading = READING_LABEL.get(row.reading, row.reading) + (f" ({marker})" if used else "")
    return [variant[0].upper() + variant[1:], reading]


def sensitivity_body(frame: pd.DataFrame, reading_in_use: str, marker: str = "this report",
                     ) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the sensitivity table: published first, then each reading, the one
    in use marked."""
    published = published_scores(frame)
    outcomes = sorted(published)
    columns = ["Contested questions", "Scoring reading", *[f"Outcome {o}" for o in outcomes],
               "RMS gap (points)"]
    rows = [["Published in the report", "", *[f"{published[o]:.0f}%" for o in outcomes], ""]]
    for r in sensitivity_rows(frame):
        rows.append([*_row_label(r, reading_in_use, marker),
                     *[pct(r.scores[o], digits=1) for o in outcomes], f"{r.rms_gap:.1f}"])
    return columns, rows


def sensitivity_markdown(frame: pd.DataFrame, reading_in_use: str) -> str:
    """The sensitivity table as Markdown (the README shows it, the bank's reading marked)."""
    columns, rows = sensitivity_body(frame, reading_in_use, "default")
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(c or "–" for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _contested(ctx: AreaContext) -> str:
    contested = ctx.bank.contested()
    if not contested:
        return ""
    items = "".join(f"<li><strong>{escape(q.label)}</strong> ({escape(q.place)}): "
                    f"{escape(ctx.bank.reason_text(q.id))}</li>" for q in contested)
    return paragraph(f"{len(contested)} questions could be classified more than one way on the "
                     "report's text; each is decided on that text as follows, and the table "
                     "shows the other ways:") + f"<ul>{items}</ul>"


def _readings(bank: QuestionBank, pub: Published, quotes: bool) -> str:
    if not quotes:
        return paragraph("The readings taken of the published report, figure by figure, quote "
                         "its counts of cases; a publication build leaves them out (a full "
                         "build shows them).")
    general = [[a.place, plain(a.reading, bank, pub)] for a in pub.assumptions]
    figures = [[f.cite, f.quote, plain(f.assumption, bank, pub)]
               for f in pub.figures if f.assumption]
    return (table("Readings taken where the report is inconsistent or leaves something open",
                  ["Place in the report", "Reading taken"], general)
            + table("Figure by figure: the report's words and the reading taken of them",
                    ["Place in the report", "The report says", "Reading taken"], figures))


def about_reconstruction(ctx: AreaContext) -> Exhibit:
    """Appendix 4, for an area reconstructed from its published report (empty otherwise).

    Its data: the sensitivity table (variant, reading, outcome, score, published)."""
    pub = published_for(ctx.data_dir, ctx.area.id)
    frame = ctx.tables["sensitivity"]
    if pub is None or frame.empty:
        return Exhibit("")
    columns, rows = sensitivity_body(frame, _in_use(ctx))
    n_figures = len(pub.figures)
    return Exhibit("".join([
        heading("Appendix 4: about this reconstruction", 2, "appendix-reconstruction"),
        paragraph(
            f"The {len(ctx.tables['outcome_scores'])} outcome scores of this report are "
            f"recomputed from {ctx.count(CASES)} cases "
            f"rebuilt from the published report ({pub.source}). The rebuilt cases reproduce "
            f"every one of its {n_figures} figures; which case carries which answer, and every "
            "figure the report does not publish, is synthetic. One case's answers go together "
            "as real ones do: each answer ranks the cases by a latent case quality plus noise, "
            "so that two answers of one case correlate at "
            f"{pub.within_case_correlation:.2f} on that latent scale (the within-case "
            "correlation). Appendix 3 shows what this does to the intervals."),
        heading("How the headline scores move with the reading of the method", 3,
                "appendix-reconstruction-sensitivity"),
        paragraph("The recomputed scores are not made to equal the published ones: the report "
                  "describes fewer questions than its inspection tool held. The table gives "
                  "them under each reading of the scoring method the report allows, for the "
                  "questions as classified here and with each contested question classified "
                  "the other way, with the root-mean-square gap to the published scores."),
        table("Headline scores, published and recomputed, by scoring reading and "
              "classification of the contested questions", columns, rows,
              numeric=tuple(range(2, len(columns)))),
        _contested(ctx),
        heading("Readings of the report", 3, "appendix-reconstruction-readings"),
        _readings(ctx.bank, pub, ctx.disclosure.policy.quotes_counts),
    ]), frame)
