"""The summary chapter, first in every area report: the five scores at a glance, the key
strengths and areas for improvement, how the area compares with all areas, the data label.

Everything is read from the area's tables (and, for the comparison, the cross-area tables);
the key findings are the outcome chapters' own lists (one rule, :mod:`analysis.method.keyfindings`).
Sentences are in ``templates/summary.html.j2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..method.positions import OUTCOME, WORDS
from ..method.published import headline_scores
from ..report.exhibit import Exhibit, combine
from .context import AreaContext, label_banner
from .html import interval, pct, table
from .prose import key_findings_block
from .templating import render


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome's score as people read it."""

    id: int
    title: str
    score: str
    interval: str
    published: str
    pooled: str
    position: str
    applicable: bool


def _pooled(ctx: AreaContext) -> pd.DataFrame:
    """This area's outcome rows of the comparisons table (the one decision of
    :mod:`analysis.method.positions`), by outcome; empty before a full build."""
    table = ctx.load_comparison().get("comparisons")
    if table is None:
        return pd.DataFrame(columns=["pooled", "decision"])
    mine = table[(table["area_id"] == ctx.area.id) & (table["kind"] == OUTCOME)]
    return mine.assign(outcome=mine["measure"].astype(int)).set_index("outcome")


def outcome_lines(ctx: AreaContext) -> list[OutcomeLine]:
    """The five outcome scores with their interval, published and all-areas figures."""
    scores = ctx.tables["outcome_scores"].set_index("outcome")
    published = headline_scores(ctx.data_dir, ctx.area.id)
    pooled = _pooled(ctx)
    lines = []
    for o in ctx.bank.outcomes:
        row = scores.loc[o.id]
        has_pool = o.id in pooled.index and not math.isnan(float(pooled.loc[o.id, "pooled"]))
        lines.append(OutcomeLine(
            o.id, o.title, pct(row["score"]), interval(row["lower"], row["upper"]),
            f"{published[o.id]}%" if o.id in published else "",
            pct(pooled.loc[o.id, "pooled"]) if has_pool else "",
            WORDS.get(str(pooled.loc[o.id, "decision"]), "") if has_pool else "",
            not math.isnan(float(row["score"]))))
    return lines


def summary(ctx: AreaContext) -> Exhibit:
    """The chapter's opening: heading, data label, the scores table and a sentence each."""
    lines = outcome_lines(ctx)
    cases = int(ctx.tables["outcome_scores"]["n_cases"].iloc[0])
    has_published = any(line.published for line in lines)
    has_pooled = any(line.pooled for line in lines)
    head = ["Outcome", "Score", "95% interval"]
    head += ["Published in 2014"] if has_published else []
    head += ["All areas (pooled)"] if has_pooled else []
    body = [[f"{line.id}. {line.title}", line.score, line.interval]
            + ([line.published or "–"] if has_published else [])
            + ([line.pooled or "–"] if has_pooled else []) for line in lines]
    exhibit = table("The five outcomes: share of work done well enough", head, body,
                    numeric=tuple(range(1, len(head))))
    html = render("summary.html.j2", area=ctx.area.name, cases=cases, lines=lines,
                  label=label_banner(ctx), exhibit=exhibit, has_published=has_published)
    return Exhibit(html, pd.DataFrame([line.__dict__ for line in lines]))


def key_findings(ctx: AreaContext) -> Exhibit:
    """Each outcome's key strengths and areas for improvement (the chapters' own lists)."""
    parts: list[Exhibit | str] = [render("summary_findings.html.j2")]
    for o in ctx.bank.outcomes:
        parts.append(render("summary_outcome.html.j2", outcome=o))
        parts.append(key_findings_block(ctx, o.id, level=4, slug=f"summary-outcome-{o.id}"))
    return combine(parts)


def compared(ctx: AreaContext) -> Exhibit:
    """How the area compares with all areas, outcome by outcome, in words."""
    lines = [line for line in outcome_lines(ctx) if line.pooled]
    html = render("summary_compare.html.j2", area=ctx.area.name, lines=lines)
    return Exhibit(html, pd.DataFrame([line.__dict__ for line in lines]))
