"""The cross-area aggregate report: what the aggregate notebook calls.

Reads only the tidy tables a build writes (``outputs/tables``), never executed notebooks.
Words are in ``wording/aggregate.j2`` (the formulas in ``wording/methods.yaml``).
"""

from __future__ import annotations

import functools
import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.yamlfile import parse
from ..method import positions
from ..method.disclosure import area_key, factor_key, k_key, n_key, pooled_key
from ..method.positions import ABOVE, BELOW, BETA_BINOMIAL, OUTCOME, QUESTION
from ..method.published import headline_scores
from ..report.exhibit import DrawnOnDemand, Exhibit
from ..report.model import (
    Block,
    Column,
    Definitions,
    Difference,
    External,
    Heading,
    ItemList,
    Kind,
    Lineage,
    Link,
    Mean,
    Number,
    Paragraph,
    Table,
    TableCell,
    Text,
    depends_on,
    share_of,
)
from . import charts, numbers, style
from .comparison import chance_sentence
from .context import AggregateContext
from .figures import chart
from .say import plain, say

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS = Path(__file__).resolve().parent / "wording" / "methods.yaml"


def _pooled_keys(question: str) -> tuple[str, str]:
    return pooled_key(k_key(question)), pooled_key(n_key(question))


def _area_keys(area_id: str) -> functools.partial[tuple[str, str]]:
    return functools.partial(lambda a, q: (area_key(a, k_key(q)), area_key(a, n_key(q))),
                             area_id)


def _questions_of(ctx: AggregateContext, outcome: int) -> pd.DataFrame:
    pq = ctx.tables["pooled_questions"]
    return pq[pq["outcome"] == outcome].drop_duplicates("question")


def pooled_score(ctx: AggregateContext, outcome: int, value: float) -> Number:
    """The all-areas score of an outcome: the mean of its questions' pooled shares."""
    return numbers.score(value, numbers.score_lineage(_questions_of(ctx, outcome), "questions",
                                                      pooled_key("")))


def area_score_lineage(ctx: AggregateContext, area_id: str, outcome: int) -> Lineage:
    """How one area's outcome score is computed from that area's counts."""
    q = ctx.tables["question_scores"]
    rows = q[(q["area_id"] == area_id) & (q["outcome"] == outcome)]
    scores = ctx.tables["outcome_scores"]
    reading = scores[scores["area_id"] == area_id]["reading"]
    return numbers.score_lineage(rows, str(reading.iloc[0]) if len(reading) else "questions",
                                 area_key(area_id, ""))


def _strip(label: str, rows: pd.DataFrame, names: list[str]) -> charts.Strip:
    """One measure's areas for a spread chart, from its comparisons rows: the ranges drawn
    are those of an area of the middle size (the median of the areas' own limits; each area
    is judged against its own, so a dot near a line may be marked or not)."""
    values = rows["share"].to_numpy(dtype=float).copy()
    decisions = tuple(str(d) for d in rows["decision"])
    hidden = ~rows["shown"].to_numpy(dtype=bool) if "shown" in rows else np.zeros(len(rows),
                                                                                 dtype=bool)
    values[hidden] = math.nan
    unusual = np.array([d in (ABOVE, BELOW) for d in decisions]) & ~hidden

    def mid(column: str) -> float:
        return float(np.nanmedian(rows[column].to_numpy(dtype=float)))

    return charts.Strip(label, tuple(names), values, decisions, float(rows["pooled"].iloc[0]),
                        (mid("lower_95"), mid("upper_95")), (mid("lower"), mid("upper")),
                        unusual)


def _unusual_words(ctx: AggregateContext, rows: pd.DataFrame, label: str) -> Text:
    return say("aggregate.overview_unusual", label=label, above=_names(rows, ABOVE),
               below=_names(rows, BELOW))


