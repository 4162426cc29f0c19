"""The summary chapter, first in every area report: the area at a glance (the five outcomes
as a chart, a verdict each, its priorities), its recommendations (the inspectors' where its
commentary has them, else generated from the case data), the scores, how the area compares
with all areas, the data label.

Everything is read from the area's tables (and, for the comparison, the cross-area tables);
the key findings are the outcome chapters' own lists (one rule, :mod:`analysis.method.keyfindings`).
Sentences are in ``wording/summary.j2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..method.commentary import load_commentary
from ..method.disclosure import CASES, k_key, n_key, pooled_key
from ..method.keyfindings import priorities
from ..method.positions import OUTCOME, QUESTION, WORDS
from ..method.published import headline_scores
from ..method.rounding import whole_percent
from ..method.words import describe
from ..report.exhibit import Exhibit
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
    depends_on,
    share_of,
)
from . import charts, numbers
from .commentary import recommendations as commentary_recommendations
from .context import AreaContext, label_banner
from .figures import chart
from .group_comparison import group_lineage
from .outcomes import outcome_score, slug_id
from .prose import Finding, finding, min_listed_n
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
    group: Number | None = None
    words: str = ""
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
    groups = _group_rows(ctx)
    lines = []
    for o in ctx.bank.outcomes:
        row = scores.loc[o.id]
        has_pool = o.id in pooled.index and not math.isnan(float(pooled.loc[o.id, "pooled"]))
        score, spread = outcome_score(ctx, o.id)
        applicable = not math.isnan(float(row["score"]))
        group = groups.loc[o.id] if o.id in groups.index else None
        all_areas = (pooled_score(ctx, o.id, float(pooled.loc[o.id, "pooled"])) if has_pool
                     else None)
        words = WORDS.get(str(pooled.loc[o.id, "decision"]), "") if has_pool else ""
        gap = (numbers.gap(pooled.loc[o.id].to_dict(), score.lineage, all_areas.lineage,
                           score.shown and all_areas.shown) if all_areas is not None else None)
        lines.append(OutcomeLine(
            o.id, o.title, score, spread,
            numbers.external(published[o.id], Kind.PERCENT, "published report")
            if o.id in published else None,
            all_areas,
            numbers.verdict(words, score, all_areas) if words and all_areas is not None else "",
            applicable,
            _group_score(ctx, o.id, float(group["pooled"])) if group is not None else None,
            describe(whole_percent(float(row["score"])), 100)
            if applicable and score.shown else "", gap))
    return lines


def _group_score(ctx: AreaContext, outcome: int, value: float) -> Number:
    """The area's group's score of an outcome: the mean of its questions' group shares."""
    q = ctx.tables["question_scores"]
    group = ctx.groups()[0]
    return numbers.score(value, depends_on(*(group_lineage(group, [], x)
                                             for x in q[q["outcome"] == outcome]["question"])))


def _group_rows(ctx: AreaContext) -> pd.DataFrame:
    """This area's outcome rows against its first group (the comparisons table's rows of
    scope = the group), by outcome; empty when it has no group or before a full build."""
    ctx.load_comparison()
    rows = ctx.comparison.get("group_comparisons")
    if rows is None or not ctx.area.groups or len(ctx.groups()[0].areas) < 2:
        return pd.DataFrame(columns=["pooled", "decision"])
    mine = rows[(rows["scope"] == ctx.area.groups[0].id) & (rows["kind"] == OUTCOME)]
    mine = mine[mine["pooled"].notna()]
    return mine.assign(outcome=mine["measure"].astype(int)).set_index("outcome")


def summary(ctx: AreaContext) -> Exhibit:
    """The scores: heading, data label and the five outcomes' table (their verdicts in words
    are at a glance, :func:`at_a_glance`)."""
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
              Table(say("summary.scores_caption"), tuple(columns), body)]
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


