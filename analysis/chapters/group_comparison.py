"""Groups of areas compared, in the all-areas aggregate report (blocks, regions...).

Every figure comes from the ``group_figures`` and ``group_differences`` tables
(:mod:`analysis.method.group_figures`); this module words them. Groups are shown in areas.csv
order, never ordered by their figures.
"""

from __future__ import annotations

import pandas as pd

from ..method.catalogue import Group, groups_of
from ..method.disclosure import SUPPRESSED, k_key, n_key
from ..method.group_figures import OUTCOME, QUESTION
from ..method.positions import ABOVE, BELOW, WITHIN
from ..report.exhibit import Exhibit
from . import html as htmlout
from . import numbers
from .context import AggregateContext, AreaContext
from .html import heading, paragraph, pct, table


def points(value: float) -> str:
    """A difference of two shares in percentage points, signed."""
    return f"{100 * value:+.1f}".replace("-", "−")


def difference_words(r: pd.Series, a: Group, b: Group) -> str:
    """The difference a minus b and its interval in words, from a's side; never a rank."""
    span = f"95% interval {points(r['lower'])} to {points(r['upper'])} points"
    if not r["clear"]:
        return f"no clear difference ({points(r['difference'])} points; {span})"
    side = "higher" if r["difference"] > 0 else "lower"
    return f"{a.label} {abs(100 * r['difference']):.1f} points {side} than {b.label} ({span})"


def _figure(ctx: AggregateContext, row: pd.Series | None) -> str:
    if row is None:
        return htmlout.NOT_APPLICABLE
    if row["kind"] == QUESTION:
        policy = ctx.disclosure.policy
        shown = numbers.unlinked_share(policy, row["k"], row["n"], row["share"])
        if shown == SUPPRESSED:
            return SUPPRESSED
        # a group's denominator is the sum of its areas' ones: in publication mode it is not
        # printed, so that an area's hidden denominator cannot be had by subtraction
        of = "" if policy.publish else f" of {policy.count(row['n'])}"
        return f"{shown}{of} ({htmlout.interval(row['lower'], row['upper'])})"
    score = float(row["share"])  # an outcome's figure is a score (a mean of shares)
    return f"{pct(score)} ({htmlout.interval(row['lower'], row['upper'])})"


def _rows(ctx: AggregateContext, kind: str, measures: list[tuple[str, str]],
          groups: list[Group], pair: tuple[Group, Group]) -> list[list[str]]:
    fig = ctx.tables["group_figures"]
    fig = fig[fig["kind"] == kind].set_index(["scope", "measure"])
    diff = ctx.tables["group_differences"]
    diff = diff[(diff["kind"] == kind) & (diff["group_a"] == pair[0].id)
                & (diff["group_b"] == pair[1].id)].set_index("measure")
    body = []
    for measure, label in measures:
        cells = [label, _figure(ctx, fig.loc[("all", measure)] if ("all", measure) in fig.index
                                else None)]
        hidden = False
        for g in groups:
            row = fig.loc[(g.id, measure)] if (g.id, measure) in fig.index else None
            cells.append(_figure(ctx, row))
            hidden |= row is not None and kind == QUESTION and ctx.disclosure.policy.hides_share(
                row["k"], row["n"])
        words = (SUPPRESSED if hidden else difference_words(diff.loc[measure], *pair)
                 if measure in diff.index else htmlout.NOT_APPLICABLE)
        body.append([*cells, words])
    return body


def _grouping(ctx: AggregateContext, groups: list[Group]) -> list[str]:
    """One grouping's tables: outcomes and key questions, for each pair of its groups."""
    parts = []
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    outcomes = [(str(o.id), f"Outcome {o.id}: {o.title}") for o in ctx.bank.outcomes]
    questions = [(q.question, q.label) for q in keys.itertuples()]
    for a, b in [(x, y) for i, x in enumerate(groups) for y in groups[i + 1:]]:
        shown = [g for g in groups if g in (a, b)] if len(groups) > 2 else groups
        heads = ["", "All areas", *[f"{g.label} ({len(g.areas)} areas)" for g in shown]]
        heads[0] = "Outcome"
        parts.append(table(f"Outcome scores: {a.label} and {b.label} (95% intervals), and "
                           "the difference between them", [*heads, "Difference"],
                           _rows(ctx, OUTCOME, outcomes, shown, (a, b)),
                           numeric=tuple(range(1, len(heads)))))
        heads[0] = "Key question"
        parts.append(table(f"Key questions: {a.label} and {b.label} (share of the applicable "
                           "cases, their number, 95% interval), and the difference between them",
                           [*heads, "Difference"], _rows(ctx, QUESTION, questions, shown, (a, b)),
                           numeric=tuple(range(1, len(heads)))))
        parts.append(paragraph(_chance(ctx, a, b, len(questions) + len(outcomes))))
    return parts