def overview(ctx: AggregateContext) -> Exhibit:
    """The first chapter: how areas spread on each outcome and key question, and which are
    unusual among areas (a dot per area, the all-areas figure, the 95% and 99.8% ranges of
    the between-area model), whatever the number of areas. Data: the comparisons rows drawn."""
    outcomes = _decided(ctx, OUTCOME)
    blocks: list[Block] = [Heading(plain("aggregate.overview_heading"), 2, "overview"),
                           Paragraph(say("aggregate.overview_intro",
                                         areas=numbers.constant(len(ctx.group.areas)
                                                                if ctx.group else len(ctx.areas),
                                                                "design"),
                                         group=ctx.group is not None))]
    reference = plain("aggregate.reference_legend", group=ctx.group is not None)
    strips, drawn, words = [], [], []
    for o in ctx.bank.outcomes:
        sub = outcomes[outcomes["measure"] == str(o.id)]
        if sub.empty:
            continue
        label = plain("aggregate.outcome_title", outcome=o)
        strips.append(_strip(label, sub, list(sub["name"])))
        drawn.append(pooled_score(ctx, o.id, float(sub["pooled"].iloc[0])))
        drawn += [numbers.score(float(r.share), area_score_lineage(ctx, str(r.area_id), o.id))
                  for r in sub.itertuples()]
        words.append(_unusual_words(ctx, sub, label))
    figures = []
    if strips:
        fig, alt = charts.spread_strips(strips, plain("aggregate.overview_title"), reference)
        blocks.append(chart(fig, alt, say("aggregate.overview_caption",
                                          group=ctx.group is not None), tuple(drawn)))
        charts.close(fig)
        figures.append(fig)
    blocks.append(ItemList(tuple(words)))
    blocks.append(Paragraph(say("aggregate.overview_axes", pad=numbers.constant(
        style.AXIS_PAD), step=numbers.constant(style.AXIS_STEP)), "note"))
    questions = _decided(ctx, QUESTION)
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    questions = questions[questions["measure"].isin(set(keys["question"]))]
    questions = questions.assign(shown=[not _area_hidden(ctx, str(r.area_id), str(r.measure))
                                        for r in questions.itertuples()])
    by_question = dict(tuple(questions.groupby("measure", sort=False)))
    blocks.append(Heading(plain("aggregate.overview_keys_heading"), 3, "overview-keys"))
    blocks.append(Paragraph(say("aggregate.overview_keys_intro", group=ctx.group is not None)))
    for o in ctx.bank.outcomes:
        mine = [q for q in keys[keys["outcome"] == o.id].itertuples()
                if q.question in by_question]
        if not mine:
            continue
        grid = [_strip(str(q.label), by_question[q.question],
                       list(by_question[q.question]["name"])) for q in mine]
        points = tuple(ctx.share(*_area_keys(str(r.area_id))(q.question))
                       for q in mine for r in by_question[q.question].itertuples()
                       if r.shown)
        fig, alt = charts.spread_grid(grid, plain("aggregate.outcome_title", outcome=o),
                                      reference)
        blocks.append(chart(fig, alt, say("aggregate.overview_keys_caption", outcome=o),
                            points))
        charts.close(fig)
        figures.append(fig)
    return Exhibit(tuple(blocks), pd.concat([outcomes, questions], ignore_index=True),
                   tuple(figures))


def _report_href(ctx: AggregateContext, area_id: str) -> str | None:
    """An area's report from this report's page (outputs/aggregate/ or
    outputs/groups/<group>/); None when the area has no report (not built)."""
    if area_id not in ctx.reports:
        return None
    return f"{'../../' if ctx.group else '../'}{area_id}/report.html"


