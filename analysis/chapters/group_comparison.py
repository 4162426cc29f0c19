"""Groups of areas compared, in the all-areas aggregate report (blocks, regions...).

Every figure comes from the ``group_figures`` and ``group_differences`` tables
(:mod:`analysis.method.group_figures`); this module words them (``wording/comparison.j2``).
Groups are shown in areas.csv order, never ordered by their figures.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..method.catalogue import Group, groups_of
from ..method.disclosure import SUPPRESSED, area_key, k_key, n_key
from ..method.group_figures import OUTCOME, QUESTION
from ..report.exhibit import Exhibit
from ..report.model import (
    Block,
    Cell,
    Column,
    Difference,
    Heading,
    Kind,
    Lineage,
    Number,
    Paragraph,
    Ratio,
    Sum,
    Table,
    TableCell,
    Text,
    depends_on,
)
from . import numbers
from .context import AggregateContext, AreaContext
from .say import plain, say


def group_lineage(group: Group | None, ids: list[str], measure: str) -> Lineage:
    """A group's pooled share of a question: its areas' counts summed (all areas when no
    group)."""
    return _pooled_share(tuple(group.areas if group is not None else ids), measure)


@lru_cache(maxsize=4096)
def _pooled_share(areas: tuple[str, ...], measure: str) -> Lineage:
    """One lineage object per group and question (every table of groups names it)."""
    return Ratio(Sum(tuple(Cell(area_key(a, k_key(measure))) for a in areas)),
                 Sum(tuple(Cell(area_key(a, n_key(measure))) for a in areas)))


def _figure(ctx: AggregateContext, row: pd.Series | None, lineage: Lineage) -> TableCell:
    if row is None:
        return numbers.NOT_APPLICABLE
    spread = numbers.interval(float(row["lower"]), float(row["upper"]), depends_on(lineage))
    if row["kind"] == QUESTION:
        policy = ctx.disclosure.policy
        shown = numbers.unlinked_share(policy, row["k"], row["n"], row["share"], lineage)
        if not shown.shown:
            return shown
        # a group's denominator is the sum of its areas' ones: in publication mode it is not
        # printed, so that an area's hidden denominator cannot be had by subtraction
        n = None if policy.publish else Number(int(row["n"]), Kind.COUNT, lineage.whole
                                               if isinstance(lineage, Ratio) else lineage)
        return say("comparison.group_share", share=shown, n=n, interval=spread)
    score = numbers.score(float(row["share"]), lineage)  # an outcome's figure is a score
    return say("comparison.group_share", share=score, n=None, interval=spread)


def _difference(r: pd.Series, a: Group, b: Group, lineage: Lineage) -> Text:
    """The difference a minus b and its interval in words, from a's side; never a rank."""
    value = float(r["difference"])

    def pts(v: float) -> Number:
        return Number(v, Kind.POINTS, depends_on(lineage), digits=1)

    difference = pts(value)
    side = ("higher" if value > 0 else "lower") if bool(r["clear"]) else "none"
    return say("comparison.difference", a=a.label, b=b.label,
               side=numbers.verdict(side, difference), difference=difference,
               size=Number(abs(value) * 100, Kind.NUMBER, depends_on(lineage), digits=1),
               lower=pts(float(r["lower"])), upper=pts(float(r["upper"])))


def _lineages(ctx: AggregateContext, kind: str, measure: str, groups: list[Group]
              ) -> tuple[Lineage, dict[str, Lineage]]:
    ids = [a.id for a in ctx.areas]
    if kind == QUESTION:
        return (group_lineage(None, ids, measure),
                {g.id: group_lineage(g, ids, measure) for g in groups})
    questions = ctx.tables["pooled_questions"]
    qs = list(questions[questions["outcome"] == int(measure)]["question"].drop_duplicates())

    def score(g: Group | None) -> Lineage:
        return depends_on(*(group_lineage(g, ids, q) for q in qs))

    return score(None), {g.id: score(g) for g in groups}


