"""The comparison chapter: this area beside the all-areas figure, as the comparisons table says.

Every decision shown here (unusually high or low among areas, or within their usual range),
every range drawn and every chance statement is read from the ``comparisons`` table
(:mod:`analysis.method.positions`); nothing is decided in this module. Words are in
``wording/comparison.j2``.
"""

from __future__ import annotations

import pandas as pd

from ..method.bank import Outcome
from ..method.disclosure import k_key, n_key, pooled_key
from ..method.positions import OUTCOME, QUESTION, WORDS, expected_chance_flags, largest_gaps
from ..report.exhibit import Exhibit, combine
from ..report.model import (
    Block,
    Column,
    Heading,
    ItemList,
    Kind,
    Number,
    Paragraph,
    Table,
    TableCell,
    Text,
)
from . import charts, numbers
from .context import AreaContext, label_banner
from .figures import chart
from .group_comparison import group_cells, group_heads
from .outcomes import outcome_score
from .say import plain, say
from .summary import pooled_score


def chance_sentence(expected: float, measures: int, what: str) -> Text:
    """How many of ``measures`` results chance alone would mark, when no area really differs
    (a number of questions or outcomes, not of people)."""
    if measures == 0:
        return Text()
    amount = None if expected < 0.05 else numbers.external(
        expected, Kind.NUMBER, "chance", digits=1)
    return say("comparison.chance", amount=amount,
               measures=numbers.constant(measures, "design"), what=what)


def comparison(ctx: AreaContext) -> Exhibit:
    """This area beside the all-areas figure, for every outcome and key question.

    Its data: this area's rows of the comparisons table shown (outcomes, then key questions).
    """
    parts: list[Block | Exhibit] = [Heading(plain("comparison.heading"), 2, "comparison"),
                                    label_banner(ctx)]
    if not ctx.load_comparison():
        return combine([*parts, Paragraph(say("comparison.no_tables"))])
    parts.append(Paragraph(say("comparison.introduction")))
    mine = _mine(ctx, OUTCOME)
    shown = _shown(_key_rows(ctx))
    parts.append(Paragraph(Text.of(
        chance_sentence(expected_chance_flags(mine), len(mine), "outcomes"), " ",
        chance_sentence(expected_chance_flags(shown), len(shown), "key questions"))))
    parts.append(_largest_gaps(ctx, shown))
    parts.extend(ctx.rules())
    return combine(parts, data=shown)


