"""The summary chapter, first in every area report: the five scores at a glance, the key
strengths and areas for improvement, how the area compares with all areas, the data label.

Everything is read from the area's tables (and, for the comparison, the cross-area tables);
the key findings are the outcome chapters' own lists (one rule, :mod:`analysis.method.keyfindings`).
Sentences are in ``wording/summary.j2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..method.disclosure import CASES, k_key, n_key, pooled_key
from ..method.positions import OUTCOME, WORDS
from ..method.published import headline_scores
from ..report.exhibit import Exhibit, combine
from ..report.model import (
    Block,
    Column,
    Heading,
    ItemList,
    Kind,
    Mean,
    Number,
    Paragraph,
    Table,
    share_of,
)
from . import numbers
from .context import AreaContext, label_banner
from .outcomes import outcome_score
from .prose import key_findings_block
from .say import plain, say


@dataclass(frozen=True)
class OutcomeLine:
    """One outcome's score as people read it."""

    id: int
    title: str
    score: Number
    interval: Number
    published: Number | None
    pooled: Number | None
    position: str
    applicable: bool
    gap: numbers.Gap | None = None


def _pooled(ctx: AreaContext) -> pd.DataFrame:
    """This area's outcome rows of the comparisons table (the one decision of
    :mod:`analysis.method.positions`), by outcome; empty before a full build."""
    table = ctx.load_comparison().get("comparisons")
    if table is None:
        return pd.DataFrame(columns=["pooled", "decision"])
    mine = table[(table["area_id"] == ctx.area.id) & (table["kind"] == OUTCOME)]
    return mine.assign(outcome=mine["measure"].astype(int)).set_index("outcome")


def pooled_score(ctx: AreaContext, outcome: int, value: float) -> Number:
    """The all-areas score of an outcome: the mean of its questions' pooled shares."""
    q = ctx.tables["question_scores"]
    questions = q[q["outcome"] == outcome]["question"]
    return numbers.score(value, Mean(tuple(share_of(pooled_key(k_key(x)), pooled_key(n_key(x)))
                                           for x in questions)))


def outcome_lines(ctx: AreaContext) -> list[OutcomeLine]:
    """The five outcome scores with their interval, published and all-areas figures."""
    scores = ctx.tables["outcome_scores"].set_index("outcome")
    published = headline_scores(ctx.data_dir, ctx.area.id)
    pooled = _pooled(ctx)
    lines = []
    for o in ctx.bank.outcomes:
        row = scores.loc[o.id]
        has_pool = o.id in pooled.index and not math.isnan(float(pooled.loc[o.id, "pooled"]))
        score, spread = outcome_score(ctx, o.id)
        all_areas = (pooled_score(ctx, o.id, float(pooled.loc[o.id, "pooled"])) if has_pool
                     else None)
        gap = (numbers.gap(pooled.loc[o.id].to_dict(), score.lineage, all_areas.lineage,
                           score.shown and all_areas.shown) if all_areas is not None else None)
        lines.append(OutcomeLine(
            o.id, o.title, score, spread,
            numbers.external(published[o.id], Kind.PERCENT, "published report")
            if o.id in published else None,
            all_areas, WORDS.get(str(pooled.loc[o.id, "decision"]), "") if has_pool else "",
            not math.isnan(float(row["score"])), gap))
    return lines


def summary(ctx: AreaContext) -> Exhibit:
    """The chapter's opening: heading, data label, the scores table and a sentence each."""
    lines = outcome_lines(ctx)
    has_published = any(line.published for line in lines)
    has_pooled = any(line.pooled for line in lines)
    columns = [Column("Outcome"), Column("Score", True), Column("95% interval", True)]
    columns += [Column("Published in 2014", True)] if has_published else []
    columns += [Column("All areas (pooled)", True)] if has_pooled else []
    body = tuple((f"{line.id}. {line.title}", line.score, line.interval)
                 + ((line.published or "–",) if has_published else ())
                 + ((line.pooled or "–",) if has_pooled else ()) for line in lines)
    blocks: list[Block] = [Heading("Summary", 2, "summary"), label_banner(ctx),
              Paragraph(say("summary.introduction", cases=ctx.count(CASES), area=ctx.area.name)),
              Table(say("summary.scores_caption"), tuple(columns), body),
              ItemList(tuple(say("summary.score_line", line=line) for line in lines),
                       role="summary-scores")]
    if has_published:
        blocks.append(Paragraph(say("summary.published_note"), "note"))
    return Exhibit(tuple(blocks), pd.DataFrame([_row(line) for line in lines]))


def _row(line: OutcomeLine) -> dict[str, object]:
    """An outcome line as the figures it prints (its data)."""
    return {"id": line.id, "title": line.title, "score": line.score.text,
            "interval": line.interval.text,
            "published": line.published.text if line.published else "",
            "pooled": line.pooled.text if line.pooled else "", "position": line.position,
            "applicable": line.applicable}


def key_findings(ctx: AreaContext) -> Exhibit:
    """Each outcome's key strengths and areas for improvement (the chapters' own lists)."""
    parts: list[Exhibit | Heading | Paragraph] = [
        Heading(plain("summary.findings_heading"), 3, "summary-key-findings"),
        Paragraph(say("summary.findings_introduction"))]
    for o in ctx.bank.outcomes:
        parts.append(Heading(plain("summary.outcome_heading", outcome=o), 3,
                             f"summary-outcome-{o.id}"))
        parts.append(key_findings_block(ctx, o.id, level=4, slug=f"summary-outcome-{o.id}"))
    return combine(parts)


def compared(ctx: AreaContext) -> Exhibit:
    """How the area compares with all areas, outcome by outcome, in words."""
    lines = [line for line in outcome_lines(ctx) if line.pooled]
    blocks: list = [Heading(plain("summary.compare_heading", area=ctx.area.name), 3,
                            "summary-compare")]
    if lines:
        blocks += [ItemList(tuple(say("summary.compare_line", line=line) for line in lines),
                            role="summary-compare"),
                   Paragraph(say("summary.compare_note"), "note")]
    else:
        blocks.append(Paragraph(say("summary.no_pooled")))
    return Exhibit(tuple(blocks), pd.DataFrame([_row(line) for line in lines]))
