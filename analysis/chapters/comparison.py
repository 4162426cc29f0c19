"""The comparison chapter: this area beside the all-areas figure, as the comparisons table says.

Every decision shown here (unusually high or low among areas, or within their usual range),
every range drawn and every chance statement is read from the ``comparisons`` table
(:mod:`analysis.method.positions`); nothing is decided in this module.
"""

from __future__ import annotations

import pandas as pd

from ..method.disclosure import k_key, n_key, pooled_key
from ..method.positions import OUTCOME, QUESTION, WORDS, expected_chance_flags
from ..report.exhibit import Exhibit, combine
from . import charts, numbers
from . import html as htmlout
from .context import AreaContext, label_banner
from .group_comparison import group_cells, group_heads
from .html import heading, paragraph, pct, table


def chance_sentence(expected: float, measures: int, what: str) -> str:
    """How many of ``measures`` results chance alone would mark, when no area really differs
    (a number of questions or outcomes, not of people)."""
    if measures == 0:
        return ""
    amount = "almost none" if expected < 0.05 else f"about {expected:.1f}"
    return (f"If no area were more unusual than areas usually are, chance alone would mark "
            f"{amount} of these {measures} {what} as unusually high or low.")


def comparison(ctx: AreaContext) -> Exhibit:
    """This area beside the all-areas figure, for every outcome and key question.

    Its data: this area's rows of the comparisons table shown (outcomes, then key questions).
    """
    parts: list[str | Exhibit] = [heading("How this area compares", 2, "comparison"),
                                  label_banner(ctx)]
    if not ctx.load_comparison():
        return combine([*parts, paragraph(
            "No cross-area tables: build all areas with `python -m analysis build`.")])
    parts.append(paragraph(
        "Each figure of this area is set beside the same figure for all areas together (every "
        "case in every area counted once). Areas differ from one another, so a figure is "
        "marked unusually high or low only when it lies beyond the range that areas usually "
        "span (99.8%) around the all-areas figure: the range allows for this area's own "
        "sampling (its number of cases, or its score's bootstrap) and for how much areas "
        "differ, estimated from the areas themselves. A figure within that range can still "
        "be well above or below the all-areas figure. The aggregate report shows every area "
        "on the same basis."))
    if ctx.area.groups:
        parts.append(paragraph(
            "Beside the all-areas figure stands the figure of each group this area belongs to "
            "(" + ", ".join(g.label for g in ctx.area.groups) + "), pooled over that group's "
            "areas only and compared by the same rule; the group's own aggregate report shows "
            "all its areas."))
    parts.append(_outcomes(ctx))
    parts.append(_key_questions(ctx))
    parts.append(ctx.suppression_note())
    return combine(parts)


def _mine(ctx: AreaContext, kind: str) -> pd.DataFrame:
    rows = ctx.comparison["comparisons"]
    return rows[(rows["area_id"] == ctx.area.id) & (rows["kind"] == kind)]


def _outcomes(ctx: AreaContext) -> Exhibit:
    """The outcome scores beside the all-areas scores: a table, a chart and the chance."""
    # an outcome's "share" in the comparisons table is its score: a mean of question shares,
    # not a count of people, shown like the headline score
    mine = _mine(ctx, OUTCOME).assign(outcome=lambda f: f["measure"].astype(int),
                                      score=lambda f: f["share"])
    # the table and chart show the area's own 95% interval; the decision's limits are wider
    mine = mine.assign(lower=mine["share_lower"], upper=mine["share_upper"])
    mine = mine.sort_values("outcome")
    titles = {o.id: o.title for o in ctx.bank.outcomes}
    groups = ctx.groups()
    body = [[f"Outcome {r.outcome}: {titles[r.outcome]}", pct(r.score),
             htmlout.interval(r.lower, r.upper), pct(r.pooled), WORDS[r.decision],
             *group_cells(ctx, groups, OUTCOME, str(r.outcome))] for r in mine.itertuples()]
    rows = mine.assign(label=[f"Outcome {o}" for o in mine["outcome"]])
    fig, alt = charts.comparison_dots(rows, "Outcome scores against all areas",
                                      ctx.area.name, band="interval")
    html = (table("Outcome scores: this area and all areas"
                  + "".join(f" and {g.label}" for g in groups),
                  ["Outcome", "This area", "95% interval", "All areas",
                   "Compared with all areas", *group_heads(groups)], body,
                  numeric=(1, 2, 3, *range(5, 5 + 2 * len(groups), 2)))
            + htmlout.figure(fig, alt, "Outcome scores with their 95% bootstrap intervals (grey "
                             "bars); the black mark is the all-areas score. An outcome is "
                             "marked only when it lies beyond the range areas' scores usually "
                             "span, which is wider than its own interval.")
            + paragraph(chance_sentence(expected_chance_flags(mine), len(mine), "outcomes")))
    charts.close(fig)
    return Exhibit(html, mine, (fig,))


