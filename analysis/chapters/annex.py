"""The technical annex of an area's report: what analysts check and the public report leaves
out (the registry prints the ``08_annex`` and ``09_annex_comparison`` chapters in the annex
document, not the report: the second holds what reads the area's view of all areas).

The annex gathers exhibits whose home modules make them (the method's detail in
:mod:`.appendices`, the key questions against all areas in :mod:`.comparison`, the
reconstruction's readings in :mod:`.reconstruction`); this module adds its opening and every
question's figures, outcome by outcome. Words are in ``wording/annex.j2``.
"""

from __future__ import annotations

import pandas as pd

from ..report.exhibit import Exhibit, combine
from ..report.model import Heading, Paragraph
from .context import AggregateContext, AreaContext, label_banner
from .outcomes import question_tables
from .say import plain, say


def further_figures(ctx: AreaContext) -> Exhibit:
    """The opening of the outcomes' further breakdowns (answers by level, agreement tables,
    the victim path): figures the report's outcome chapters summarise in their findings."""
    return Exhibit((Heading(plain("annex.further_heading"), 2, "annex-further"),
                    Paragraph(say("annex.further"))), _what(ctx, plain("annex.further_heading")))


def outcome_heading(ctx: AreaContext, outcome: int) -> Exhibit:
    """One outcome's part of the further figures."""
    o = ctx.bank.outcome_by_id[outcome]
    title = plain("outcomes.annex_outcome_heading", outcome=o)
    return Exhibit((Heading(title, 3, f"annex-further-outcome-{outcome}"),),
                   _what(ctx, title).assign(outcome=o.id))


def about(ctx: AreaContext) -> Exhibit:
    """What the annex holds and whom it is for, said once at its start."""
    return Exhibit((Heading(plain("annex.heading"), 2, "annex"), label_banner(ctx),
                    Paragraph(say("annex.about", area=ctx.area.name))),
                   _what(ctx, plain("annex.heading")).assign(label=ctx.area.label_text))


def _what(ctx: AreaContext, title: str) -> pd.DataFrame:
    """The data of an exhibit that only opens a part: which area and which part."""
    return pd.DataFrame({"area_id": [ctx.area.id], "area": [ctx.area.name], "title": [title]})


def every_question(ctx: AreaContext) -> Exhibit:
    """Every scoring question's figures, one table per criterion, outcome by outcome: the
    rows behind each outcome's explanation of findings in the report."""
    return combine([Heading(plain("annex.questions_heading"), 2, "annex-questions"),
                    Paragraph(say("annex.questions")),
                    *(question_tables(ctx, o.id) for o in ctx.bank.outcomes),
                    Paragraph(say("outcomes.findings_note"), "note"), *ctx.rules()])


def about_aggregate(ctx: AggregateContext) -> Exhibit:
    """What the aggregate's annex holds, said once at its start."""
    return Exhibit((Heading(plain("annex.heading"), 2, "annex"),
                    Paragraph(say("annex.about_aggregate", group=ctx.group is not None))))