def area_table(ctx: AggregateContext) -> Exhibit:
    """Every area in one table (sortable and filterable on the page, complete without it):
    its outcome scores, each marked when unusual among areas, and how many of its key
    questions are unusually high or low; every area linked to its report."""
    outcomes = _decided(ctx, OUTCOME)
    questions = _decided(ctx, QUESTION)
    pq = ctx.tables["pooled_questions"]
    keys = set(pq[pq["key"]]["question"])
    questions = questions[questions["measure"].isin(keys)]
    by_area = {a: dict(zip(sub["measure"], sub.itertuples(), strict=True))
               for a, sub in outcomes.groupby("area_id", sort=False)}
    counts = questions.groupby("area_id")["decision"].agg(
        above=lambda d: int((d == ABOVE).sum()), below=lambda d: int((d == BELOW).sum()))
    body = []
    for a in ctx.areas:
        # the area's groups beside its name (a column each would not fit a printed page)
        href = _report_href(ctx, a.id)
        cells: list[TableCell] = [Text.of(Link(href, (a.name,)) if href else a.name, " ",
                                          say("aggregate.area_groups",
                                              labels=[g.label for g in a.groups]))]
        mine = by_area.get(a.id, {})
        for o in ctx.bank.outcomes:
            r = mine.get(str(o.id))
            if r is None:
                cells.append(numbers.NOT_APPLICABLE)
                continue
            score = numbers.score(float(r.share), area_score_lineage(ctx, a.id, o.id))
            cells.append(say("aggregate.area_score", score=score,
                             decision=numbers.verdict(str(r.decision), score)))
        c = counts.loc[a.id] if a.id in counts.index else pd.Series({"above": 0, "below": 0})
        # a count of decisions is made from every key question's share of the area
        decided = depends_on(*(share_of(area_key(a.id, k_key(q)), area_key(a.id, n_key(q)))
                               for q in sorted(keys)))
        cells += [Number(int(c["above"]), Kind.NUMBER, decided),
                  Number(int(c["below"]), Kind.NUMBER, decided)]
        body.append(tuple(cells))
    columns = (Column("Area"),
               *[Column(plain("aggregate.outcome_column", outcome=o), True)
                 for o in ctx.bank.outcomes],
               Column(plain("aggregate.keys_high_column"), True),
               Column(plain("aggregate.keys_low_column"), True))
    return Exhibit((Heading(plain("aggregate.areas_heading"), 2, "areas"),
                    Paragraph(say("aggregate.areas_intro",
                                  areas=numbers.constant(len(body), "design"))),
                    Table(say("aggregate.areas_caption"), columns, tuple(body),
                          (say("aggregate.areas_outcomes", outcomes=list(ctx.bank.outcomes)),),
                          sortable=True)), outcomes)


def _too_many(ctx: AggregateContext, limit: int) -> Paragraph | None:
    """The note that replaces a chart of one row or column per area beyond ``limit`` areas."""
    if len(ctx.areas) <= limit:
        return None
    return Paragraph(say("aggregate.too_many", areas=numbers.constant(len(ctx.areas), "design"),
                         limit=numbers.constant(limit)), "note")


def introduction(ctx: AggregateContext) -> Exhibit:
    labels = sorted({a.label for a in ctx.areas})
    data = pd.DataFrame({"area_id": [a.id for a in ctx.areas],
                         "name": [a.name for a in ctx.areas],
                         "label": [a.label for a in ctx.areas]})
    return Exhibit((
        Heading(plain("aggregate.about_heading"), 2, "about"),
        Paragraph(say("aggregate.about", areas=numbers.constant(len(ctx.areas), "design"),
                      labels=labels)),
        ItemList((say("aggregate.pooled_kind"), say("aggregate.mean_kind"))),
        Paragraph(say("aggregate.not_ranked"))), data)


def outcome_summary(ctx: AggregateContext) -> Exhibit:
    po = ctx.tables["pooled_outcomes"].sort_values("outcome")
    body = []
    for r in po.itertuples():
        pooled = pooled_score(ctx, int(r.outcome), float(r.pooled))
        mean = numbers.score(float(r.mean_of_areas), Mean(tuple(
            area_score_lineage(ctx, a.id, int(r.outcome)) for a in ctx.areas)))
        body.append((plain("aggregate.outcome_heading", outcome=ctx.bank.outcome_by_id[
            int(r.outcome)]), pooled, mean, numbers.constant(int(r.n_areas), "design"),
            Number(int(r.n_questions), Kind.NUMBER, depends_on(pooled.lineage))))
    table = Table(say("aggregate.outcomes_caption"),
                  (Column("Outcome"), Column("Pooled", True), Column("Mean of areas", True),
                   Column("Areas", True), Column("Questions", True)), tuple(body))
    heading = Heading(plain("aggregate.outcomes_heading"), 2, "outcomes")
    note = _too_many(ctx, style.MAX_AREA_ROWS)
    if note is not None:
        return Exhibit((heading, table, note), po)
    out = ctx.tables["outcome_scores"]
    matrix = out.pivot(index="area_id", columns="outcome", values="score")
    drawn = tuple(numbers.score(float(v), area_score_lineage(ctx, str(a), int(o)))
                  for a, row in matrix.iterrows() for o, v in row.items())
    matrix.index = [ctx.name(i) for i in matrix.index]
    matrix.columns = [ctx.bank.outcome_by_id[int(c)].short for c in matrix.columns]
    fig, alt = charts.heatmap(matrix, plain("aggregate.heatmap_title"), "Outcome")
    block = chart(fig, alt, say("aggregate.heatmap_caption"), drawn)
    charts.close(fig)
    return Exhibit((heading, table, block), po, (fig,))