def _chance(ctx: AggregateContext, a: Group, b: Group, shown: int) -> str:
    diff = ctx.tables["group_differences"]
    diff = diff[(diff["group_a"] == a.id) & (diff["group_b"] == b.id)]
    clear = int(diff["clear"].sum())
    return (f"Of the {len(diff)} outcomes and questions compared, {clear} show a clear "
            f"difference between {a.label} and {b.label}. Were the areas split into two "
            "groups at random, about "
            f"{diff['chance'].sum():.0f} would show one by chance alone.")


def group_comparison(ctx: AggregateContext) -> Exhibit:
    """How the groups of areas compare: pooled figures with intervals and differences."""
    groups = groups_of(ctx.areas)
    if not groups or ctx.group:
        return Exhibit("")
    parts = [heading("How the groups of areas compare", 2, "groups"), paragraph(
        "Areas are grouped as data/areas.csv says (for example the inspection programme's "
        "blocks). A group's figure pools its areas' cases as the all-areas figure pools every "
        "area's: each case counts once. The interval of a question's share is Wilson's; an "
        "outcome score's comes from resampling each area's cases (2,000 times). The difference "
        "between two groups is the first group's figure minus the second's, in percentage "
        "points. Areas differ from one another, so any two groups of areas differ somewhat; "
        "the difference is judged against the differences the same areas give when split "
        "into two groups every other way (a permutation test), and its 95% interval "
        "includes that spread between areas. A difference is clear when the test says so "
        "(5%), which is when its interval leaves out zero; otherwise the data do not show "
        "that the groups differ by more than groups of these areas usually do. Groups are "
        "listed in the order of data/areas.csv, not ranked.")]
    for grouping in dict.fromkeys(g.grouping for g in groups):
        members = [g for g in groups if g.grouping == grouping]
        if len(members) < 2:
            parts.append(paragraph(f"Only one group in the {grouping} column: nothing to "
                                   "compare."))
            continue
        parts.extend(_grouping(ctx, members))
    parts.append(ctx.note())
    return Exhibit("".join(parts), ctx.tables["group_figures"])


GROUP_WORDS = {ABOVE: "unusually high among the group's areas",
               BELOW: "unusually low among the group's areas",
               WITHIN: "within the usual range of the group's areas"}
"""An area against its group, from the area's side, as the comparisons table decides it."""
ONLY_AREA = "the only area in its group"


def group_heads(groups: list[Group]) -> list[str]:
    """The columns an area's comparison tables gain: each of its groups' figure and the
    decision against it."""
    return [h for g in groups for h in (g.label, f"Compared with {g.label}")]


def group_cells(ctx: AreaContext, groups: list[Group], kind: str,
                measure: str) -> list[str]:
    """This area's group figures and decisions for one measure (the comparisons table's rows
    of scope = the group's id)."""
    rows = ctx.comparison.get("group_comparisons", pd.DataFrame())
    cells = []
    for g in groups:
        hit = rows[(rows["scope"] == g.id) & (rows["kind"] == kind)
                   & (rows["measure"] == measure)] if len(rows) else rows
        if hit.empty:
            cells += [htmlout.NOT_APPLICABLE, htmlout.NOT_APPLICABLE]
            continue
        r = hit.iloc[0]
        if len(g.areas) == 1:  # the group's figure is this area's own: shown as the area's
            shown = (pct(r["pooled"]) if kind == OUTCOME
                     else ctx.share(k_key(measure), n_key(measure)))
            cells += [shown, ONLY_AREA]
            continue
        # a group's share is withheld with the area's own: in publication mode the area's
        # hidden counts must not be read back from its group's figure
        hidden = kind != OUTCOME and ctx.disclosure.share_hidden(k_key(measure), n_key(measure))
        cells += [SUPPRESSED if hidden else pct(r["pooled"]), GROUP_WORDS[r["decision"]]]
    return cells


def scope_note(ctx: AggregateContext) -> Exhibit:
    """In a group's aggregate: what "all areas" means in it (empty in the whole one)."""
    if ctx.group is None:
        return Exhibit("")
    g = ctx.group
    many = f"the {len(g.areas)} areas" if len(g.areas) != 1 else "the one area"
    return Exhibit(paragraph(
        f"This report covers {many} of {g.label} ({', '.join(ctx.name(a) for a in g.areas)}). "
        "Every pooled figure and every comparison in it is over these areas only: here \"all "
        "areas\" means the areas of this group. The aggregate report of every area compares "
        "the groups with each other."))