def key_questions(ctx: AreaContext) -> Exhibit:
    """The outcome scores and every key question beside all areas (and the area's groups),
    outcome by outcome: a table and a chart of that outcome's questions (one chart per
    outcome, so none is too long to read), for the technical annex; the report keeps the
    chances and the largest gaps (at a glance charts the outcomes)."""
    parts: list[Block | Exhibit] = [Heading(plain("comparison.annex_heading"), 2,
                                            "annex-comparison")]
    if not ctx.load_comparison():
        return combine([*parts, Paragraph(say("comparison.no_tables"))])
    if ctx.area.groups:
        parts.append(Paragraph(say("comparison.groups",
                                   labels=[g.label for g in ctx.area.groups])))
    parts.append(Heading(plain("comparison.outcomes_heading"), 3, "annex-comparison-outcomes"))
    parts.append(_outcomes(ctx))
    parts.append(_key_questions(ctx))
    parts.extend(ctx.rules())
    return combine(parts)


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The key questions the comparisons table decided on, each once."""
    return frame[frame["decision"].notna()].drop_duplicates("question")


def _mine(ctx: AreaContext, kind: str) -> pd.DataFrame:
    rows = ctx.comparison["comparisons"]
    return rows[(rows["area_id"] == ctx.area.id) & (rows["kind"] == kind)]


def _outcomes(ctx: AreaContext) -> Exhibit:
    """The outcome scores beside the all-areas scores: a table, a chart and the chance."""
    # an outcome's "share" in the comparisons table is its score: a mean of question shares,
    # not a count of people, shown like the headline score
    mine = _mine(ctx, OUTCOME).assign(outcome=lambda f: f["measure"].astype(int),
                                      score=lambda f: f["share"])
    mine = mine.sort_values("outcome")
    groups = ctx.groups()
    body: list[tuple[TableCell, ...]] = []
    drawn: list[Number] = []
    for r in mine.itertuples():
        o = ctx.bank.outcome_by_id[int(r.outcome)]
        score, spread = outcome_score(ctx, o.id)
        pooled = pooled_score(ctx, o.id, float(r.pooled))
        gap = numbers.gap(r._asdict(), score.lineage, pooled.lineage,
                          score.shown and pooled.shown)
        body.append((plain("comparison.outcome_label", outcome=o), score, spread, pooled,
                     say("comparison.gap_cell", gap=gap) if gap else numbers.NOT_APPLICABLE,
                     numbers.verdict(WORDS[r.decision], score, pooled),
                     *group_cells(ctx, groups, OUTCOME, str(r.outcome))))
        drawn += [score, spread, pooled]
    # the chart draws the area's own 95% interval; the limits it is judged by are wider
    rows = mine.assign(label=[f"Outcome {o}" for o in mine["outcome"]],
                       lower=mine["share_lower"], upper=mine["share_upper"])
    labels = [g.label for g in groups]
    fig, alt = charts.comparison_dots(rows, plain("comparison.outcomes_chart_title"),
                                      ctx.area.name, band="interval")
    blocks = (Table(say("comparison.outcomes_caption", labels=labels),
                    (Column("Outcome"), Column("This area", True), Column("95% interval", True),
                     Column("All areas", True), Column(plain("comparison.gap_heading")),
                     Column("Compared with all areas"),
                     *group_heads(groups)), tuple(body)),
              chart(fig, alt, say("comparison.outcomes_chart_caption"), drawn),
              Paragraph(chance_sentence(expected_chance_flags(mine), len(mine), "outcomes")))
    charts.close(fig)
    return Exhibit(blocks, mine, (fig,))


def _key_rows(ctx: AreaContext) -> pd.DataFrame:
    """This area's key questions (once per outcome they feed) with their comparisons."""
    q = ctx.tables["question_scores"]
    keyq = q[q["key"]].sort_values(["outcome", "order"])
    decided = _mine(ctx, QUESTION).drop(columns=["k", "n", "share"]).set_index("measure")
    return keyq[["question", "outcome", "label", "n", "k", "share"]].merge(
        decided, left_on="question", right_index=True, how="left")


def _pooled_share(ctx: AreaContext, question: str) -> Number:
    return ctx.pooled_share(question)


def _key_questions(ctx: AreaContext) -> Exhibit:
    frame = _key_rows(ctx)
    groups = ctx.groups()
    labels = [g.label for g in groups]
    parts: list[Block | Exhibit] = []
    for o in ctx.bank.outcomes:
        sub = frame[frame["outcome"] == o.id]
        parts.append(Heading(plain("comparison.key_heading", outcome=o), 3,
                             f"annex-comparison-outcome-{o.id}"))
        if sub.empty:
            parts.append(Paragraph(say("comparison.no_key_question")))
            continue
        def absent(q: str) -> Number:
            return numbers.not_applicable(ctx.disclosure, k_key(q), n_key(q))

        body = tuple((str(r.label), ctx.count(n_key(r.question)),
                      ctx.share(k_key(r.question), n_key(r.question)),
                      _pooled_share(ctx, r.question) if r.n else absent(r.question),
                      _gap_cell(ctx, r._asdict()),
                      numbers.verdict(WORDS[r.decision],
                                      ctx.share(k_key(r.question), n_key(r.question)),
                                      _pooled_share(ctx, r.question))
                      if r.n else absent(r.question),
                      *group_cells(ctx, groups, QUESTION, r.question))
                     for r in sub.itertuples())
        small = (sub["n"].between(1, 9)).any()
        parts.append(Table(say("comparison.key_caption", outcome=o, labels=labels),
                           (Column("Question"), Column("n", True), Column("This area", True),
                            Column("All areas", True), Column(plain("comparison.gap_heading")),
                            Column("Compared with all areas"),
                            *group_heads(groups)), body,
                           notes=(say("comparison.small_note"),) if small else ()))
        parts.append(_key_question_chart(ctx, _shown(sub), o))
    return combine(parts, data=_shown(frame))