def _decided(ctx: AggregateContext, kind: str) -> pd.DataFrame:
    """The comparisons rows of one kind for the areas of this report, with area names."""
    rows = ctx.tables["comparisons"]
    rows = rows[rows["kind"] == kind].copy()
    rows["name"] = [ctx.name(a) for a in rows["area_id"]]
    return rows


def _chance(rows: pd.DataFrame, what: str) -> Text:
    """The chance statement for these rows, with how many are marked."""
    marked = int(rows["decision"].isin([ABOVE, BELOW]).sum())
    return say("aggregate.marked",
               chance=chance_sentence(positions.expected_chance_flags(rows), len(rows), what),
               marked=numbers.external(marked, Kind.NUMBER, "comparisons"))


def _names(rows: pd.DataFrame, decision: str) -> list[str]:
    """The areas of one decision, highest share first (ties in table order)."""
    pick = rows["decision"].to_numpy() == decision
    shares = rows["share"].to_numpy(dtype=float)[pick]
    return [str(x) for x in rows["name"].to_numpy()[pick][np.argsort(-shares, kind="stable")]]


def outcome_intervals(ctx: AggregateContext) -> Exhibit:
    """Each outcome's area scores with their intervals; data: the comparisons rows shown."""
    group = ctx.group is not None
    blocks: list[Block] = [Heading(plain("aggregate.intervals_heading", group=group), 2,
                                   "outcome-intervals"),
                           Paragraph(say("aggregate.intervals_intro", group=group))]
    decided = _decided(ctx, OUTCOME)
    # the chart draws each area's own interval, not the (wider) limits it is judged by
    decided = decided.assign(lower=decided["share_lower"], upper=decided["share_upper"])
    blocks.append(Paragraph(_chance(decided, "area outcomes")))
    note = _too_many(ctx, style.MAX_AREA_ROWS)
    if note is not None:
        blocks.append(note)
    figures = []
    for o in ctx.bank.outcomes:
        sub = decided[decided["measure"] == str(o.id)]
        if note is not None:
            blocks.append(Paragraph(say("aggregate.above_below_outcome", outcome=o,
                                        above=_names(sub, ABOVE), below=_names(sub, BELOW))))
            continue
        pooled = float(sub["pooled"].iloc[0])
        fig, alt = charts.score_intervals(sub, plain("aggregate.outcome_title", outcome=o),
                                          pooled, group)
        drawn = [pooled_score(ctx, o.id, pooled)]
        for r in sub.itertuples():
            lineage = area_score_lineage(ctx, str(r.area_id), o.id)
            drawn += [numbers.score(float(r.share), lineage),
                      numbers.interval(float(r.lower), float(r.upper), depends_on(lineage))]
        blocks.append(Heading(plain("aggregate.outcome_heading", outcome=o), 3,
                              f"outcome-intervals-{o.id}"))
        blocks.append(chart(fig, alt, say("aggregate.intervals_caption", outcome=o,
                                          group=group),
                            tuple(drawn)))
        charts.close(fig)
        figures.append(fig)
        blocks.append(Paragraph(say("aggregate.above_below_score", above=_names(sub, ABOVE),
                                    below=_names(sub, BELOW))))
    return Exhibit(tuple(blocks), decided, tuple(figures))