def _rows(ctx: AggregateContext, kind: str, measures: list[tuple[str, str]],
          groups: list[Group], pair: tuple[Group, Group]) -> tuple[tuple[TableCell, ...], ...]:
    fig = ctx.tables["group_figures"]
    fig = fig[fig["kind"] == kind].set_index(["scope", "measure"])
    diff = ctx.tables["group_differences"]
    diff = diff[(diff["kind"] == kind) & (diff["group_a"] == pair[0].id)
                & (diff["group_b"] == pair[1].id)].set_index("measure")
    body = []
    for measure, label in measures:
        whole, own = _lineages(ctx, kind, measure, groups)
        cells: list[TableCell] = [label, _figure(
            ctx, fig.loc[("all", measure)] if ("all", measure) in fig.index else None, whole)]
        hidden = False
        for g in groups:
            row = fig.loc[(g.id, measure)] if (g.id, measure) in fig.index else None
            cells.append(_figure(ctx, row, own[g.id]))
            hidden |= row is not None and kind == QUESTION and \
                ctx.disclosure.policy.hides_share(row["k"], row["n"])
        between = Difference(own[pair[0].id], own[pair[1].id])
        words: TableCell = (SUPPRESSED if hidden else _difference(diff.loc[measure], *pair,
                                                                  between)
                            if measure in diff.index else numbers.NOT_APPLICABLE)
        body.append((*cells, words))
    return tuple(body)


def _grouping(ctx: AggregateContext, groups: list[Group]) -> list[Block]:
    """One grouping's tables: outcomes and key questions, for each pair of its groups."""
    blocks: list[Block] = []
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    outcomes = [(str(o.id), plain("comparison.outcome_label", outcome=o))
                for o in ctx.bank.outcomes]
    questions = [(q.question, q.label) for q in keys.itertuples()]
    for a, b in [(x, y) for i, x in enumerate(groups) for y in groups[i + 1:]]:
        shown = [g for g in groups if g in (a, b)] if len(groups) > 2 else groups
        heads = [plain("comparison.group_head", label=g.label, count=len(g.areas))
                 for g in shown]
        columns = (Column("All areas", True), *[Column(h, True) for h in heads],
                   Column("Difference"))
        blocks.append(Table(say("comparison.group_outcomes_caption", a=a.label, b=b.label),
                            (Column("Outcome"), *columns),
                            _rows(ctx, OUTCOME, outcomes, shown, (a, b))))
        blocks.append(Table(say("comparison.group_questions_caption", a=a.label, b=b.label),
                            (Column("Key question"), *columns),
                            _rows(ctx, QUESTION, questions, shown, (a, b))))
        shown_measures = ({(OUTCOME, m) for m, _ in outcomes}
                          | {(QUESTION, m) for m, _ in questions})
        blocks.append(Paragraph(_chance(ctx, a, b, shown_measures)))
    return blocks


def _chance(ctx: AggregateContext, a: Group, b: Group,
            shown_measures: set[tuple[str, str]]) -> Text:
    """How many differences are clear, and how many a random split of the same areas would
    make clear (the sum of ``chance``: each measure's share of splits marked clear)."""
    diff = ctx.tables["group_differences"]
    diff = diff[(diff["group_a"] == a.id) & (diff["group_b"] == b.id)]
    clear = int(diff["clear"].sum())
    shown = [(k, m) in shown_measures for k, m in zip(diff["kind"], diff["measure"], strict=True)]

    def about(value: float) -> Number:
        return numbers.external(value, Kind.NUMBER, "chance")

    return say("comparison.group_chance", compared=numbers.constant(len(diff), "design"),
               clear=numbers.external(clear, Kind.NUMBER, "group differences"),
               a=a.label, b=b.label, expected=about(float(diff["chance"].sum())),
               shown=numbers.constant(len(shown_measures), "design"),
               expected_shown=about(float(diff.loc[shown, "chance"].sum())))