def _gap(ctx: AreaContext, row: dict[str, object]) -> numbers.Gap | None:
    """A key question's gap to all areas, hidden with this area's or the pooled share."""
    q = str(row["question"])
    mine, pooled = ctx.share(k_key(q), n_key(q)), _pooled_share(ctx, q)
    return numbers.gap(row, mine.lineage, pooled.lineage, mine.shown and pooled.shown)


def _gap_cell(ctx: AreaContext, row: dict[str, object]) -> TableCell:
    found = _gap(ctx, row)
    if found:
        return say("comparison.gap_cell", gap=found)
    q = str(row.get("question", ""))  # not applicable, or [c] where that gives a zero away
    return numbers.not_applicable(ctx.disclosure, k_key(q), n_key(q)) if q else \
        numbers.NOT_APPLICABLE


def _gap_shown(ctx: AreaContext, row: dict[str, object]) -> bool:
    found = _gap(ctx, row)
    return found is not None and found.points.shown


def _largest_gaps(ctx: AreaContext, shown: pd.DataFrame) -> Exhibit:
    """The largest gaps below and above all areas, in words with their intervals and cases,
    as :func:`analysis.method.positions.largest_gaps` chooses them (hidden figures left out)."""
    visible = shown[[_gap_shown(ctx, r._asdict()) for r in shown.itertuples()]] \
        if len(shown) else shown
    below, above = largest_gaps(visible.rename(columns={"question": "measure"}))
    heading = Heading(plain("comparison.gaps_heading"), 3, "comparison-gaps")
    chosen = pd.concat([below, above]).rename(columns={"measure": "question"})
    if chosen.empty:
        return Exhibit((heading, Paragraph(say("comparison.no_gaps"))))
    items = tuple(say("comparison.gap_item", label=str(r.label), outcome=int(r.outcome),
                      share=ctx.share(k_key(r.question), n_key(r.question)),
                      pooled=_pooled_share(ctx, r.question), gap=_gap(ctx, r._asdict()))
                  for r in chosen.itertuples())
    return Exhibit((heading, Paragraph(say("comparison.gaps_introduction")),
                    ItemList(items, role="comparison-gaps")), chosen)


def _key_question_chart(ctx: AreaContext, shown: pd.DataFrame, outcome: Outcome) -> Exhibit:
    """One outcome's key questions against all areas, as dots on their usual ranges."""
    pooled = ctx.pooled()
    charted = shown[[not ctx.disclosure.share_hidden(k_key(r.question), n_key(r.question))
                     and not pooled.share_hidden(pooled_key(k_key(r.question)),
                                                 pooled_key(n_key(r.question)))
                     for r in shown.itertuples()]]
    if charted.empty:
        return Exhibit()
    rows = charted.assign(label=[str(r.label) for r in charted.itertuples()])
    fig, alt = charts.comparison_dots(rows, plain("comparison.key_chart_title", outcome=outcome),
                                      ctx.area.name, band="limits")
    drawn = tuple(x for r in charted.itertuples()
                  for x in (ctx.share(k_key(r.question), n_key(r.question)),
                            _pooled_share(ctx, r.question)))
    block = chart(fig, alt, say("comparison.key_chart_caption", outcome=outcome), drawn)
    charts.close(fig)
    return Exhibit((block,), figures=(fig,))