def funnels(ctx: AggregateContext) -> Exhibit:
    """A chart per key question: the limits the decision used, every area named; a compact
    table for the other questions. Data: the comparisons rows of every question."""
    group = ctx.group is not None
    blocks: list[Block] = [Heading(plain("aggregate.funnels_heading"), 2, "funnels"),
                           Paragraph(say("aggregate.funnels_intro", group=group))]
    decided = _decided(ctx, QUESTION)
    disp = ctx.tables["dispersion"].set_index("measure")
    pq = ctx.tables["pooled_questions"]
    keys = pq[pq["key"]].drop_duplicates("question").sort_values(["outcome", "order"])
    blocks.append(Paragraph(_chance(decided[decided["measure"].isin(set(keys["question"]))],
                                    "area key questions")))
    if len(ctx.areas) > style.MAX_NAMED_DOTS:
        blocks.append(Paragraph(say("aggregate.funnel_names", limit=numbers.constant(
            style.MAX_NAMED_DOTS)), "note"))
    by_question = dict(tuple(decided.groupby("measure", sort=False)))
    curves = dict(tuple(ctx.tables["funnel_limits"].groupby("measure", sort=False)))
    canvas = charts.FunnelCanvas(group)
    drawn: list[FunnelArgs] = []
    for q in keys.itertuples():
        sub = by_question.get(q.question)
        if sub is None:
            continue
        d = disp.loc[q.question]
        blocks.append(Heading(q.label, 3, f"funnel-{q.question}"))
        args = _key_chart(ctx, sub, d, q.question, q.label, curves[q.question])
        if args is not None:
            fig, alt = canvas.draw(*args)
            pooled = ctx.share(*_pooled_keys(q.question))
            points = tuple(x for r in args[0].itertuples()
                           for x in (ctx.share(*_area_keys(str(r.area_id))(q.question)),
                                     ctx.count(area_key(str(r.area_id), n_key(q.question)))))
            blocks.append(chart(fig, alt, say("aggregate.funnel_caption", label=q.label,
                                              criterion=q.criterion, pooled=pooled,
                                              group=group),
                                points))
            drawn.append(args)
        blocks.append(Paragraph(say("aggregate.above_below_figure", above=_names(sub, ABOVE),
                                    below=_names(sub, BELOW),
                                    dispersion=_dispersion_words(ctx, d, q.question))))
    charts.close(canvas.fig)
    blocks.extend(_other_questions(ctx, decided, by_question, keys))
    blocks.extend(ctx.rules())
    return Exhibit(tuple(blocks), decided, DrawnOnDemand(len(drawn), functools.partial(
        _funnel_figure, drawn, group)))


#: What one funnel chart is drawn from: points, curve, all-areas figure, limits, title.
FunnelArgs = tuple[pd.DataFrame, pd.DataFrame, float, str, str]


def _funnel_figure(drawn: list[FunnelArgs], group: bool, index: int) -> Figure:
    """The index-th funnel of a report as a figure of its own (closed to pyplot, as every
    chart of an exhibit is, so that it is shown only when asked for)."""
    fig, _ = charts.funnel_plot(*drawn[index], group=group)
    charts.close(fig)
    return fig


def _key_chart(ctx: AggregateContext, sub: pd.DataFrame, d: pd.Series, question: str,
               label: str, limits: pd.DataFrame) -> FunnelArgs | None:
    """What one key question's chart shows (``limits``: the build's curve of the limits the
    decision used, from the funnel_limits table), or None when publication hides its
    figures."""
    k, n = _pooled_keys(question)
    shown = sub[[not _area_hidden(ctx, r.area_id, question) for r in sub.itertuples()]]
    if shown.empty or ctx.disclosure.share_hidden(k, n):  # hidden figures are left out
        return None
    if len(ctx.areas) > style.MAX_NAMED_DOTS:
        shown = shown.assign(named=shown["decision"].isin([ABOVE, BELOW]).to_numpy())
    drawn = limits[limits["n"] <= positions.chart_top(float(sub["n"].max()))]
    curve = pd.DataFrame({"n": drawn["n"].to_numpy(dtype=float),
                          **{c: drawn[c].to_numpy(dtype=float)
                             for c in ("lower", "upper", "lower_95", "upper_95")}})
    return shown, curve, float(d["pooled"]), str(d["limits"]), label


def _dispersion_words(ctx: AggregateContext, d: pd.Series, question: str) -> Text:
    """How much the areas' true shares spread around the all-areas figure (the model's
    sqrt(rho p0 (1 - p0)), in points), or that they spread no more than sampling explains."""
    spread = Number(100 * float(d["spread"]), Kind.NUMBER, depends_on(*(
        share_of(*_area_keys(a.id)(question)) for a in ctx.areas)))
    return say("aggregate.dispersed", between=d["limits"] == BETA_BINOMIAL, spread=spread,
               group=ctx.group is not None)