def group_comparison(ctx: AggregateContext) -> Exhibit:
    """How the groups of areas compare: pooled figures with intervals and differences."""
    groups = groups_of(ctx.areas)
    if not groups or ctx.group:
        return Exhibit()
    blocks: list[Block] = [Heading(plain("comparison.groups_heading"), 2, "groups"),
                           Paragraph(say("comparison.groups_introduction")),
                           Paragraph(say("comparison.groups_caveat"))]
    for grouping in dict.fromkeys(g.grouping for g in groups):
        members = [g for g in groups if g.grouping == grouping]
        if len(members) < 2:
            blocks.append(Paragraph(say("comparison.one_group", grouping=grouping)))
            continue
        blocks.extend(_grouping(ctx, members))
    blocks.extend(ctx.rules())
    return Exhibit(tuple(blocks), ctx.tables["group_figures"])


def group_words(decision: str) -> str:
    """An area against its group, from the area's side, as the comparisons table decides it."""
    return plain("comparison.group_position", decision=decision)


def only_area() -> str:
    """What an area's group figure says when the group is that area alone."""
    return plain("comparison.only_area")


def group_heads(groups: list[Group]) -> list[Column]:
    """The columns an area's comparison tables gain: each of its groups' figure and the
    decision against it."""
    return [c for g in groups for c in (Column(g.label, True),
                                        Column(plain("comparison.group_column", label=g.label)))]


def group_cells(ctx: AreaContext, groups: list[Group], kind: str,
                measure: str) -> list[TableCell]:
    """This area's group figures and decisions for one measure (the comparisons table's rows
    of scope = the group's id)."""
    rows = ctx.comparison.get("group_comparisons", pd.DataFrame())
    cells: list[TableCell] = []
    for g in groups:
        hit = rows[(rows["scope"] == g.id) & (rows["kind"] == kind)
                   & (rows["measure"] == measure)] if len(rows) else rows
        if hit.empty:
            absent: TableCell = (numbers.not_applicable(ctx.disclosure, k_key(measure),
                                                        n_key(measure))
                                 if kind == QUESTION and n_key(measure) in ctx.disclosure.values
                                 else numbers.NOT_APPLICABLE)
            cells += [absent, absent]
            continue
        r = hit.iloc[0]
        lineage = (group_lineage(g, [], measure) if kind != OUTCOME
                   else depends_on(*(group_lineage(g, [], q) for q in _questions_of(ctx,
                                                                                   measure))))
        if len(g.areas) == 1:  # the group's figure is this area's own: shown as the area's
            shown = (numbers.score(float(r["pooled"]), lineage) if kind == OUTCOME
                     else ctx.share(k_key(measure), n_key(measure)))
            cells += [shown, only_area()]
            continue
        # a group's share is withheld with the area's own: in publication mode the area's
        # hidden counts must not be read back from its group's figure
        hidden = kind != OUTCOME and ctx.disclosure.share_hidden(k_key(measure), n_key(measure))
        figure = Number(float(r["pooled"]), Kind.SCORE if kind == OUTCOME else Kind.SHARE,
                        lineage, shown=not hidden)
        mine = [] if kind == OUTCOME else [ctx.share(k_key(measure), n_key(measure))]
        cells += [figure, numbers.verdict(group_words(str(r["decision"])), figure, *mine)]
    return cells


def _questions_of(ctx: AreaContext, outcome: str) -> list[str]:
    q = ctx.tables["question_scores"]
    return list(q[q["outcome"] == int(outcome)]["question"])


def scope_note(ctx: AggregateContext) -> Exhibit:
    """In a group's aggregate: what "all areas" means in it (empty in the whole one)."""
    if ctx.group is None:
        return Exhibit()
    g = ctx.group
    return Exhibit((Paragraph(say("comparison.group_scope",
                                  count=numbers.constant(len(g.areas), "design"),
                                  label=g.label, names=[ctx.name(a) for a in g.areas])),))