def _key_rows(ctx: AreaContext) -> pd.DataFrame:
    """This area's key questions (once per outcome they feed) with their comparisons."""
    q = ctx.tables["question_scores"]
    keyq = q[q["key"]].sort_values(["outcome", "order"])
    decided = _mine(ctx, QUESTION).drop(columns=["k", "n", "share"]).set_index("measure")
    return keyq[["question", "outcome", "label", "n", "k", "share"]].merge(
        decided, left_on="question", right_index=True, how="left")


def _key_questions(ctx: AreaContext) -> Exhibit:
    frame = _key_rows(ctx)
    pooled = ctx.pooled()
    groups = ctx.groups()
    parts: list[str | Exhibit] = []
    for o in ctx.bank.outcomes:
        sub = frame[frame["outcome"] == o.id]
        parts.append(heading(f"Outcome {o.id}: key questions", 3, f"comparison-outcome-{o.id}"))
        if sub.empty:
            parts.append(paragraph("No key question."))
            continue
        body = [[r.label, ctx.count(n_key(r.question)),
                 ctx.share(k_key(r.question), n_key(r.question)),
                 numbers.share(pooled, pooled_key(k_key(r.question)), pooled_key(n_key(r.question)),
                              mark_small=False) if r.n else htmlout.NOT_APPLICABLE,
                 WORDS[r.decision] if r.n else htmlout.NOT_APPLICABLE,
                 *group_cells(ctx, groups, QUESTION, r.question)]
                for r in sub.itertuples()]
        parts.append(table(f"Outcome {o.id} key questions: this area and all areas"
                           + "".join(f" and {g.label}" for g in groups),
                           ["Question", "n", "This area", "All areas",
                            "Compared with all areas", *group_heads(groups)], body,
                           numeric=(1, 2, 3, *range(5, 5 + 2 * len(groups), 2)),
                           notes=["* fewer than 10 cases: a share that can move a lot by "
                                  "chance."] if (sub["n"].between(1, 9)).any() else []))
    shown = frame[frame["decision"].notna()].drop_duplicates("question")
    parts.append(paragraph(chance_sentence(expected_chance_flags(shown), len(shown),
                                           "key questions")))
    parts.append(_key_question_chart(ctx, shown))
    return combine(parts, data=shown)


def _key_question_chart(ctx: AreaContext, shown: pd.DataFrame) -> Exhibit:
    pooled = ctx.pooled()
    charted = shown[[not ctx.disclosure.share_hidden(k_key(r.question), n_key(r.question))
                     and not pooled.share_hidden(pooled_key(k_key(r.question)),
                                                 pooled_key(n_key(r.question)))
                     for r in shown.itertuples()]]
    if charted.empty:
        return Exhibit("")
    rows = charted.assign(label=[f"{r.outcome}: {r.label}" for r in charted.itertuples()])
    fig, alt = charts.comparison_dots(rows, "Key questions against all areas", ctx.area.name,
                                      band="limits")
    html = htmlout.figure(fig, alt, "Every key question (numbered by outcome): this area's "
                          "share (dot), the all-areas share (black mark) and the range areas "
                          "with this many cases usually span, 99.8% (grey bar). * fewer than "
                          "10 cases.")
    charts.close(fig)
    return Exhibit(heading("Key questions against all areas", 3, "comparison-chart") + html,
                   figures=(fig,))