def _other_questions(ctx: AggregateContext, decided: pd.DataFrame,
                     by_question: dict[str, pd.DataFrame], keys: pd.DataFrame) -> list[Block]:
    """The questions that are not key ones, in one compact table instead of 68 charts."""
    pq = ctx.tables["pooled_questions"].drop_duplicates("question").sort_values(
        ["outcome", "order"])
    rest = pq[~pq["question"].isin(set(keys["question"]))]
    rows = decided[decided["measure"].isin(set(rest["question"]))]
    body = []
    for q in rest.itertuples():
        sub = by_question.get(q.question)
        if sub is None:
            continue
        body.append((str(q.label), ctx.share(*_pooled_keys(q.question)),
                     say("aggregate.areas_of", names=_names(sub, ABOVE)),
                     say("aggregate.areas_of", names=_names(sub, BELOW))))
    return [Heading(plain("aggregate.other_heading"), 3, "funnels-other"),
            Table(say("aggregate.other_caption", group=ctx.group is not None),
                  (Column("Question"),
                   Column(plain("charts.reference_legend", group=ctx.group is not None), True),
                   Column("Unusually high"),
                   Column("Unusually low")), tuple(body)),
            Paragraph(_chance(rows, "area other questions"))]


def question_heatmap(ctx: AggregateContext) -> Exhibit:
    """Key questions by area, one heatmap per outcome so that the text stays readable."""
    qs = ctx.tables["question_scores"]
    keyq = qs[qs["key"]].drop_duplicates(["area_id", "question"]).copy()
    hidden = [_area_hidden(ctx, r.area_id, r.question) for r in keyq.itertuples()]
    keyq.loc[hidden, "share"] = math.nan  # hidden figures are left out of charts
    blocks: list[Block] = [Heading(plain("aggregate.key_heatmap_heading"), 2,
                                   "question-heatmap")]
    note = _too_many(ctx, style.MAX_AREA_COLUMNS)
    if note is not None:
        return Exhibit((*blocks, note, Paragraph(say("aggregate.key_heatmap_instead"))), keyq)
    figures = []
    for o in ctx.bank.outcomes:
        sub = keyq[keyq["outcome"] == o.id]
        if sub.empty:
            continue
        # a row per area, a column per key question (numbered, named in the chart's key): a
        # phone-wide chart has room for an area's name beside its row, not above a column
        matrix = sub.pivot(index="area_id", columns="label", values="share")
        order = sub.drop_duplicates("label").sort_values("order")["label"]
        matrix = matrix[[lab for lab in order if lab in matrix.columns]]
        drawn = tuple(ctx.share(*_area_keys(str(r.area_id))(str(r.question)))
                      for r in sub.itertuples() if not math.isnan(r.share))
        matrix.index = [ctx.name(a) for a in matrix.index]
        fig, alt = charts.heatmap(matrix, plain("aggregate.outcome_title", outcome=o),
                                  plain("aggregate.key_heatmap_columns"))
        blocks.append(chart(fig, alt, say("aggregate.key_heatmap_caption", outcome=o), drawn))
        charts.close(fig)
        figures.append(fig)
    return Exhibit(tuple(blocks), keyq, tuple(figures))


def _area_hidden(ctx: AggregateContext, area_id: str, question: str) -> bool:
    """Whether the area's own report hides this question's share."""
    return ctx.disclosure.share_hidden(area_key(area_id, k_key(question)),
                                       area_key(area_id, n_key(question)))


def _mean_of_areas(ctx: AggregateContext, question: str, value: float) -> Number:
    """The mean of the areas' shares of a question."""
    return numbers.score(value, Mean(tuple(share_of(*_area_keys(a.id)(question))
                                           for a in ctx.areas)))