# at a glance -----------------------------------------------------------------------------------
def at_a_glance(ctx: AreaContext) -> Exhibit:
    """The area on one page: the five outcomes as a dot chart (its score and interval, all
    areas, its group, the published score), a verdict in words each, and its priorities.

    Its data: one row per outcome as the chart draws it.
    """
    lines = outcome_lines(ctx)
    group = ctx.area.groups[0].label if ctx.area.groups else None
    data = pd.DataFrame([_glance_row(ctx, line) for line in lines if line.applicable])
    blocks: list[Block] = [Heading(plain("summary.glance_heading"), 2, "at-a-glance"),
                           label_banner(ctx),
                           Paragraph(say("summary.glance_introduction", area=ctx.area.name,
                                         cases=ctx.count(CASES)))]
    figures = []
    if not data.empty:
        fig, alt = charts.glance_dots(data, plain("summary.glance_chart_title",
                                                  area=ctx.area.name), ctx.area.name,
                                      group if data["group"].notna().any() else None)
        drawn = [n for line in lines if line.applicable
                 for n in (line.score, line.interval, line.pooled, line.group, line.published)
                 if n is not None]
        blocks.append(chart(fig, alt, say("summary.glance_chart_caption"), drawn))
        figures.append(fig)
        charts.close(fig)
    blocks.append(Heading(plain("summary.verdicts_heading"), 3, "at-a-glance-verdicts"))
    blocks.append(ItemList(tuple(say("summary.verdict", line=line)
                                 for line in lines), role="verdicts"))
    if any(line.pooled for line in lines):
        blocks.append(Paragraph(say("summary.compare_note"), "note"))
    found = priority_findings(ctx)
    blocks.append(Heading(plain("summary.priorities_heading"), 3, "at-a-glance-priorities"))
    if found:
        blocks.append(ItemList(tuple(say("summary.priority", p=p) for p in found),
                               ordered=True, role="priorities"))
    else:
        blocks.append(Paragraph(say("summary.no_priorities")))
    return Exhibit(tuple(blocks), data, tuple(figures))


def _glance_row(ctx: AreaContext, line: OutcomeLine) -> dict[str, object]:
    """What the at-a-glance chart draws for one outcome."""
    o = ctx.bank.outcome_by_id[line.id]
    value = line.interval.value if isinstance(line.interval.value, tuple) else (math.nan,) * 2
    return {"outcome": line.id, "label": o.short, "share": line.score.value,
            "lower": value[0], "upper": value[1],
            "pooled": line.pooled.value if line.pooled else math.nan,
            "group": line.group.value if line.group else math.nan,
            "published": line.published.value if line.published else math.nan}


@dataclass(frozen=True)
class Priority:
    """One of the area's priorities: a finding, where its evidence is, how it was chosen."""

    outcome: str
    label: str
    anchor: str
    criterion: str
    f: Finding
    listed: str               # "improvement" (met the rule) or "weakest"
    pooled: Number | None


def priority_findings(ctx: AreaContext) -> list[Priority]:
    """The area's priorities (one rule, :func:`analysis.method.keyfindings.priorities`) as
    findings with their evidence's place in this report."""
    rows = priorities(ctx.choosable_questions(), [o.id for o in ctx.bank.outcomes],
                      min_listed_n(ctx))
    pooled = _pooled_questions(ctx)
    out = []
    for _, r in rows.iterrows():
        o = ctx.bank.outcome_by_id[int(r["outcome"])]
        qid = str(r["question"])
        out.append(Priority(o.short, str(r["label"]),
                            f"outcome-{o.id}-criterion-{slug_id(str(r['criterion']))}",
                            str(r["criterion"]), finding(ctx, r), str(r["listed"]),
                            pooled.get(qid)))
    return out


def _pooled_questions(ctx: AreaContext) -> dict[str, Number]:
    """Every question's all-areas share, by question (empty before a full build)."""
    rows = ctx.load_comparison().get("comparisons")
    if rows is None:
        return {}
    mine = rows[(rows["area_id"] == ctx.area.id) & (rows["kind"] == QUESTION)]
    if mine.empty:
        return {}
    return {q: ctx.pooled_share(q) for q in mine["measure"]}


def recommendations(ctx: AreaContext) -> Exhibit:
    """The inspectors' recommendations where the area's commentary has them; otherwise
    recommendations generated from the case data, in the inspectorate's form, one for each
    priority, each linked to its evidence and labelled as generated."""
    if load_commentary(ctx.data_dir, ctx.area.id).recommendations:
        return commentary_recommendations(ctx)
    found = priority_findings(ctx)
    blocks: list[Block] = [Heading(plain("summary.recommendations_heading"), 2,
                                   "recommendations"),
                           Paragraph(say("summary.generated_note"), "note")]
    if found:
        blocks += [Paragraph(say("summary.recommendations_introduction")),
                   ItemList(tuple(say("summary.recommendation", p=p) for p in found),
                            ordered=True, role="recommendations")]
    else:
        blocks.append(Paragraph(say("summary.no_priorities")))
    data = pd.DataFrame([{"outcome": p.outcome, "question": p.label, "listed": p.listed,
                          "evidence": p.anchor} for p in found])
    return Exhibit(tuple(blocks), data)