def pooled_question_table(ctx: AggregateContext) -> Exhibit:
    pq = ctx.tables["pooled_questions"].drop_duplicates("question")
    body = []
    for r in pq.itertuples():
        k, n = _pooled_keys(r.question)
        body.append((str(r.label), str(r.criterion), ctx.count(n), ctx.count(k),
                     ctx.share(k, n),
                     numbers.share_interval(ctx.disclosure, k, n, r.lower, r.upper),
                     _mean_of_areas(ctx, r.question, float(r.mean_of_areas))))
    return Exhibit((Heading(plain("aggregate.pooled_heading"), 2, "pooled-questions"),
                    Table(say("aggregate.pooled_caption"),
                          (Column("Question"), Column("Criterion"), Column("n", True),
                           Column("k", True), Column("Pooled", True),
                           Column("95% interval", True), Column("Mean of areas", True)),
                          tuple(body)),
                    *ctx.rules()), pq)


def pooled_factors(ctx: AggregateContext) -> Exhibit:
    f = ctx.tables["factors"]
    g = f.groupby(["factor", "label", "prevalent"], as_index=False).agg(
        identified=("identified", "sum"), ik=("interventions_k", "sum"),
        inn=("interventions_n", "sum"), pk=("progress_k", "sum"), pn=("progress_n", "sum"))
    g = g.sort_values(["prevalent", "identified"], ascending=False)
    body: tuple[tuple[TableCell, ...], ...] = tuple(
        (str(r.label), ctx.count(pooled_key(factor_key(r.factor, "identified"))),
         *[ctx.share(pooled_key(factor_key(r.factor, f"{part}:k")),
                     pooled_key(factor_key(r.factor, f"{part}:n")))
           for part in ("interventions", "progress")]) for r in g.itertuples())
    return Exhibit((Heading(plain("aggregate.factors_heading"), 2, "pooled-factors"),
                    Table(say("aggregate.factors_caption", group=ctx.group is not None),
                          (Column("Factor"), Column("Cases identified", True),
                           Column("Sufficient interventions", True),
                           Column("Sufficient progress", True)), body),
                    *ctx.rules()), g)


def published_vs_recomputed(ctx: AggregateContext) -> Exhibit:
    blocks: list[Block] = [Heading(plain("aggregate.published_heading"), 2, "published")]
    out = ctx.tables["outcome_scores"]
    rows: list[tuple[TableCell, ...]] = []
    data = []
    for a in ctx.areas:
        pub = headline_scores(ctx.data_dir, a.id)
        if not pub:
            continue
        mine = out[out["area_id"] == a.id].set_index("outcome")
        for o in ctx.bank.outcomes:
            if o.id in pub and o.id in mine.index:
                value = float(mine.loc[o.id, "score"])
                lineage = area_score_lineage(ctx, a.id, o.id)
                lower, upper = float(mine.loc[o.id, "lower"]), float(mine.loc[o.id, "upper"])
                rows.append((plain("aggregate.published_row", area=a.name, outcome=o.id),
                             numbers.external(pub[o.id], Kind.PERCENT, "published report"),
                             numbers.score(value, lineage),
                             Number(value - pub[o.id] / 100, Kind.POINTS, Difference(
                                 lineage, External("published report")), digits=0),
                             numbers.interval(lower, upper, depends_on(lineage))))
                data.append({"area_id": a.id, "outcome": o.id, "published_percent": pub[o.id],
                             "score": value, "lower": lower, "upper": upper})
    if not rows:
        blocks.append(Paragraph(say("aggregate.no_published")))
        return Exhibit(tuple(blocks))
    blocks.append(Table(say("aggregate.published_caption"),
                        (Column("Area and outcome"), Column("Published", True),
                         Column("Recomputed", True), Column("Difference (points)", True),
                         Column("95% interval", True)), tuple(rows)))
    blocks.append(Paragraph(say("aggregate.published_note"), "note"))
    return Exhibit(tuple(blocks), pd.DataFrame(data))


@lru_cache(maxsize=1)
def _formulas() -> tuple[tuple[str, str], ...]:
    """The terms and formulas of ``wording/methods.yaml``."""
    raw = parse(METHODS.read_text(encoding="utf-8")) or []
    return tuple((str(e["term"]), str(e["formula"])) for e in raw)


def methods_appendix(ctx: AggregateContext) -> Exhibit:
    """The formulas behind the comparisons, for readers who want them (the body has none)."""
    return Exhibit((Heading(plain("aggregate.methods_heading"), 2, "methods"),
                    Paragraph(say("aggregate.methods_intro")),
                    Definitions(tuple((Text.of(t), Text.of(f)) for t, f in _formulas()))),
                   ctx.tables["dispersion"])
